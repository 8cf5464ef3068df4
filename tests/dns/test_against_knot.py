"""Differential test: the same zone served by cloudlet and by Knot DNS must answer alike.

Knot is the reference implementation the benchmark compares against; where both follow the
RFCs their answers agree. The one Route 53 difference is normalised away: cloudlet (like Route
53) puts the apex NS set in AUTHORITY of positive answers, Knot leaves it out. Skipped when
knotd is not installed (Debian package `knot`, listed in .ci/apt-packages.txt).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from tests.dns.support import NS, SOA, DnsHarness, running_plane, zone_records

# `make test` installs knot (.ci/apt-packages.txt); only a bare `pytest` outside CI may lack it
pytestmark = pytest.mark.skipif(
    shutil.which("knotd") is None and not os.environ.get("CI"), reason="knotd not installed (run make test)"
)

ROWS = [
    ("www.example.com.", "A", 300, ("192.0.2.1", "192.0.2.2")),
    ("www.example.com.", "AAAA", 300, ("2001:db8::1",)),
    ("mail.example.com.", "MX", 300, ("10 mx.example.com.", "20 mx2.example.com.")),
    ("mx.example.com.", "A", 300, ("192.0.2.25",)),
    ("a.b.example.com.", "TXT", 60, ('"deep"',)),
    ("*.w.example.com.", "A", 60, ("192.0.2.9",)),
    ("*.w.example.com.", "MX", 60, ("10 mx.example.com.",)),
    ("exists.w.example.com.", "TXT", 60, ('"here"',)),
    ("x.\\052.example.com.", "A", 60, ("192.0.2.42",)),
    ("c.example.com.", "CNAME", 60, ("www.example.com.",)),
    ("c2.example.com.", "CNAME", 60, ("c.example.com.",)),
    ("cw.example.com.", "CNAME", 60, ("foo.w.example.com.",)),
    ("cnx.example.com.", "CNAME", 60, ("nothere.example.com.",)),
    ("loop1.example.com.", "CNAME", 60, ("loop2.example.com.",)),
    ("loop2.example.com.", "CNAME", 60, ("loop1.example.com.",)),
    ("ext.example.com.", "CNAME", 60, ("www.other.net.",)),
    ("sub.example.com.", "NS", 3600, ("ns1.sub.example.com.", "ns.elsewhere.net.")),
    ("ns1.sub.example.com.", "A", 3600, ("192.0.2.53",)),
    ("srv.example.com.", "SRV", 60, ("0 5 443 mx.example.com.",)),
    ("*.wc.example.com.", "CNAME", 60, ("www.example.com.",)),
    ("txt.example.com.", "TXT", 60, ('"a b" "c"', '"second"')),
    ("caa.example.com.", "CAA", 60, ('0 issue "ca.example.net"',)),
    ("big.example.com.", "TXT", 60, tuple(f'"{"x" * 200} {i}"' for i in range(8))),
    ("mid.example.com.", "TXT", 60, tuple(f'"{"y" * 200} {i}"' for i in range(3))),
    ("child.example.com.", "NS", 3600, ("ns.child.example.com.",)),  # delegated to a zone we also serve
    ("ns.child.example.com.", "A", 3600, ("192.0.2.54",)),
]
CHILD_ROWS = [
    ("www.child.example.com.", "A", 30, ("192.0.2.77",)),
    ("ns.child.example.com.", "A", 3600, ("192.0.2.54",)),
]
NAMES = [
    "example.com.",
    "www",
    "WwW",
    "mail",
    "mx",
    "b",
    "a.b",
    "foo.w",
    "a.b.c.w",
    "exists.w",
    "w",
    "*.w",
    "x.*",
    "x.y",
    "c",
    "c2",
    "cw",
    "cnx",
    "loop1",
    "ext",
    "host.sub",
    "sub",
    "ns1.sub",
    "deep.ns1.sub",
    "srv",
    "nope",
    "x.www",
    "x.wc",
    "wc",
    "txt",
    "caa",
]
TYPES = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "CNAME", "SRV", "CAA", "DS"]


def qname(n: str) -> str:
    return n if n.endswith(".") else f"{n}.example.com."


def knot_zone_file(path: Path, origin: str, rows: list[tuple[str, str, int, tuple[str, ...]]]) -> None:
    lines = [f"$ORIGIN {origin}", f"@ 900 IN SOA {SOA}"]
    lines += [f"@ 172800 IN NS {ns}" for ns in NS]
    for name, rtype, ttl, values in rows:
        owner = name.replace("\\052", "\\042")  # Route 53 octal escape -> master-file decimal
        lines += [f"{owner} {ttl} IN {rtype} {v}" for v in values]
    path.write_text("\n".join(lines) + "\n")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_knot(root: Path) -> tuple[subprocess.Popen[bytes], int]:
    """knotd on a free port; a port taken between probing and binding (or a slow start) is
    retried on another one."""
    problems = []
    for _attempt in range(3):
        port = free_port()
        (root / "knot.conf").write_text(
            f'server:\n  rundir: "{root}"\n  listen: 127.0.0.1@{port}\n  udp-workers: 1\n  tcp-workers: 1\n'
            f'database:\n  storage: "{root}"\nlog:\n  - target: stderr\n    any: error\n'
            f'zone:\n  - domain: example.com.\n    file: "{root}/example.com.zone"\n    semantic-checks: off\n'
            f'  - domain: child.example.com.\n    file: "{root}/child.zone"\n    semantic-checks: off\n'
        )
        knot = subprocess.Popen(
            ["knotd", "-c", str(root / "knot.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 15
        while knot.poll() is None and time.monotonic() < deadline:
            try:
                q = dns.message.make_query("example.com.", "SOA")
                if dns.query.udp(q, "127.0.0.1", port=port, timeout=0.3).answer:
                    return knot, port
            except (OSError, dns.exception.Timeout):
                pass
        knot.kill()
        _, err = knot.communicate(timeout=10)
        problems.append(f"port {port}: {err.decode(errors='replace')[-500:]}")
    raise AssertionError("knotd did not start: " + " | ".join(problems))


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DnsHarness, int]]:
    root = tmp_path_factory.mktemp("knot")
    knot_zone_file(root / "example.com.zone", "example.com.", ROWS)
    knot_zone_file(root / "child.zone", "child.example.com.", CHILD_ROWS)
    knot, port = start_knot(root)
    try:
        with running_plane(tmp_path_factory.mktemp("cloudlet")) as h:
            h.put_zone("Z1", "example.com.", zone_records("example.com.", ROWS))
            h.put_zone("Z2", "child.example.com.", zone_records("child.example.com.", CHILD_ROWS))
            yield h, port
    finally:
        knot.terminate()
        knot.communicate(timeout=10)


def summary(resp: dns.message.Message) -> dict[str, object]:
    positive = resp.rcode() == dns.rcode.NOERROR and bool(resp.answer)

    def rrs(section: list[dns.rrset.RRset]) -> list[str]:
        return sorted(
            f"{rr.name} {rr.ttl} {dns.rdatatype.to_text(rr.rdtype)} {rd.to_text()}"
            for rr in section
            for rd in rr
            if rr.rdtype != dns.rdatatype.OPT
        )

    return {
        "rcode": dns.rcode.to_text(resp.rcode()),
        "aa": bool(resp.flags & dns.flags.AA),
        "tc": bool(resp.flags & dns.flags.TC),
        "question": str(resp.question[0]) if resp.question else None,
        "answer": rrs(resp.answer),
        "authority": [] if positive else rrs(resp.authority),  # Route 53 adds apex NS here
        "additional": rrs(resp.additional),
    }


@pytest.mark.parametrize("edns", [True, False], ids=["edns", "no-edns"])
@pytest.mark.parametrize("rtype", TYPES)
def test_same_answers_as_knot(servers: tuple[DnsHarness, int], rtype: str, edns: bool) -> None:
    h, knot_port = servers
    diffs = []
    for n in NAMES:
        q = dns.message.make_query(qname(n), rtype, use_edns=0 if edns else None, payload=1232)
        q.flags = 0  # an iterative query, as a resolver sends to an authority
        ours = summary(h.udp(q))
        theirs = summary(dns.query.udp(q, "127.0.0.1", port=knot_port, timeout=2))
        if ours != theirs:
            diffs.append((qname(n), rtype, ours, theirs))
    assert not diffs, "\n".join(f"{n} {t}\n  cloudlet {o}\n  knot     {k}" for n, t, o, k in diffs)
