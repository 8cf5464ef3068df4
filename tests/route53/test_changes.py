"""ChangeResourceRecordSets rules (changes.py, recordsets.py) against a real store, no server:
each case is a batch and the exact Route 53 error it must produce."""

from __future__ import annotations

from typing import Any

import pytest

from cloudlet.services.route53.alias import AliasTargetKind
from tests.route53.conftest import Direct, rr

Z = "example.com."


@pytest.fixture
def zone(r53: Direct) -> str:
    return r53.zone("example.com")


def messages(r53: Direct, zone: str, *changes: tuple[str, dict[str, Any]]) -> list[str]:
    e = r53.change_error(zone, *changes)
    assert e.code == "InvalidChangeBatch" and e.status == 400, e
    msgs = e.fields["messages"]
    assert isinstance(msgs, list)
    assert e.message == "[" + ", ".join(msgs) + "]"
    return msgs


def test_create_then_list(r53: Direct, zone: str) -> None:
    out = r53.change(zone, ("CREATE", rr("WWW.Example.COM", "A", "192.0.2.1", "192.0.2.2")))
    assert out["ChangeInfo"]["Status"] in ("PENDING", "INSYNC")
    assert out["ChangeInfo"]["Id"].startswith("/change/C")
    www = [r for r in r53.records(zone) if r["Name"] == "www.example.com."]
    assert www == [
        {
            "Name": "www.example.com.",
            "Type": "A",
            "TTL": 300,
            "ResourceRecords": [{"Value": "192.0.2.1"}, {"Value": "192.0.2.2"}],
        }
    ]
    assert r53("GetHostedZone", Id=zone)["HostedZone"]["ResourceRecordSetCount"] == 3


