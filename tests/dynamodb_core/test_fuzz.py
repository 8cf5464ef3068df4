"""Fuzz: random text into every parser raises only AwsError (never anything else)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb.expressions import (
    check_placeholder_maps,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
)
from cloudlet.services.dynamodb.numbers import normalize_number
from cloudlet.services.dynamodb.values import normalize_item

NAMES = {"#a": "a", "#b": "b.c"}
VALUES: dict[str, Any] = {
    ":s": {"S": "x"},
    ":n": {"N": "1"},
    ":l": {"L": []},
    ":ss": {"SS": ["q"]},
    ":t": {"S": "N"},
}
FRAGMENTS = [
    "a", "b", "#a", "#b", "#zz", ":s", ":n", ":l", ":ss", ":t", ":zz", "(", ")", "[", "]", "[0]", "[99]", ".", ",",
    "=", "<>", "<", "<=", ">", ">=", "+", "-", "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE",
    "size", "contains", "begins_with", "attribute_exists", "attribute_not_exists", "attribute_type", "if_not_exists",
    "list_append", "status", "pk", "sk", " ", "_", "!", "0", "\u00e9", "\x00",
]  # fmt: skip
texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map(" ".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join),
)


def _only_aws_errors(call: Any) -> None:
    try:
        call()
    except AwsError as error:
        assert error.code == "ValidationException"


@settings(max_examples=500, deadline=None)
@given(texts)
def test_parsers_raise_only_aws_errors(text: str) -> None:
    _only_aws_errors(
        lambda: parse_condition(text, NAMES, VALUES).evaluate({"a": {"N": "1"}, "b": {"L": [{"S": "x"}]}})
    )
    _only_aws_errors(lambda: parse_condition(text, NAMES, VALUES, kind="FilterExpression"))
    _only_aws_errors(lambda: parse_projection(text, NAMES).apply({"a": {"M": {"x": {"N": "1"}}}}))
    _only_aws_errors(
        lambda: parse_update(text, NAMES, VALUES).apply({"a": {"N": "1"}, "b": {"L": [{"S": "x"}]}})
    )
    _only_aws_errors(
        lambda: parse_key_condition(
            text, NAMES, VALUES, {"HASH": "pk", "RANGE": "sk"}, {"pk": "S", "sk": "N"}
        )
    )
    _only_aws_errors(lambda: normalize_number(text))


def test_deep_nesting_is_an_aws_error() -> None:
    for depth in (100, 300, 1000, 2000, 5000):
        cases = (
            "(" * depth + "a = :n" + ")" * depth,
            "NOT " * depth + "a = :n",
            "a" + ".b" * depth + " = :n",
            "a = :n" + " AND a = :n" * depth,
        )
        for text in cases:
            _only_aws_errors(lambda text=text: parse_condition(text, None, VALUES))
    for text in ("(" * 5000 + "a = :n" + ")" * 5000, "NOT " * 5000 + "a = :n", "a" + ".b" * 3000 + " = :n"):
        _only_aws_errors(lambda text=text: parse_condition(text, None, VALUES))


junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.binary(max_size=5)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS", "x", ""]),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(max_size=3), junk, max_size=3))
def test_item_validation_raises_only_aws_errors(item: Any) -> None:
    _only_aws_errors(lambda: normalize_item(item))
    _only_aws_errors(lambda: check_placeholder_maps(None, {":v": item}))
