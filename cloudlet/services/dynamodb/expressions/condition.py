"""Condition and filter expressions: validate a parsed tree, then compile it to a predicate.

Validation resolves placeholders, applies AWS's static checks (function names, operand counts
and types, distinct operands, BETWEEN bounds, operator count) and raises the first error by
AWS's category order before anything runs. Compilation turns the tree into nested closures
(evaluate.py), so evaluating an item is a few Python calls with no tree walking. Neighbours:
parser.py (trees), scope.py (placeholders, paths), key_condition.py (reuses the checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.errors import (
    MAX_OPERATORS,
    MISUSED_FUNCTION,
    NEEDS_PATH,
    NOT_DISTINCT,
    OPERAND_COUNT,
    OPERAND_TYPE,
    REDUNDANT_PARENS,
    TOO_MANY_OPERATORS,
    UNKNOWN_FUNCTION,
    Problems,
    invalid,
    path_text,
)
from cloudlet.services.dynamodb.expressions.evaluate import (
    TRUE,
    Predicate,
    between,
    comparison,
    function,
    membership,
    size,
)
from cloudlet.services.dynamodb.expressions.scope import (
    BOUND,
    Elements,
    Getter,
    Scope,
    bound_value,
    path_getter,
)
from cloudlet.services.dynamodb.values import (
    AttributeValue,
    Item,
    compare,
    type_of,
)

CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
}
BOOLEAN_FUNCTIONS = frozenset(
    ("attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains")
)
UPDATE_FUNCTIONS = frozenset(("if_not_exists", "list_append"))
ATTRIBUTE_TYPES = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
MAX_IN_OPERANDS = 100
ORDERED_TYPES = frozenset(("N", "S", "B"))
GROUPED = ("name", "operand", "distinct", "function")
ORDER = (
    "count",
    "parens",
    "unknownFunction",
    "misusedFunction",
    "depth",
    "reserved",
    "name",
    "operand",
    "distinct",
    "function",
)


@dataclass(slots=True)
class Operand:
    """A compiled operand: how to read it, plus what validation knows statically."""

    get: Getter
    path: Elements | None = None  # set for document paths
    static_type: str | None = None  # type of a literal :value, "N" for size()
    literal: AttributeValue | None = None
    ref: str | None = None  # the placeholder of a literal


class ConditionCompiler:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.problems: Problems = scope.problems
        self.operators = 0
        self.atoms = 0
        self.paths: list[Elements] = []
        # BETWEEN bounds (placeholders) whose order only their values decide: checked again for
        # each request's values by Condition.bind (the compiled condition is shared by value types)
        self.bounds: list[tuple[str, str]] = []

    # -- operands ---------------------------------------------------------------------------
    def operand(self, node: ast.Operand) -> Operand:
        if node.parens > 1:
            self.problems.add("parens", REDUNDANT_PARENS)
        if isinstance(node, ast.Path):
            elements = self.scope.path(node)
            self.paths.append(elements)
            return Operand(path_getter(elements), path=elements)
        if isinstance(node, ast.ValueRef):
            value = self.scope.value(node)
            if value is None:
                return Operand(lambda item: None)
            return Operand(bound_value(node.name), static_type=type_of(value), literal=value, ref=node.name)
        if isinstance(node, ast.Call):
            return self.call(node)
        # Arithmetic only exists in SET; the parser never puts it in a condition.
        raise AssertionError("arithmetic in a condition")

    def as_value(self, node: ast.Operand) -> Operand:
        """An operand in value position: only size() may be a function there."""
        if isinstance(node, ast.Call) and (node.name in BOOLEAN_FUNCTIONS or node.name in UPDATE_FUNCTIONS):
            self.problems.add("misusedFunction", MISUSED_FUNCTION.format(node.name))
        return self.operand(node)

    def call(self, node: ast.Call) -> Operand:
        self.operators += 1
        name = node.name
        if name in UPDATE_FUNCTIONS:
            self.problems.add("misusedFunction", MISUSED_FUNCTION.format(name))
        elif name not in CONDITION_FUNCTIONS:
            self.problems.add("unknownFunction", UNKNOWN_FUNCTION.format(name))
        args = [self.as_value(arg) for arg in node.args]
        expected = CONDITION_FUNCTIONS.get(name)
        if expected is None:
            return Operand(lambda item: None)
        if expected != len(args):
            self.problems.add("operand", OPERAND_COUNT.format(name, len(args)))
            return Operand(lambda item: None)
        if len(args) == 2 and args[0].path is not None and args[0].path == args[1].path:
            self.problems.add("distinct", NOT_DISTINCT.format(name, path_text(args[0].path)))
        self.check_function(name, args)
        if name == "size":
            return Operand(size(args[0].get), static_type="N")
        return Operand(function(name, [arg.get for arg in args]))

    def check_function(self, name: str, args: list[Operand]) -> None:
        add = self.problems.add
        if name in ("attribute_exists", "attribute_not_exists") and args[0].path is None:
            add("function", NEEDS_PATH.format(name))
        elif name == "begins_with":
            for arg in args:
                if arg.static_type is not None and arg.static_type not in ("S", "B"):
                    add("function", OPERAND_TYPE.format(name, arg.static_type))
                    break
        elif name == "attribute_type":
            kind = args[1].static_type
            if kind != "S":
                add("function", OPERAND_TYPE.format(name, kind or "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"))
            elif args[1].literal is not None and args[1].literal["S"] not in ATTRIBUTE_TYPES:
                add(
                    "function",
                    f"Invalid attribute type name found; type: {args[1].literal['S']}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}",
                )
        elif name == "size" and args[0].static_type in ("N", "BOOL", "NULL"):
            add("function", OPERAND_TYPE.format(name, args[0].static_type))

    # -- conditions -------------------------------------------------------------------------
    def condition(self, node: ast.Cond) -> Predicate:
        if node.parens > 1:
            self.problems.add("parens", REDUNDANT_PARENS)
        if isinstance(node, ast.And | ast.Or | ast.Not):
            return self.connective(node)
        # An atomic condition: its errors are grouped (see Problems).
        self.problems.atom = self.atoms
        self.atoms += 1
        try:
            return self.atomic(node)
        finally:
            self.problems.atom = None

    def connective(self, node: ast.And | ast.Or | ast.Not) -> Predicate:
        if isinstance(node, ast.And):
            self.operators += 1
            left, right = self.condition(node.left), self.condition(node.right)
            return lambda item: left(item) and right(item)
        if isinstance(node, ast.Or):
            self.operators += 1
            left, right = self.condition(node.left), self.condition(node.right)
            return lambda item: left(item) or right(item)
        self.operators += 1
        inner = self.condition(node.inner)
        return lambda item: not inner(item)

    def atomic(self, node: ast.Cond) -> Predicate:
        if isinstance(node, ast.Compare):
            self.operators += 1
            a, b = self.as_value(node.left), self.as_value(node.right)
            if a.path is not None and a.path == b.path:
                self.problems.add("distinct", NOT_DISTINCT.format(node.op, path_text(a.path)))
            if node.op not in ("=", "<>"):
                self.check_orderable(node.op, a, b)
            return comparison(node.op, a.get, b.get)
        if isinstance(node, ast.Between):
            self.operators += 1
            x, low, high = self.as_value(node.subject), self.as_value(node.low), self.as_value(node.high)
            self.check_orderable("BETWEEN", x)
            self.check_bounds(low, high)
            return between(x.get, low.get, high.get)
        if isinstance(node, ast.In):
            self.operators += 1
            subject = self.as_value(node.subject)
            options = [self.as_value(option) for option in node.options]
            if len(options) + 1 > MAX_IN_OPERANDS:  # the subject counts: 99 options at most
                self.problems.add("operand", OPERAND_COUNT.format("IN", len(options) + 1))  # [?] AWS text
            return membership(subject.get, [o.get for o in options])
        assert isinstance(node, ast.FunctionCondition)
        call = node.call
        if call.name == "size" or call.name in UPDATE_FUNCTIONS:
            self.problems.add("misusedFunction", MISUSED_FUNCTION.format(call.name))
        result = self.call(call)
        getter = result.get
        return lambda item: getter(item) == TRUE

    def check_orderable(self, op: str, *operands: Operand) -> None:
        """Ordering a literal that has no order (a list, a set, BOOL...) is an error; an item
        attribute of such a type merely makes the comparison false."""
        for operand in operands:
            if operand.literal is not None and operand.static_type not in ORDERED_TYPES:
                self.problems.add("function", OPERAND_TYPE.format(op, operand.static_type))
                return

    def check_bounds(self, low: Operand, high: Operand) -> None:
        if low.literal is None or high.literal is None:
            return
        lt, ht = low.static_type, high.static_type
        if lt != ht:
            self.problems.add(
                "function",
                "The BETWEEN operator requires same data type for lower and upper bounds; "
                + _bounds_text(low.literal, high.literal),
            )
        elif lt not in ORDERED_TYPES:
            self.problems.add("function", OPERAND_TYPE.format("BETWEEN", lt))
        else:
            problem = bounds_order_problem(low.literal, high.literal)
            if problem is not None:
                self.problems.add("function", problem)
            if low.ref is not None and high.ref is not None:
                self.bounds.append((low.ref, high.ref))

    def finish(self, kind: str) -> None:
        if self.operators > MAX_OPERATORS:
            self.problems.add("count", TOO_MANY_OPERATORS.format(self.operators))
        self.problems.raise_first(kind, ORDER)


def bounds_order_problem(low: AttributeValue, high: AttributeValue) -> str | None:
    """AWS's complaint about BETWEEN bounds of one ordered type in the wrong order, or None."""
    if (compare(low, high) or 0) > 0:
        return (
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
            + _bounds_text(low, high)
        )
    return None