CASES: list[tuple[str, list[tuple[str, dict[str, Any]]], list[str]]] = [
    (
        "create existing",
        [
            ("CREATE", rr("a.example.com", "A", "192.0.2.1")),
            ("CREATE", rr("a.example.com", "A", "192.0.2.9")),
        ],
        ["Tried to create resource record set [name='a.example.com.', type='A'] but it already exists"],
    ),
    (
        "create existing policy set names its set identifier",
        [
            ("CREATE", rr("w.example.com", "A", "192.0.2.1", SetIdentifier="Default", Weight=1)),
            ("CREATE", rr("w.example.com", "A", "192.0.2.2", SetIdentifier="Default", Weight=2)),
        ],
        [
            "Tried to create resource record set [name='w.example.com.', type='A', set-identifier='Default'] but it already exists"
        ],
    ),
    (
        "delete missing",
        [("DELETE", rr("nope.example.com", "A", "192.0.2.1"))],
        ["Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found"],
    ),
    (
        "same set deleted twice",
        [
            ("CREATE", rr("d.example.com", "A", "192.0.2.1")),
            ("DELETE", rr("d.example.com", "A", "192.0.2.1")),
            ("DELETE", rr("d.example.com", "A", "192.0.2.1")),
        ],
        ["Tried to delete resource record set [name='d.example.com.', type='A'] but it was not found"],
    ),
    (
        "delete with other values",
        [
            ("CREATE", rr("m.example.com", "A", "192.0.2.1")),
            ("DELETE", rr("m.example.com", "A", "192.0.2.2")),
        ],
        [
            "Tried to delete resource record set [name='m.example.com.', type='A'] but the values provided do not match the current values"
        ],
    ),
    (
        "delete with other TTL",
        [
            ("CREATE", rr("t.example.com", "A", "192.0.2.1")),
            ("DELETE", rr("t.example.com", "A", "192.0.2.1", ttl=60)),
        ],
        [
            "Tried to delete resource record set [name='t.example.com.', type='A'] but the values provided do not match the current values"
        ],
    ),
    (
        "CNAME at apex",
        [("CREATE", rr("example.com", "CNAME", "other.example.net"))],
        ["RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com."],
    ),
    (
        "CNAME beside A",
        [
            ("CREATE", rr("c.example.com", "A", "192.0.2.1")),
            ("CREATE", rr("c.example.com", "CNAME", "x.example.net")),
        ],
        [
            "RRSet of type CNAME with DNS name c.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com."
        ],
    ),
    (
        "CNAME beside an alias A",
        [
            ("CREATE", rr("t.example.com", "A", "192.0.2.1")),
            (
                "CREATE",
                {
                    "Name": "c2.example.com",
                    "Type": "A",
                    "AliasTarget": {
                        "HostedZoneId": "ZONE",
                        "DNSName": "t.example.com",
                        "EvaluateTargetHealth": False,
                    },
                },
            ),
            ("CREATE", rr("c2.example.com", "CNAME", "x.example.net")),
        ],
        [
            "RRSet of type CNAME with DNS name c2.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com."
        ],
    ),
    (
        "CAA beside CNAME",
        [
            ("CREATE", rr("www.example.com", "CNAME", "x.example.net")),
            ("CREATE", rr("www.example.com", "CAA", '0 issue "amazon.com"')),
        ],
        [
            "RRSet of type CAA with DNS name www.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com."
        ],
    ),
    (
        "out of zone",
        [("CREATE", rr("foo.other.com", "A", "192.0.2.1"))],
        ["RRSet with DNS name foo.other.com. is not permitted in zone example.com."],
    ),
    (
        "look-alike suffix is out of zone",
        [("CREATE", rr("badexample.com", "A", "192.0.2.1"))],
        ["RRSet with DNS name badexample.com. is not permitted in zone example.com."],
    ),
    (
        "simple beside a policy set",
        [
            ("CREATE", rr("x.example.com", "A", "192.0.2.1", SetIdentifier="one", Weight=10)),
            ("CREATE", rr("x.example.com", "A", "192.0.2.2")),
        ],
        [
            "RRSet with DNS name x.example.com., type A cannot be created as other RRSets exist with the same name and type."
        ],
    ),
    (
        "weighted beside a simple set",
        [
            ("CREATE", rr("y.example.com", "TXT", '"simple"')),
            ("CREATE", rr("y.example.com", "TXT", '"w"', SetIdentifier="id1", Weight=1)),
        ],
        [
            "RRSet with DNS name y.example.com., type TXT, SetIdentifier id1 cannot be created as a non-weighted set exists with the same name and type."
        ],
    ),
    (
        "latency beside weighted",
        [
            ("CREATE", rr("p.example.com", "A", "192.0.2.1", SetIdentifier="w", Weight=1)),
            ("CREATE", rr("p.example.com", "A", "192.0.2.2", SetIdentifier="l", Region="us-east-1")),
        ],
        [
            "RRSet with DNS name p.example.com., type A, SetIdentifier l cannot be created as a non-latency set exists with the same name and type."
        ],
    ),
    (
        "two primaries",
        [
            ("CREATE", rr("f.example.com", "A", "192.0.2.1", SetIdentifier="p1", Failover="PRIMARY")),
            ("CREATE", rr("f.example.com", "A", "192.0.2.2", SetIdentifier="p2", Failover="PRIMARY")),
        ],
        [
            "RRSet with DNS name f.example.com., type A, SetIdentifier p2 cannot be created because another RRSet with the same name and type already has failover type PRIMARY."
        ],
    ),
    (
        "two records for one latency Region",
        [
            ("CREATE", rr("l.example.com", "A", "192.0.2.1", SetIdentifier="a", Region="eu-west-1")),
            ("CREATE", rr("l.example.com", "A", "192.0.2.2", SetIdentifier="b", Region="eu-west-1")),
        ],
        [
            "RRSet with DNS name l.example.com., type A, SetIdentifier b cannot be created because another RRSet with the same name and type already has region eu-west-1."
        ],
    ),
    (
        "duplicate geolocation",
        [
            (
                "CREATE",
                rr("g.example.com", "A", "192.0.2.1", SetIdentifier="a", GeoLocation={"CountryCode": "US"}),
            ),
            (
                "CREATE",
                rr("g.example.com", "A", "192.0.2.2", SetIdentifier="b", GeoLocation={"CountryCode": "US"}),
            ),
        ],
        [
            "RRSet with DNS name g.example.com., type A, SetIdentifier b cannot be created because another RRSet with the same name and type already has the same geolocation."
        ],
    ),
    (
        "SOA cannot be deleted",
        [("DELETE", "SOA")],
        ["A HostedZone must contain exactly one SOA record."],
    ),
    (
        "apex NS cannot be deleted",
        [("DELETE", "NS")],
        ["A HostedZone must contain at least one NS record for the zone itself."],
    ),
    (
        "alias target missing",
        [
            (
                "CREATE",
                {
                    "Name": "al.example.com",
                    "Type": "A",
                    "AliasTarget": {
                        "HostedZoneId": "ZONE",
                        "DNSName": "www.example.com",
                        "EvaluateTargetHealth": False,
                    },
                },
            )
        ],
        [
            "Tried to create an alias that targets www.example.com., type A in zone ZONE, but that target was not found"
        ],
    ),
    (
        "alias to an unknown service zone",
        [
            (
                "CREATE",
                {
                    "Name": "cf.example.com",
                    "Type": "A",
                    "AliasTarget": {
                        "HostedZoneId": "Z2FDTNDATAQYW2",
                        "DNSName": "d111111abcdef8.cloudfront.net",
                        "EvaluateTargetHealth": False,
                    },
                },
            )
        ],
        [
            "Tried to create an alias that targets d111111abcdef8.cloudfront.net., type A in zone Z2FDTNDATAQYW2, but that target was not found"
        ],
    ),
    (
        "bad A value",
        [("CREATE", rr("v.example.com", "A", "999.1.1.1"))],
        [
            "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '999.1.1.1''"
        ],
    ),
    (
        "several problems are all reported",
        [
            ("CREATE", rr("v.example.com", "A", "999.1.1.1")),
            ("CREATE", rr("v6.example.com", "AAAA", "1.2.3.4")),
        ],
        [
            "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '999.1.1.1''",
            "Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with '1.2.3.4''",
        ],
    ),
    (
        "multivalue CNAME",
        [
            (
                "CREATE",
                rr("mv.example.com", "CNAME", "x.example.net", SetIdentifier="a", MultiValueAnswer=True),
            )
        ],
        ["RRSet of type CNAME with DNS name mv.example.com. cannot use multivalue answer routing"],
    ),
    (
        "NS with a routing policy",
        [("CREATE", rr("sub.example.com", "NS", "ns1.example.net", SetIdentifier="a", Weight=1))],
        [
            "RRSet of type NS with DNS name sub.example.com. cannot use a weighted routing policy; only simple routing is permitted"
        ],
    ),
    (
        "unknown CIDR collection",
        [
            (
                "CREATE",
                rr(
                    "ip.example.com",
                    "A",
                    "192.0.2.1",
                    SetIdentifier="a",
                    CidrRoutingConfig={
                        "CollectionId": "11111111-2222-3333-4444-555555555555",
                        "LocationName": "x",
                    },
                ),
            )
        ],
        ["CIDR collection 11111111-2222-3333-4444-555555555555 does not exist"],
    ),
]


