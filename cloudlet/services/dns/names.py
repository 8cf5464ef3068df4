"""Route 53 presentation forms -> dnspython values (names and record data).

Route 53 escapes bytes in names and TXT strings as `\\ooo` *octal* (`\\052` is `*`), while DNS
master-file syntax (and dnspython) reads `\\DDD` as *decimal*. This module is the one place that
translates between the two; the zone compiler (compiler.py) is its only user.
"""

from __future__ import annotations

import re

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

_OCTAL = re.compile(rb"\\([0-7]{3})")
_TXT_ESCAPE = re.compile(r"\\\\|\\[0-7]{3}")


def to_name(text: str) -> dns.name.Name:
    """A Route 53 name ("www.example.com.", "\\052.example.com", "*.example.com") as a Name."""
    raw = text.encode("utf-8")
    if raw in (b"", b"."):
        return dns.name.root
    labels: list[bytes] = []
    label = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C:  # backslash
            m = _OCTAL.match(raw, i)
            if m:
                label.append(int(m.group(1), 8) & 0xFF)
                i = m.end()
                continue
            if i + 1 < len(raw):
                label.append(raw[i + 1])
                i += 2
                continue
            raise dns.name.BadEscape
        if c == 0x2E:  # dot ends a label
            if not label:
                raise dns.name.EmptyLabel
            labels.append(bytes(label))
            label = bytearray()
        else:
            label.append(c)
        i += 1
    if label:
        labels.append(bytes(label))
    labels.append(b"")
    return dns.name.Name(labels)


def _octal_to_decimal(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        return s if s == "\\\\" else f"\\{int(s[1:], 8):03d}"

    return _TXT_ESCAPE.sub(repl, text)


def to_rdata(rdtype: dns.rdatatype.RdataType, value: str) -> dns.rdata.Rdata:
    """One ResourceRecords[].Value as rdata; names in values are absolute (trailing dot optional)."""
    if rdtype in (dns.rdatatype.TXT, dns.rdatatype.SPF):
        value = _octal_to_decimal(value)
    return dns.rdata.from_text(dns.rdataclass.IN, rdtype, value, origin=dns.name.root, relativize=False)
