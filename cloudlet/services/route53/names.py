"""Route 53 domain names: parsing input, the escaped presentation form, and the sort order.

Route 53 takes names with or without the trailing dot, in any case, with printable ASCII or
`\\ooo` (three-digit octal) escapes, and always shows them lower-case, absolute, with every byte
outside `[a-z0-9-_]` escaped as `\\ooo` (DomainNameFormat.html): `*.example.com` lists back as
`\\052.example.com.`. Lists sort by the name with its labels reversed, compared as ASCII text
(`com.example.www.`), which is what `sort_key` gives. Used by api.py, store.py (key order) and the
DNS data plane (`labels` turns a stored name back into wire labels). No I/O.
"""

from __future__ import annotations

_PLAIN = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789-_")
MAX_LABEL = 63
MAX_NAME = 255  # wire length, including length bytes and the root label


class NameProblem(ValueError):
    """A name Route 53 refuses; `kind` is Route 53's problem token (e.g. DomainLabelTooLong)."""

    def __init__(self, kind: str, detail: str, text: str) -> None:
        super().__init__(f"{kind} ({detail}) encountered with '{text}'")
        self.kind = kind
        self.detail = detail
        self.text = text


def parse(text: str) -> tuple[bytes, ...]:
    """The raw, lower-cased labels of `text` (root label excluded)."""
    if text in ("", "."):
        return ()
    body = text[:-1] if text.endswith(".") and not text.endswith("\\.") else text
    labels: list[bytes] = []
    cur = bytearray()
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch == "\\":
            digits = body[i + 1 : i + 4]
            if len(digits) == 3 and all(c in "01234567" for c in digits):
                value = int(digits, 8)
                if value > 0xFF:
                    raise NameProblem("InvalidCharacterString", "Value contains an invalid escape", text)
                cur.append(value)
                i += 4
                continue
            if i + 1 < n and 0x21 <= ord(body[i + 1]) <= 0x7E and not body[i + 1].isdigit():
                cur.append(ord(body[i + 1]))
                i += 2
                continue
            raise NameProblem("InvalidCharacterString", "Value contains an invalid escape", text)
        if ch == ".":
            if not cur:
                raise NameProblem("DomainLabelEmpty", "Domain label is empty", text)
            labels.append(bytes(cur))
            cur = bytearray()
            i += 1
            continue
        code = ord(ch)
        if not 0x21 <= code <= 0x7E:
            raise NameProblem("InvalidCharacterString", "Value contains invalid characters", text)
        cur.append(code)
        i += 1
    if not cur:
        raise NameProblem("DomainLabelEmpty", "Domain label is empty", text)
    labels.append(bytes(cur))
    out = tuple(bytes(lab).lower() for lab in labels)
    for lab in out:
        if len(lab) > MAX_LABEL:
            # Route 53 quotes the offending label, not the whole name
            raise NameProblem("DomainLabelTooLong", "Domain label is too long", escape_label(lab))
    if sum(len(lab) + 1 for lab in out) + 1 > MAX_NAME:
        raise NameProblem("DomainNameTooLong", "Domain name is too long", text)
    return out


def escape_label(label: bytes) -> str:
    return "".join(chr(b) if b in _PLAIN else f"\\{b:03o}" for b in label)


def format_labels(labels: tuple[bytes, ...]) -> str:
    """Route 53's presentation form: lower-case, escaped, absolute."""
    return "".join(escape_label(lab) + "." for lab in labels) or "."


def normalize(text: str) -> str:
    """Any accepted spelling of a name -> the one form Route 53 stores and lists."""
    return format_labels(parse(text))


def labels(name: str) -> tuple[bytes, ...]:
    """Wire labels of a stored (normalized) name, e.g. for dns.name.Name(labels + (b'',))."""
    return parse(name)


def sort_key(name: str) -> str:
    """Reversed-label text Route 53 sorts by: 'www.example.com.' -> 'com.example.www.'."""
    parts = split(name)
    return "".join(p + "." for p in reversed(parts))


def split(name: str) -> list[str]:
    """Escaped labels of a normalized name (escapes keep '.' out of labels)."""
    return [p for p in name.split(".") if p]


def is_wildcard(name: str) -> bool:
    return name.startswith("\\052.")


def is_within(name: str, zone: str) -> bool:
    """True if normalized `name` is `zone` or below it."""
    return name == zone or name.endswith("." + zone)
