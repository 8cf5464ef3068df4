"""Attribute value validation, sizes, ordering and equality (values.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb.values import (
    compare,
    item_size,
    normalize_item,
    normalize_sized,
    normalize_value,
    validate_item,
    values_equal,
)

OPV = "One or more parameter values were invalid: "


def test_normalize_copies_and_canonicalizes() -> None:
    item: dict[str, Any] = {
        "a": {"N": "1.0"},
        "b": {"NS": ["1", "2.50"]},
        "c": {"L": [{"S": ""}, {"M": {"n": {"N": "-0"}}}]},
    }
    out = normalize_item(item)
    assert out == {
        "a": {"N": "1"},
        "b": {"NS": ["1", "2.5"]},
        "c": {"L": [{"S": ""}, {"M": {"n": {"N": "0"}}}]},
    }
    assert item["a"] == {"N": "1.0"}  # input untouched


def test_empty_values_allowed_outside_keys() -> None:
    validate_item(
        {
            "s": {"S": ""},
            "b": {"B": b""},
            "l": {"L": []},
            "m": {"M": {}},
            "z": {"BOOL": False},
            "n": {"NULL": True},
        }
    )


INVALID: list[tuple[Any, str]] = [
    ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    (
        {"S": "a", "N": "1"},
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
    ),
    ({"NULL": False}, OPV + "Null attribute value types must have the value of true"),
    ({"SS": []}, OPV + "An string set  may not be empty"),
    ({"NS": []}, OPV + "An number set  may not be empty"),
    ({"BS": []}, OPV + "Binary sets should not be empty"),
    ({"SS": ["a", "a"]}, OPV + "Input collection [a, a] contains duplicates."),
    ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
    ({"BS": [b"a", b"a"]}, OPV + "Input collection [YQ==, YQ==]of type BS contains duplicates."),
    ({"N": "x"}, "The parameter cannot be converted to a numeric value: x"),
    ({"L": [{"SS": []}]}, OPV + "An string set  may not be empty"),
    (
        {"M": {"k": {"NS": ["1e126"]}}},
        "Number overflow. Attempting to store a number with magnitude larger than supported range",
    ),
]


@pytest.mark.parametrize(("value", "message"), INVALID)
def test_invalid_values(value: Any, message: str) -> None:
    with pytest.raises(AwsError) as caught:
        validate_item({"a": value})
    assert caught.value.code == "ValidationException"
    assert caught.value.message == message


def _nest(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"S": "x"}
    for _ in range(levels):
        value = {"M": {"k": value}}
    return value


def test_nesting_limit() -> None:
    validate_item({"a": _nest(31)})
    with pytest.raises(AwsError) as caught:
        validate_item({"a": _nest(32)})
    assert "Nesting Levels have exceeded supported limits" in caught.value.message


def test_attribute_name_limit() -> None:
    validate_item({"a" * 65535: {"S": "x"}})
    with pytest.raises(AwsError) as caught:
        validate_item({"a" * 65536: {"S": "x"}})
    assert (
        caught.value.message
        == "1 validation error detected: Attribute name is too large, must be less than 65536 bytes"
    )


# Sizes per CapacityUnitCalculations.html: name bytes + value bytes; L/M 3 bytes + 1 per element.
SIZES: list[tuple[dict[str, Any], int]] = [
    ({"a": {"S": "abc"}}, 1 + 3),
    ({"é": {"S": "日本"}}, 2 + 6),
    ({"b": {"B": b"\x00\x01\x02"}}, 1 + 3),
    ({"n": {"N": "123"}}, 1 + 3),
    ({"n": {"N": "-1"}}, 1 + 3),
    ({"t": {"BOOL": True}}, 1 + 1),
    ({"z": {"NULL": True}}, 1 + 1),
    ({"l": {"L": []}}, 1 + 3),
    ({"l": {"L": [{"S": "ab"}, {"NULL": True}]}}, 1 + 3 + (1 + 2) + (1 + 1)),
    ({"m": {"M": {"x": {"S": "ab"}}}}, 1 + 3 + (1 + 1 + 2)),
    ({"ss": {"SS": ["a", "bc"]}}, 2 + 3),
    ({"ns": {"NS": ["1", "12"]}}, 2 + 2 + 2),
    ({"a": {"S": "x"}, "bb": {"S": "yy"}}, 2 + 4),
    # The example of the ddbitemsizer tool (which mimics AWS's online calculator): 141 bytes.
    (
        {
            "itemType": {"S": "SLOT"},
            "id": {"S": "abc1231"},
            "hostName": {"S": "Harry Mason"},
            "timeSlot": {"S": "February 23, 1999"},
            "slotStatus": {"S": "OPEN"},
            "createdAt": {"S": "February 1, 1999"},
            "updatedAt": {"S": "February 1, 1999"},
            "expiresAt": {"N": "2099"},
        },
        141,
    ),
]


@pytest.mark.parametrize(("item", "size"), SIZES)
def test_item_size(item: dict[str, Any], size: int) -> None:
    assert item_size(item) == size


def test_compare() -> None:
    assert compare({"N": "2"}, {"N": "10"}) == -1
    assert compare({"S": "2"}, {"S": "10"}) == 1
    assert compare({"S": "\u00e9"}, {"S": "z"}) == 1  # UTF-8 bytes, not code points of UTF-16
    assert compare({"B": b"\xff"}, {"B": b"\x00\x00"}) == 1  # unsigned
    assert compare({"N": "1"}, {"S": "1"}) is None
    assert compare({"SS": ["a"]}, {"SS": ["a"]}) is None


def test_values_equal() -> None:
    assert values_equal({"N": "1"}, {"N": "1.0"})
    assert values_equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert values_equal({"NS": ["1", "2"]}, {"NS": ["2.0", "1"]})
    assert not values_equal({"L": [{"S": "a"}, {"S": "b"}]}, {"L": [{"S": "b"}, {"S": "a"}]})
    assert values_equal({"M": {"a": {"N": "1"}}}, {"M": {"a": {"N": "1"}}})
    assert not values_equal({"M": {"a": {"N": "1"}}}, {"M": {"b": {"N": "1"}}})
    assert not values_equal({"S": "1"}, {"N": "1"})


_scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=8)),
    st.builds(lambda n: {"N": n}, st.sampled_from(["0", "-0", "1.50", "007", "-12.5e3", "1e-130", "x", ""])),
    st.builds(lambda b: {"B": b}, st.binary(max_size=4)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda s: {"SS": s}, st.lists(st.text(max_size=3), max_size=3)),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3)),
        st.builds(lambda m: {"M": m}, st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    ),
    max_leaves=8,
)
_malformed = st.one_of(
    st.just({"S": 5}),
    st.just({"N": None}),
    st.just({"S": "a", "N": "1"}),
    st.just({}),
    st.just("text"),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=4), st.one_of(_values, _malformed), max_size=5))
def test_normalize_sized_equals_normalize_then_measure(item: dict[str, Any]) -> None:
    """PutItem normalizes and measures in one pass (with a fast path for S and N): the same item,
    size and error as normalizing, then measuring."""
    try:
        expected: Any = {name: normalize_value(av) for name, av in item.items()}
        expected = (expected, item_size(expected))
    except AwsError as e:
        expected = e.message
    try:
        got: Any = normalize_sized(item)
    except AwsError as e:
        got = e.message
    assert got == expected
