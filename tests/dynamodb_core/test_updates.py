"""Update expressions: semantics, ReturnValues helpers and AWS's error texts."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb.expressions import parse_update

V: dict[str, Any] = {
    ":one": {"N": "1"},
    ":two": {"N": "2"},
    ":half": {"N": "0.5"},
    ":s": {"S": "str"},
    ":l": {"L": [{"S": "x"}]},
    ":ss": {"SS": ["b", "c"]},
    ":ns": {"NS": ["1", "3"]},
    ":bs": {"BS": [b"\x01"]},
    ":m": {"M": {"k": {"S": "v"}}},
    ":big": {"N": "99999999999999999999999999999999999999"},
}

BASE: dict[str, Any] = {
    "pk": {"S": "k"},
    "n": {"N": "10"},
    "s": {"S": "text"},
    "l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]},
    "m": {"M": {"x": {"N": "1"}, "kid": {"M": {}}}},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
}

CASES: list[tuple[str, dict[str, Any]]] = [
    ("SET n = :one", {"n": {"N": "1"}}),
    ("SET n = n + :one", {"n": {"N": "11"}}),
    ("SET n = n - :half", {"n": {"N": "9.5"}}),
    ("SET n = :two - n", {"n": {"N": "-8"}}),
    ("SET fresh = n + n", {"fresh": {"N": "20"}}),
    ("SET n = if_not_exists(n, :one)", {}),
    ("SET c = if_not_exists(c, :one)", {"c": {"N": "1"}}),
    ("SET c = if_not_exists(c, :one) + :two", {"c": {"N": "3"}}),
    ("SET l = list_append(l, :l)", {"l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "x"}]}}),
    ("SET l = list_append(:l, l)", {"l": {"L": [{"S": "x"}, {"S": "a"}, {"S": "b"}, {"S": "c"}]}}),
    ("SET c = list_append(if_not_exists(c, :l), :l)", {"c": {"L": [{"S": "x"}, {"S": "x"}]}}),
    ("SET l[1] = :s", {"l": {"L": [{"S": "a"}, {"S": "str"}, {"S": "c"}]}}),
    ("SET l[10] = :s", {"l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "str"}]}}),
    (
        "SET l[20] = :one, l[10] = :two",
        {"l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"N": "2"}, {"N": "1"}]}},
    ),
    ("SET m.x = :two, m.y = :s", {"m": {"M": {"x": {"N": "2"}, "kid": {"M": {}}, "y": {"S": "str"}}}}),
    (
        "SET m.kid.deep = :m",
        {"m": {"M": {"x": {"N": "1"}, "kid": {"M": {"deep": {"M": {"k": {"S": "v"}}}}}}}},
    ),
    ("SET #a = :s", {"with space": {"S": "str"}}),
    ("SET s = n", {"s": {"N": "10"}}),
    ("SET n = (n + :one)", {"n": {"N": "11"}}),
    ("REMOVE s, m.x", {"s": None, "m": {"M": {"kid": {"M": {}}}}}),
    ("REMOVE l[0], l[2]", {"l": {"L": [{"S": "b"}]}}),
    ("REMOVE l[5], nothing, m.nothing", {}),
    ("ADD n :two", {"n": {"N": "12"}}),
    ("ADD c :two", {"c": {"N": "2"}}),
    ("ADD ss :ss", {"ss": {"SS": ["a", "b", "c"]}}),
    ("ADD newset :ss", {"newset": {"SS": ["b", "c"]}}),
    ("ADD ns :ns", {"ns": {"NS": ["1", "2", "3"]}}),
    ("ADD m.cnt :one", {"m": {"M": {"x": {"N": "1"}, "kid": {"M": {}}, "cnt": {"N": "1"}}}}),
    ("DELETE ss :ss", {"ss": {"SS": ["a"]}}),
    ("DELETE ns :ns", {"ns": {"NS": ["2"]}}),
    ("DELETE absent :ss", {}),
    ("DELETE m.absent :ss", {}),
    ("DELETE l[7] :ss", {}),
    ("DELETE ss :ss ADD ns :ns", {"ss": {"SS": ["a"]}, "ns": {"NS": ["1", "2", "3"]}}),
    ("set n = :one remove s", {"n": {"N": "1"}, "s": None}),
    ("REMOVE s SET n = :one", {"n": {"N": "1"}, "s": None}),
]


@pytest.mark.parametrize(("expr", "changes"), CASES)
def test_update_semantics(expr: str, changes: dict[str, Any]) -> None:
    original = copy.deepcopy(BASE)
    names = {"#a": "with space"} if "#a" in expr else None
    values = {k: v for k, v in V.items() if k in expr}
    new = parse_update(expr, names, values or None).apply(BASE)
    expected = copy.deepcopy(BASE)
    for name, value in changes.items():
        if value is None:
            expected.pop(name)
        else:
            expected[name] = value
    assert new == expected
    assert original == BASE  # input untouched


def test_delete_last_members_removes_attribute() -> None:
    new = parse_update("DELETE ss :x", None, {":x": {"SS": ["a", "b"]}}).apply(BASE)
    assert "ss" not in new


def test_updated_paths_and_top_level() -> None:
    update = parse_update("SET m.x = :one, l[0] = :one REMOVE s ADD n :one", None, {":one": {"N": "1"}})
    assert update.updated_paths() == [("m", "x"), ("l", 0), ("s",), ("n",)]
    assert update.touched_top_level() == {"m", "l", "s", "n"}
    with pytest.raises(AwsError) as caught:
        update.check_key_attributes({"n"})
    assert (
        caught.value.message
        == "One or more parameter values were invalid: Cannot update attribute n. This attribute is part of the key"
    )


def test_remove_on_new_item_is_a_no_op() -> None:
    update = parse_update("REMOVE a.b.c", None, None)
    assert update.apply({"pk": {"S": "k"}}, existed=False) == {"pk": {"S": "k"}}
    assert update.takes_away_only()
    assert parse_update("DELETE ss :ss", None, V).takes_away_only()
    assert not parse_update("REMOVE a SET b = :one", None, V).takes_away_only()
    update = parse_update("DELETE a.b.c :ss", None, {":ss": {"SS": ["a"]}})
    assert update.apply({"pk": {"S": "k"}}, existed=False) == {"pk": {"S": "k"}}


DATA_ERRORS: list[tuple[str, str]] = [
    ("ADD s :one", "An operand in the update expression has an incorrect data type"),
    ("ADD ss :ns", "An operand in the update expression has an incorrect data type"),
    ("DELETE ss :ns", "An operand in the update expression has an incorrect data type"),
    ("SET x = s + :one", "An operand in the update expression has an incorrect data type"),
    ("SET x = list_append(s, :l)", "An operand in the update expression has an incorrect data type"),
    ("SET x = gone + :one", "The provided expression refers to an attribute that does not exist in the item"),
    ("SET x = gone", "The provided expression refers to an attribute that does not exist in the item"),
    (
        "SET x = list_append(gone, :l)",
        "The provided expression refers to an attribute that does not exist in the item",
    ),
    ("SET gone.x = :one", "The document path provided in the update expression is invalid for update"),
    ("SET s.x = :one", "The document path provided in the update expression is invalid for update"),
    ("SET s[0] = :one", "The document path provided in the update expression is invalid for update"),
    ("SET m[0] = :one", "The document path provided in the update expression is invalid for update"),
    ("REMOVE gone.x", "The document path provided in the update expression is invalid for update"),
    ("REMOVE s[0]", "The document path provided in the update expression is invalid for update"),
    ("ADD gone.x :one", "The document path provided in the update expression is invalid for update"),
    # DELETE reaches its set as REMOVE reaches its element (a missing leaf is a no-op: CASES)
    ("DELETE gone.x :ss", "The document path provided in the update expression is invalid for update"),
    ("DELETE s[0] :ss", "The document path provided in the update expression is invalid for update"),
    ("DELETE m[1] :ss", "The document path provided in the update expression is invalid for update"),
    ("DELETE l.x :ss", "The document path provided in the update expression is invalid for update"),
    (
        "SET n = n + :big",
        "Number overflow. Attempting to store a number with magnitude larger than supported range",
    ),
]


@pytest.mark.parametrize(("expr", "message"), DATA_ERRORS)
def test_data_errors_leave_item_unchanged(expr: str, message: str) -> None:
    original = copy.deepcopy(BASE)
    values = {k: v for k, v in V.items() if k in expr} or None
    update = parse_update(expr, None, values)
    with pytest.raises(AwsError) as caught:
        update.apply(BASE)
    assert caught.value.code == "ValidationException"
    assert caught.value.message == message
    assert original == BASE


P = "Invalid UpdateExpression: "
STATIC_ERRORS: list[tuple[str, str]] = [
    ("", P + "The expression can not be empty;"),
    ("INVALID SYNTAX", P + 'Syntax error; token: "INVALID", near: "INVALID SYNTAX"'),
    ("SET a = :one,", P + 'Syntax error; token: "<EOF>", near: ","'),
    ("SET _123 = :one", P + 'Syntax error; token: "_", near: "SET _123"'),
    ("SET a = :one + :one + :one", P + 'Syntax error; token: "+", near: ":one + :one"'),
    ("SET a = b c", P + 'Syntax error; token: "c", near: "b c"'),
    ("ADD a b", P + 'Syntax error; token: "b", near: "a b"'),
    ("REMOVE a = :one", P + 'Syntax error; token: "=", near: "a = :one"'),
    ("SET", P + 'Syntax error; token: "<EOF>", near: "SET"'),
    ("SET a[:one] = :one", P + 'Syntax error; token: ":one", near: "[:one]"'),
    ("SET status = :one", P + "Attribute name is a reserved keyword; reserved keyword: status"),
    (
        "SET a = :nope",
        P + "An expression attribute value used in expression is not defined; attribute value: :nope",
    ),
    (
        "SET #nope = :one",
        P + "An expression attribute name used in the document path is not defined; attribute name: #nope",
    ),
    ("SET a = :one SET b = :one", P + 'The "SET" section can only be used once in an update expression;'),
    ("REMOVE a REMOVE b", P + 'The "REMOVE" section can only be used once in an update expression;'),
    (
        "SET a = :one REMOVE a",
        P
        + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
    ),
    (
        "SET a = :one, a.b = :one",
        P
        + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
    ),
    (
        "SET a.b = :one, a[1] = :one",
        P
        + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]",
    ),
    ("SET a = a + :one, b = a", None or ""),
    (
        "SET a = :s + :one",
        P + "Incorrect operand type for operator or function; operator or function: +, operand type: S",
    ),
    (
        "SET a = b - :l",
        P + "Incorrect operand type for operator or function; operator or function: -, operand type: L",
    ),
    (
        "SET a = list_append(a, :s)",
        P
        + "Incorrect operand type for operator or function; operator or function: list_append, operand type: S",
    ),
    (
        "SET a = if_not_exists(:one, :one)",
        P + "Operator or function requires a document path; operator or function: if_not_exists",
    ),
    (
        "SET a = if_not_exists(a)",
        P
        + "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1",
    ),
    (
        "SET a = list_append(a, :l, :l)",
        P
        + "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 3",
    ),
    (
        "SET a = list_append(list_append(:l, :l), :l)",
        P + "The function is not allowed to be used this way in an expression; function: list_append",
    ),
    (
        "SET a = if_not_exists(if_not_exists(a, :one), :one)",
        P + "Operator or function requires a document path; operator or function: if_not_exists",
    ),
    ("SET a = if_not_exists(a, :one + :one)", P + 'Syntax error; token: "+", near: ":one + :one"'),
    ("SET :one = :one", P + 'Syntax error; token: ":one", near: "SET :one ="'),
    ("HELLO a = :one", P + 'Syntax error; token: "HELLO", near: "HELLO a"'),
    (
        "SET a = :one REMOVE b SET c = :one",
        P + 'The "SET" section can only be used once in an update expression;',
    ),
    (
        "SET a[1][1] = :one, a[1] = :one",
        P
        + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [1], [1]], path two: [a, [1]]",
    ),
    (
        "SET a.b.c = :one, a.b[2] = :one",
        P
        + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b, c], path two: [a, b, [2]]",
    ),
    (
        "SET #a = :one, #b = :one",
        P
        + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
    ),
    ("SET a = LIST_APPEND(a, :l)", P + "Invalid function name; function: LIST_APPEND"),
    ("SET a = foo(a)", P + "Invalid function name; function: foo"),
    ("ADD a :s", P + "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"),
    ("ADD a :l", P + "Incorrect operand type for operator or function; operator: ADD, operand type: LIST"),
    ("ADD a :m", P + "Incorrect operand type for operator or function; operator: ADD, operand type: MAP"),
    (
        "DELETE a :one",
        P + "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER",
    ),
    # Category order: a reserved word is reported before a section error written earlier.
    (
        "SET a = :one SET b = :one, status = :one",
        P + "Attribute name is a reserved keyword; reserved keyword: status",
    ),
]


@pytest.mark.parametrize(("expr", "message"), [c for c in STATIC_ERRORS if c[1]])
def test_static_errors(expr: str, message: str) -> None:
    with pytest.raises(AwsError) as caught:
        parse_update(expr, {"#a": "a", "#b": "a"} if "#" in expr else None, V)
    assert caught.value.code == "ValidationException"
    assert caught.value.message == message


def test_reading_a_written_path_is_fine() -> None:
    update = parse_update("SET a = a + :one, b = a", None, {":one": {"N": "1"}})
    assert update.apply({"a": {"N": "1"}}) == {"a": {"N": "2"}, "b": {"N": "1"}}


# Recorded against AWS by alternator's test_update_expression.py.
@pytest.mark.parametrize(
    ("before", "expr", "after"),
    [
        ({"a": [2, 3, 4, 5, 6, 7]}, "REMOVE a[1] SET a[3] = :v17", {"a": [2, 4, 17, 6, 7]}),
        ({"a": [2, 3, 4, 5, 6, 7]}, "SET a[3] = :v17 REMOVE a[1]", {"a": [2, 4, 17, 6, 7]}),
        (
            {"a": ["one", "two", "three"]},
            "SET a[84] = :a1, a[37] = :a2, a[17] = :a3, a[50] = :a4",
            {"a": ["one", "two", "three", "a3", "a2", "a4", "a1"]},
        ),
        ({"a": {"b": 1}}, "REMOVE a.b", {"a": {}}),
        ({"a": [1]}, "REMOVE a[0]", {"a": []}),
        (
            {"a": {"b": 3, "c": ["hi", {"x": {"y": [3, 5, 7]}, "q": 2}]}},
            "REMOVE a.c[1].x.y[1], a.c[1].q",
            {"a": {"b": 3, "c": ["hi", {"x": {"y": [3, 7]}}]}},
        ),
        ({"a": "hello"}, "REMOVE a SET b = a", {"b": "hello"}),
        (
            {"a": {"x": 3, "y": 4, "c": {"y": 3}}, "b": {"x": 1, "y": 2}},
            "SET a.b = :v17, a.c.d = :a1, b.x = :v17 REMOVE a.x, b.y",
            {"a": {"y": 4, "b": 17, "c": {"y": 3, "d": "a1"}}, "b": {"x": 17}},
        ),
    ],
)
def test_recorded_aws_behaviour(before: dict[str, Any], expr: str, after: dict[str, Any]) -> None:
    values = {":v17": 17, ":a1": "a1", ":a2": "a2", ":a3": "a3", ":a4": "a4"}
    used = {k: _wire(v) for k, v in values.items() if k in expr}
    new = parse_update(expr, None, used or None).apply({k: _wire(v) for k, v in before.items()})
    assert new == {k: _wire(v) for k, v in after.items()}


def test_set_reads_the_old_item() -> None:
    # "SET x = :v, y = x" fails when x did not exist before: values are read before writing.
    update = parse_update("SET x = :v, y = x", None, {":v": {"N": "4"}})
    with pytest.raises(AwsError) as caught:
        update.apply({})
    assert (
        caught.value.message
        == "The provided expression refers to an attribute that does not exist in the item"
    )


def _wire(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list):
        return {"L": [_wire(v) for v in value]}
    return {"M": {k: _wire(v) for k, v in value.items()}}
