"""The prerendered routed-answer path (services/dns/routed.py) against the slow path.

Every response the engine sends for a routed question must be byte for byte one the slow path
(wire.answer_query: dnspython parse, resolve, render) would send for the same choices, except
the id and which rotation of the values comes first. Choices are made at random, so the slow
path gets a twin Router seeded alike: the fast path draws exactly once per selector call, in
the same order, as the slow path does. Covered: every policy type, alias and CNAME trees whose
answers consult several groups, with and without EDNS Client Subnet (v4 and v6, whole and
partial-byte prefixes), mixed-case questions, UDP and TCP sizes, in process and through the
real listeners. Plus: health swaps take effect on the next query, 70/30 and multivalue rules
hold on the fast path, and its caches stay bounded.
"""

from __future__ import annotations

import collections
import random
from collections.abc import Iterator
from pathlib import Path

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import pytest

from cloudlet.services.dns import routed
from cloudlet.services.dns.authoritative import Client
from cloudlet.services.dns.compiler import compile_zone
from cloudlet.services.dns.engine import Engine
from cloudlet.services.dns.view import View
from cloudlet.services.dns.wire import Limits, answer_query
from cloudlet.services.route53.cidr import CidrCollection, CidrTable
from cloudlet.services.route53.health_view import HealthView
from cloudlet.services.route53.model import (
    AliasTarget,
    CidrRouting,
    GeoLocation,
    GeoProximity,
    HostedZone,
    RecordSet,
    ZoneSnapshot,
)
from cloudlet.services.route53.router import Router, groups_in
from tests.dns.support import zone_records

from .dns_harness import RoutingHarness, routing_plane
from .helpers import geo

ORIGIN = "fast.example."
ZID = "ZFAST"
COLL = "0b0e9f4a-aaaa-bbbb-cccc-444455556666"


def rec(name: str, value: str, set_id: str, rtype: str = "A", **kw: object) -> RecordSet:
    return RecordSet(f"{name}.{ORIGIN}", rtype, 60, (value,), set_identifier=set_id, **kw)  # type: ignore[arg-type]


def alias(name: str, target: str, set_id: str, **kw: object) -> RecordSet:
    return RecordSet(
        f"{name}.{ORIGIN}",
        "A",
        None,
        (),
        AliasTarget(ZID, f"{target}.{ORIGIN}", True),
        set_identifier=set_id,
        **kw,  # type: ignore[arg-type]
    )