@pytest.mark.parametrize(("case", "batch", "expected"), CASES, ids=[c[0] for c in CASES])
def test_refused_batches(
    r53: Direct, zone: str, case: str, batch: list[tuple[str, Any]], expected: list[str]
) -> None:
    before = r53.records(zone)
    apex = {r["Type"]: r for r in before}
    changes = []
    for action, body in batch:
        if isinstance(body, str):  # the zone's own default SOA / NS, by type
            body = apex[body]
        elif "AliasTarget" in body and body["AliasTarget"]["HostedZoneId"] == "ZONE":
            body = {**body, "AliasTarget": {**body["AliasTarget"], "HostedZoneId": zone}}
        changes.append((action, body))
    expected = [m.replace("zone ZONE", f"zone {zone}") for m in expected]
    assert messages(r53, zone, *changes) == expected
    assert r53.records(zone) == before  # all or nothing


INPUT_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "policy without SetIdentifier",
        rr("x.example.com", "A", "192.0.2.1", Weight=1),
        "Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name=x.example.com., Type=A, SetIdentifier=null]",
    ),
    (
        "neither values nor alias",
        {"Name": "x.example.com", "Type": "A"},
        "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=x.example.com., Type=A, SetIdentifier=null]",
    ),
    (
        "TTL without values",
        {"Name": "x.example.com", "Type": "A", "TTL": 60},
        "but found none in Change with",
    ),
    (
        "alias and values",
        {
            **rr("x.example.com", "A", "192.0.2.1"),
            "AliasTarget": {"HostedZoneId": "Z1", "DNSName": "a.example.com", "EvaluateTargetHealth": False},
        },
        "but found more than one in Change with",
    ),
    (
        "weight too big",
        rr("x.example.com", "A", "192.0.2.1", SetIdentifier="a", Weight=256),
        "Weight must be an integer between 0 and 255",
    ),
    (
        "TTL negative",
        rr("x.example.com", "A", "192.0.2.1", ttl=-1),
        "TTL must be an integer between 0 and 2147483647",
    ),
    (
        "TTL too big",
        rr("x.example.com", "A", "192.0.2.1", ttl=2147483648),
        "TTL must be an integer between 0 and 2147483647",
    ),
    (
        "SetIdentifier without policy",
        rr("x.example.com", "A", "192.0.2.1", SetIdentifier="a"),
        "but found none in Change with",
    ),
    (
        "two policies",
        rr("x.example.com", "A", "192.0.2.1", SetIdentifier="a", Weight=1, Region="us-east-1"),
        "but found more than one in Change",
    ),
    (
        "continent and country",
        rr(
            "x.example.com",
            "A",
            "192.0.2.1",
            SetIdentifier="a",
            GeoLocation={"ContinentCode": "EU", "CountryCode": "FR"},
        ),
        "not both",
    ),
    (
        "subdivision without country",
        rr("x.example.com", "A", "192.0.2.1", SetIdentifier="a", GeoLocation={"SubdivisionCode": "CA"}),
        "GeoLocation must specify ContinentCode or CountryCode",
    ),
    (
        "bad continent",
        rr("x.example.com", "A", "192.0.2.1", SetIdentifier="a", GeoLocation={"ContinentCode": "XX"}),
        "Unknown continent code 'XX'",
    ),
    (
        "unknown country",
        rr("x.example.com", "A", "192.0.2.1", SetIdentifier="a", GeoLocation={"CountryCode": "XX"}),
        "Unknown country code 'XX'",
    ),
    (
        "subdivision outside the US",
        rr(
            "x.example.com",
            "A",
            "192.0.2.1",
            SetIdentifier="a",
            GeoLocation={"CountryCode": "FR", "SubdivisionCode": "75"},
        ),
        "SubdivisionCode requires CountryCode US",
    ),
    (
        "unknown US state",
        rr(
            "x.example.com",
            "A",
            "192.0.2.1",
            SetIdentifier="a",
            GeoLocation={"CountryCode": "US", "SubdivisionCode": "ZZ"},
        ),
        "Unknown subdivision code 'ZZ'",
    ),
    (
        "bad failover",
        rr("x.example.com", "A", "192.0.2.1", SetIdentifier="a", Failover="TERTIARY"),
        "Failover must be PRIMARY or SECONDARY",
    ),
    (
        "latitude out of range",
        rr(
            "x.example.com",
            "A",
            "192.0.2.1",
            SetIdentifier="a",
            GeoProximityLocation={"Coordinates": {"Latitude": "91", "Longitude": "0"}},
        ),
        "Latitude must be between -90 and 90",
    ),
    (
        "bias out of range",
        rr(
            "x.example.com",
            "A",
            "192.0.2.1",
            SetIdentifier="a",
            GeoProximityLocation={"AWSRegion": "us-east-1", "Bias": 100},
        ),
        "Bias must be an integer between -99 and 99",
    ),
    (
        "traffic policy instance",
        {"Name": "x.example.com", "Type": "A", "TrafficPolicyInstanceId": "abc"},
        "TrafficPolicyInstanceId",
    ),
]


