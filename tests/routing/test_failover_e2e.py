"""End to end: `cloudlet up` (time_scale 20), two real HTTP servers on loopback, a failover pair
with health checks created through boto3, answers read with real DNS queries. Kill the primary:
answers switch to the secondary within RequestInterval x FailureThreshold (scaled); restart it:
answers come back. Also geolocation by source address through the server's user map."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dns.message
import dns.query
import pytest

from tests.support.server import CloudletProcess

SCALE = 20.0
INTERVAL, THRESHOLD = 10, 2
BOUND = INTERVAL * THRESHOLD / SCALE  # 1 s of real time


class Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"healthy"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Web:
    """A real HTTP server that can be killed and restarted on the same port."""

    def __init__(self) -> None:
        self.port = 0
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> Web:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Ok)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def kill(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def webs() -> Iterator[tuple[Web, Web]]:
    a, b = Web().start(), Web().start()
    yield a, b
    a.kill()
    b.kill()


def ask(server: CloudletProcess, name: str, source: str = "127.0.0.1") -> list[str]:
    q = dns.message.make_query(name, "A")
    r = dns.query.udp(q, "127.0.0.1", port=server.ports["dns"], timeout=2, source=source)
    return sorted(rd.to_text() for rrset in r.answer for rd in rrset)


def wait_for(predicate: Callable[[], bool], limit: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"not within {limit:.1f}s")


def test_failover_through_real_dns(
    cloudlet_factory: Callable[..., CloudletProcess], webs: tuple[Web, Web], tmp_path: Path
) -> None:
    geo_map = tmp_path / "geo.json"
    geo_map.write_text(
        json.dumps({"127.0.0.2/32": {"region": "eu-central-1"}, "127.0.0.3/32": {"country": "JP"}})
    )
    server = cloudlet_factory(settings={"time_scale": SCALE}, env={"CLOUDLET_GEO_MAP": str(geo_map)})
    primary, secondary = webs
    r53 = server.client("route53")
    zone_name = f"fo-{uuid.uuid4().hex[:6]}.example"
    zone = r53.create_hosted_zone(Name=zone_name, CallerReference=uuid.uuid4().hex)["HostedZone"]["Id"]
    checks = {}
    for label, web in (("primary", primary), ("secondary", secondary)):
        cfg = {
            "Type": "HTTP",
            "IPAddress": "127.0.0.1",
            "Port": web.port,
            "RequestInterval": INTERVAL,
            "FailureThreshold": THRESHOLD,
        }
        checks[label] = r53.create_health_check(CallerReference=uuid.uuid4().hex, HealthCheckConfig=cfg)[
            "HealthCheck"
        ]["Id"]
    name = f"www.{zone_name}."

    def rrset(role: str, ip: str) -> dict[str, object]:
        return {
            "Name": name,
            "Type": "A",
            "TTL": 10,
            "SetIdentifier": role.lower(),
            "Failover": role,
            "HealthCheckId": checks[role.lower()],
            "ResourceRecords": [{"Value": ip}],
        }

    geo = [
        {
            "Name": f"geo.{zone_name}.",
            "Type": "A",
            "TTL": 60,
            "SetIdentifier": sid,
            "GeoLocation": loc,
            "ResourceRecords": [{"Value": ip}],
        }
        for sid, loc, ip in (
            ("de", {"CountryCode": "DE"}, "192.0.2.49"),
            ("any", {"CountryCode": "*"}, "192.0.2.1"),
        )
    ]
    change = r53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Changes": [
                {"Action": "CREATE", "ResourceRecordSet": rrset("PRIMARY", "192.0.2.10")},
                {"Action": "CREATE", "ResourceRecordSet": rrset("SECONDARY", "192.0.2.20")},
                *[{"Action": "CREATE", "ResourceRecordSet": g} for g in geo],
            ]
        },
    )["ChangeInfo"]["Id"]
    wait_for(lambda: r53.get_change(Id=change)["ChangeInfo"]["Status"] == "INSYNC", 30)
    assert ask(server, name) == ["192.0.2.10"]
    assert ask(server, f"geo.{zone_name}", source="127.0.0.2") == ["192.0.2.49"]
    assert ask(server, f"geo.{zone_name}", source="127.0.0.3") == ["192.0.2.1"]

    # TestDNSAnswer routes by its ResolverIP and EDNS0ClientSubnetIP parameters too
    def test_answer(**kw: str) -> list[str]:
        out = r53.test_dns_answer(HostedZoneId=zone, RecordName=f"geo.{zone_name}", RecordType="A", **kw)
        return list(out["RecordData"])

    assert test_answer(ResolverIP="127.0.0.2") == ["192.0.2.49"]
    assert test_answer(ResolverIP="127.0.0.3") == ["192.0.2.1"]
    assert test_answer(
        ResolverIP="127.0.0.3", EDNS0ClientSubnetIP="127.0.0.2", EDNS0ClientSubnetMask="32"
    ) == ["192.0.2.49"]

    # let every checker see the primary up, then kill it
    wait_for(
        lambda: (
            len(r53.get_health_check_status(HealthCheckId=checks["primary"])["HealthCheckObservations"]) == 8
        ),
        10,
    )
    primary.kill()
    took = wait_for(lambda: ask(server, name) == ["192.0.2.20"], BOUND + 3)
    print(f"failover took {took:.2f}s real (bound {BOUND:.2f}s)")
    assert took <= BOUND + 1.0, f"failover took {took:.2f}s (bound {BOUND:.2f}s)"
    reasons = r53.get_health_check_last_failure_reason(HealthCheckId=checks["primary"])[
        "HealthCheckObservations"
    ]
    assert reasons and all(o["StatusReport"]["Status"].startswith("Failure") for o in reasons)

    primary.start()  # same port
    back = wait_for(lambda: ask(server, name) == ["192.0.2.10"], BOUND + 3)
    print(f"recovery took {back:.2f}s real")
    assert back <= BOUND + 1.0, f"recovery took {back:.2f}s"

    # both down: AWS answers with the primary
    primary.kill()
    secondary.kill()
    time.sleep(BOUND + 1.0)
    assert ask(server, name) == ["192.0.2.10"]
