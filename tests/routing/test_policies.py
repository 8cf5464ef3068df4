"""Table-driven tests of the routing-policy selector (policies.choose), called directly."""

from __future__ import annotations

import random

import pytest

from cloudlet.services.route53.cidr import CidrCollection, CidrTable
from cloudlet.services.route53.health_view import HealthView
from cloudlet.services.route53.model import AliasTarget, CidrRouting, GeoLocation, GeoProximity, RecordSet
from cloudlet.services.route53.policies import biased_distance, choose, group_healthy, is_healthy

from .helpers import client, geo, rs

ALL_UP = HealthView()
HERE = client("127.0.0.1")


def ids(chosen: tuple[RecordSet, ...]) -> list[str | None]:
    return [r.set_identifier for r in chosen]


def test_simple_returns_the_set_and_ignores_health() -> None:
    simple = RecordSet("www.example.com.", "A", 60, ("192.0.2.1", "192.0.2.2"), health_check_id="hc")
    assert choose((simple,), HERE, HealthView({"hc": False}), random.Random(1)) == (simple,)


def test_empty_group_is_empty() -> None:
    assert choose((), HERE, ALL_UP, random.Random(1)) == ()


# -- weighted -----------------------------------------------------------------------------------
def test_weighted_70_30_over_10000_selections() -> None:
    group = (rs("a", "192.0.2.1", weight=70), rs("b", "192.0.2.2", weight=30))
    rng = random.Random(20260101)
    n = 10_000
    a = sum(1 for _ in range(n) if choose(group, HERE, ALL_UP, rng)[0].set_identifier == "a")
    assert abs(a / n - 0.70) <= 0.02


def test_weight_zero_never_chosen_while_nonzero_exists() -> None:
    group = (rs("a", "192.0.2.1", weight=1), rs("z", "192.0.2.9", weight=0))
    rng = random.Random(3)
    assert {ids(choose(group, HERE, ALL_UP, rng))[0] for _ in range(500)} == {"a"}


def test_all_zero_weights_are_uniform() -> None:
    group = (rs("a", "192.0.2.1", weight=0), rs("b", "192.0.2.2", weight=0))
    rng = random.Random(4)
    seen = [ids(choose(group, HERE, ALL_UP, rng))[0] for _ in range(2000)]
    assert 0.45 < seen.count("a") / 2000 < 0.55


def test_weighted_health_rules() -> None:
    group = (
        rs("a", "192.0.2.1", weight=10, health_check_id="ha"),
        rs("b", "192.0.2.2", weight=10, health_check_id="hb"),
        rs("z", "192.0.2.9", weight=0, health_check_id="hz"),
    )
    rng = random.Random(5)
    only_b = HealthView({"ha": False})
    assert {ids(choose(group, HERE, only_b, rng))[0] for _ in range(200)} == {"b"}
    zero_only = HealthView({"ha": False, "hb": False})
    assert {ids(choose(group, HERE, zero_only, rng))[0] for _ in range(200)} == {"z"}
    # everything down: all count as healthy, so non-zero weights decide again
    down = HealthView({"ha": False, "hb": False, "hz": False})
    assert {ids(choose(group, HERE, down, rng))[0] for _ in range(400)} == {"a", "b"}


# -- failover -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({}, "p"),
        ({"hp": False}, "s"),
        ({"hp": False, "hs": False}, "p"),  # both down: primary
        ({"hs": False}, "p"),
    ],
)
def test_failover(status: dict[str, bool], expected: str) -> None:
    group = (
        rs("p", "192.0.2.1", failover="PRIMARY", health_check_id="hp"),
        rs("s", "192.0.2.2", failover="SECONDARY", health_check_id="hs"),
    )
    assert ids(choose(group, HERE, HealthView(status), random.Random(0))) == [expected]


def test_failover_secondary_without_health_check_serves_when_primary_down() -> None:
    group = (
        rs("p", "192.0.2.1", failover="PRIMARY", health_check_id="hp"),
        rs("s", "192.0.2.2", failover="SECONDARY"),
    )
    assert ids(choose(group, HERE, HealthView({"hp": False}), random.Random(0))) == ["s"]


# -- multivalue ---------------------------------------------------------------------------------
def test_multivalue_never_returns_unhealthy_while_a_healthy_one_exists() -> None:
    group = tuple(
        rs(f"m{i}", f"192.0.2.{i}", multivalue_answer=True, health_check_id=f"h{i}") for i in range(12)
    )
    rng = random.Random(6)
    for trial in range(300):
        down = {f"h{i}": rng.random() < 0.8 for i in range(12)}
        down[f"h{trial % 12}"] = True  # at least one healthy
        view = HealthView(down)
        chosen = choose(group, HERE, view, rng)
        healthy = [r for r in group if view.healthy(r.health_check_id)]
        assert chosen and all(view.healthy(r.health_check_id) for r in chosen)
        assert len(chosen) == min(8, len(healthy))