RECORDS = [
    rec("w", "192.0.2.70", "seventy", weight=70, health_check_id="hc-w70"),
    rec("w", "192.0.2.30", "thirty", weight=30, health_check_id="hc-w30"),
    RecordSet(
        f"wm.{ORIGIN}", "A", 60, ("192.0.2.71", "192.0.2.72", "192.0.2.73"), set_identifier="a", weight=1
    ),
    RecordSet(f"wm.{ORIGIN}", "A", 60, ("192.0.2.74",), set_identifier="b", weight=1),
    rec("wz", "192.0.2.80", "z1", weight=0),
    rec("wz", "192.0.2.81", "z2", weight=0),
    rec("fo", "192.0.2.90", "p", failover="PRIMARY", health_check_id="hc-primary"),
    rec("fo", "192.0.2.91", "s", failover="SECONDARY"),
    *[
        rec("mv", f"192.0.2.{100 + i}", f"m{i}", multivalue_answer=True, health_check_id=f"hc-m{i}")
        for i in range(12)
    ],
    rec("mv6", "2001:db8::1", "a", "AAAA", multivalue_answer=True),
    rec("mv6", "2001:db8::2", "b", "AAAA", multivalue_answer=True),
    rec("lat", "192.0.2.11", "use1", region="us-east-1"),
    rec("lat", "192.0.2.12", "euc1", region="eu-central-1"),
    rec("lat", "192.0.2.13", "apne1", region="ap-northeast-1"),
    rec("geo", "192.0.2.1", "de", geolocation=GeoLocation(country_code="DE")),
    rec("geo", "192.0.2.2", "ca", geolocation=GeoLocation(country_code="US", subdivision_code="CA")),
    rec("geo", "192.0.2.3", "us", geolocation=GeoLocation(country_code="US")),
    rec("geo", "192.0.2.4", "default", geolocation=GeoLocation(country_code="*")),
    rec("nodef", "192.0.2.5", "de", geolocation=GeoLocation(country_code="DE")),
    rec("prox", "192.0.2.21", "sao", geoproximity=GeoProximity(latitude=-23.55, longitude=-46.63)),
    rec("prox", "192.0.2.22", "fra", geoproximity=GeoProximity(aws_region="eu-central-1", bias=20)),
    rec("ip", "192.0.2.31", "lo", cidr_routing=CidrRouting(COLL, "lo")),
    rec("ip", "192.0.2.32", "any", cidr_routing=CidrRouting(COLL, "*")),
    # answers that consult several groups: an alias tree, a CNAME into a routed name, MX glue
    alias("tree", "w", "to-w", weight=50),
    alias("tree", "geo", "to-geo", weight=50),
    RecordSet(f"cn.{ORIGIN}", "CNAME", 60, (f"fo.{ORIGIN}",)),
    RecordSet(f"mail.{ORIGIN}", "MX", 60, (f"10 w.{ORIGIN}",)),
    RecordSet(f"plain.{ORIGIN}", "A", 60, ("192.0.2.200",)),
    # ~830 bytes: more than a query without EDNS may get over UDP (TC), less than 1232
    RecordSet(
        f"big.{ORIGIN}", "TXT", 60, tuple(f'"{c * 200}"' for c in "abcd"), set_identifier="a", weight=1
    ),
    RecordSet(
        f"big.{ORIGIN}", "TXT", 60, tuple(f'"{c * 200}"' for c in "efgh"), set_identifier="b", weight=1
    ),
]
NAMES = ["w", "wm", "wz", "fo", "mv", "lat", "geo", "nodef", "prox", "ip", "tree", "cn"]
QUESTIONS = [(n, "A") for n in NAMES] + [
    ("mv6", "AAAA"),
    ("mail", "MX"),
    ("big", "TXT"),
    ("w", "AAAA"),
    ("nx", "A"),
]
HEALTH = HealthView({"hc-m1": False, "hc-m5": False, "hc-w30": True})
SOURCES = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.5", "127.0.0.7"]
SUBNETS = [None, "85.214.132.0/24", "8.8.0.0/16", "203.0.113.16/28", "2001:db8:1200::/40", "0.0.0.0/0"]


def cidr_table() -> CidrTable:
    return CidrTable(
        [
            CidrCollection(
                COLL, "lab", f"arn:aws:route53:::cidrcollection/{COLL}", 1, "r", {"lo": ("127.0.0.0/24",)}
            )
        ]
    )


def twins(view: View, seed: int) -> tuple[Router, Router]:
    g = geo()
    out = []
    for _ in range(2):
        r = Router(g, groups_in(lambda: view), random.Random(seed))
        r.health = HEALTH
        r.cidr = cidr_table()
        out.append(r)
    return out[0], out[1]


def query(name: str, rtype: str, ecs: str | None, mixed: bool, edns: bool = True) -> bytes:
    qname = f"{name}.{ORIGIN}"
    if mixed:
        qname = "".join(c.upper() if i % 2 else c for i, c in enumerate(qname))
    options: list[dns.edns.Option] = []
    if ecs is not None:
        addr, _, prefix = ecs.partition("/")
        options.append(dns.edns.ECSOption(addr, int(prefix)))
    q = dns.message.make_query(qname, rtype, use_edns=0 if edns or options else False, options=options)
    return q.to_wire()


def slow_variants(data: bytes, source: str, view: View, router: Router, tcp: bool) -> set[bytes]:
    """Every response the slow path could send for this query (rotations), without the id."""
    reply = answer_query(data, Client(source), view, router, tcp=tcp, limits=Limits(), prerender=True)
    assert reply is not None
    return {v[2:] for v in (reply.variants or (reply.wire,))}


@pytest.fixture
def view() -> View:
    snap = ZoneSnapshot(HostedZone(ZID, ORIGIN, "fast"), tuple(zone_records(ORIGIN, []) + RECORDS))
    return View([compile_zone(snap)])


def cases() -> Iterator[tuple[str, str, str | None, bool, bool, str, bool]]:
    for name, rtype in QUESTIONS:
        for ecs in SUBNETS:
            for edns in (True, False) if ecs is None else (True,):
                for mixed in (False, True):
                    for source in SOURCES[:2] if ecs else SOURCES:
                        for tcp in (False, True):
                            yield name, rtype, ecs, edns, mixed, source, tcp


