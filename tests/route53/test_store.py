"""store.py persistence: every RecordSet / HostedZone field survives the document round trip."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cloudlet.services.route53 import store
from cloudlet.services.route53.model import (
    AliasTarget,
    CidrRouting,
    GeoLocation,
    GeoProximity,
    HostedZone,
    RecordSet,
)

opt_text = st.none() | st.text(min_size=1, max_size=8)
record_sets = st.builds(
    RecordSet,
    name=st.just("www.example.com."),
    type=st.sampled_from(["A", "TXT", "CNAME"]),
    ttl=st.none() | st.integers(0, 2147483647),
    values=st.lists(st.text(max_size=10), max_size=3).map(tuple),
    alias=st.none()
    | st.builds(AliasTarget, st.text(min_size=1, max_size=8), st.just("a.example.com."), st.booleans()),
    set_identifier=opt_text,
    weight=st.none() | st.integers(0, 255),
    region=opt_text,
    failover=st.none() | st.sampled_from(["PRIMARY", "SECONDARY"]),
    geolocation=st.none() | st.builds(GeoLocation, opt_text, opt_text, opt_text),
    geoproximity=st.none()
    | st.builds(
        GeoProximity,
        opt_text,
        opt_text,
        st.none() | st.floats(-90, 90),
        st.none() | st.floats(-180, 180),
        st.integers(-99, 99),
    ),
    multivalue_answer=st.none() | st.booleans(),
    cidr_routing=st.none()
    | st.builds(CidrRouting, st.text(min_size=1, max_size=8), st.text(min_size=1, max_size=8)),
    health_check_id=opt_text,
)


@given(record_sets)
def test_record_set_round_trip(r: RecordSet) -> None:
    assert store.rrset_from_doc(store.rrset_to_doc(r)) == r


def test_zone_round_trip() -> None:
    z = HostedZone(
        id="Z0ABC",
        name="example.com.",
        caller_reference="r",
        comment="c",
        private=True,
        name_servers=("ns-1.awsdns-00.com",),
        delegation_set_id="N0X",
        vpcs=(("us-east-1", "vpc-01234567"),),
        created=1.5,
        record_count=7,
        linked_service="svc",
        account_id="000000000000",
    )
    assert store.zone_from_doc(store.zone_to_doc(z)) == z
