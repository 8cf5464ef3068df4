"""Legacy parameters converted to Condition / Projection / KeyCondition / Update (legacy.py)."""

from __future__ import annotations

from typing import Any

import pytest

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb.legacy import (
    attribute_updates,
    attributes_to_get,
    check_no_mixing,
    check_placeholders_need_expressions,
    expected_condition,
    filter_condition,
    key_conditions,
)

ITEM: dict[str, Any] = {
    "s": {"S": "hello"},
    "n": {"N": "5"},
    "ss": {"SS": ["a", "b"]},
    "l": {"L": [{"N": "1"}]},
}
OPV = "One or more parameter values were invalid: "


def cond(op: str, *values: Any) -> dict[str, Any]:
    return {"ComparisonOperator": op, "AttributeValueList": list(values)}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"n": cond("EQ", {"N": "5.0"})}, True),
        ({"n": cond("NE", {"N": "5"})}, False),
        ({"gone": cond("NE", {"N": "5"})}, True),
        ({"n": cond("LT", {"N": "6"})}, True),
        ({"n": cond("LE", {"N": "5"})}, True),
        ({"n": cond("GT", {"N": "5"})}, False),
        ({"n": cond("GE", {"N": "5"})}, True),
        ({"s": cond("GT", {"N": "5"})}, False),
        ({"n": cond("NOT_NULL")}, True),
        ({"gone": cond("NULL")}, True),
        ({"s": cond("CONTAINS", {"S": "ell"})}, True),
        ({"ss": cond("CONTAINS", {"S": "a"})}, True),
        ({"l": cond("CONTAINS", {"N": "1"})}, True),
        ({"ss": cond("NOT_CONTAINS", {"S": "c"})}, True),
        ({"gone": cond("NOT_CONTAINS", {"S": "c"})}, False),  # unlike NE (alternator, run on AWS)
        ({"gone": cond("CONTAINS", {"S": "c"})}, False),
        ({"s": cond("BEGINS_WITH", {"S": "he"})}, True),
        ({"n": cond("IN", {"N": "1"}, {"N": "5"})}, True),
        ({"n": cond("BETWEEN", {"N": "1"}, {"N": "5"})}, True),
        ({"n": cond("BETWEEN", {"N": "6"}, {"N": "7"})}, False),
        ({"n": cond("EQ", {"N": "5"}), "s": cond("EQ", {"S": "x"})}, False),
    ],
)
def test_filter_operators(filters: dict[str, Any], expected: bool) -> None:
    assert filter_condition(filters).evaluate(ITEM) is expected


def test_conditional_operator_needs_two_conditions() -> None:
    with pytest.raises(AwsError) as caught:
        expected_condition({}, "OR")
    assert (
        caught.value.message
        == "ConditionalOperator can only be used when Filter or Expected has two or more elements"
    )
    assert expected_condition({}).evaluate(ITEM)  # an empty Expected always holds


def test_conditional_operator_or() -> None:
    filters = {"n": cond("EQ", {"N": "1"}), "s": cond("EQ", {"S": "hello"})}
    assert filter_condition(filters, "OR").evaluate(ITEM)
    assert not filter_condition(filters, "AND").evaluate(ITEM)


