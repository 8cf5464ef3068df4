"""Route 53 presentation forms -> compiled zone: names, escapes, values, groups."""

from __future__ import annotations

import dns.name
import dns.rdatatype
import pytest

from cloudlet.services.dns.compiler import compile_zone
from cloudlet.services.dns.names import to_name, to_rdata
from cloudlet.services.route53.model import HostedZone, RecordSet, ZoneSnapshot


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("www.example.com.", (b"www", b"example", b"com", b"")),
        ("www.example.com", (b"www", b"example", b"com", b"")),
        ("\\052.example.com.", (b"*", b"example", b"com", b"")),
        ("*.example.com.", (b"*", b"example", b"com", b"")),
        ("a\\056b.example.com.", (b"a.b", b"example", b"com", b"")),  # octal 056 is '.'
        ("ex\\344mple.com.", (b"ex\xe4mple", b"com", b"")),
        (".", (b"",)),
    ],
)
def test_route53_names(text: str, labels: tuple[bytes, ...]) -> None:
    assert to_name(text).labels == labels


def test_txt_octal_escapes() -> None:
    rd = to_rdata(dns.rdatatype.TXT, '"a\\011b" "c\\\\d"')  # octal 011 is a tab
    assert rd.strings == (b"a\tb", b"c\\d")  # type: ignore[attr-defined]


def test_relative_looking_targets_are_absolute() -> None:
    rd = to_rdata(dns.rdatatype.CNAME, "www.example.com")
    assert rd.target == dns.name.from_text("www.example.com.")  # type: ignore[attr-defined]


def test_compile_groups_cuts_and_negative_ttl() -> None:
    soa = "ns-1.awsdns-01.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 60"
    snap = ZoneSnapshot(
        HostedZone("Z1", "example.com.", "r"),
        (
            RecordSet("example.com.", "SOA", 900, (soa,)),
            RecordSet("example.com.", "NS", 172800, ("ns-1.awsdns-01.com.",)),
            RecordSet("a.b.c.example.com.", "A", 60, ("192.0.2.1",)),
            RecordSet("sub.example.com.", "NS", 60, ("ns.sub.example.com.",)),
            RecordSet("w.example.com.", "A", 60, ("192.0.2.1",), set_identifier="x", weight=1),
            RecordSet("w.example.com.", "A", 60, ("192.0.2.2",), set_identifier="y", weight=1),
            RecordSet("bad.example.com.", "A", 60, ("999.1.1.1",)),  # skipped, logged
        ),
    )
    cz = compile_zone(snap)
    n = dns.name.from_text
    assert {n("b.c.example.com."), n("c.example.com."), n("example.com.")} <= cz.names
    assert cz.cuts == {n("sub.example.com.")}
    assert cz.negative_soa is not None and cz.negative_soa.ttl == 60  # min(900, minimum 60)
    g = cz.group(n("w.example.com."), dns.rdatatype.A)
    assert g is not None and not g.static and len(g.members) == 2
    assert cz.group(n("a.b.c.example.com."), dns.rdatatype.A).static  # type: ignore[union-attr]
    assert cz.group(n("bad.example.com."), dns.rdatatype.A) is None