def test_multivalue_caps_at_8_and_varies() -> None:
    group = tuple(rs(f"m{i}", f"192.0.2.{i}", multivalue_answer=True) for i in range(12))
    rng = random.Random(7)
    answers = {frozenset(ids(choose(group, HERE, ALL_UP, rng))) for _ in range(50)}
    assert all(len(a) == 8 for a in answers) and len(answers) > 10


def test_multivalue_all_unhealthy_returns_up_to_8_anyway() -> None:
    group = tuple(rs(f"m{i}", f"192.0.2.{i}", multivalue_answer=True, health_check_id="h") for i in range(3))
    assert len(choose(group, HERE, HealthView({"h": False}), random.Random(1))) == 3


# -- latency ------------------------------------------------------------------------------------
LATENCY = (
    rs("use1", "192.0.2.1", region="us-east-1", health_check_id="h-use1"),
    rs("euc1", "192.0.2.2", region="eu-central-1", health_check_id="h-euc1"),
    rs("apne1", "192.0.2.3", region="ap-northeast-1"),
    rs("usw1", "192.0.2.4", region="us-west-1"),
)


@pytest.mark.parametrize(
    ("source", "ecs", "expected"),
    [
        ("127.0.0.2", None, "euc1"),  # user map: Frankfurt
        ("127.0.0.5", None, "apne1"),  # Japan
        ("127.0.0.3", None, "usw1"),  # San Francisco
        ("127.0.0.1", "127.0.0.2/32", "euc1"),  # ECS wins over the source address
        ("127.0.0.1", "85.214.132.0/24", "euc1"),  # ECS of a German network (shipped GeoIP)
        ("127.0.0.1", "8.8.8.0/24", "use1"),  # a US network without a state
    ],
)
def test_latency_nearest_region(source: str, ecs: str | None, expected: str) -> None:
    assert ids(choose(LATENCY, client(source, ecs), ALL_UP, random.Random(0))) == [expected]


def test_latency_unhealthy_goes_to_next_best() -> None:
    c = client("127.0.0.2")
    assert ids(choose(LATENCY, c, HealthView({"h-euc1": False}), random.Random(0))) == ["use1"]


def test_latency_table_overrides_the_distance_model() -> None:
    from cloudlet.geo.latency import LatencyTable

    g = geo()
    g.latency = LatencyTable.parse({"127.0.0.0/24": {"ap-northeast-1": 1}})
    assert ids(choose(LATENCY, client("127.0.0.2", g=g), ALL_UP, random.Random(0))) == ["apne1"]


# -- geolocation --------------------------------------------------------------------------------
GEO = (
    rs(
        "ca",
        "192.0.2.1",
        geolocation=GeoLocation(country_code="US", subdivision_code="CA"),
        health_check_id="h-ca",
    ),
    rs("us", "192.0.2.2", geolocation=GeoLocation(country_code="US"), health_check_id="h-us"),
    rs("na", "192.0.2.3", geolocation=GeoLocation(continent_code="NA"), health_check_id="h-na"),
    rs("eu", "192.0.2.4", geolocation=GeoLocation(continent_code="EU")),
    rs("de", "192.0.2.5", geolocation=GeoLocation(country_code="DE")),
    rs("def", "192.0.2.6", geolocation=GeoLocation(country_code="*"), health_check_id="h-def"),
)


@pytest.mark.parametrize(
    ("source", "ecs", "status", "expected"),
    [
        ("127.0.0.3", None, {}, "ca"),
        ("127.0.0.4", None, {}, "us"),  # US without a state -> US record
        ("127.0.0.2", None, {}, "de"),  # Frankfurt: country beats continent
        ("127.0.0.5", None, {}, "def"),  # Japan: nothing matches but the default
        ("127.0.0.1", None, {}, "def"),  # unplaced loopback: default
        ("127.0.0.1", "127.0.0.3/32", {}, "ca"),  # ECS
        ("127.0.0.3", None, {"h-ca": False}, "us"),  # unhealthy climbs: state -> US
        ("127.0.0.3", None, {"h-ca": False, "h-us": False}, "na"),  # -> NA
        ("127.0.0.3", None, {"h-ca": False, "h-us": False, "h-na": False}, "def"),  # -> *
        ("127.0.0.3", None, {"h-ca": False, "h-us": False, "h-na": False, "h-def": False}, "ca"),  # all down
    ],
)
def test_geolocation(source: str, ecs: str | None, status: dict[str, bool], expected: str) -> None:
    assert ids(choose(GEO, client(source, ecs), HealthView(status), random.Random(0))) == [expected]


def test_geolocation_no_match_no_default_is_nodata() -> None:
    group = GEO[:5]
    assert choose(group, client("127.0.0.5"), ALL_UP, random.Random(0)) == ()


