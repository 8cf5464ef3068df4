"""DynamoDB's legacy (pre-expression) parameters, converted to the objects expressions produce.

Expected (+ConditionalOperator) and QueryFilter/ScanFilter -> Condition; AttributesToGet ->
Projection; KeyConditions -> KeyCondition; AttributeUpdates -> Update; plus the request-level
rules about mixing legacy and expression parameters. Texts follow AWS (via dynalite's recorded
validations). Neighbours: expressions/ (the target objects), values.py (value checks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cloudlet.services.dynamodb.expressions.condition import Condition, Predicate
from cloudlet.services.dynamodb.expressions.errors import validation
from cloudlet.services.dynamodb.expressions.key_condition import KeyCondition, check_against_schema
from cloudlet.services.dynamodb.expressions.projection import Projection
from cloudlet.services.dynamodb.expressions.update import Update
from cloudlet.services.dynamodb.values import (
    AttributeValue,
    Item,
    compare,
    normalize_value,
    set_contains,
    type_of,
    values_equal,
)

OPV = "One or more parameter values were invalid: "
LEGACY_PARAMETERS = (
    "AttributesToGet",
    "AttributeUpdates",
    "ConditionalOperator",
    "Expected",
    "KeyConditions",
    "QueryFilter",
    "ScanFilter",
)
EXPRESSION_PARAMETERS = (
    "ProjectionExpression",
    "UpdateExpression",
    "ConditionExpression",
    "KeyConditionExpression",
    "FilterExpression",
)
_ARGUMENTS = {
    "EQ": (1, 1), "NE": (1, 1), "LE": (1, 1), "LT": (1, 1), "GE": (1, 1), "GT": (1, 1),
    "CONTAINS": (1, 1), "NOT_CONTAINS": (1, 1), "BEGINS_WITH": (1, 1),
    "NOT_NULL": (0, 0), "NULL": (0, 0), "IN": (1, 10_000), "BETWEEN": (2, 2),
}  # fmt: skip
_SCALARS = ("S", "N", "B")


def check_no_mixing(params: dict[str, Any]) -> None:
    """AWS's error when one request mixes legacy and expression parameters."""
    legacy = [p for p in LEGACY_PARAMETERS if params.get(p) is not None]
    modern = [p for p in EXPRESSION_PARAMETERS if params.get(p) is not None]
    if "KeyConditions" in legacy and "KeyConditionExpression" not in modern:
        # AWS takes legacy KeyConditions with a FilterExpression or ProjectionExpression; only the
        # other key condition is a mix (alternator's test_query, run against AWS)
        legacy.remove("KeyConditions")
    if legacy and modern:
        raise validation(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(legacy)}}} Expression parameters: {{{', '.join(modern)}}}"
        )


def check_placeholders_need_expressions(params: dict[str, Any], value_expressions: list[str]) -> None:
    """EAN/EAV given while none of the operation's expressions is: AWS's texts.

    `value_expressions` lists the operation's expressions that may use :values, in AWS's order
    (e.g. ["UpdateExpression", "ConditionExpression"] for UpdateItem)."""
    used = [p for p in EXPRESSION_PARAMETERS if params.get(p) is not None]
    if params.get("ExpressionAttributeNames") is not None and not used:
        raise validation("ExpressionAttributeNames can only be specified when using expressions")
    if params.get("ExpressionAttributeValues") is not None and not any(
        params.get(p) is not None for p in value_expressions
    ):
        verb = "is" if len(value_expressions) == 1 else "are"
        raise validation(
            f"ExpressionAttributeValues can only be specified when using expressions: {' and '.join(value_expressions)} {verb} null"
        )


# -- conditions -----------------------------------------------------------------------------


def _values(name: str, spec: dict[str, Any], allow_value: bool) -> list[AttributeValue]:
    values = spec.get("AttributeValueList")
    if allow_value and spec.get("Value") is not None:
        if values is not None:
            raise validation(
                OPV + f"Value and AttributeValueList cannot be used together for Attribute: {name}"
            )
        values = [spec["Value"]]
    return [normalize_value(v) for v in values or []]


