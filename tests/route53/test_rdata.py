"""Per-type value validation (rdata.py), table-driven: what Route 53 accepts and how it refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudlet.services.route53 import rdata

DS_SHA256 = "ab" * 32

VALID: list[tuple[str, list[str]]] = [
    ("A", ["192.0.2.10"]),
    ("A", ["192.0.2.10", "192.0.2.11"]),
    ("AAAA", ["2001:db8::10", "::1"]),
    ("CNAME", ["www.example.com"]),
    ("CNAME", ["www.example.com."]),
    ("TXT", ['"v=spf1 include:_spf.example.com ~all"']),
    ("TXT", ['"part one" "part two"']),
    ("TXT", ['"with \\" escaped quote"']),
    ("TXT", ['"' + "a" * 255 + '"']),
    ("TXT", ['"octal \\344 byte"']),
    ("SPF", ['"v=spf1 -all"']),
    ("MX", ["10 mail.example.com"]),
    ("MX", ["0 ."]),
    ("NS", ["ns-1.example.net", "ns-2.example.net."]),
    ("PTR", ["www.example.com"]),
    ("SRV", ["10 60 5060 sip.example.com"]),
    ("CAA", ['0 issue "amazon.com"']),
    ("CAA", ['128 issuewild ";"']),
    ("NAPTR", ['100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .']),
    ("DS", [f"12345 13 2 {DS_SHA256}"]),
    ("SSHFP", ["1 1 " + "ab" * 20]),
    ("TLSA", ["3 1 1 " + "ab" * 32]),
    ("SVCB", ["1 svc.example.com. alpn=h2"]),
    ("HTTPS", ["0 www.example.com."]),
    ("HTTPS", ['1 . alpn="h3,h2" port=443']),
    ("SOA", ["ns-1.awsdns-00.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]),
]


@pytest.mark.parametrize(("rtype", "values"), VALID)
def test_valid_values(rtype: str, values: list[str]) -> None:
    assert rdata.check_values(rtype, values) == []


INVALID: list[tuple[str, list[str], str]] = [
    (
        "A",
        ["999.1.1.1"],
        "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '999.1.1.1''",
    ),
    ("A", ["192.0.2"], "ARRDATAIllegalIPv4Address"),
    ("A", ["2001:db8::10"], "ARRDATAIllegalIPv4Address"),
    ("A", ["192.0.2.010"], "ARRDATAIllegalIPv4Address"),
    (
        "AAAA",
        ["192.0.2.10"],
        "Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with '192.0.2.10''",
    ),
    ("AAAA", ["2001:db8::g"], "AAAARRDATAIllegalIPv6Address"),
    ("CNAME", ["bad..host"], "DomainLabelEmpty"),
    ("CNAME", ["a.example.com", "b.example.com"], "CNAME"),
    (
        "TXT",
        ["no quotes"],
        "Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'no quotes''",
    ),
    ("TXT", ['"unterminated'], "enclosed in quotation marks"),
    ("TXT", ['"ok" trailing'], "enclosed in quotation marks"),
    ("TXT", ['"ok""glued"'], "enclosed in quotation marks"),
    ("TXT", ['"' + "a" * 256 + '"'], "TXTRDATATooLong"),
    ("SPF", ["v=spf1 -all"], "enclosed in quotation marks"),
    ("MX", ["mail.example.com"], "MX"),
    ("MX", ["70000 mail.example.com"], "MX"),
    ("MX", ["ten mail.example.com"], "MX"),
    ("MX", ["10 bad..host"], "DomainLabelEmpty"),
    ("NS", ["not a host"], "InvalidCharacterString"),
    ("PTR", ["has space.example.com"], "InvalidCharacterString"),
    ("SRV", ["10 60 sip.example.com"], "SRV"),
    ("SRV", ["10 60 99999 sip.example.com"], "SRV"),
    ("CAA", ["0 issue"], "CAA"),
    ("CAA", ['256 issue "amazon.com"'], "CAARRDATAIllegalFlags"),
    ("CAA", ['0 Issue! "amazon.com"'], "CAARRDATAIllegalTag"),
    ("CAA", ["0 issue amazon.com"], "enclosed in quotation marks"),
    ("DS", ["12345 13 2 abcd"], "DS digest must be 64 hexadecimal digits for digest type 2"),
    ("DS", ["12345 13"], "DSRRDATAIllegal"),
    ("SSHFP", ["1 1 nothex"], "SSHFPRRDATAIllegal"),
    ("TLSA", ["3 1"], "TLSARRDATAIllegal"),
    ("NAPTR", ["100 10 U"], "NAPTRRRDATAIllegal"),
    ("SVCB", ["1"], "SVCBRRDATAIllegal"),
    ("HTTPS", ["x y"], "HTTPSRRDATAIllegal"),
    ("SOA", ["ns.example.com. host.example.com. 1 2 3"], "SOARRDATAIllegal"),
    ("SOA", ["a. b. 1 2 3 4 5", "c. d. 1 2 3 4 5"], "A HostedZone must contain exactly one SOA record."),
    ("A", ["192.0.2.1", "192.0.2.1"], "Duplicate Resource Record: '192.0.2.1'"),
]


@pytest.mark.parametrize(("rtype", "values", "message"), INVALID)
def test_invalid_values(rtype: str, values: list[str], message: str) -> None:
    problems = rdata.check_values(rtype, values)
    assert problems, f"{rtype} {values} accepted"
    assert any(message in p for p in problems), problems


def test_txt_strings_decode_octal_and_quotes() -> None:
    assert rdata.txt_strings('"a b" "c\\"d" "\\344"') == [b"a b", b'c"d', b"\xe4"]


@given(st.sampled_from(rdata.TYPES), st.lists(st.text(max_size=60), min_size=1, max_size=3))
def test_any_value_is_accepted_or_refused_never_crashes(rtype: str, values: list[str]) -> None:
    problems = rdata.check_values(rtype, values)
    assert all(isinstance(p, str) and p for p in problems)