# -- geoproximity -------------------------------------------------------------------------------
def test_biased_distance_formula() -> None:
    assert biased_distance(150, 50) == 75
    assert biased_distance(100, -50) == 200
    assert biased_distance(100, 0) == 100


def test_geoproximity_nearest_and_bias() -> None:
    frankfurt = rs("fra", "192.0.2.1", geoproximity=GeoProximity(aws_region="eu-central-1"))
    dublin = rs("dub", "192.0.2.2", geoproximity=GeoProximity(aws_region="eu-west-1"))
    tokyo = rs("tyo", "192.0.2.3", geoproximity=GeoProximity(latitude=35.68, longitude=139.69))
    c = client("127.0.0.2")  # in Frankfurt
    assert ids(choose((frankfurt, dublin, tokyo), c, ALL_UP, random.Random(0))) == ["fra"]
    # Frankfurt-Dublin is ~1,090 km; bias 99 shrinks it to ~11 km, closer than Frankfurt's own ~0 + bias -99
    pulled = rs("dub", "192.0.2.2", geoproximity=GeoProximity(aws_region="eu-west-1", bias=99))
    pushed = rs("fra", "192.0.2.1", geoproximity=GeoProximity(latitude=50.0, longitude=8.0, bias=-99))
    assert ids(choose((pushed, pulled, tokyo), c, ALL_UP, random.Random(0))) == ["dub"]


def test_geoproximity_unhealthy_goes_to_next_nearest() -> None:
    fra = rs("fra", "192.0.2.1", geoproximity=GeoProximity(aws_region="eu-central-1"), health_check_id="h")
    tyo = rs("tyo", "192.0.2.3", geoproximity=GeoProximity(aws_region="ap-northeast-1"))
    assert ids(choose((fra, tyo), client("127.0.0.2"), HealthView({"h": False}), random.Random(0))) == ["tyo"]


# -- IP-based -----------------------------------------------------------------------------------
CIDR = CidrTable(
    [
        CidrCollection(
            "c1",
            "coll",
            "arn:aws:route53:::cidrcollection/c1",
            1,
            "ref",
            {"office": ("127.0.0.0/24",), "desk": ("127.0.0.8/29",), "v6": ("2001:db8::/48",)},
        )
    ]
)
IPB = (
    rs("office", "192.0.2.1", cidr_routing=CidrRouting("c1", "office"), health_check_id="h-office"),
    rs("desk", "192.0.2.2", cidr_routing=CidrRouting("c1", "desk")),
    rs("v6", "192.0.2.4", cidr_routing=CidrRouting("c1", "v6")),
    rs("default", "192.0.2.3", cidr_routing=CidrRouting("c1", "*")),
)


@pytest.mark.parametrize(
    ("source", "ecs", "status", "expected"),
    [
        ("127.0.0.1", None, {}, ["office"]),
        ("127.0.0.9", None, {}, ["desk"]),  # longest match
        ("127.0.1.1", None, {}, ["default"]),
        ("127.0.1.1", "127.0.0.0/24", {}, ["office"]),  # ECS decides
        ("127.0.1.1", "127.0.0.0/16", {}, ["default"]),  # a query prefix shorter than the block
        ("::1", "2001:db8:0:1::/64", {}, ["v6"]),
        ("127.0.0.1", None, {"h-office": False}, ["default"]),
    ],
)
def test_ip_based(source: str, ecs: str | None, status: dict[str, bool], expected: list[str]) -> None:
    assert ids(choose(IPB, client(source, ecs), HealthView(status), random.Random(0), cidr=CIDR)) == expected


def test_ip_based_no_match_no_default_is_nodata() -> None:
    assert choose(IPB[:2], client("127.0.1.1"), ALL_UP, random.Random(0), cidr=CIDR) == ()


# -- alias with EvaluateTargetHealth --------------------------------------------------------------
def test_alias_evaluate_target_health() -> None:
    target = AliasTarget("Z1", "app.example.com.", True)
    a = rs("a", "", weight=1, alias=target)
    b = rs("b", "192.0.2.2", weight=1)
    targets = {"app.example.com.": (rs("t1", "192.0.2.7", weight=1, health_check_id="ht"),)}

    def resolve(record: RecordSet) -> bool:
        assert record.alias is not None
        return group_healthy(targets[record.alias.dns_name], view)

    view = HealthView({"ht": False})
    rng = random.Random(1)
    assert {ids(choose((a, b), HERE, view, rng, resolve_alias=resolve))[0] for _ in range(100)} == {"b"}
    assert not is_healthy(a, view, resolve)
    view = HealthView()
    assert is_healthy(a, view, resolve)
    # a health check on the alias and ETH: both must pass
    both = rs("c", "", weight=1, alias=target, health_check_id="hc")
    assert not is_healthy(both, HealthView({"hc": False}), resolve)
