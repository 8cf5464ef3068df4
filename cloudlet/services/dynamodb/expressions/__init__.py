"""DynamoDB expressions: text -> tokens -> syntax tree -> validated, compiled object.

Public entry points (the API layer calls these once per request):
- parse_condition(expr, names, values, kind=...) -> Condition      (.evaluate(item) -> bool)
- parse_projection(expr, names) -> Projection                      (.apply(item) -> item)
- parse_update(expr, names, values) -> Update                      (.apply(item) -> new item)
- parse_key_condition(expr, names, values, key_schema, attribute_types) -> KeyCondition
- check_placeholder_maps(names, values), check_unused(names, values, parsed_objects)
Every parse/validation problem raises AwsError("ValidationException", AWS's text) before any
evaluation. Modules: tokens (lexer), parser (syntax trees, cached), scope (placeholders, paths),
condition / update / projection / key_condition (validation + compilation), evaluate (condition
runtime), placeholders (request-level map checks), cache (compiled objects), errors (texts).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.cache import CompiledCache
from cloudlet.services.dynamodb.expressions.condition import GROUPED, Condition, compile_condition
from cloudlet.services.dynamodb.expressions.errors import ORDER_PROJECTION, Problems, check_text
from cloudlet.services.dynamodb.expressions.key_condition import KeyCondition, build_key_condition
from cloudlet.services.dynamodb.expressions.parser import (
    parse_condition_tree,
    parse_projection_tree,
    parse_update_tree,
)
from cloudlet.services.dynamodb.expressions.placeholders import check_placeholder_maps, check_unused
from cloudlet.services.dynamodb.expressions.projection import Projection
from cloudlet.services.dynamodb.expressions.scope import Scope, check_overlaps
from cloudlet.services.dynamodb.expressions.update import Update, compile_update
from cloudlet.services.dynamodb.values import AttributeValue

__all__ = [
    "Condition",
    "KeyCondition",
    "Projection",
    "Update",
    "check_placeholder_maps",
    "check_unused",
    "parse_condition",
    "parse_key_condition",
    "parse_projection",
    "parse_update",
]


_CACHE = CompiledCache()


# A compiled expression depends on its values only through their types, except where validation
# reads a literal: attribute_type's is a type name, so the cache key has the types of all values
# and those literals, and the request's values are bound to the shared compiled object
# (scope.BOUND). BETWEEN's bounds are compared too, but only their order depends on the values
# once their types are known: `bind` checks it for each request (condition.check_bounds_order),
# so time-range queries whose bounds change with every request still share one compiled object.
def _values_key(values: dict[str, AttributeValue] | None, checked: frozenset[str]) -> str | None:
    if not values:
        return None
    return repr(
        [(k, v if k in checked or type(v) is not dict else next(iter(v), None)) for k, v in values.items()]
    )


@lru_cache(maxsize=4096)
def _literals_checked(kind: str, expr: str) -> frozenset[str]:
    """The placeholders whose values validation reads in a condition (see _values_key)."""
    try:
        tree = parse_condition_tree(expr, kind)
    except Exception:  # an invalid expression is rejected when compiled
        return frozenset()
    found: set[str] = set()
    stack: list[tuple[Any, bool]] = [(tree, False)]  # not recursive: trees may nest thousands deep
    while stack:
        node, literal = stack.pop()
        if isinstance(node, ast.ValueRef):
            if literal:
                found.add(node.name)
        elif isinstance(node, ast.Call):
            stack += [(arg, literal or node.name == "attribute_type") for arg in node.args]
        elif isinstance(node, list):
            stack += [(x, literal) for x in node]
        elif hasattr(node, "__dataclass_fields__"):
            stack += [(getattr(node, name), literal) for name in node.__dataclass_fields__]
    return frozenset(found)


def parse_condition(
    expr: str,
    names: dict[str, str] | None,
    values: dict[str, AttributeValue] | None,
    *,
    kind: str = "ConditionExpression",
) -> Condition:
    """A ConditionExpression (or, with kind="FilterExpression", a filter)."""
    key = ("C", kind, expr, names, _values_key(values, _literals_checked(kind, expr)))
    return _CACHE.get_or_build(key, lambda: _parse_condition(expr, names, values, kind)).bind(values)


def _parse_condition(
    expr: str, names: dict[str, str] | None, values: dict[str, AttributeValue] | None, kind: str
) -> Condition:
    tree = parse_condition_tree(check_text(kind, expr), kind)
    scope = Scope(names, values, Problems(GROUPED), name_category="name", value_category="name")
    return compile_condition(tree, scope, kind)


def parse_update(expr: str, names: dict[str, str] | None, values: dict[str, AttributeValue] | None) -> Update:
    # an update's validation reads only the types of its values
    key = ("U", expr, names, _values_key(values, frozenset()))
    return _CACHE.get_or_build(key, lambda: _parse_update(expr, names, values)).bind(values)


def _parse_update(
    expr: str, names: dict[str, str] | None, values: dict[str, AttributeValue] | None
) -> Update:
    tree = parse_update_tree(check_text("UpdateExpression", expr))
    return compile_update(tree, Scope(names, values, Problems()))


def parse_projection(expr: str, names: dict[str, str] | None) -> Projection:
    return _CACHE.get_or_build(("P", expr, names), lambda: _parse_projection(expr, names))


def _parse_projection(expr: str, names: dict[str, str] | None) -> Projection:
    kind = "ProjectionExpression"
    trees = parse_projection_tree(check_text(kind, expr))
    problems = Problems()
    scope = Scope(names, None, problems)
    paths = [scope.path(tree) for tree in trees]
    check_overlaps(paths, problems)
    problems.raise_first(kind, ORDER_PROJECTION)
    return Projection(paths, frozenset(scope.names_used))


def parse_key_condition(
    expr: str,
    names: dict[str, str] | None,
    values: dict[str, AttributeValue] | None,
    key_schema: dict[str, Any],
    attribute_types: dict[str, str],
) -> KeyCondition:
    """A KeyConditionExpression checked against key_schema {"HASH": pk, "RANGE": sk|None} and
    attribute_types {name: "S"|"N"|"B"} of the table or index queried."""
    kind = "KeyConditionExpression"
    hash_name, range_name = key_schema["HASH"], key_schema.get("RANGE")
    # the schema as plain strings: the cache keys them as they are, without a repr of each dict
    key = (
        "K",
        expr,
        names,
        _values_key(values, _literals_checked(kind, expr)),
        hash_name,
        attribute_types.get(hash_name),
        range_name,
        attribute_types.get(range_name) if range_name is not None else None,
    )
    compiled = _CACHE.get_or_build(
        key, lambda: _parse_key_condition(expr, names, values, key_schema, attribute_types)
    )
    return compiled.bind(values)


def _parse_key_condition(
    expr: str,
    names: dict[str, str] | None,
    values: dict[str, AttributeValue] | None,
    key_schema: dict[str, Any],
    attribute_types: dict[str, str],
) -> KeyCondition:
    kind = "KeyConditionExpression"
    tree = parse_condition_tree(check_text(kind, expr), kind)
    scope = Scope(names, values, Problems(GROUPED), name_category="name", value_category="name")
    condition = compile_condition(tree, scope, kind)
    compiled = build_key_condition(tree, scope, key_schema, attribute_types)
    compiled.bounds = condition.bounds
    return compiled
