"""Resolution of #names and :values for one expression, with usage tracking and path helpers.

A Scope resolves the placeholders of one parsed expression against the request's
ExpressionAttributeNames/Values, records problems (reserved words, undefined placeholders) in
textual order, and remembers which placeholders were used so the request can report unused ones
once every expression is parsed. Also: reading a document path from an item, and the
overlap/conflict test between two paths. Neighbours: condition.py, update.py, projection.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.errors import (
    CONFLICT,
    OVERLAP,
    RESERVED,
    UNDEFINED_NAME,
    UNDEFINED_VALUE,
    Problems,
    path_text,
)
from cloudlet.services.dynamodb.expressions.reserved import is_reserved
from cloudlet.services.dynamodb.values import AttributeValue, Item

Elements = tuple[str | int, ...]
# a document path reaches at most 32 levels down (DynamoDB's nesting limit; AWS's text per
# alternator's test_projection_expression)
MAX_PATH_DEPTH = 32
TOO_DEEP = "The document path has too many nesting levels; nesting levels: {}"
Getter = Callable[[Item], AttributeValue | None]

# The ExpressionAttributeValues of the request being evaluated. A compiled expression is cached by
# its text, names and the types of its values, not the values themselves (an application's values
# change with every request): its :value operands read them from here, set by the bound object's
# evaluate/apply for the duration of the call (per thread and task, so pool threads never mix).
BOUND: ContextVar[Mapping[str, AttributeValue]] = ContextVar("expression_values")


def bound_value(name: str) -> Callable[[Item], AttributeValue]:
    """The getter of placeholder `name` among the values bound for the current evaluation."""
    get = BOUND.get
    return lambda item: get()[name]


class Scope:
    def __init__(
        self,
        names: dict[str, str] | None,
        values: dict[str, AttributeValue] | None,
        problems: Problems,
        *,
        name_category: str = "name",
        value_category: str = "value",
    ) -> None:
        self.names = names or {}
        self.values = values or {}
        self.problems = problems
        self.names_used: set[str] = set()
        self.values_used: set[str] = set()
        self.name_category = name_category
        self.value_category = value_category

    def path(self, path: ast.Path) -> Elements:
        if len(path.raw) > MAX_PATH_DEPTH:
            self.problems.add("depth", TOO_DEEP.format(len(path.raw)))
        out: list[str | int] = []
        for element in path.raw:
            if isinstance(element, int):
                out.append(element)
            elif element.startswith("#"):
                resolved = self.names.get(element)
                if resolved is None:
                    self.problems.add(self.name_category, UNDEFINED_NAME.format(element))
                    out.append(element)
                else:
                    self.names_used.add(element)
                    out.append(resolved)
            else:
                if is_reserved(element):
                    self.problems.add("reserved", RESERVED.format(element))
                out.append(element)
        return tuple(out)

    def value(self, ref: ast.ValueRef) -> AttributeValue | None:
        value = self.values.get(ref.name)
        if value is None:
            self.problems.add(self.value_category, UNDEFINED_VALUE.format(ref.name))
            return None
        self.values_used.add(ref.name)
        return value


def path_getter(elements: Elements) -> Getter:
    """A function reading the value at `elements` from an item (None when absent)."""
    first = elements[0]
    rest = elements[1:]
    if not rest:
        return lambda item: item.get(first)  # type: ignore[arg-type]

    def get(item: Item) -> AttributeValue | None:
        value: Any = item.get(first)  # type: ignore[arg-type]
        for element in rest:
            if value is None:
                return None
            if isinstance(element, int):
                items = value.get("L")
                if items is None or element >= len(items):
                    return None
                value = items[element]
            else:
                members = value.get("M")
                if members is None:
                    return None
                value = members.get(element)
        return value  # type: ignore[no-any-return]

    return get


def check_overlaps(paths: list[Elements], problems: Problems) -> None:
    """Record AWS's overlap/conflict error for the first offending pair (in written order)."""
    for index, second in enumerate(paths):
        for first in paths[:index]:
            relation = _relation(first, second)
            if relation == "overlap":
                problems.add("overlap", OVERLAP.format(path_text(first), path_text(second)))
                return
            if relation == "conflict":
                problems.add("conflict", CONFLICT.format(path_text(first), path_text(second)))
                return


def _relation(a: Elements, b: Elements) -> str | None:
    for x, y in zip(a, b, strict=False):
        if isinstance(x, int) != isinstance(y, int):
            return "conflict"
        if x != y:
            return None
    return "overlap"