@pytest.mark.parametrize(("case", "body", "expected"), INPUT_CASES, ids=[c[0] for c in INPUT_CASES])
def test_invalid_input(r53: Direct, zone: str, case: str, body: dict[str, Any], expected: str) -> None:
    e = r53.change_error(zone, ("CREATE", body))
    assert e.code == "InvalidInput" and e.status == 400
    assert expected in e.message


def test_bad_name_is_invalid_change_batch(r53: Direct, zone: str) -> None:
    e = r53.change_error(zone, ("CREATE", rr("a..example.com", "A", "192.0.2.1")))
    assert (e.code, e.message) == (
        "InvalidChangeBatch",
        "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..example.com'",
    )
    e = r53.change_error(zone, ("CREATE", rr("x" * 64 + ".example.com", "A", "192.0.2.1")))
    assert (
        e.message
        == f"FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with '{'x' * 64}'"
    )


def test_unknown_health_check(r53: Direct, zone: str) -> None:
    e = r53.change_error(
        zone,
        (
            "CREATE",
            rr("h.example.com", "A", "192.0.2.1", HealthCheckId="00000000-0000-0000-0000-000000000000"),
        ),
    )
    assert (e.code, e.status) == ("NoSuchHealthCheck", 404)


def test_unknown_zone(r53: Direct) -> None:
    e = r53.change_error("ZNOTAZONE", ("CREATE", rr("h.example.com", "A", "192.0.2.1")))
    assert (e.code, e.status, e.message) == (
        "NoSuchHostedZone",
        404,
        "No hosted zone found with ID: ZNOTAZONE",
    )


