"""Per-type validation of ResourceRecords[].Value, as Route 53 checks them (ResourceRecordTypes.html).

`check_values(rtype, values)` returns the problems (Route 53's message texts) for one record set;
an empty list means the values are acceptable and are stored verbatim, exactly as given.
dnspython's presentation-format parsers (`dns.rdata.from_text`) do the structural work for the
types whose syntax Route 53 shares with RFC 1035 zone files; Route 53's own rules are layered on
top: A/AAAA in strict dotted/colon form, TXT/SPF strings always quoted with `\\ooo` *octal*
escapes (dnspython uses decimal), CAA flags 0 or 128, DS digest lengths.
`txt_strings` decodes a TXT/SPF/CAA-style quoted value into wire bytes for the DNS data plane.
Neighbours: names.py (domain names inside values), changes.py (calls this per record set).
"""

from __future__ import annotations

import ipaddress

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from cloudlet.services.route53 import names

TYPES = (
    "SOA",
    "A",
    "TXT",
    "NS",
    "CNAME",
    "MX",
    "NAPTR",
    "PTR",
    "SRV",
    "SPF",
    "AAAA",
    "CAA",
    "DS",
    "TLSA",
    "SSHFP",
    "SVCB",
    "HTTPS",
)
MAX_VALUES = 400
MAX_STRING = 255
_DS_DIGEST_HEX = {1: 40, 2: 64, 4: 96}


def fatal(token: str, detail: str, value: str) -> str:
    return f"Invalid Resource Record: 'FATAL problem: {token} ({detail}) encountered with '{value}''"


class _Bad(ValueError):
    def __init__(self, token: str, detail: str) -> None:
        super().__init__(detail)
        self.token = token
        self.detail = detail


def check_values(rtype: str, values: list[str]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for value in values:
        try:
            _check_one(rtype, value)
        except names.NameProblem as e:
            problems.append(fatal(e.kind, e.detail, e.text))
            continue
        except _Bad as e:
            problems.append(fatal(e.token, e.detail, value))
            continue
        if value in seen:
            problems.append(f"Duplicate Resource Record: '{value}'")
        seen.add(value)
    if rtype == "CNAME" and len(values) > 1:
        problems.append(
            fatal("CNAMERRDATAMultipleValues", "CNAME record must have exactly one value", values[1])
        )
    if rtype == "SOA" and len(values) > 1:
        problems.append("A HostedZone must contain exactly one SOA record.")
    if len(values) > MAX_VALUES:
        problems.append(f"Too many resource records in RRSet: {len(values)}, limit is {MAX_VALUES}")
    return problems


def _check_one(rtype: str, value: str) -> None:
    if rtype == "A":
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            raise _Bad("ARRDATAIllegalIPv4Address", "Value is not a valid IPv4 address") from None
        return
    if rtype == "AAAA":
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            raise _Bad("AAAARRDATAIllegalIPv6Address", "Value is not a valid IPv6 address") from None
        return
    if rtype in ("TXT", "SPF"):
        for s in txt_strings(value):
            if len(s) > MAX_STRING:
                raise _Bad("TXTRDATATooLong", "Value is too long")
        return
    if rtype in ("CNAME", "NS", "PTR"):
        if value.strip() != value or not value or " " in value:
            raise _Bad("InvalidCharacterString", "Value contains invalid characters")
        names.parse(value)
        return
    if rtype == "CAA":
        _check_caa(value)
    elif rtype == "DS":
        _check_ds_digest(value)
    elif rtype in ("MX", "SRV"):
        _check_host_fields(rtype, value, 2 if rtype == "MX" else 4)
    _parse_with_dnspython(rtype, value)


def _check_host_fields(rtype: str, value: str, n: int) -> None:
    fields = value.split()
    if len(fields) != n:
        raise _Bad(
            f"{rtype}RRDATANotEnoughFields" if len(fields) < n else f"{rtype}RRDATATooManyFields",
            f"{rtype} record must have {n} fields",
        )
    for f in fields[:-1]:
        if not f.isdigit() or int(f) > 65535:
            raise _Bad(f"{rtype}RRDATAIllegalNumber", "Value must be an integer between 0 and 65535")
    names.parse(fields[-1])


def _check_caa(value: str) -> None:
    parts = value.split(None, 2)
    if len(parts) != 3:
        raise _Bad("CAARRDATANotEnoughFields", "CAA record must have 3 fields")
    flags, tag, rest = parts
    if flags not in ("0", "128"):
        raise _Bad("CAARRDATAIllegalFlags", "CAA flags must be 0 or 128")
    if not tag.isascii() or not tag.isalnum():
        raise _Bad("CAARRDATAIllegalTag", "CAA tag must contain only letters and digits")
    strings = txt_strings(rest)
    if len(strings) != 1:
        raise _Bad("InvalidCharacterString", "Value should be enclosed in quotation marks")


def _check_ds_digest(value: str) -> None:
    fields = value.split(None, 3)
    if len(fields) == 4 and fields[2].isdigit():
        want = _DS_DIGEST_HEX.get(int(fields[2]))
        got = len("".join(fields[3].split()))
        if want is not None and got != want:
            raise _Bad(
                "DSRRDATAIllegalDigest",
                f"DS digest must be {want} hexadecimal digits for digest type {fields[2]}",
            )


def _parse_with_dnspython(rtype: str, value: str) -> None:
    try:
        dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rtype), value, origin=dns.name.root)
    except (dns.exception.DNSException, ValueError, UnicodeError, TypeError, KeyError, IndexError):
        raise _Bad(f"{rtype}RRDATAIllegal", f"Value is not a valid {rtype} record") from None
    if rtype == "SOA" and len(value.split()) != 7:
        raise _Bad("SOARRDATANotEnoughFields", "SOA record must have 7 fields")


def txt_strings(value: str) -> list[bytes]:
    """Quoted character-strings of a Route 53 TXT/SPF value, decoded to bytes.

    Every string must be in double quotes; inside, `\\"` and `\\\\` escape themselves and
    `\\ooo` is an octal byte. Raises _Bad (InvalidCharacterString) on anything else.
    """
    out: list[bytes] = []
    i, n = 0, len(value)
    bad = _Bad("InvalidCharacterString", "Value should be enclosed in quotation marks")
    while i < n:
        if value[i] in " \t":
            i += 1
            continue
        if value[i] != '"':
            raise bad
        i += 1
        cur = bytearray()
        while True:
            if i >= n:
                raise bad
            ch = value[i]
            if ch == '"':
                i += 1
                break
            if ch == "\\":
                digits = value[i + 1 : i + 4]
                if len(digits) == 3 and all(c in "01234567" for c in digits) and int(digits, 8) <= 0xFF:
                    cur.append(int(digits, 8))
                    i += 4
                    continue
                if i + 1 < n:
                    cur.extend(value[i + 1].encode())
                    i += 2
                    continue
                raise bad
            cur.extend(ch.encode())
            i += 1
        if i < n and value[i] not in " \t":
            raise bad
        out.append(bytes(cur))
    if not out:
        raise bad
    return out
