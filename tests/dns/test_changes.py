"""Zone changes: rebuilt off the hot path, swapped in, acknowledged; TestDNSAnswer from the same path."""

from __future__ import annotations

from pathlib import Path

import dns.message
import dns.rcode
import pytest

from cloudlet.services.route53.model import RecordSet
from tests.dns.support import running_plane, zone_records


def a(h, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    resp = h.udp(dns.message.make_query(name, "A"))
    return sorted(rd.to_text() for rr in resp.answer for rd in rr)


def test_change_visible_once_acked_and_cache_dropped(tmp_path: Path) -> None:
    with running_plane(tmp_path) as h:
        assert h.udp(dns.message.make_query("www.example.com.", "A")).rcode() == dns.rcode.REFUSED
        h.put_zone(
            "Z1",
            "example.com.",
            zone_records("example.com.", [("www.example.com.", "A", 60, ("192.0.2.1",))]),
        )
        assert a(h, "www.example.com.") == ["192.0.2.1"]
        assert a(h, "www.example.com.") == ["192.0.2.1"]  # now cached
        h.put_zone(
            "Z1",
            "example.com.",
            zone_records("example.com.", [("www.example.com.", "A", 60, ("192.0.2.2",))]),
        )
        assert a(h, "www.example.com.") == ["192.0.2.2"]
        h.delete_zone("Z1")
        assert h.udp(dns.message.make_query("www.example.com.", "A")).rcode() == dns.rcode.REFUSED


def test_same_name_zones_first_created_answers_until_deleted(tmp_path: Path) -> None:
    with running_plane(tmp_path) as h:
        h.put_zone(
            "ZB",
            "example.com.",
            zone_records("example.com.", [("www.example.com.", "A", 60, ("192.0.2.2",))]),
            created=2,
        )
        h.put_zone(
            "ZA",
            "example.com.",
            zone_records("example.com.", [("www.example.com.", "A", 60, ("192.0.2.1",))]),
            created=1,
        )
        assert a(h, "www.example.com.") == ["192.0.2.1"]
        h.delete_zone("ZA")
        assert a(h, "www.example.com.") == ["192.0.2.2"]


def test_existing_zones_loaded_at_start(tmp_path: Path) -> None:
    with running_plane(tmp_path) as h:
        h.put_zone(
            "Z1",
            "example.com.",
            zone_records("example.com.", [("www.example.com.", "A", 60, ("192.0.2.1",))]),
        )
    with running_plane(tmp_path) as h2:
        assert a(h2, "www.example.com.") == ["192.0.2.1"]


def test_selector_hook_picks_members(tmp_path: Path) -> None:
    def only_heavy(group, client):  # type: ignore[no-untyped-def]
        return tuple(r for r in group if (r.weight or 0) >= 20)

    with running_plane(tmp_path, selector=only_heavy) as h:
        recs = zone_records("example.com.", [])
        recs += [
            RecordSet("wt.example.com.", "A", 60, ("192.0.2.101",), set_identifier="one", weight=10),
            RecordSet("wt.example.com.", "A", 60, ("192.0.2.102",), set_identifier="two", weight=20),
        ]
        h.put_zone("Z1", "example.com.", recs)
        assert a(h, "wt.example.com.") == ["192.0.2.102"]


def test_test_dns_answer(tmp_path: Path) -> None:
    with running_plane(tmp_path) as h:
        rows = [
            ("www.example.com.", "A", 60, ("192.0.2.1",)),
            ("c.example.com.", "CNAME", 60, ("www.example.com",)),
        ]
        h.put_zone("Z1", "example.com.", zone_records("example.com.", rows), created=1)
        h.put_zone(
            "Z2",
            "example.com.",
            zone_records("example.com.", [("www.example.com.", "A", 60, ("192.0.2.9",))]),
            created=2,
        )
        out = h.plane.test_dns_answer(
            {"HostedZoneId": "/hostedzone/Z1", "RecordName": "www.example.com", "RecordType": "A"}
        )
        assert out == {
            "Nameserver": "ns-1.awsdns-01.com",
            "RecordName": "www.example.com",
            "RecordType": "A",
            "RecordData": ["192.0.2.1"],
            "ResponseCode": "NOERROR",
            "Protocol": "UDP",
        }
        # the zone the listener does not serve can still be tested
        assert h.plane.test_dns_answer(
            {"HostedZoneId": "Z2", "RecordName": "www.example.com", "RecordType": "A"}
        )["RecordData"] == ["192.0.2.9"]
        nx = h.plane.test_dns_answer(
            {"HostedZoneId": "Z1", "RecordName": "nope.example.com", "RecordType": "A"}
        )
        assert nx["ResponseCode"] == "NXDOMAIN" and nx["RecordData"] == []
        c = h.plane.test_dns_answer(
            {
                "HostedZoneId": "Z1",
                "RecordName": "c.example.com",
                "RecordType": "A",
                "EDNS0ClientSubnetIP": "198.51.100.7",
                "ResolverIP": "203.0.113.1",
            }
        )
        assert c["RecordData"] == ["www.example.com.", "192.0.2.1"]
        with pytest.raises(LookupError):
            h.plane.test_dns_answer(
                {"HostedZoneId": "ZNOPE", "RecordName": "a.example.com", "RecordType": "A"}
            )
        with pytest.raises(ValueError):
            h.plane.test_dns_answer(
                {"HostedZoneId": "Z1", "RecordName": "a.example.com", "RecordType": "BOGUS"}
            )
