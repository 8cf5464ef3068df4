"""Condition/filter expressions: grammar, semantics and AWS's error texts (expressions/)."""

from __future__ import annotations

from typing import Any

import pytest

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb.expressions import check_placeholder_maps, check_unused, parse_condition

ITEM: dict[str, Any] = {
    "pk": {"S": "key"},
    "s": {"S": "hello world"},
    "n": {"N": "42"},
    "neg": {"N": "-7.5"},
    "b": {"B": b"\x01\x02\x03"},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01"]},
    "l": {"L": [{"S": "first"}, {"N": "2"}, {"M": {"deep": {"S": "v"}}}]},
    "m": {"M": {"inr": {"M": {"x": {"N": "1"}}}, "s": {"S": "ms"}, "e": {"S": ""}}},
    "status": {"S": "active"},
}

V: dict[str, Any] = {
    ":hello": {"S": "hello"},
    ":hw": {"S": "hello world"},
    ":n42": {"N": "42.0"},
    ":n1": {"N": "1"},
    ":n0": {"N": "0"},
    ":n100": {"N": "100"},
    ":nm10": {"N": "-10"},
    ":x": {"S": "x"},
    ":sx": {"S": "x"},
    ":s11": {"N": "11"},
    ":b12": {"B": b"\x01\x02"},
    ":ss": {"SS": ["y", "x"]},
    ":first": {"S": "first"},
    ":two": {"N": "2"},
    ":tS": {"S": "S"},
    ":tSS": {"S": "SS"},
    ":tM": {"S": "M"},
    ":tNULL": {"S": "NULL"},
    ":true": {"BOOL": True},
    ":null": {"NULL": True},
    ":lst": {"L": [{"S": "first"}, {"N": "2"}, {"M": {"deep": {"S": "v"}}}]},
    ":a": {"S": "a"},
    ":zz": {"S": "zz"},
    ":e": {"S": ""},
    ":b2": {"B": b"\x02\x03"},
    ":lst2": {"M": {"deep": {"S": "v"}}},
}

TRUE_CASES = [
    "s = :hw",
    "n = :n42",
    "n <> :n1",
    "n > :n1",
    "n >= :n42",
    "neg < :n0",
    "n BETWEEN :n1 AND :n100",
    "s BETWEEN :a AND :zz",
    "n IN (:n1, :n42)",
    "ss = :ss",
    "l = :lst",
    "attribute_exists(s)",
    "attribute_exists(l[2].deep)",
    "attribute_exists(m.inr.x)",
    "attribute_not_exists(nope)",
    "attribute_not_exists(l[3])",
    "attribute_not_exists(m.inr.y)",
    "attribute_not_exists(s.x)",
    "attribute_type(s, :tS)",
    "attribute_type(ss, :tSS)",
    "attribute_type(m, :tM)",
    "attribute_type(z, :tNULL)",
    "begins_with(s, :hello)",
    "begins_with(b, :b12)",
    "begins_with(m.e, :e)",
    "contains(s, :x) OR contains(s, :hello)",
    "contains(ss, :x)",
    "contains(ns, :n1)",
    "contains(l, :first)",
    "contains(l, :two)",
    "contains(b, :b2)",
    "contains(l, :lst2)",
    "size(s) = :s11",
    "size(l) > :two",
    "size(m) BETWEEN :n1 AND :n100",
    "size(b) = size(l)",
    "size(ss) = :two",
    "t = :true",
    "z = :null",
    "nope <> :n1",
    "s <> :n1",
    "NOT n = :n1",
    "not n = :n1",
    "n = :n1 OR n = :n42",
    "n = :n42 AND s = :hw",
    "n = :n1 AND s = :hw OR n = :n42",  # AND binds tighter than OR
    "NOT (n = :n1 OR s = :hello)",
    "(n = :n42)",
    "(n) = :n42",
    "(size(s)) = :s11",
    "NOT NOT n = :n42",
    "l[0] = :first",
    "m.inr.x = :n1",
    "#st = :a OR #st <> :a",
    ":n1 < n",
    "n   =   :n42",
    "n=:n42 and s=:hw",
    "s BETWEEN :hello AND :hw",
]

