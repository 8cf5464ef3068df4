"""The dns_auth benchmark driver (bench/dns_auth/run is its entry point).

Writes a zone of 1,000 A records into a fresh cloudlet state dir (through route53/store.py) and
the same zone as a Knot DNS zone file; makes a query file of those 1,000 names plus ~10%
non-existent ones (NXDOMAIN), shuffled; then for each server: start it, run dnsperf for the
throughput figure while sampling the server's CPU time from /proc, run a short verbose dnsperf
for per-query latencies (p50/p99), stop it. Prints one line per server and the ratios.

The routed zone: the same state also holds 1,000 names `w0..w999` that are each a weighted
70/30 pair of A records, each record with its own health check (2,000 checks, all healthy in
the persisted health status the router loads). The cloudlet server is measured on the plain
query file and on the routed one (same process, order alternating per round), and the routing
cost is 1 - routed/plain, in raw qps and per server-CPU-second. Knot serves the plain zone only.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query

from cloudlet.services.dns.plane import DnsPlane
from cloudlet.services.route53 import health_store
from cloudlet.services.route53 import store as r53store
from cloudlet.services.route53.model import HostedZone, RecordSet
from cloudlet.store import SqliteStore

ZONE = "bench.example."
RECORDS = 1000
NX = 100
SOA = "ns-1.awsdns-01.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"
NS = ("ns-1.awsdns-01.com.", "ns-600.awsdns-02.net.")


def records() -> list[RecordSet]:
    out = [RecordSet(ZONE, "SOA", 900, (SOA,)), RecordSet(ZONE, "NS", 172800, NS)]
    for i in range(RECORDS):
        out.append(RecordSet(f"host{i}.{ZONE}", "A", 300, (f"10.{i // 250}.{i % 250}.1",)))
    return out


def routed_records() -> list[RecordSet]:
    """1,000 weighted 70/30 pairs, every record health-checked."""
    out = []
    for i in range(RECORDS):
        for set_id, weight, last in (("a", 70, 1), ("b", 30, 2)):
            out.append(
                RecordSet(
                    f"w{i}.{ZONE}",
                    "A",
                    60,
                    (f"10.{100 + i // 250}.{i % 250}.{last}",),
                    set_identifier=set_id,
                    weight=weight,
                    health_check_id=f"hc-{i}-{set_id}",
                )
            )
    return out


def write_cloudlet_state(state: Path) -> None:
    store = SqliteStore(state / "state.db", streams=DnsPlane.follows)
    with store.write() as txn:
        r53store.put_zone(txn, HostedZone("ZBENCH", ZONE, "bench"))
        for r in records() + routed_records():
            r53store.put_rrset(txn, "ZBENCH", r)
        health_store.put_statuses(
            txn, {r.health_check_id: True for r in routed_records() if r.health_check_id}
        )
    store.close()


def write_knot(root: Path, port: int) -> Path:
    zone = [f"$ORIGIN {ZONE}"]
    for r in records():
        for v in r.values:
            zone.append(f"{r.name} {r.ttl} IN {r.type} {v}")
    (root / "bench.example.zone").write_text("\n".join(zone) + "\n")
    conf = root / "knot.conf"
    conf.write_text(
        f"""server:
    rundir: "{root}"
    listen: 127.0.0.1@{port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "{root}"
log:
  - target: stderr
    any: error
template:
  - id: default
    storage: "{root}"
    semantic-checks: off
zone:
  - domain: {ZONE}
    file: "{root}/bench.example.zone"
"""
    )
    return conf


def write_queries(path: Path, prefix: str = "host") -> None:
    q = [f"{prefix}{i}.{ZONE} A" for i in range(RECORDS)] + [f"nx{i}.{ZONE} A" for i in range(NX)]
    random.Random(7).shuffle(q)
    path.write_text("\n".join(q) + "\n")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def wait_port(proc: subprocess.Popen[str], port: int) -> None:
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            dns.query.udp(dns.message.make_query(f"host1.{ZONE}", "A"), "127.0.0.1", port=port, timeout=0.5)
            return
        except (OSError, dns.exception.Timeout):
            pass
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.returncode}")
        time.sleep(0.2)
    raise SystemExit("server did not answer")


# dnsperf options added to every run: with the sixth argument 1, every query carries the same
# 8-byte DNS client cookie (EDNS option 10), as a resolver's queries to one server do
EXTRA: list[str] = []


def dnsperf(port: int, qfile: Path, seconds: int, clients: int, outstanding: int, verbose: bool) -> str:
    cmd = [
        "dnsperf",
        "-s",
        "127.0.0.1",
        "-p",
        str(port),
        "-d",
        str(qfile),
        "-l",
        str(seconds),
        "-c",
        str(clients),
        "-T",
        "1",
        "-q",
        str(outstanding),
    ]
    cmd += EXTRA
    if verbose:
        cmd.append("-v")
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def measure(
    name: str, proc: subprocess.Popen[str], port: int, qfile: Path, args: list[int]
) -> dict[str, float]:
    seconds, clients, outstanding = args[:3]
    wait_port(proc, port)
    pids = [proc.pid, *children(proc.pid)]
    dnsperf(port, qfile, 1, clients, outstanding, False)  # warm-up (fills caches)
    c0 = cpu_seconds(pids)
    out = dnsperf(port, qfile, seconds, clients, outstanding, False)
    cpu = cpu_seconds(pids) - c0
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    completed = int(re.search(r"Queries completed:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    verbose = dnsperf(port, qfile, 3, clients, outstanding, True)
    lat = sorted(float(m) for m in re.findall(r"^> \S+ .* ([\d.]+)$", verbose, re.M))
    p50 = lat[len(lat) // 2] * 1000 if lat else float("nan")
    p99 = lat[int(len(lat) * 0.99)] * 1000 if lat else float("nan")
    r = {
        "qps": qps,
        "cpu": cpu,
        "per_cpu": completed / cpu if cpu else float("nan"),
        "p50": p50,
        "p99": p99,
        "lost": lost,
        "mean_ms": statistics.fmean(lat) * 1000 if lat else float("nan"),
    }
    print(
        f"{name:8s} qps {qps:10.0f}  p50 {p50:6.3f} ms  p99 {p99:6.3f} ms  server CPU {cpu:5.2f} s  "
        f"qps/server-CPU-s {r['per_cpu']:9.0f}  lost {lost}",
        flush=True,
    )
    return r


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> None:
    defaults = [10, 4, 100, 1, 2, 0]  # seconds, clients, outstanding, cloudlet workers, rounds, cookie
    args = [int(a) for a in sys.argv[1:]] + defaults[len(sys.argv) - 1 :]
    if args[5]:
        EXTRA[:] = ["-e", "-E", "10:0102030405060708"]
    for tool in ("dnsperf", "knotd"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: apt-get install -y dnsperf knot")
    root = Path(tempfile.mkdtemp(prefix="dns_auth_bench."))
    qfile = root / "queries.txt"
    write_queries(qfile)
    rfile = root / "routed.txt"
    write_queries(rfile, "w")
    (root / "cloudlet").mkdir()
    write_cloudlet_state(root / "cloudlet")
    (root / "knot").mkdir()
    print(
        f"load: dnsperf -l {args[0]} -c {args[1]} -T 1 -q {args[2]}; {RECORDS} names + {NX} NXDOMAIN; "
        f"routed: {RECORDS} weighted 70/30 health-checked pairs + {NX} NXDOMAIN; "
        f"cloudlet workers {args[3]}, knot udp-workers 1; {args[4]} rounds, order alternating"
        + ("; every query with a DNS client cookie" if args[5] else ""),
        flush=True,
    )
    port = 15353
    results: dict[str, list[dict[str, float]]] = {"cloudlet": [], "routed": [], "knot": []}

    def run_cloudlet(r: int) -> None:
        proc = subprocess.Popen(
            [sys.executable, "bench/dns_auth/serve.py", str(root / "cloudlet"), str(port), str(args[3])],
            stdout=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": "."},
        )
        try:
            runs = [("cloudlet", qfile), ("routed", rfile)]
            for name, f in runs if r % 2 == 0 else runs[::-1]:
                results[name].append(measure(name, proc, port, f, args))
        finally:
            stop(proc)

    def run_knot(r: int) -> None:
        conf = write_knot(root / "knot", port + 1)
        proc = subprocess.Popen(["knotd", "-c", str(conf)], stdout=subprocess.DEVNULL, text=True)
        try:
            results["knot"].append(measure("knot", proc, port + 1, qfile, args))
        finally:
            stop(proc)

    for r in range(args[4]):
        for run in (run_cloudlet, run_knot) if r % 2 == 0 else (run_knot, run_cloudlet):
            run(r)
    ours, routed, knot = results["cloudlet"], results["routed"], results["knot"]
    qps = sum(x["qps"] for x in ours) / sum(x["qps"] for x in knot)
    per_cpu = sum(x["per_cpu"] for x in ours) / sum(x["per_cpu"] for x in knot)
    print(
        f"ratio cloudlet/knot (mean of rounds): qps {qps:.2f}  per server-CPU-second {per_cpu:.2f}",
        flush=True,
    )
    r_qps = sum(x["qps"] for x in routed) / sum(x["qps"] for x in ours)
    r_cpu = sum(x["per_cpu"] for x in routed) / sum(x["per_cpu"] for x in ours)
    print(
        f"routing cost (routed vs plain, cloudlet, mean of rounds): qps {1 - r_qps:.1%}  "
        f"per server-CPU-second {1 - r_cpu:.1%}  (bar: < 20%)",
        flush=True,
    )
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