def test_batch_record_limit(r53: Direct, zone: str) -> None:
    values = [f"10.0.{i // 250}.{i % 250}" for i in range(400)]
    changes = [("UPSERT", rr(f"n{i}.example.com", "A", *values)) for i in range(2)]  # 400 x 2 x 2 > 1000
    e = r53.change_error(zone, *changes)
    assert e.fields["messages"] == ["Number of records limit of 1000 exceeded."]


def test_delete_matches_regardless_of_value_order(r53: Direct, zone: str) -> None:
    r53.change(zone, ("CREATE", rr("o.example.com", "A", "192.0.2.1", "192.0.2.2")))
    r53.change(zone, ("DELETE", rr("o.example.com", "A", "192.0.2.2", "192.0.2.1")))
    assert not [r for r in r53.records(zone) if r["Name"] == "o.example.com."]


def test_delete_then_create_swaps_atomically(r53: Direct, zone: str) -> None:
    r53.change(zone, ("CREATE", rr("s.example.com", "A", "192.0.2.1")))
    r53.change(
        zone,
        ("DELETE", rr("s.example.com", "A", "192.0.2.1")),
        ("CREATE", rr("s.example.com", "CNAME", "t.example.net")),
    )
    assert [r["Type"] for r in r53.records(zone) if r["Name"] == "s.example.com."] == ["CNAME"]


def test_upsert_creates_and_replaces(r53: Direct, zone: str) -> None:
    r53.change(zone, ("UPSERT", rr("u.example.com", "TXT", '"one"')))
    r53.change(zone, ("UPSERT", rr("u.example.com", "TXT", '"two"', ttl=60)))
    got = [r for r in r53.records(zone) if r["Name"] == "u.example.com."]
    assert got == [
        {"Name": "u.example.com.", "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": '"two"'}]}
    ]
    assert r53("GetHostedZone", Id=zone)["HostedZone"]["ResourceRecordSetCount"] == 3


def test_upsert_soa_and_ns_allowed(r53: Direct, zone: str) -> None:
    r53.change(
        zone,
        (
            "UPSERT",
            rr(
                "example.com",
                "SOA",
                "ns1.example.com. hostmaster.example.com. 2 7200 900 1209600 60",
                ttl=600,
            ),
        ),
    )
    r53.change(zone, ("UPSERT", rr("example.com", "NS", "ns1.example.net.", ttl=3600)))
    got = {r["Type"]: r for r in r53.records(zone)}
    assert got["SOA"]["ResourceRecords"] == [
        {"Value": "ns1.example.com. hostmaster.example.com. 2 7200 900 1209600 60"}
    ]
    assert got["NS"]["TTL"] == 3600


def test_weighted_group_takes_the_last_ttl(r53: Direct, zone: str) -> None:
    r53.change(
        zone,
        ("CREATE", rr("w.example.com", "A", "192.0.2.1", ttl=300, SetIdentifier="a", Weight=1)),
        ("CREATE", rr("w.example.com", "A", "192.0.2.2", ttl=60, SetIdentifier="b", Weight=3)),
    )
    got = [r for r in r53.records(zone) if r["Name"] == "w.example.com."]
    assert [(r["SetIdentifier"], r["TTL"], r["Weight"]) for r in got] == [("a", 60, 1), ("b", 60, 3)]