def test_fast_path_is_byte_identical_to_the_slow_path(view: View) -> None:
    fast_router, slow_router = twins(view, 7)
    engine = Engine(view, selector=fast_router)
    routed_hits = 0
    truncated = 0
    for name, rtype, ecs, edns, mixed, source, tcp in cases():
        data = query(name, rtype, ecs, mixed, edns)
        for i in range(4):  # the first fills the tree, the others take the fast path
            wire = engine.answer(b"\x12" + bytes([i]) + data[2:], (source, 5353), tcp)
            assert wire is not None and wire[:2] == b"\x12" + bytes([i])
            expected = slow_variants(data, source, view, slow_router, tcp)
            assert wire[2:] in expected, (name, rtype, ecs, edns, mixed, source, tcp)
            truncated += bool(dns.message.from_wire(wire).flags & dns.flags.TC)
        routed_hits += 1
    assert routed_hits > 500
    assert truncated >= 4 * 2 * 5  # big TXT without EDNS over UDP: TC, from the tree too
    # the trees really were used (and keyed without the subnet address)
    assert engine.udp_routes.plain and engine.udp_routes.ecs and engine.tcp_routes.ecs
    assert len(engine.udp_routes.ecs) < len(QUESTIONS) * len(SUBNETS)


@pytest.mark.parametrize("ecs", ["85.214.132.0/24", "192.0.2.128/25", "2001:db8:abcd:1200::/56"])
def test_routed_response_echoes_each_clients_subnet_with_its_prefix_as_scope(view: View, ecs: str) -> None:
    engine = Engine(view, selector=twins(view, 1)[0])
    sent = [ecs, "85.214.7.0/24", "192.0.2.0/25", "2001:db8:abcd:3400::/56", ecs]
    for subnet in sent:
        wire = engine.answer(query("geo", "A", subnet, False), ("127.0.0.1", 1), False)
        assert wire is not None
        (opt,) = [o for o in dns.message.from_wire(wire).options if isinstance(o, dns.edns.ECSOption)]
        addr, _, prefix = subnet.partition("/")
        assert opt.to_wire() == dns.edns.ECSOption(addr, int(prefix), int(prefix)).to_wire()
    # keyed without the address: one tree per address family and prefix length
    assert len(engine.udp_routes.ecs) == len({(":" in s, s.split("/")[1]) for s in sent})


def test_queries_the_key_cannot_describe_take_the_slow_path(view: View) -> None:
    """Another EDNS option (NSID here; a cookie is handled: see the test below), stray bits beyond
    the prefix, a non-zero scope: answered by the slow path exactly as before, and never keyed."""
    engine = Engine(view, selector=twins(view, 3)[0])
    cookie = dns.message.make_query(
        f"w.{ORIGIN}", "A", use_edns=0, options=[dns.edns.GenericOption(dns.edns.NSID, b"")]
    ).to_wire()
    stray = bytearray(query("geo", "A", "85.214.132.0/23", False))
    stray[-1] |= 1  # a bit beyond the /23 prefix
    scoped = bytearray(query("geo", "A", "85.214.132.0/24", False))
    scoped[-4] = 24  # scope in a query: FORMERR (RFC 7871 §7.1.1)
    wire = engine.answer(cookie, ("127.0.0.1", 1), False)
    assert wire is not None and dns.message.from_wire(wire).answer
    assert routed.query_shape(cookie) is None and routed.query_shape(bytes(stray)) is None
    for bad in (stray, scoped):  # dnspython refuses stray bits; a scope in a query is FORMERR
        wire = engine.answer(bytes(bad), ("127.0.0.1", 1), False)
        assert wire is not None and dns.message.from_wire(wire).rcode() == dns.rcode.FORMERR
    assert not engine.udp_routes.ecs and not engine.udp_routes.plain


def test_weighted_70_30_and_health_on_the_fast_path(view: View) -> None:
    router = twins(view, 11)[0]
    engine = Engine(view, selector=router)
    data = query("w", "A", None, False)
    n = 10_000
    seen = collections.Counter(
        dns.message.from_wire(engine.answer(data, ("127.0.0.1", 1), False) or b"").answer[0][0].address
        for _ in range(n)
    )
    assert abs(seen["192.0.2.70"] / n - 0.70) <= 0.02, seen
    router.health = HEALTH.with_status({"hc-w70": False})  # the health plane's swap
    after = {
        dns.message.from_wire(engine.answer(data, ("127.0.0.1", 1), False) or b"").answer[0][0].address
        for _ in range(300)
    }
    assert after == {"192.0.2.30"}


