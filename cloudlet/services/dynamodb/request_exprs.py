"""The expressions of one request: which parameters an operation takes, the request-level rules
(placeholder maps, legacy vs expression parameters, unused placeholders), and the parsed objects.

Parsing and evaluation live in expressions/ (and legacy.py for the pre-expression parameters);
this module only decides what to parse for a request and in what order. Handlers call the
accessors (each parses once and caches), then finish() once every expression is parsed.
"""

from __future__ import annotations

from typing import Any, Protocol

from cloudlet.services.dynamodb import expressions as ex
from cloudlet.services.dynamodb import legacy
from cloudlet.services.dynamodb.errors import validation
from cloudlet.services.dynamodb.model import Item, KeyAttr

Condition = ex.Condition
Projection = ex.Projection
Update = ex.Update

# the expressions of each operation kind that may use :values, in the order AWS names them
_VALUE_EXPRESSIONS = {
    "PutItem": ["ConditionExpression"],
    "DeleteItem": ["ConditionExpression"],
    "UpdateItem": ["UpdateExpression", "ConditionExpression"],
    "GetItem": [],
    "BatchGetItem": [],
    "TransactGetItems": [],
    "Query": ["KeyConditionExpression", "FilterExpression"],
    "Scan": ["FilterExpression"],
    "TransactWriteItems.Put": ["ConditionExpression"],
    "TransactWriteItems.Delete": ["ConditionExpression"],
    "TransactWriteItems.ConditionCheck": ["ConditionExpression"],
    "TransactWriteItems.Update": ["UpdateExpression", "ConditionExpression"],
}


class _Parsed(Protocol):
    names_used: frozenset[str]
    values_used: frozenset[str]


class KeyConditionRequest:
    """A Query's key condition, resolved once the table or index (and so its key schema) is known."""

    def __init__(self, exprs: Exprs) -> None:
        self.exprs = exprs

    def resolve(
        self, h: KeyAttr, r: KeyAttr | None
    ) -> tuple[dict[str, Any], str | None, list[dict[str, Any]]]:
        p = self.exprs.params
        schema = {"HASH": h.name, "RANGE": r.name if r else None}
        types = {h.name: h.type, **({r.name: r.type} if r else {})}
        if p.get("KeyConditionExpression") is not None:
            kc = ex.parse_key_condition(
                p["KeyConditionExpression"], self.exprs.names, self.exprs.values, schema, types
            )
        elif p.get("KeyConditions") is not None:
            kc = legacy.key_conditions(p["KeyConditions"], schema, types)
        else:
            raise validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
            )
        self.exprs.parsed.append(kc)
        return kc.partition_value, kc.sort_op, list(kc.sort_values)


_ANY_EXPRESSION_PARAM = frozenset(
    (
        *legacy.LEGACY_PARAMETERS,
        *legacy.EXPRESSION_PARAMETERS,
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
    )
)


class Exprs:
    def __init__(self, params: dict[str, Any], op: str) -> None:
        self.params = params
        self.op = op
        self.parsed: list[_Parsed | None] = []
        self._cache: dict[str, Any] = {}
        self.names: dict[str, str] | None = None
        self.values: dict[str, Any] | None = None
        if _ANY_EXPRESSION_PARAM.isdisjoint(params):
            return  # the common fast path: nothing to parse or check
        legacy.check_no_mixing(params)
        legacy.check_placeholders_need_expressions(params, _VALUE_EXPRESSIONS[op])
        names, values = params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
        self.names, self.values = ex.check_placeholder_maps(names, values)

    def _once(self, key: str, build: Any) -> Any:
        if key not in self._cache:
            value = build()
            self._cache[key] = value
            if value is not None and hasattr(value, "names_used"):
                self.parsed.append(value)
        return self._cache[key]

    def condition(self) -> Condition | None:
        def build() -> Condition | None:
            p = self.params
            if p.get("ConditionExpression") is not None:
                return ex.parse_condition(
                    p["ConditionExpression"], self.names, self.values, kind="ConditionExpression"
                )
            if p.get("Expected") is not None:
                return legacy.expected_condition(p["Expected"], p.get("ConditionalOperator"))
            return None

        return self._once("condition", build)  # type: ignore[no-any-return]

    def filter(self, op: str) -> Condition | None:
        legacy_name = "QueryFilter" if op == "Query" else "ScanFilter"

        def build() -> Condition | None:
            p = self.params
            if p.get("FilterExpression") is not None:
                return ex.parse_condition(
                    p["FilterExpression"], self.names, self.values, kind="FilterExpression"
                )
            if p.get(legacy_name) is not None:
                return legacy.filter_condition(p[legacy_name], p.get("ConditionalOperator"))
            return None

        return self._once("filter", build)  # type: ignore[no-any-return]

    def projection(self) -> Projection | None:
        def build() -> Projection | None:
            p = self.params
            if p.get("ProjectionExpression") is not None:
                return ex.parse_projection(p["ProjectionExpression"], self.names)
            if p.get("AttributesToGet") is not None:
                return legacy.attributes_to_get(p["AttributesToGet"])
            return None

        return self._once("projection", build)  # type: ignore[no-any-return]

    def update(self) -> Update | None:
        def build() -> Update | None:
            p = self.params
            if p.get("UpdateExpression") is not None:
                return ex.parse_update(p["UpdateExpression"], self.names, self.values)
            if p.get("AttributeUpdates") is not None:
                return legacy.attribute_updates(p["AttributeUpdates"])
            return None

        return self._once("update", build)  # type: ignore[no-any-return]

    def key_condition(self) -> KeyConditionRequest:
        return KeyConditionRequest(self)

    def finish(self) -> None:
        """After every expression of the request is parsed: report unused placeholders."""
        if self.names or self.values:
            ex.check_unused(self.names, self.values, self.parsed)


__all__ = ["Condition", "Exprs", "Item", "Projection", "Update"]