def test_every_routing_field_round_trips(r53: Direct, zone: str) -> None:
    sets = [
        rr(
            "geo.example.com",
            "A",
            "192.0.2.1",
            SetIdentifier="us-ca",
            GeoLocation={"CountryCode": "US", "SubdivisionCode": "CA"},
        ),
        rr("geo.example.com", "A", "192.0.2.2", SetIdentifier="eu", GeoLocation={"ContinentCode": "EU"}),
        rr("geo.example.com", "A", "192.0.2.3", SetIdentifier="default", GeoLocation={"CountryCode": "*"}),
        rr("lat.example.com", "AAAA", "2001:db8::1", SetIdentifier="use1", Region="us-east-1"),
        rr("fo.example.com", "A", "192.0.2.4", SetIdentifier="p", Failover="PRIMARY"),
        rr("fo.example.com", "A", "192.0.2.5", SetIdentifier="s", Failover="SECONDARY"),
        rr("mv.example.com", "TXT", '"a"', SetIdentifier="m1", MultiValueAnswer=True),
        rr(
            "gp.example.com",
            "A",
            "192.0.2.6",
            SetIdentifier="g1",
            GeoProximityLocation={"Coordinates": {"Latitude": "49.22", "Longitude": "-74.01"}, "Bias": -20},
        ),
        rr(
            "gp.example.com",
            "A",
            "192.0.2.7",
            SetIdentifier="g2",
            GeoProximityLocation={"AWSRegion": "eu-west-1", "Bias": 10},
        ),
    ]
    r53.change(zone, *[("CREATE", s) for s in sets])
    listed = {(r["Name"], r.get("SetIdentifier")): r for r in r53.records(zone)}
    for s in sets:
        got = listed[(s["Name"] + ".", s["SetIdentifier"])]
        assert got == {**s, "Name": s["Name"] + "."}
    # and a DELETE with every field given matches
    r53.change(zone, *[("DELETE", s) for s in sets])
    assert len(r53.records(zone)) == 2


def test_same_zone_alias(r53: Direct, zone: str) -> None:
    r53.change(
        zone,
        ("CREATE", rr("www.example.com", "A", "192.0.2.1")),
        (
            "CREATE",
            {
                "Name": "example.com",
                "Type": "A",
                "AliasTarget": {
                    "HostedZoneId": zone,
                    "DNSName": "WWW.example.com",
                    "EvaluateTargetHealth": True,
                },
            },
        ),
    )
    apex_a = [r for r in r53.records(zone) if r["Name"] == Z and r["Type"] == "A"]
    assert apex_a == [
        {
            "Name": Z,
            "Type": "A",
            "AliasTarget": {
                "HostedZoneId": zone,
                "DNSName": "www.example.com.",
                "EvaluateTargetHealth": True,
            },
        }
    ]


def test_alias_to_a_registered_service(r53: Direct, zone: str) -> None:
    known = {"d111111abcdef8.cloudfront.net."}
    r53.api.alias_targets.register(
        AliasTargetKind(
            service="cloudfront",
            hosted_zone_ids=frozenset({"Z2FDTNDATAQYW2"}),
            record_types=frozenset({"A", "AAAA"}),
            private_zones=False,
            evaluate_target_health=False,
            check=lambda name, _t: None if name in known else "not found",
        )
    )
    target = {
        "HostedZoneId": "Z2FDTNDATAQYW2",
        "DNSName": "d111111abcdef8.cloudfront.net",
        "EvaluateTargetHealth": False,
    }
    r53.change(zone, ("CREATE", {"Name": "cdn.example.com", "Type": "AAAA", "AliasTarget": target}))
    assert messages(
        r53, zone, ("CREATE", {"Name": "cdn.example.com", "Type": "TXT", "AliasTarget": target})
    ) == [
        "Tried to create an alias that targets d111111abcdef8.cloudfront.net., type TXT in zone Z2FDTNDATAQYW2, but that target was not found"
    ]
    eth = {**target, "EvaluateTargetHealth": True}
    assert messages(r53, zone, ("CREATE", {"Name": "cdn2.example.com", "Type": "A", "AliasTarget": eth})) == [
        "RRSet with DNS name cdn2.example.com., type A: EvaluateTargetHealth cannot be true for cloudfront alias targets"
    ]
    other = {**target, "DNSName": "d2.cloudfront.net"}
    assert (
        "but that target was not found"
        in messages(r53, zone, ("CREATE", {"Name": "cdn3.example.com", "Type": "A", "AliasTarget": other}))[0]
    )


def test_wildcard_lists_as_octal_escape(r53: Direct, zone: str) -> None:
    r53.change(zone, ("CREATE", rr("*.example.com", "A", "192.0.2.1")))
    assert "\\052.example.com." in [r["Name"] for r in r53.records(zone)]
    # DELETE accepts either spelling
    r53.change(zone, ("DELETE", rr("\\052.example.com.", "A", "192.0.2.1")))