@pytest.mark.parametrize(
    ("expected", "result"),
    [
        ({"n": {"Value": {"N": "5"}}}, True),
        ({"n": {"Value": {"N": "5"}, "Exists": True}}, True),
        ({"gone": {"Exists": False}}, True),
        ({"n": {"Exists": False}}, False),
        ({"n": {"ComparisonOperator": "GT", "Value": {"N": "1"}}}, True),
    ],
)
def test_expected(expected: dict[str, Any], result: bool) -> None:
    assert expected_condition(expected).evaluate(ITEM) is result


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ({"a": {"Exists": True}}, OPV + "Value must be provided when Exists is true for Attribute: a"),
        ({"a": {}}, OPV + "Value must be provided when Exists is null for Attribute: a"),
        (
            {"a": {"Exists": False, "Value": {"S": "x"}}},
            OPV + "Value cannot be used when Exists is false for Attribute: a",
        ),
        (
            {"a": {"Exists": True, "ComparisonOperator": "NULL"}},
            OPV + "Exists and ComparisonOperator cannot be used together for Attribute: a",
        ),
        (
            {"a": {"AttributeValueList": [{"S": "x"}]}},
            OPV + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
        ),
        (
            {"a": {"ComparisonOperator": "EQ", "Value": {"S": "x"}, "AttributeValueList": [{"S": "x"}]}},
            OPV + "Value and AttributeValueList cannot be used together for Attribute: a",
        ),
        ({"a": cond("EQ")}, OPV + "Invalid number of argument(s) for the EQ ComparisonOperator"),
        (
            {"a": cond("NULL", {"S": "x"})},
            OPV + "Invalid number of argument(s) for the NULL ComparisonOperator",
        ),
        (
            {"a": cond("BETWEEN", {"S": "x"})},
            OPV + "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
        (
            {"a": cond("GT", {"SS": ["x"]})},
            OPV + "ComparisonOperator GT is not valid for SS AttributeValue type",
        ),
        (
            {"a": cond("IN", {"N": "3"}, {"S": "dog"})},
            OPV + "AttributeValues inside AttributeValueList must be of same type",
        ),
        ({"a": cond("IN")}, OPV + "Invalid number of argument(s) for the IN ComparisonOperator"),
        ({"a": cond("IN", {"L": []})}, OPV + "ComparisonOperator IN is not valid for L AttributeValue type"),
        (
            {"a": cond("BETWEEN", {"N": "4"}, {"S": "dog"})},
            OPV + "AttributeValues inside AttributeValueList must be of same type",
        ),
        (
            {"a": cond("BEGINS_WITH", {"N": "3"})},
            OPV + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type",
        ),
        (
            {"a": cond("CONTAINS", {"L": [{"N": "1"}]})},
            OPV + "ComparisonOperator CONTAINS is not valid for L AttributeValue type",
        ),
    ],
)
def test_expected_errors(expected: dict[str, Any], message: str) -> None:
    with pytest.raises(AwsError) as caught:
        expected_condition(expected)
    assert caught.value.message == message


def test_attributes_to_get() -> None:
    assert attributes_to_get(["s", "gone"]).apply(ITEM) == {"s": {"S": "hello"}}
    with pytest.raises(AwsError) as caught:
        attributes_to_get(["s", "s"])
    assert caught.value.message == OPV + "Duplicate value in attribute name: s"


def test_key_conditions() -> None:
    kc = key_conditions(
        {"pk": cond("EQ", {"S": "p"}), "sk": cond("BETWEEN", {"N": "1"}, {"N": "3"})},
        {"HASH": "pk", "RANGE": "sk"},
        {"pk": "S", "sk": "N"},
    )
    assert kc.partition_value == {"S": "p"} and kc.sort_op == "BETWEEN"
    assert kc.matches({"pk": {"S": "p"}, "sk": {"N": "2"}})
    with pytest.raises(AwsError) as caught:
        key_conditions({"pk": cond("NE", {"S": "p"})}, {"HASH": "pk", "RANGE": None}, {"pk": "S"})
    assert caught.value.message == "Attempted conditional constraint is not an indexable operation"
    with pytest.raises(AwsError) as caught:
        key_conditions({"sk": cond("EQ", {"N": "1"})}, {"HASH": "pk", "RANGE": "sk"}, {"pk": "S", "sk": "N"})
    assert caught.value.message == "Query condition missed key schema element: pk"


