"""Runtime of compiled conditions: the closures condition.py builds, one per operator/function.

Each takes getters (item -> value or None) and returns a predicate or a getter; a missing value
makes every test false except `<>` (and attribute_not_exists), as in DynamoDB. Values compare
with values.py's rules (numbers by value, strings by UTF-8 bytes, sets unordered).
"""

from __future__ import annotations

from collections.abc import Callable

from cloudlet.services.dynamodb.expressions.scope import Getter
from cloudlet.services.dynamodb.values import AttributeValue, Item, compare, set_contains, values_equal

Predicate = Callable[[Item], bool]


TRUE: AttributeValue = {"BOOL": True}
FALSE: AttributeValue = {"BOOL": False}


def comparison(op: str, a: Getter, b: Getter) -> Predicate:
    if op == "=":

        def equal(item: Item) -> bool:
            x, y = a(item), b(item)
            return x is not None and y is not None and values_equal(x, y)

        return equal
    if op == "<>":

        def unequal(item: Item) -> bool:
            x, y = a(item), b(item)
            return x is None or y is None or not values_equal(x, y)

        return unequal
    wanted = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (1, 0)}[op]

    def ordered(item: Item) -> bool:
        x, y = a(item), b(item)
        return x is not None and y is not None and compare(x, y) in wanted

    return ordered


def between(x: Getter, low: Getter, high: Getter) -> Predicate:
    def between(item: Item) -> bool:
        v, lo, hi = x(item), low(item), high(item)
        if v is None or lo is None or hi is None:
            return False
        first, second = compare(lo, v), compare(v, hi)
        return first is not None and second is not None and first <= 0 and second <= 0

    return between


def membership(subject: Getter, options: list[Getter]) -> Predicate:
    def contained(item: Item) -> bool:
        v = subject(item)
        if v is None:
            return False
        return any(o is not None and values_equal(v, o) for o in (get(item) for get in options))

    return contained


def size(get: Getter) -> Getter:
    def size(item: Item) -> AttributeValue | None:
        value = get(item)
        if value is None:
            return None
        kind, data = next(iter(value.items()))
        if kind == "S":
            return {"N": str(len(data.encode("utf-8", "surrogatepass")))}
        if kind in ("B", "SS", "NS", "BS", "L", "M"):
            return {"N": str(len(data))}
        return None

    return size


def function(name: str, args: list[Getter]) -> Getter:
    first = args[0]
    if name == "attribute_exists":
        return lambda item: TRUE if first(item) is not None else FALSE
    if name == "attribute_not_exists":
        return lambda item: TRUE if first(item) is None else FALSE
    second = args[1]
    test = {"attribute_type": _is_type, "begins_with": _begins_with, "contains": _contains}[name]

    def call(item: Item) -> AttributeValue:
        x, y = first(item), second(item)
        return TRUE if x is not None and y is not None and test(x, y) else FALSE

    return call


def _is_type(value: AttributeValue, kind: AttributeValue) -> bool:
    return "S" in kind and kind["S"] in value


def _begins_with(value: AttributeValue, prefix: AttributeValue) -> bool:
    if "S" in value and "S" in prefix:
        return bool(value["S"].startswith(prefix["S"]))
    if "B" in value and "B" in prefix:
        return bool(value["B"].startswith(prefix["B"]))
    return False


def _contains(value: AttributeValue, operand: AttributeValue) -> bool:
    kind, data = next(iter(value.items()))
    okind, odata = next(iter(operand.items()))
    if kind == "S" or kind == "B":
        return okind == kind and odata in data
    if kind in ("SS", "NS", "BS"):
        return okind == kind[0] and set_contains(value, odata)
    if kind == "L":
        return any(values_equal(element, operand) for element in data)
    return False