def _comparison(name: str, op: str, values: list[AttributeValue]) -> Predicate:
    bounds = _ARGUMENTS.get(op)
    if bounds is None or not bounds[0] <= len(values) <= bounds[1]:
        raise validation(OPV + f"Invalid number of argument(s) for the {op} ComparisonOperator")
    for value in values:
        kind = type_of(value)
        if (
            op in ("LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN", "IN", "CONTAINS", "NOT_CONTAINS")
            and kind not in _SCALARS
        ):
            raise validation(OPV + f"ComparisonOperator {op} is not valid for {kind} AttributeValue type")
        if op == "BEGINS_WITH" and kind == "N":
            raise validation(OPV + f"ComparisonOperator {op} is not valid for {kind} AttributeValue type")
    if op in ("BETWEEN", "IN") and len({type_of(v) for v in values}) > 1:
        raise validation(OPV + "AttributeValues inside AttributeValueList must be of same type")
    if op == "BETWEEN":
        if type_of(values[0]) != type_of(values[1]):
            raise validation(OPV + "AttributeValues inside AttributeValueList must be of same type")
        if (compare(values[0], values[1]) or 0) > 0:
            raise validation(
                "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
            )

    def test(item: Item) -> bool:
        current = item.get(name)
        if op == "NULL":
            return current is None
        if current is None:
            # NE holds for a missing attribute; NOT_CONTAINS, oddly, does not (AWS, per alternator).
            return op == "NE"
        if op == "NOT_NULL":
            return True
        if op == "EQ":
            return values_equal(current, values[0])
        if op == "NE":
            return not values_equal(current, values[0])
        if op == "IN":
            return any(values_equal(current, v) for v in values)
        if op in ("CONTAINS", "NOT_CONTAINS"):
            return _contains(current, values[0]) == (op == "CONTAINS")
        if op == "BEGINS_WITH":
            kind = type_of(values[0])
            return kind in current and current[kind].startswith(values[0][kind])
        order = compare(current, values[0])
        if order is None:
            return False
        if op == "BETWEEN":
            upper = compare(current, values[1])
            return order >= 0 and upper is not None and upper <= 0
        return {"LE": order <= 0, "LT": order < 0, "GE": order >= 0, "GT": order > 0}[op]

    return test


def _contains(current: AttributeValue, value: AttributeValue) -> bool:
    kind, data = next(iter(current.items()))
    vkind, vdata = next(iter(value.items()))
    if kind == "S" or kind == "B":
        return vkind == kind and vdata in data
    if kind in ("SS", "NS", "BS"):
        return kind[0] == vkind and set_contains(current, vdata)
    if kind == "L":
        return any(values_equal(e, value) for e in data)
    return False


def _expected_entry(name: str, spec: dict[str, Any]) -> Predicate:
    op = spec.get("ComparisonOperator")
    if op is not None:
        if spec.get("Exists") is not None:
            raise validation(
                OPV + f"Exists and ComparisonOperator cannot be used together for Attribute: {name}"
            )
        return _comparison(name, op, _values(name, spec, allow_value=True))
    if spec.get("AttributeValueList") is not None:
        raise validation(
            OPV + f"AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}"
        )
    exists = spec.get("Exists")
    if exists is None or exists:
        if spec.get("Value") is None:
            shown = "null" if exists is None else "true"
            raise validation(OPV + f"Value must be provided when Exists is {shown} for Attribute: {name}")
        return _comparison(name, "EQ", [normalize_value(spec["Value"])])
    if spec.get("Value") is not None:
        raise validation(OPV + f"Value cannot be used when Exists is false for Attribute: {name}")
    return _comparison(name, "NULL", [])


def _combine(tests: list[Predicate], operator: str | None) -> Predicate:
    if operator not in (None, "AND", "OR"):
        raise validation(
            f"1 validation error detected: Value '{operator}' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]"
        )
    if operator is not None and len(tests) < 2:
        raise validation(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements"
        )
    if operator == "OR":
        return lambda item: any(t(item) for t in tests)
    return lambda item: all(t(item) for t in tests)


def expected_condition(expected: dict[str, Any], conditional_operator: str | None = None) -> Condition:
    """The Condition equivalent of a legacy `Expected` map."""
    tests = [_expected_entry(name, spec or {}) for name, spec in expected.items()]
    return Condition(
        _combine(tests, conditional_operator), frozenset(), frozenset(), [(name,) for name in expected]
    )