@pytest.mark.parametrize(
    ("conditions", "range_name", "message"),
    [
        (
            {"pk": cond("EQ", {"S": "p"}), "other": cond("EQ", {"S": "x"})},
            "sk",
            "Query condition missed key schema element: sk",
        ),
        (
            {"pk": cond("EQ", {"S": "p"}), "other": cond("EQ", {"S": "x"})},
            None,
            "The number of query conditions (2) exceeds the number of key attributes defined in the schema (1)",
        ),
        ({"pk": cond("BEGINS_WITH", {"S": "p"})}, "sk", "Query key condition not supported"),
        (
            {"pk": cond("EQ", {"S": "p"}), "sk": cond("GT", {"S": "1"})},
            "sk",
            OPV + "Condition parameter type does not match schema type",
        ),
        ({"pk": cond("EQ", {"N": "1"})}, "sk", OPV + "Condition parameter type does not match schema type"),
    ],
)
def test_key_conditions_against_the_key_schema(
    conditions: dict[str, Any], range_name: str | None, message: str
) -> None:
    # the same checks, and texts, as a KeyConditionExpression's
    types = {"pk": "S", "sk": "N"} if range_name else {"pk": "S"}
    with pytest.raises(AwsError) as caught:
        key_conditions(conditions, {"HASH": "pk", "RANGE": range_name}, types)
    assert caught.value.message == message


def test_attribute_updates() -> None:
    update = attribute_updates(
        {
            "s": {"Action": "PUT", "Value": {"S": "new"}},
            "n": {"Action": "ADD", "Value": {"N": "2"}},
            "ss": {"Action": "DELETE", "Value": {"SS": ["a"]}},
            "l": {"Action": "ADD", "Value": {"L": [{"N": "2"}]}},
            "gone": {"Action": "DELETE"},
            "fresh": {"Value": {"N": "1"}},
        }
    )
    new = update.apply(ITEM)
    assert new == {
        "s": {"S": "new"},
        "n": {"N": "7"},
        "ss": {"SS": ["b"]},
        "l": {"L": [{"N": "1"}, {"N": "2"}]},
        "fresh": {"N": "1"},
    }
    assert update.touched_top_level() == {"s", "n", "ss", "l", "gone", "fresh"}
    with pytest.raises(AwsError) as caught:
        attribute_updates({"s": {"Action": "ADD", "Value": {"S": "x"}}})
    assert caught.value.message == OPV + "ADD action is not supported for the type S"


@pytest.mark.parametrize(
    "updates",
    [
        {"ss": {"Action": "ADD", "Value": {"NS": ["1"]}}},
        {"ss": {"Action": "ADD", "Value": {"N": "2"}}},
        {"ss": {"Action": "ADD", "Value": {"L": [{"S": "x"}]}}},
        {"l": {"Action": "ADD", "Value": {"SS": ["x"]}}},
        {"n": {"Action": "ADD", "Value": {"L": [{"S": "x"}]}}},
        {"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    ],
)
def test_attribute_updates_type_mismatch(updates: dict[str, Any]) -> None:
    # legacy actions word a type clash their own way, not as an UpdateExpression's ADD/DELETE does
    with pytest.raises(AwsError) as caught:
        attribute_updates(updates).apply(ITEM)
    assert caught.value.message == "Type mismatch for attribute to update"


def test_mixing_rules() -> None:
    with pytest.raises(AwsError) as caught:
        check_no_mixing({"Expected": {}, "ConditionExpression": "a = :v"})
    assert caught.value.message == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"
    )
    check_no_mixing({"ConditionExpression": "a = :v"})
    # legacy KeyConditions go with the other expressions; only the expression key condition clashes
    check_no_mixing({"KeyConditions": {}, "FilterExpression": "a = :v", "ProjectionExpression": "a"})
    with pytest.raises(AwsError) as caught:
        check_no_mixing({"KeyConditions": {}, "KeyConditionExpression": "pk = :v"})
    assert caught.value.message.endswith(
        "Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"
    )
    with pytest.raises(AwsError) as caught:
        check_placeholders_need_expressions(
            {"ExpressionAttributeValues": {":v": {"S": "x"}}}, ["ConditionExpression"]
        )
    assert (
        caught.value.message
        == "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"
    )
    with pytest.raises(AwsError) as caught:
        check_placeholders_need_expressions(
            {"ExpressionAttributeValues": {":v": {"S": "x"}}}, ["UpdateExpression", "ConditionExpression"]
        )
    assert (
        caught.value.message
        == "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"
    )
    with pytest.raises(AwsError) as caught:
        check_placeholders_need_expressions(
            {"ExpressionAttributeNames": {"#a": "a"}}, ["ConditionExpression"]
        )
    assert caught.value.message == "ExpressionAttributeNames can only be specified when using expressions"
