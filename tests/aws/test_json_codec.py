"""jsonshape.loads/dumps: orjson on the common path, the json module for what orjson refuses, so
what a JSON body means is exactly what the json module says it means."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from cloudlet.aws.protocols.jsonshape import dumps, loads

_scalars = (
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False)
)
documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(documents)
def test_reads_what_the_json_module_reads(doc: object) -> None:
    for text in (json.dumps(doc), json.dumps(doc, ensure_ascii=False)):
        got, want = loads(text.encode("utf-8", "surrogatepass")), json.loads(text)
        assert got == want and repr(got) == repr(want)  # 1 and 1.0 compare equal: types too


@given(documents)
def test_writes_what_reads_back_the_same(doc: object) -> None:
    assert json.loads(dumps(doc)) == doc


def test_what_orjson_refuses_still_reads_and_writes() -> None:
    assert loads(b'{"s": "\\ud800x"}') == {"s": "\ud800x"}  # a lone surrogate escape
    assert loads(b"[123456789012345678901234567890]") == [123456789012345678901234567890]
    assert json.loads(dumps({"s": "\ud800"})) == {"s": "\ud800"}
    assert json.loads(dumps([2**70])) == [2**70]


def test_blobs_and_datetimes_take_the_aws_encodings() -> None:
    doc = {"b": b"\x00\xff", "t": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)}
    assert json.loads(dumps(doc)) == {"b": "AP8=", "t": 1767323045}


def test_malformed_bodies_fail_as_with_the_json_module() -> None:
    for body in (b"", b"{", b'{"a": }', b"\xff"):
        try:
            loads(body)
        except ValueError:
            continue
        raise AssertionError(f"{body!r} parsed")
