"""Order-preserving key encoding (keys.py): byte order equals DynamoDB order, round trips,
partitions contiguous, sort-key ranges exact."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlet.services.dynamodb.keys import (
    decode_key_value,
    decode_primary_key,
    encode_key_value,
    encode_primary_key,
    partition_prefix,
    prefix_end,
    sort_range,
)
from cloudlet.services.dynamodb.numbers import normalize_number
from cloudlet.services.dynamodb.values import compare


@st.composite
def numbers(draw: Any) -> str:
    mantissa = draw(st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1))
    exponent = draw(st.integers(min_value=-130 - 37, max_value=125))
    value = Decimal(f"{mantissa}E{exponent}")
    if not (-130 <= value.adjusted() <= 125):  # zero too: AWS checks the exponent of 0E-167
        value = Decimal(mantissa)
    return normalize_number(str(value))


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
blobs = st.binary(max_size=12)
key_values = st.one_of(
    numbers().map(lambda n: {"N": n}), texts.map(lambda s: {"S": s}), blobs.map(lambda b: {"B": b})
)


@given(st.lists(numbers(), min_size=2, max_size=20))
def test_number_order_matches_decimal_order(values: list[str]) -> None:
    encoded = sorted(values, key=lambda v: encode_key_value({"N": v}))
    assert [Decimal(v) for v in encoded] == sorted(Decimal(v) for v in values)


@given(numbers())
def test_number_round_trip(value: str) -> None:
    data = encode_key_value({"N": value})
    decoded, end = decode_key_value(data + b"tail", "N")
    assert decoded == {"N": value}
    assert end == len(data)


@given(st.lists(texts, min_size=2, max_size=20))
def test_string_order_is_utf8_byte_order(values: list[str]) -> None:
    encoded = sorted(values, key=lambda v: encode_key_value({"S": v}))
    assert [v.encode() for v in encoded] == sorted(v.encode() for v in values)


@given(st.lists(blobs, min_size=2, max_size=20))
def test_binary_order_and_round_trip(values: list[bytes]) -> None:
    encoded = sorted(values, key=lambda v: encode_key_value({"B": v}))
    assert encoded == sorted(values)
    for v in values:
        assert decode_key_value(encode_key_value({"B": v}), "B")[0] == {"B": v}


def test_prefix_relations_keep_order() -> None:
    # "a" < "a\x00" < "a\x00b" < "ab" as UTF-8 bytes; sort keys appended must not break this.
    pks = ["a", "a\x00", "a\x00b", "ab"]
    keys = [encode_primary_key({"S": pk}, {"S": "\xff\xff"}) for pk in pks]
    assert keys == sorted(keys)
    assert keys[0] < encode_primary_key({"S": "a\x00"}, {"S": ""})


@settings(max_examples=60)
@given(
    st.lists(st.tuples(texts, numbers()), min_size=1, max_size=30, unique=True),
)
def test_partitions_contiguous_and_sorted(rows: list[tuple[str, str]]) -> None:
    encoded = sorted((encode_primary_key({"S": pk}, {"N": sk}), pk, sk) for pk, sk in rows)
    seen: list[str] = []
    for _, pk, _ in encoded:
        if not seen or seen[-1] != pk:
            assert pk not in seen, "partition split"
            seen.append(pk)
    for pk in seen:
        sks = [Decimal(sk) for _, p, sk in encoded if p == pk]
        assert sks == sorted(sks)
    for data, pk, sk in encoded:
        assert decode_primary_key(data, "S", "N") == ({"S": pk}, {"N": sk})
        prefix = partition_prefix({"S": pk})
        end = prefix_end(prefix)
        assert data.startswith(prefix) and (end is None or data < end)


def _matches(op: str, sk: dict[str, Any], values: list[dict[str, Any]]) -> bool:
    if op == "begins_with":
        kind = next(iter(sk))
        return bool(sk[kind].startswith(values[0][kind]))
    order = compare(sk, values[0])
    assert order is not None
    if op == "BETWEEN":
        upper = compare(sk, values[1])
        assert upper is not None
        return order >= 0 and upper <= 0
    return {"=": order == 0, "<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]


@settings(max_examples=150)
@given(
    st.sampled_from(["N", "S", "B"]),
    st.data(),
    st.sampled_from(["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]),
)
def test_sort_range_selects_exactly_the_matching_keys(kind: str, data: Any, op: str) -> None:
    strategy = {"N": numbers(), "S": texts, "B": blobs}[kind]
    if op == "begins_with" and kind == "N":
        op = "="
    sks = data.draw(st.lists(strategy, min_size=1, max_size=15, unique=True))
    operands = [data.draw(strategy)]
    if op == "BETWEEN":
        operands.append(data.draw(strategy))
        operands.sort(key=lambda v: encode_key_value({kind: v}))
    pk = {"S": data.draw(texts)}
    prefix = partition_prefix(pk)
    start, end = sort_range(op, [{kind: v} for v in operands], prefix)
    end = end if end is not None else prefix_end(prefix)
    # an index entry goes on after its sort value with the item's own primary key
    table_key = encode_primary_key({"S": data.draw(texts)}, {"N": str(data.draw(st.integers(-5, 5)))})
    for sk in sks:
        for key in (encode_primary_key(pk, {kind: sk}), encode_primary_key(pk, {kind: sk}) + table_key):
            inside = start <= key and (end is None or key < end)
            assert inside == _matches(op, {kind: sk}, [{kind: v} for v in operands]), (sk, operands, key)