def test_failover_switches_on_the_query_after_the_swap(view: View) -> None:
    router = twins(view, 5)[0]
    engine = Engine(view, selector=router)
    data = query("fo", "A", None, True)  # mixed case and via CNAME too
    cname = query("cn", "A", "85.214.132.0/24", False)

    def answers() -> tuple[str, str]:
        a = dns.message.from_wire(engine.answer(data, ("127.0.0.1", 1), False) or b"")
        b = dns.message.from_wire(engine.answer(cname, ("127.0.0.1", 1), True) or b"")
        return a.answer[0][0].address, b.answer[-1][0].address

    for _ in range(5):
        assert answers() == ("192.0.2.90", "192.0.2.90")
    router.health = router.health.with_status({"hc-primary": False})
    assert answers() == ("192.0.2.91", "192.0.2.91")
    router.health = router.health.with_status({"hc-primary": True})
    assert answers() == ("192.0.2.90", "192.0.2.90")


def test_multivalue_on_the_fast_path_never_answers_unhealthy_and_stays_bounded(view: View) -> None:
    router = twins(view, 13)[0]
    engine = Engine(view, selector=router)
    data = query("mv", "A", None, False)
    subsets = set()
    for _ in range(3000):
        msg = dns.message.from_wire(engine.answer(data, ("127.0.0.1", 1), False) or b"")
        values = {rd.address for rd in msg.answer[0]}
        assert len(values) == 8
        assert not values & {"192.0.2.101", "192.0.2.105"}  # hc-m1 and hc-m5 are down
        subsets.add(frozenset(values))
    assert len(subsets) > 20  # C(10, 8) = 45 subsets of the 10 healthy ones
    node = engine.udp_routes.plain[data[2:]]
    assert isinstance(node, routed.Step) and len(node.children) <= routed.CHOICES_MAX


def test_a_zone_swap_or_a_new_selector_empties_the_trees(view: View) -> None:
    engine = Engine(view, selector=twins(view, 2)[0])
    engine.answer(query("w", "A", None, False), ("127.0.0.1", 1), False)
    assert engine.udp_routes.plain
    engine.swap(view)
    assert not engine.udp_routes.plain
    engine.answer(query("w", "A", None, False), ("127.0.0.1", 1), False)
    engine.selector = twins(view, 2)[1]
    assert not engine.udp_routes.plain


# -- through the real listeners ---------------------------------------------------------------
@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoutingHarness]:
    with routing_plane(tmp_path_factory.mktemp("fastpath")) as h:
        h.put_zone(ZID, ORIGIN, zone_records(ORIGIN, []) + RECORDS)
        yield h


def test_listeners_answer_udp_and_tcp_as_the_slow_path_would(plane: RoutingHarness, tmp_path: Path) -> None:
    router = plane.health.router
    view = plane.plane.view
    twin = Router(router.geo, groups_in(lambda: view), random.Random(21))
    router.rng = random.Random(21)
    twin.health, twin.cidr = router.health, router.cidr
    checked = 0
    for name, rtype in QUESTIONS:
        for ecs in (None, "85.214.132.0/24", "2001:db8::/48"):
            for mixed in (False, True):
                data = query(name, rtype, ecs, mixed)
                for _ in range(3):
                    got = plane.raw_udp(data, timeout=2)
                    assert got is not None
                    assert got[2:] in slow_variants(data, "127.0.0.1", view, twin, False), (name, ecs, mixed)
                    (got_tcp,) = plane.raw_tcp([data])
                    assert got_tcp[2:] in slow_variants(data, "127.0.0.1", view, twin, True), (
                        name,
                        ecs,
                        mixed,
                    )
                    checked += 1
    assert checked == len(QUESTIONS) * 3 * 2 * 3
    engine = plane.plane.engine
    assert engine.udp_routes.plain and engine.tcp_routes.ecs


def test_listener_truncates_a_big_routed_answer_over_udp_only(plane: RoutingHarness) -> None:
    data = query("big", "TXT", None, False, edns=False)
    for _ in range(4):
        got = plane.raw_udp(data, timeout=2)
        assert got is not None and len(got) <= 512
        msg = dns.message.from_wire(got)
        assert msg.flags & dns.flags.TC and not msg.answer
        (full,) = plane.raw_tcp([data])
        assert len(dns.message.from_wire(full).answer[0]) == 4


