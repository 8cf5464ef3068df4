"""Routing through the real DNS server: policies chosen per query by source address (user map),
EDNS Client Subnet, CIDR collections and live health checks."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudlet.clock import ManualClock
from cloudlet.services.route53 import cidr_store, health_store
from cloudlet.services.route53.cidr import EVENT as CIDR_EVENT
from cloudlet.services.route53.cidr import CidrCollection
from cloudlet.services.route53.health_model import HealthCheck, config_from_api
from cloudlet.services.route53.model import AliasTarget, CidrRouting, GeoLocation, GeoProximity, RecordSet
from tests.dns.support import zone_records

from .dns_harness import RoutingHarness, routing_plane
from .servers import HttpServer

ORIGIN = "example.com."
COLL = "0b0e9f4a-1111-2222-3333-444455556666"


def rec(name: str, value: str, set_id: str, **kw: object) -> RecordSet:
    return RecordSet(f"{name}.{ORIGIN}", "A", 60, (value,), set_identifier=set_id, **kw)  # type: ignore[arg-type]


RECORDS = [
    rec("w", "192.0.2.70", "seventy", weight=70),
    rec("w", "192.0.2.30", "thirty", weight=30),
    rec("geo", "192.0.2.1", "de", geolocation=GeoLocation(country_code="DE")),
    rec("geo", "192.0.2.2", "ca", geolocation=GeoLocation(country_code="US", subdivision_code="CA")),
    rec("geo", "192.0.2.3", "us", geolocation=GeoLocation(country_code="US")),
    rec("geo", "192.0.2.4", "default", geolocation=GeoLocation(country_code="*")),
    rec("nodefault", "192.0.2.5", "de", geolocation=GeoLocation(country_code="DE")),
    rec("lat", "192.0.2.11", "use1", region="us-east-1"),
    rec("lat", "192.0.2.12", "euc1", region="eu-central-1"),
    rec("lat", "192.0.2.13", "apne1", region="ap-northeast-1"),
    rec("prox", "192.0.2.21", "sao", geoproximity=GeoProximity(latitude=-23.55, longitude=-46.63)),
    rec("prox", "192.0.2.22", "fra", geoproximity=GeoProximity(aws_region="eu-central-1")),
    rec("ip", "192.0.2.31", "lo", cidr_routing=CidrRouting(COLL, "lo")),
    rec("ip", "192.0.2.32", "any", cidr_routing=CidrRouting(COLL, "*")),
    *[rec("mv", f"192.0.2.{100 + i}", f"m{i}", multivalue_answer=True) for i in range(12)],
]


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoutingHarness]:
    with routing_plane(tmp_path_factory.mktemp("routing")) as h:
        with h.store.write() as txn:
            coll = CidrCollection(
                COLL, "lab", f"arn:aws:route53:::cidrcollection/{COLL}", 2, "r", {"lo": ("127.0.0.0/24",)}
            )
            cidr_store.put_collection(txn, "000000000000", coll)
        h.plane.deps.events.publish(CIDR_EVENT, {"collection_id": COLL})
        h.put_zone("ZROUTE", ORIGIN, zone_records(ORIGIN, []) + RECORDS)
        for _ in range(100):
            if COLL in h.health.router.cidr:
                break
            asyncio.run(asyncio.sleep(0.01))
        yield h


def test_weighted_70_30_over_real_dns(plane: RoutingHarness) -> None:
    n = 2000
    seen = collections.Counter(plane.ask("w.example.com")[0] for _ in range(n))
    assert abs(seen["192.0.2.70"] / n - 0.70) <= 0.04, seen


@pytest.mark.slow
def test_weighted_70_30_over_10000_real_dns_answers(plane: RoutingHarness) -> None:
    n = 10_000
    seen = collections.Counter(plane.ask("w.example.com")[0] for _ in range(n))
    assert abs(seen["192.0.2.70"] / n - 0.70) <= 0.02, seen


@pytest.mark.parametrize(
    ("source", "ecs", "expected"),
    [
        ("127.0.0.2", None, "192.0.2.1"),  # the user map puts 127.0.0.2 in Frankfurt
        ("127.0.0.3", None, "192.0.2.2"),  # San Francisco, California
        ("127.0.0.4", None, "192.0.2.3"),  # the US, no state
        ("127.0.0.5", None, "192.0.2.4"),  # Japan: default
        ("127.0.0.1", "127.0.0.2/32", "192.0.2.1"),  # ECS beats the source address
        ("127.0.0.2", "127.0.0.5/32", "192.0.2.4"),
        ("127.0.0.1", "85.214.132.0/24", "192.0.2.1"),  # a German network by the shipped GeoIP data
        ("127.0.0.1", "8.8.8.0/24", "192.0.2.3"),  # a US network
    ],
)
def test_geolocation(plane: RoutingHarness, source: str, ecs: str | None, expected: str) -> None:
    assert plane.ask("geo.example.com", source=source, ecs=ecs) == [expected]


def test_geolocation_without_default_is_nodata(plane: RoutingHarness) -> None:
    assert plane.ask("nodefault.example.com", source="127.0.0.2") == ["192.0.2.5"]
    assert plane.ask("nodefault.example.com", source="127.0.0.5") == []


@pytest.mark.parametrize(
    ("source", "ecs", "expected"),
    [
        ("127.0.0.2", None, "192.0.2.12"),
        ("127.0.0.5", None, "192.0.2.13"),
        ("127.0.0.1", "8.8.8.0/24", "192.0.2.11"),
    ],
)
def test_latency(plane: RoutingHarness, source: str, ecs: str | None, expected: str) -> None:
    assert plane.ask("lat.example.com", source=source, ecs=ecs) == [expected]


def test_geoproximity(plane: RoutingHarness) -> None:
    assert plane.ask("prox.example.com", source="127.0.0.7") == ["192.0.2.21"]  # Brazil
    assert plane.ask("prox.example.com", source="127.0.0.2") == ["192.0.2.22"]


def test_ip_based(plane: RoutingHarness) -> None:
    assert plane.ask("ip.example.com", source="127.0.0.9") == ["192.0.2.31"]
    assert plane.ask("ip.example.com", source="127.0.0.9", ecs="127.0.1.0/24") == ["192.0.2.32"]
    assert plane.ask("ip.example.com", source="127.0.0.9", ecs="127.0.0.0/16") == ["192.0.2.32"]


def test_multivalue_at_most_8(plane: RoutingHarness) -> None:
    answers = [tuple(plane.ask("mv.example.com")) for _ in range(30)]
    assert all(len(a) == 8 for a in answers) and len(set(answers)) > 5


def test_failover_and_alias_target_health_with_virtual_time(tmp_path: Path) -> None:
    clock = ManualClock()
    with routing_plane(tmp_path, clock=clock, extra={"geoip": "off"}) as h:

        async def servers() -> tuple[HttpServer, HttpServer]:
            return await HttpServer().start(), await HttpServer().start()

        primary, secondary = h.run(servers())
        try:
            checks = {}
            with h.store.write() as txn:
                for label, server in (("p", primary), ("s", secondary)):
                    cfg = config_from_api(
                        {
                            "Type": "HTTP",
                            "IPAddress": "127.0.0.1",
                            "Port": server.port,
                            "RequestInterval": 10,
                            "FailureThreshold": 2,
                        }
                    )
                    hc = HealthCheck(f"hc-{label}-0000", "000000000000", label, cfg)
                    health_store.put_health_check(txn, hc)
                    checks[label] = hc.id
            for hc_id in checks.values():
                h.plane.deps.events.publish(health_store.EVENT, {"health_check_id": hc_id})
            records = [
                rec("fo", "192.0.2.1", "primary", failover="PRIMARY", health_check_id=checks["p"]),
                rec("fo", "192.0.2.2", "secondary", failover="SECONDARY", health_check_id=checks["s"]),
                # weighted aliases with EvaluateTargetHealth: one to the primary-only record
                RecordSet(
                    f"al.{ORIGIN}",
                    "A",
                    None,
                    (),
                    AliasTarget("ZFO", f"ponly.{ORIGIN}", True),
                    set_identifier="a",
                    weight=1,
                ),
                rec("al", "192.0.2.9", "b", weight=1),
                rec("ponly", "192.0.2.1", "x", weight=1, health_check_id=checks["p"]),
            ]
            h.put_zone("ZFO", ORIGIN, zone_records(ORIGIN, []) + records)

            def advance(seconds: float) -> None:
                async def go() -> None:
                    for _ in range(int(seconds / 1.25)):
                        await clock.advance(1.25)
                        await asyncio.sleep(0.03)

                h.run(go())

            advance(10)
            assert h.ask("fo.example.com") == ["192.0.2.1"]
            assert {h.ask("al.example.com")[0] for _ in range(40)} == {"192.0.2.1", "192.0.2.9"}
            h.run(primary.stop())
            advance(20)  # RequestInterval 10 x FailureThreshold 2
            assert not h.health.view.healthy(checks["p"])
            assert h.ask("fo.example.com") == ["192.0.2.2"]
            assert {h.ask("al.example.com")[0] for _ in range(40)} == {"192.0.2.9"}
            h.run(primary.start(primary.port))
            advance(20)
            assert h.ask("fo.example.com") == ["192.0.2.1"]
            obs = h.health.observations(checks["p"])
            assert len(obs) == 8 and all(o["StatusReport"]["Status"].startswith("Success") for o in obs)
        finally:
            h.run(primary.stop())
            h.run(secondary.stop())
