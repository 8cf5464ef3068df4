"""Hypothesis strategies for random *valid-shaped* values of botocore shapes (inputs and outputs).

Values stay small (lists and maps of 1-2 items, short strings, depth <= 3). Constraints the wire
cannot carry faithfully are avoided rather than normalized: header values are trimmed printable
ASCII, URI labels are non-empty, empty lists/maps (indistinguishable from absent on several wires)
are not generated, timestamps have whole seconds (header dates carry no fractions).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.model import Shape
from hypothesis import strategies as st

MAX_DEPTH = 3
TEXT = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_categories=("Cs",))
    | st.sampled_from("\t\n"),
    max_size=6,
)
HEADER_TEXT = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=8)
LABEL_TEXT = st.text(st.sampled_from("abcXYZ019-_:"), min_size=1, max_size=8)
KEY_TEXT = st.text(st.sampled_from("abcdefxyz0123"), min_size=1, max_size=6)
TIMESTAMPS = st.integers(0, 4_000_000_000).map(lambda s: datetime.fromtimestamp(s, tz=UTC))
FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)
SKIPPED_HEADERS = frozenset(("content-length", "content-md5", "expect", "host", "transfer-encoding"))


def usable(member: Shape) -> bool:
    """Members a round trip can carry: not event streams, documents, or headers HTTP owns."""
    ser = member.serialization
    if ser.get("eventstream") or member.metadata.get("document") or member.metadata.get("eventstream"):
        return False
    if ser.get("location") == "header" and ser.get("name", "").lower() in SKIPPED_HEADERS:
        return False
    return not (ser.get("location") == "headers" and not ser.get("name"))


def _bounded_int(shape: Shape, lo: int, hi: int) -> st.SearchStrategy[int]:
    meta = shape.metadata
    low = max(lo, int(meta["min"])) if "min" in meta else lo
    high = min(hi, int(meta["max"])) if "max" in meta else hi
    return st.integers(low, max(low, high))


def scalar(shape: Shape, where: str | None) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "string":
        if shape.enum:
            return st.sampled_from(shape.enum)
        if where == "uri":
            return LABEL_TEXT
        if where in ("header", "headers"):
            if shape.serialization.get("jsonvalue"):
                return st.dictionaries(KEY_TEXT, KEY_TEXT, max_size=2)
            return HEADER_TEXT
        if where == "querystring":
            return TEXT.filter(bool)
        return TEXT
    if kind in ("integer", "short", "byte"):
        return _bounded_int(shape, -(2**31), 2**31 - 1)
    if kind == "long":
        return _bounded_int(shape, -(2**53), 2**53)
    if kind in ("float", "double"):
        return FLOATS
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(max_size=12)
    if kind == "timestamp":
        return TIMESTAMPS
    return st.nothing()


def value(
    shape: Shape, where: str | None = None, depth: int = 0, output: bool = False
) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        if depth >= MAX_DEPTH:
            return st.just({})
        members = {n: m for n, m in shape.members.items() if usable(m)}
        # members sharing one wire name (S3's deprecated Event beside Events) cannot both be carried
        wire: dict[str, str] = {}
        for n, m in members.items():
            wire[m.serialization.get("name", n)] = n
        members = {n: m for n, m in members.items() if wire[m.serialization.get("name", n)] == n}
        if shape.metadata.get("union"):
            if not members:
                return st.just({})
            return st.one_of(
                *(st.fixed_dictionaries({n: value(m, None, depth + 1, output)}) for n, m in members.items())
            )
        payload = shape.serialization.get("payload")
        required = {
            n: member_value(m, depth, output, n == payload)
            for n, m in members.items()
            if n in shape.required_members or m.serialization.get("location") == "uri"
        }
        optional = {
            n: member_value(m, depth, output, n == payload) for n, m in members.items() if n not in required
        }
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "list":
        inner = value(shape.member, where, depth + 1, output)
        return st.lists(inner, min_size=1, max_size=2)
    if kind == "map":
        keys = HEADER_TEXT.map(str.lower) if where == "headers" else KEY_TEXT
        if shape.key.enum:
            keys = st.sampled_from(shape.key.enum)
        return st.dictionaries(keys, value(shape.value, where, depth + 1, output), min_size=1, max_size=2)
    return scalar(shape, where)


def member_value(member: Shape, depth: int, output: bool, payload: bool = False) -> st.SearchStrategy[Any]:
    where = member.serialization.get("location")
    if member.serialization.get("hostLabel"):
        return st.text(st.sampled_from("abc019-"), min_size=1, max_size=8)  # becomes part of the host name
    if payload and output and member.type_name == "blob" and not member.metadata.get("streaming"):
        # botocore decodes a non-streaming blob payload as UTF-8 text
        return TEXT.map(str.encode)
    if where == "statusCode":
        return st.integers(200, 299)
    if where == "querystring" and member.type_name == "map":
        # query-params maps: keys must not collide with named parameters
        inner = value(member.value, where, depth + 1, output)
        return st.dictionaries(KEY_TEXT.map(lambda k: "q" + k), inner, min_size=1, max_size=2)
    return value(member, where, depth + 1, output)