FALSE_CASES = [
    "s = :hello",
    "n < :n1",
    "nope = :n1",
    "nope < :n1",
    "s < :n100",  # different types: false, no error
    "s = :n42",
    "n BETWEEN :n0 AND :n1 OR n BETWEEN :a AND :zz",
    "n IN (:n1, :n0)",
    "attribute_exists(nope)",
    "attribute_exists(l[5])",
    "attribute_exists(s[0])",
    "attribute_not_exists(s)",
    "attribute_type(s, :tSS)",
    "begins_with(n, :hello)",
    "begins_with(nope, :hello)",
    "contains(n, :x)",
    "contains(ns, :x)",
    "contains(ss, :n1)",
    "size(n) = :n1",
    "size(t) = :n1",
    "size(nope) > :nm10",
    "NOT n = :n42",
    "n = :n1 AND s = :hw",
    "n = :n1 AND (s = :hw OR n = :n42)",
    "ss = :x",
    "contains(b, :hello)",
    "t < :n1",
    "l BETWEEN :n0 AND :n1",
]

NAMES = {"#st": "status"}


def _check(expr: str) -> bool:
    names = NAMES if "#st" in expr else None
    return parse_condition(expr, names, V).evaluate(ITEM)


@pytest.mark.parametrize("expr", TRUE_CASES)
def test_true(expr: str) -> None:
    assert _check(expr) is True


@pytest.mark.parametrize("expr", FALSE_CASES)
def test_false(expr: str) -> None:
    assert _check(expr) is False


def test_missing_item_is_empty() -> None:
    cond = parse_condition("attribute_not_exists(pk) AND NOT attribute_exists(s)", None, None)
    assert cond.evaluate({}) is True


P = "Invalid ConditionExpression: "
ERRORS: list[tuple[str, dict[str, str] | None, str]] = [
    ("", None, P + "The expression can not be empty;"),
    ("a = :x AND", None, P + 'Syntax error; token: "<EOF>", near: "AND"'),
    ("a = = :x", None, P + 'Syntax error; token: "=", near: "= = :x"'),
    ("a = :x :x", None, P + 'Syntax error; token: ":x", near: ":x :x"'),
    ("a == :x", None, P + 'Syntax error; token: "=", near: "== :x"'),
    ("a = 1", None, P + 'Syntax error; token: "1", near: "= 1"'),
    ("a[:x] = :x", None, P + 'Syntax error; token: ":x", near: "[:x]"'),
    ("a[#n] = :x", {"#n": "n"}, P + 'Syntax error; token: "#n", near: "[#n]"'),
    ("_a = :x", None, P + 'Syntax error; token: "_", near: "_a"'),
    ("status = :x", None, P + "Attribute name is a reserved keyword; reserved keyword: status"),
    ("a.Size = :x", None, P + "Attribute name is a reserved keyword; reserved keyword: Size"),
    (
        "#n = :x",
        None,
        P + "An expression attribute name used in the document path is not defined; attribute name: #n",
    ),
    (
        "a = :nope",
        None,
        P + "An expression attribute value used in expression is not defined; attribute value: :nope",
    ),
    ("foo(a)", None, P + "Invalid function name; function: foo"),
    ("ATTRIBUTE_EXISTS(a)", None, P + "Invalid function name; function: ATTRIBUTE_EXISTS"),
    ("size(a)", None, P + "The function is not allowed to be used this way in an expression; function: size"),
    (
        "attribute_exists(a) = :x",
        None,
        P + "The function is not allowed to be used this way in an expression; function: attribute_exists",
    ),
    (
        "a = if_not_exists(b, :x)",
        None,
        P + "The function is not allowed to be used this way in an expression; function: if_not_exists",
    ),
    (
        "list_append(a, :x)",
        None,
        P + "The function is not allowed to be used this way in an expression; function: list_append",
    ),
    (
        "attribute_exists(a, b)",
        None,
        P
        + "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2",
    ),
    (
        "begins_with(a)",
        None,
        P
        + "Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1",
    ),
    (
        "attribute_exists(:x)",
        None,
        P + "Operator or function requires a document path; operator or function: attribute_exists",
    ),
    (
        "attribute_not_exists(:x)",
        None,
        P + "Operator or function requires a document path; operator or function: attribute_not_exists",
    ),
    (
        "begins_with(a, :n)",
        None,
        P
        + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
    ),
    (
        "size(:n) = :n",
        None,
        P + "Incorrect operand type for operator or function; operator or function: size, operand type: N",
    ),
    (
        "attribute_type(a, :n)",
        None,
        P
        + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N",
    ),
    (
        "attribute_type(a, :dog)",
        None,
        P + "Invalid attribute type name found; type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
    ),
    (
        "contains(a, a)",
        None,
        P
        + "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a]",
    ),
    (
        "a.b[1] = a.b[1]",
        None,
        P
        + "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a, b, [1]]",
    ),
    (
        "a BETWEEN :n AND :x",
        None,
        P
        + "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:x}",
    ),
    (
        "a BETWEEN :n AND :one",
        None,
        P
        + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}",
    ),
    ("((a = :x))", None, P + "The expression has redundant parentheses;"),
    ("((attribute_not_exists(a)))", None, P + "The expression has redundant parentheses;"),
    ("((begins_with(a, :x)))", None, P + "The expression has redundant parentheses;"),
    (
        "a BETWEEN :l AND :l",
        None,
        P + "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: L",
    ),
    (
        "a < :t",
        None,
        P + "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL",
    ),
    (
        ":l >= a",
        None,
        P + "Incorrect operand type for operator or function; operator or function: >=, operand type: L",
    ),
    (
        ":t BETWEEN a AND b",
        None,
        P
        + "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL",
    ),
    ("((a)) = :x", None, P + "The expression has redundant parentheses;"),
    # Per atomic condition: the first condition with a problem decides (dynalite, recorded vs AWS).
    (
        "a = :nope OR begins_with(b, :n)",
        None,
        P + "An expression attribute value used in expression is not defined; attribute value: :nope",
    ),
    (
        "begins_with(b, :n) OR a = :nope",
        None,
        P
        + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
    ),
    # Category order: reserved words beat undefined values even when written later.
    ("a = :nope AND status = :x", None, P + "Attribute name is a reserved keyword; reserved keyword: status"),
    ("status = :x AND foo(a)", None, P + "Invalid function name; function: foo"),
]
EV: dict[str, Any] = {
    ":x": {"S": "x"},
    ":n": {"N": "5"},
    ":one": {"N": "1"},
    ":dog": {"S": "DOG"},
    ":l": {"L": []},
    ":t": {"BOOL": True},
}