def filter_condition(filters: dict[str, Any], conditional_operator: str | None = None) -> Condition:
    """The Condition equivalent of a legacy QueryFilter / ScanFilter map."""
    tests = []
    for name, spec in filters.items():
        spec = spec or {}
        op = spec.get("ComparisonOperator")
        if op is None:
            raise validation(
                f"1 validation error detected: Value null at '{name}.member.comparisonOperator' failed to satisfy constraint: Member must not be null"
            )  # [?]
        tests.append(_comparison(name, op, _values(name, spec, allow_value=False)))
    return Condition(
        _combine(tests, conditional_operator), frozenset(), frozenset(), [(name,) for name in filters]
    )


# -- projections and key conditions ---------------------------------------------------------


def attributes_to_get(names: list[str]) -> Projection:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise validation(OPV + f"Duplicate value in attribute name: {name}")
        seen.add(name)
    return Projection([(name,) for name in names])


_KEY_OPS = {
    "EQ": "=",
    "LE": "<=",
    "LT": "<",
    "GE": ">=",
    "GT": ">",
    "BEGINS_WITH": "begins_with",
    "BETWEEN": "BETWEEN",
}


def key_conditions(
    conditions: dict[str, Any], key_schema: dict[str, Any], attribute_types: dict[str, str]
) -> KeyCondition:
    """The KeyCondition equivalent of a legacy `KeyConditions` map."""
    hash_name, range_name = key_schema["HASH"], key_schema.get("RANGE")
    parsed: dict[str, tuple[str, list[AttributeValue]]] = {}
    for name, spec in conditions.items():
        spec = spec or {}
        op = spec.get("ComparisonOperator")
        values = _values(name, spec, allow_value=False)
        if op not in _KEY_OPS:
            if op in _ARGUMENTS:
                raise validation("Attempted conditional constraint is not an indexable operation")
            raise validation(OPV + f"Invalid number of argument(s) for the {op} ComparisonOperator")
        _comparison(name, op, values)  # argument count and type checks
        parsed[name] = (_KEY_OPS[op], values)
    check_against_schema(parsed, hash_name, range_name, attribute_types)
    result = KeyCondition(hash_name, parsed[hash_name][1][0])
    if range_name in parsed:
        result.sort_name = range_name
        result.sort_op, result.sort_values = parsed[range_name]
    return result


# -- updates --------------------------------------------------------------------------------

# an ADD or DELETE meeting an attribute of another type (AWS, as dynalite and alternator record it)
MISMATCH = "Type mismatch for attribute to update"


def attribute_updates(updates: dict[str, Any]) -> Update:
    """The Update equivalent of a legacy `AttributeUpdates` map (actions PUT, ADD, DELETE)."""
    update = Update()
    update.mismatch = MISMATCH
    operands: dict[str, AttributeValue] = {}  # ADD/DELETE operands, bound like expression values
    for name, spec in updates.items():
        spec = spec or {}
        action = spec.get("Action") or "PUT"
        raw = spec.get("Value")
        value = normalize_value(raw) if raw is not None else None
        path = (name,)
        update.paths.append(path)
        if action == "PUT":
            if value is None:
                raise validation(OPV + "Only DELETE action is allowed when no attribute value is specified")
            update._sets.append((path, _constant(value)))
        elif action == "DELETE":
            if value is None:
                update._removes.append(path)
            elif type_of(value) not in ("SS", "NS", "BS"):
                raise validation(
                    OPV + f"DELETE action with value is not supported for the type {type_of(value)}"
                )
            else:
                operands[ref := f"AttributeUpdates.{name}"] = value
                update._deletes.append((path, ref))
        elif action == "ADD":
            if value is None:
                raise validation(OPV + "Only DELETE action is allowed when no attribute value is specified")
            kind = type_of(value)
            if kind == "L":
                update._sets.append((path, _list_add(name, value)))
            elif kind in ("N", "SS", "NS", "BS"):
                operands[ref := f"AttributeUpdates.{name}"] = value
                update._adds.append((path, ref))
            else:
                raise validation(OPV + f"ADD action is not supported for the type {kind}")
        else:
            raise validation(
                f"1 validation error detected: Value '{action}' at 'attributeUpdates.{name}.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]"
            )
    return update.bind(operands)


def _constant(value: AttributeValue) -> Callable[[Item], AttributeValue]:
    return lambda item: value


def _list_add(name: str, value: AttributeValue) -> Callable[[Item], AttributeValue]:
    def appended(item: Item) -> AttributeValue:
        current = item.get(name)
        if current is None:
            return value
        if "L" not in current:
            raise validation(MISMATCH)
        return {"L": current["L"] + value["L"]}

    return appended
