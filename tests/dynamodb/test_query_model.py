"""Property tests: Query and Scan over random items and key conditions, through boto3 against the
running server, compared with a reference model written here from DynamoDB's documented rules
(numbers by value, strings by UTF-8 bytes, binary by unsigned bytes; pages of Limit items)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NUMBERS = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=4, allow_nan=False).map(str),
    st.sampled_from(
        [
            "0",
            "-0",
            "1e3",
            "1E-3",
            "1.5e2",
            "-0.001",
            "99999999999999999999999999999999999999",
            "1e125",
            "-1e-130",
        ]
    ),
)
STRINGS = st.text(
    alphabet=st.sampled_from(["a", "b", "z", "A", "0", "é", "ü", "中", "😀", " "]), min_size=1, max_size=6
)
BINARIES = st.binary(min_size=1, max_size=5)


def order_key(kind: str, value: Any) -> Any:
    if kind == "N":
        return Decimal(value)
    if kind == "S":
        return value.encode("utf-8")
    return bytes(value)


def matches(kind: str, value: Any, op: str, args: list[Any]) -> bool:
    v = order_key(kind, value)
    a = [order_key(kind, x) for x in args]
    if op == "=":
        return bool(v == a[0])
    if op == "<":
        return bool(v < a[0])
    if op == "<=":
        return bool(v <= a[0])
    if op == ">":
        return bool(v > a[0])
    if op == ">=":
        return bool(v >= a[0])
    if op == "BETWEEN":
        return bool(a[0] <= v <= a[1])
    return bool(v.startswith(a[0]))  # begins_with


def expression(op: str) -> str:
    if op == "BETWEEN":
        return "pk = :p AND sk BETWEEN :a AND :b"
    if op == "begins_with":
        return "pk = :p AND begins_with(sk, :a)"
    return f"pk = :p AND sk {op} :a"


@pytest.fixture(scope="module")
def tables(make_table: Any) -> dict[str, str]:
    return {kind: make_table(range=("sk", kind)) for kind in ("N", "S", "B")}


@st.composite
def scenario(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["N", "S", "B"]))
    values = {"N": NUMBERS, "S": STRINGS, "B": BINARIES}[kind]
    sort_keys = draw(st.lists(values, min_size=0, max_size=30))
    ops = ["=", "<", "<=", ">", ">=", "BETWEEN"] + (["begins_with"] if kind != "N" else [])
    op = draw(st.sampled_from(ops))
    args = (
        [draw(values)]
        if op != "BETWEEN"
        else sorted([draw(values), draw(values)], key=lambda x: order_key(kind, x))
    )
    if op == "begins_with" and kind == "S":
        args = [args[0][:2]]
    return {
        "kind": kind,
        "sort_keys": sort_keys,
        "op": op,
        "args": args,
        "limit": draw(st.one_of(st.none(), st.integers(min_value=1, max_value=8))),
        "forward": draw(st.booleans()),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=scenario())
def test_query_matches_model(ddb: Any, tables: dict[str, str], case: dict[str, Any]) -> None:
    kind = case["kind"]
    table = tables[kind]
    pk = uuid.uuid4().hex
    stored: dict[Any, Any] = {}  # order key -> canonical value as the server returns it
    for i, sk in enumerate(case["sort_keys"]):
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {kind: sk}, "i": {"N": str(i)}})
        stored[order_key(kind, sk)] = i  # same key again replaces the item
    expected = sorted(
        (k for k, _ in stored.items() if matches(kind, _raw(kind, k), case["op"], case["args"])),
        reverse=not case["forward"],
    )
    values = {":p": {"S": pk}, ":a": {kind: case["args"][0]}}
    if case["op"] == "BETWEEN":
        values[":b"] = {kind: case["args"][1]}
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": expression(case["op"]),
        "ExpressionAttributeValues": values,
        "ScanIndexForward": case["forward"],
    }
    if case["limit"]:
        kwargs["Limit"] = case["limit"]
    got: list[Any] = []
    pages = 0
    while True:
        out = ddb.query(**kwargs)
        pages += 1
        if case["limit"]:
            assert len(out["Items"]) <= case["limit"]
        got += [order_key(kind, item["sk"][kind]) for item in out["Items"]]
        assert [stored[order_key(kind, item["sk"][kind])] for item in out["Items"]] == [
            int(item["i"]["N"]) for item in out["Items"]
        ]
        if "LastEvaluatedKey" not in out:
            break
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
        assert pages <= len(expected) + 1
    assert got == expected
    scanned = []
    scan_kwargs: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": pk}},
        "Limit": 7,
    }
    while True:
        out = ddb.scan(**scan_kwargs)
        scanned += [order_key(kind, item["sk"][kind]) for item in out["Items"]]
        if "LastEvaluatedKey" not in out:
            break
        scan_kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    assert sorted(scanned) == sorted(stored)


def _raw(kind: str, key: Any) -> Any:
    if kind == "N":
        return str(key)
    if kind == "S":
        return key.decode("utf-8")
    return key
