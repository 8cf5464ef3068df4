"""Property tests: the selector and the health-check validator on arbitrary inputs."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlet.geo import ClientInfo, Location
from cloudlet.services.route53.health_model import InvalidHealthCheck, config_from_api
from cloudlet.services.route53.health_view import HealthView
from cloudlet.services.route53.model import GeoLocation, RecordSet
from cloudlet.services.route53.policies import MULTIVALUE_MAX, choose

HCS = [f"h{i}" for i in range(6)]

locations = st.one_of(
    st.none(),
    st.builds(
        Location,
        st.sampled_from([None, "EU", "NA", "AS", "AF"]),
        st.sampled_from([None, "US", "DE", "JP", "ZA"]),
        st.sampled_from([None, "CA", "NY"]),
        st.one_of(st.none(), st.floats(-90, 90)),
        st.one_of(st.none(), st.floats(-180, 180)),
    ),
)
clients = st.builds(
    lambda loc, v4: ClientInfo(ipaddress.ip_address(v4), None, loc), locations, st.ip_addresses(v=4)
)
health_views = st.dictionaries(st.sampled_from(HCS), st.booleans()).map(HealthView)


def group_of(policy: str, n: int, draw: Any) -> tuple[RecordSet, ...]:
    out = []
    for i in range(n):
        kw: dict[str, Any] = {"health_check_id": draw(st.sampled_from([None, *HCS]))}
        if policy == "weighted":
            kw["weight"] = draw(st.integers(0, 255))
        elif policy == "failover":
            kw["failover"] = "PRIMARY" if i == 0 else "SECONDARY"
        elif policy == "multivalue":
            kw["multivalue_answer"] = True
        elif policy == "latency":
            kw["region"] = draw(st.sampled_from(["us-east-1", "eu-central-1", "ap-northeast-1", "sa-east-1"]))
        elif policy == "geolocation":
            kw["geolocation"] = draw(
                st.sampled_from(
                    [
                        GeoLocation(country_code="*"),
                        GeoLocation(continent_code="EU"),
                        GeoLocation(country_code="US"),
                        GeoLocation(country_code="US", subdivision_code="CA"),
                        GeoLocation(country_code="JP"),
                    ]
                )
            )
        out.append(RecordSet("x.example.com.", "A", 60, (f"192.0.2.{i}",), set_identifier=f"s{i}", **kw))
    return tuple(out)


@st.composite
def groups(draw: Any) -> tuple[str, tuple[RecordSet, ...]]:
    policy = draw(st.sampled_from(["weighted", "failover", "multivalue", "latency", "geolocation"]))
    n = 2 if policy == "failover" else draw(st.integers(1, 12))
    return policy, group_of(policy, n, draw)


@settings(max_examples=300, deadline=None)
@given(groups(), clients, health_views, st.integers(0, 2**32))
def test_choose_invariants(
    pg: tuple[str, tuple[RecordSet, ...]], client: ClientInfo, health: HealthView, seed: int
) -> None:
    policy, group = pg
    chosen = choose(group, client, health, random.Random(seed))
    assert all(r in group for r in chosen) and len(set(map(id, chosen))) == len(chosen)
    healthy = [r for r in group if health.healthy(r.health_check_id)]
    if policy == "multivalue":
        assert len(chosen) == min(MULTIVALUE_MAX, len(healthy) or len(group))
        if healthy:
            assert all(health.healthy(r.health_check_id) for r in chosen)
    elif policy == "geolocation":
        assert len(chosen) <= 1
    else:
        assert len(chosen) == 1
    if policy in ("weighted", "failover", "latency") and healthy:
        assert health.healthy(chosen[0].health_check_id)
    if policy == "weighted":
        live_nonzero = [r for r in healthy if r.weight]
        if live_nonzero:
            assert chosen[0].weight


configs = st.dictionaries(
    st.sampled_from(
        [
            "Type",
            "IPAddress",
            "Port",
            "ResourcePath",
            "FullyQualifiedDomainName",
            "SearchString",
            "RequestInterval",
            "FailureThreshold",
            "Inverted",
            "Disabled",
            "Regions",
            "HealthThreshold",
            "ChildHealthChecks",
            "EnableSNI",
        ]
    ),
    st.one_of(
        st.sampled_from(["HTTP", "TCP", "HTTPS_STR_MATCH", "CALCULATED", "127.0.0.1", "::1", "us-east-1"]),
        st.integers(-5, 70000),
        st.text(max_size=300),
        st.booleans(),
        st.none(),
        st.lists(st.sampled_from(["us-east-1", "eu-west-1", "sa-east-1", "x"]), max_size=5),
    ),
)


@settings(max_examples=500, deadline=None)
@given(configs)
def test_health_check_validation_never_crashes(raw: dict[str, Any]) -> None:
    try:
        cfg = config_from_api(raw)
    except InvalidHealthCheck:
        return
    assert cfg.type in ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP", "CALCULATED")
    assert cfg.request_interval in (10, 30) and 1 <= cfg.failure_threshold <= 10
    if not cfg.is_calculated:
        assert cfg.port is not None and 1 <= cfg.port <= 65535
        assert cfg.ip_address or cfg.fqdn