@pytest.mark.parametrize(("expr", "names", "message"), ERRORS)
def test_errors(expr: str, names: dict[str, str] | None, message: str) -> None:
    with pytest.raises(AwsError) as caught:
        parse_condition(expr, names, EV)
    assert caught.value.code == "ValidationException"
    assert caught.value.message == message


def test_filter_kind_prefix() -> None:
    with pytest.raises(AwsError) as caught:
        parse_condition("a = ", None, EV, kind="FilterExpression")
    assert caught.value.message == 'Invalid FilterExpression: Syntax error; token: "<EOF>", near: "="'


def test_size_limits() -> None:
    long = "a = :x OR " * 500 + "a = :x"
    with pytest.raises(AwsError) as caught:
        parse_condition(long, None, EV)
    assert caught.value.message.startswith(
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: "
    )
    many = " OR ".join(["a = :x"] * 151)  # 151 comparisons + 150 ORs = 301 operators
    with pytest.raises(AwsError) as caught:
        parse_condition(many, None, EV)
    assert (
        caught.value.message
        == "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    )
    parse_condition(" OR ".join(["a = :x"] * 150), None, EV)


def test_in_operand_limit() -> None:
    # AWS takes 100 operands in all: the subject and 99 options (alternator, verified on AWS).
    values = {f":v{i}": {"N": str(i)} for i in range(100)}
    parse_condition("a IN (" + ", ".join(list(values)[:99]) + ")", None, values)
    with pytest.raises(AwsError):
        parse_condition("a IN (" + ", ".join(values) + ")", None, values)


def test_placeholders_tracked_and_unused_reported() -> None:
    names = {"#a": "a", "#unused": "u"}
    values = {":x": {"S": "x"}, ":unused": {"S": "u"}}
    cond = parse_condition("#a = :x", names, values)
    assert cond.names_used == {"#a"} and cond.values_used == {":x"}
    with pytest.raises(AwsError) as caught:
        check_unused(names, values, [cond])
    assert (
        caught.value.message
        == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
    )
    with pytest.raises(AwsError) as caught:
        check_unused({"#a": "a"}, values, [cond])
    assert (
        caught.value.message
        == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
    )
    check_unused({"#a": "a"}, {":x": {"S": "x"}}, [cond, None])


@pytest.mark.parametrize(
    ("names", "values", "message"),
    [
        ({}, None, "ExpressionAttributeNames must not be empty"),
        (None, {}, "ExpressionAttributeValues must not be empty"),
        ({"a": "b"}, None, 'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
        (None, {"x": {"S": "a"}}, 'ExpressionAttributeValues contains invalid key: Syntax error; key: "x"'),
        (
            None,
            {":x": {"SS": []}},
            "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :x",
        ),
        (
            None,
            {":x": {}},
            "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :x",
        ),
    ],
)
def test_placeholder_maps(names: Any, values: Any, message: str) -> None:
    with pytest.raises(AwsError) as caught:
        check_placeholder_maps(names, values)
    assert caught.value.message == message


def test_placeholder_values_normalized() -> None:
    _, values = check_placeholder_maps({"#a": "a"}, {":n": {"N": "1.50"}})
    assert values == {":n": {"N": "1.5"}}