def check_bounds_order(
    kind: str, bounds: tuple[tuple[str, str], ...], values: Mapping[str, AttributeValue]
) -> None:
    """Raise AWS's error if one request's values put any of `bounds` in the wrong order."""
    for low, high in bounds:
        problem = bounds_order_problem(values[low], values[high])
        if problem is not None:
            raise invalid(kind, problem)


def _bounds_text(low: AttributeValue, high: AttributeValue) -> str:
    return (
        f"lower bound operand: AttributeValue: {{{type_of(low)}:{_show(low)}}}, "
        f"upper bound operand: AttributeValue: {{{type_of(high)}:{_show(high)}}}"
    )


def _show(av: AttributeValue) -> str:
    value = next(iter(av.values()))
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    return str(value)


_NO_VALUES: Mapping[str, AttributeValue] = {}


class Condition:
    """A validated condition/filter expression; `evaluate(item)` says whether the item passes.

    Compiled ones are shared by every request with the same text, names and value types: `bind`
    gives the request's own, which evaluates with its ExpressionAttributeValues."""

    __slots__ = ("_predicate", "names_used", "values_used", "paths", "_values", "bounds", "_kind")

    def __init__(
        self,
        predicate: Predicate,
        names_used: frozenset[str],
        values_used: frozenset[str],
        paths: list[Elements],
        values: Mapping[str, AttributeValue] | None = None,
        bounds: tuple[tuple[str, str], ...] = (),
        kind: str = "ConditionExpression",
    ) -> None:
        self._predicate = predicate
        self.names_used = names_used
        self.values_used = values_used
        self.paths = paths  # every document path read, resolved
        self._values = values if values is not None else _NO_VALUES
        self.bounds = bounds  # BETWEEN placeholders whose order each request's values decide
        self._kind = kind

    def bind(self, values: Mapping[str, AttributeValue] | None) -> Condition:
        if self.bounds and values is not None:
            check_bounds_order(self._kind, self.bounds, values)
        return Condition(
            self._predicate, self.names_used, self.values_used, self.paths, values, self.bounds, self._kind
        )

    def evaluate(self, item: Item) -> bool:
        token = BOUND.set(self._values)
        try:
            return bool(self._predicate(item))
        finally:
            BOUND.reset(token)

    def top_level_names(self) -> set[str]:
        return {p[0] for p in self.paths if isinstance(p[0], str)}


def compile_condition(tree: ast.Cond, scope: Scope, kind: str) -> Condition:
    compiler = ConditionCompiler(scope)
    predicate = compiler.condition(tree)
    compiler.finish(kind)
    return Condition(
        predicate,
        frozenset(scope.names_used),
        frozenset(scope.values_used),
        compiler.paths,
        bounds=tuple(compiler.bounds),
        kind=kind,
    )
