"""Compiled expressions are shared by requests whose values differ only in content (expressions/
__init__.py caches them by text, names and value types): each request's own values must be the
ones evaluated, and validation that reads a value must still see that request's value."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb.expressions import (
    _CACHE,
    parse_condition,
    parse_key_condition,
    parse_update,
)
from cloudlet.services.dynamodb.legacy import attribute_updates

ITEM: dict[str, Any] = {"pk": {"S": "k"}, "n": {"N": "5"}, "s": {"S": "abc"}, "ss": {"SS": ["x"]}}


def _n(v: int | str) -> dict[str, str]:
    return {"N": str(v)}


def test_one_condition_text_evaluates_each_requests_values() -> None:
    text = "n < :v AND begins_with(s, :p)"
    below = parse_condition(text, None, {":v": _n(4), ":p": {"S": "a"}})
    above = parse_condition(text, None, {":v": _n(6), ":p": {"S": "a"}})
    other_prefix = parse_condition(text, None, {":v": _n(6), ":p": {"S": "b"}})
    assert (below.evaluate(ITEM), above.evaluate(ITEM), other_prefix.evaluate(ITEM)) == (False, True, False)
    # the earlier objects keep their own values
    assert below.evaluate(ITEM) is False and above.evaluate(ITEM) is True


def test_validation_reading_a_value_sees_each_requests_value() -> None:
    text = "n BETWEEN :lo AND :hi"
    assert parse_condition(text, None, {":lo": _n(1), ":hi": _n(9)}).evaluate(ITEM)
    with pytest.raises(AwsError, match="requires upper bound to be greater than or equal to lower bound"):
        parse_condition(text, None, {":lo": _n(9), ":hi": _n(1)})
    typed = "attribute_type(s, :t)"
    assert parse_condition(typed, None, {":t": {"S": "S"}}).evaluate(ITEM)
    assert not parse_condition(typed, None, {":t": {"S": "N"}}).evaluate(ITEM)
    with pytest.raises(AwsError, match="Invalid attribute type name found; type: XX"):
        parse_condition(typed, None, {":t": {"S": "XX"}})
    # a value of another type is another compilation, with its own errors
    with pytest.raises(AwsError, match="operand type: N"):
        parse_condition("begins_with(s, :p)", None, {":p": _n(1)})
    assert parse_condition("begins_with(s, :p)", None, {":p": {"S": "ab"}}).evaluate(ITEM)


def test_one_update_text_applies_each_requests_values() -> None:
    text = "SET n = n + :d, s = :s ADD ss :add"
    first = parse_update(text, None, {":d": _n(1), ":s": {"S": "one"}, ":add": {"SS": ["y"]}})
    second = parse_update(text, None, {":d": _n(10), ":s": {"S": "two"}, ":add": {"SS": ["z"]}})
    a, b = first.apply(ITEM), second.apply(ITEM)
    assert (a["n"], a["s"], sorted(a["ss"]["SS"])) == (_n(6), {"S": "one"}, ["x", "y"])
    assert (b["n"], b["s"], sorted(b["ss"]["SS"])) == (_n(15), {"S": "two"}, ["x", "z"])
    # the values applied are copies: changing the new item leaves the request's values alone
    values = {":d": _n(1), ":s": {"S": "one"}, ":add": {"SS": ["y"]}}
    new = parse_update("SET l = :s", None, {":s": values[":s"]}).apply(ITEM)
    new["l"]["S"] = "changed"
    assert values[":s"] == {"S": "one"}


def test_legacy_attribute_updates_apply_their_own_operands() -> None:
    new = attribute_updates(
        {"n": {"Action": "ADD", "Value": _n(2)}, "ss": {"Action": "DELETE", "Value": {"SS": ["x"]}}}
    ).apply(ITEM)
    assert new["n"] == _n(7) and "ss" not in new


def test_one_key_condition_text_resolves_each_requests_values() -> None:
    schema, types = {"HASH": "pk", "RANGE": "sk"}, {"pk": "S", "sk": "N"}
    text = "pk = :p AND sk BETWEEN :a AND :b"
    first = parse_key_condition(text, None, {":p": {"S": "one"}, ":a": _n(1), ":b": _n(2)}, schema, types)
    second = parse_key_condition(text, None, {":p": {"S": "two"}, ":a": _n(3), ":b": _n(4)}, schema, types)
    assert (first.partition_value, first.sort_values) == ({"S": "one"}, [_n(1), _n(2)])
    assert (second.partition_value, second.sort_values) == ({"S": "two"}, [_n(3), _n(4)])
    with pytest.raises(AwsError, match="requires upper bound to be greater than or equal to lower bound"):
        parse_key_condition(text, None, {":p": {"S": "one"}, ":a": _n(5), ":b": _n(2)}, schema, types)


def test_between_bounds_are_not_part_of_the_compiled_key_but_checked_for_each_request() -> None:
    """Time-range queries change their bounds with every request: one compilation serves them all,
    and the order of each request's bounds is still checked, with its values in the message."""
    schema, types = {"HASH": "pk", "RANGE": "sk"}, {"pk": "S", "sk": "N"}
    text = "pk = :p AND sk BETWEEN :a AND :b"
    parse_key_condition(text, None, {":p": {"S": "x"}, ":a": _n(0), ":b": _n(1)}, schema, types)
    before = len(_CACHE._entries)
    for i in range(50):
        kc = parse_key_condition(text, None, {":p": {"S": "x"}, ":a": _n(i), ":b": _n(i + 7)}, schema, types)
        assert kc.sort_values == [_n(i), _n(i + 7)]
        cond = parse_condition("n BETWEEN :lo AND :hi", None, {":lo": _n(i), ":hi": _n(i + 1)})
        assert cond.evaluate(ITEM) is (i <= 5 <= i + 1)
    assert len(_CACHE._entries) - before <= 1  # the condition's one compilation
    with pytest.raises(AwsError) as key_error:
        parse_key_condition(text, None, {":p": {"S": "x"}, ":a": _n(12), ":b": _n(3)}, schema, types)
    assert key_error.value.message == (
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
        "equal to lower bound; lower bound operand: AttributeValue: {N:12}, upper bound operand: "
        "AttributeValue: {N:3}"
    )
    with pytest.raises(AwsError) as filter_error:
        parse_condition(
            "n BETWEEN :lo AND :hi", None, {":lo": {"S": "b"}, ":hi": {"S": "a"}}, kind="FilterExpression"
        )
    assert filter_error.value.message.startswith(
        "Invalid FilterExpression: The BETWEEN operator requires upper bound"
    )
    assert filter_error.value.message.endswith("{S:b}, upper bound operand: AttributeValue: {S:a}")


def test_threads_evaluating_one_compiled_condition_each_see_their_values() -> None:
    text = "n = :v"
    errors: list[str] = []

    def run(mine: int) -> None:
        for _ in range(300):
            yes = parse_condition(text, None, {":v": _n(5)})
            no = parse_condition(text, None, {":v": _n(mine)})
            if not yes.evaluate(ITEM) or no.evaluate(ITEM):
                errors.append(f"thread {mine} saw another's value")

    threads = [threading.Thread(target=run, args=(100 + i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
