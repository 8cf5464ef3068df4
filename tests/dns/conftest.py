"""Fixtures of the DNS tests: one DnsPlane with the scenario zones, shared by a module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudlet.services.route53.model import RecordSet
from tests.dns.support import DnsHarness, alias, running_plane, zone_records

BIG_TXT = tuple(f'"{"x" * 200} {i}"' for i in range(8))


def scenario_zones(h: DnsHarness) -> None:
    o = "example.com."
    rows = [
        ("www.example.com.", "A", 300, ("192.0.2.1", "192.0.2.2")),
        ("mail.example.com.", "MX", 300, ("10 mx.example.com.",)),
        ("mx.example.com.", "A", 300, ("192.0.2.25",)),
        ("a.b.example.com.", "TXT", 60, ('"deep"',)),
        ("*.w.example.com.", "A", 60, ("192.0.2.9",)),
        ("exists.w.example.com.", "TXT", 60, ('"here"',)),
        ("x.\\052.lit.example.com.", "A", 60, ("192.0.2.42",)),
        ("c.example.com.", "CNAME", 60, ("www.example.com",)),
        ("c2.example.com.", "CNAME", 60, ("c.example.com",)),
        ("cw.example.com.", "CNAME", 60, ("foo.w.example.com",)),
        ("cnx.example.com.", "CNAME", 60, ("nothere.example.com",)),
        ("loop1.example.com.", "CNAME", 60, ("loop2.example.com",)),
        ("loop2.example.com.", "CNAME", 60, ("loop1.example.com",)),
        ("ext.example.com.", "CNAME", 60, ("www.other.net",)),
        ("tochild.example.com.", "CNAME", 60, ("www.child.example.com",)),
        ("sub.example.com.", "NS", 3600, ("ns1.sub.example.com.", "ns.elsewhere.net.")),
        ("ns1.sub.example.com.", "A", 3600, ("192.0.2.53",)),
        ("big.example.com.", "TXT", 60, BIG_TXT),
        ("srv.example.com.", "SRV", 60, ("0 5 443 mx.example.com.",)),
    ]
    recs = zone_records(o, rows)
    recs += [
        alias("al.example.com.", "A", "www.example.com.", "Z1"),
        alias("example.com.", "A", "www.example.com.", "Z1"),
        alias("al2.example.com.", "A", "al.example.com.", "Z1"),
        alias("alwt.example.com.", "A", "wt.example.com.", "Z1"),
        alias("alnone.example.com.", "A", "nothing.example.com.", "Z1"),
        RecordSet("*.wc.example.com.", "CNAME", 60, ("www.example.com",)),
        RecordSet("wt.example.com.", "A", 60, ("192.0.2.101",), set_identifier="one", weight=10),
        RecordSet("wt.example.com.", "A", 60, ("192.0.2.102",), set_identifier="two", weight=20),
    ]
    h.put_zone("Z1", o, recs, created=1.0)
    h.put_zone(
        "Z2",
        "child.example.com.",
        zone_records(
            "child.example.com.", [("www.child.example.com.", "A", 30, ("192.0.2.77",))], soa_ttl=100
        ),
        created=2.0,
    )
    h.put_zone("Z3", o, zone_records(o, [("www.example.com.", "A", 300, ("198.51.100.1",))]), created=3.0)


@pytest.fixture(scope="module")
def dns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsHarness]:
    tmp: Path = tmp_path_factory.mktemp("dns")
    with running_plane(tmp) as h:
        scenario_zones(h)
        yield h