def test_the_table_form_is_used_and_rebuilt_after_a_swap(view: View) -> None:
    router = twins(view, 9)[0]
    engine = Engine(view, selector=router)
    data = query("w", "A", None, False)

    def values(n: int) -> set[str]:
        return {
            dns.message.from_wire(engine.answer(data, ("127.0.0.1", 1), False) or b"").answer[0][0].address
            for _ in range(n)
        }

    assert values(200) == {"192.0.2.70", "192.0.2.30"}
    node = engine.udp_routes.plain[data[2:]]
    assert isinstance(node, routed.Step) and node.dist is not None and len(node.dist) == 2
    router.health = HEALTH.with_status({"hc-w70": False})
    assert values(100) == {"192.0.2.30"}
    assert node.dist is not None and len(node.dist) == 1 and node.gen == router.generation
    router.cidr = cidr_table()  # any swap moves the generation; answers stay right
    assert values(100) == {"192.0.2.30"}


def test_mutated_routed_queries_answer_as_the_slow_path_would(view: View) -> None:
    """Random byte flips, truncations and extensions of routed queries (with ECS, mixed case):
    nothing raises, and whatever the engine answers — from a tree or not — is the slow path's
    answer (compared parsed: the slow path may shuffle where the tree rotates)."""
    fast_router, slow_router = twins(view, 17)
    engine = Engine(view, selector=fast_router)
    rng = random.Random(99)
    seeds = [
        query(name, "A", ecs, mixed)
        for name in ("w", "geo", "fo", "tree", "cn", "ip")
        for ecs in (None, "85.214.132.0/24", "2001:db8::/48")
        for mixed in (False, True)
    ]
    compared = 0
    for i in range(3000):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(0, 3)):
            op = rng.random()
            if op < 0.6 and data:
                data[rng.randrange(len(data))] = rng.randrange(256)
            elif op < 0.8 and data:
                del data[rng.randrange(len(data)) :]
            else:
                data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        wire = engine.answer(bytes(data), ("127.0.0.2", 53), i % 2 == 1)
        slow = answer_query(
            bytes(data), Client("127.0.0.2"), view, slow_router, tcp=i % 2 == 1, limits=Limits()
        )
        if slow is None:
            assert wire is None
            continue
        assert wire is not None
        if wire[2:] == slow.wire[2:]:
            compared += 1
            continue
        ours, theirs = dns.message.from_wire(wire), dns.message.from_wire(slow.wire)
        assert ours == theirs and ours.options == theirs.options, bytes(data)
        compared += 1
    assert compared > 2000


def test_queries_with_a_cookie_answer_as_the_slow_path_would(
    view: View, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client cookie (dig and BIND send one) takes the fast path for the rest of the query and
    gets the same bytes the slow path renders with the cookie, rotations and truncation included."""
    from cloudlet.services.dns import cookies

    monkeypatch.setattr(cookies.time, "time", lambda: 1_800_000_000.0)  # one second for both paths
    fast_router, slow_router = twins(view, 17)
    engine = Engine(view, selector=fast_router)
    fast = 0
    for name, rtype, ecs, edns, mixed, source, tcp in cases():
        if not edns:
            continue  # a cookie is an EDNS option
        plain = dns.message.from_wire(query(name, rtype, ecs, mixed, edns))
        plain.use_edns(
            0,
            options=[*plain.options, dns.edns.CookieOption(b"ck" + source.encode()[-6:].rjust(6, b"."), b"")],
        )
        data = plain.to_wire()
        for i in range(3):
            wire = engine.answer(b"\x34" + bytes([i]) + data[2:], (source, 5353), tcp)
            assert wire is not None and wire[:2] == b"\x34" + bytes([i])
            expected = slow_variants(data, source, view, slow_router, tcp)
            assert wire[2:] in expected, (name, rtype, ecs, mixed, tcp)
            fast += 1
    assert fast > 300
    # the cookie-less forms were answered and kept; no response with a cookie was
    assert engine.udp_routes.plain
    for cache in (engine.udp_cache, engine.tcp_cache):
        assert not any(b"\x00\x0a\x00\x18" in body for body in cache.values())
