"""Update expressions: validate a parsed tree, then compile it to a function old item -> new item.

Everything that can be known without the item is checked first (sections, placeholders, path
overlaps, operand types, function arity) and raised with AWS's text. Execution computes every
value against the *old* item, then writes into a copy, so a data error (ADD to a string, a path
through a missing map) raises before anything is visible and the input item is never mutated.
Neighbours: condition.py (shared operand checks), scope.py, numbers.py (SET a = a + :v).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.condition import CONDITION_FUNCTIONS
from cloudlet.services.dynamodb.expressions.errors import (
    BAD_DATA_TYPE,
    BAD_PATH,
    MISSING_ATTRIBUTE,
    MISUSED_FUNCTION,
    NEEDS_PATH,
    OPERAND_COUNT,
    OPERAND_TYPE,
    SECTION_TWICE,
    UNKNOWN_FUNCTION,
    Problems,
    validation,
)
from cloudlet.services.dynamodb.expressions.scope import (
    BOUND,
    Elements,
    Scope,
    bound_value,
    check_overlaps,
    path_getter,
)
from cloudlet.services.dynamodb.numbers import add_numbers, subtract_numbers
from cloudlet.services.dynamodb.values import AttributeValue, Item, clone_value, type_of

ORDER = (
    "depth",
    "reserved",
    "unknownFunction",
    "section",
    "name",
    "value",
    "overlap",
    "conflict",
    "operand",
    "function",
)
UPDATE_FUNCTION_ARITY = {"if_not_exists": 2, "list_append": 2}
_WIRE_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "NULL": "NULL",
    "BOOL": "BOOLEAN",
    "L": "LIST",
    "M": "MAP",
}

ValueFn = Callable[[Item], AttributeValue]


class _Compiled:
    __slots__ = ("get", "path", "static_type")

    def __init__(self, get: ValueFn, path: Elements | None = None, static_type: str | None = None) -> None:
        self.get = get
        self.path = path
        self.static_type = static_type


class UpdateCompiler:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.problems: Problems = scope.problems

    def value(self, node: ast.Operand) -> _Compiled:
        if isinstance(node, ast.Path):
            elements = self.scope.path(node)
            getter = path_getter(elements)

            def read(item: Item) -> AttributeValue:
                found = getter(item)
                if found is None:
                    raise validation(MISSING_ATTRIBUTE)
                return found

            return _Compiled(read, path=elements)
        if isinstance(node, ast.ValueRef):
            constant = self.scope.value(node)
            if constant is None:
                return _Compiled(_unreachable)
            return _Compiled(bound_value(node.name), static_type=type_of(constant))
        if isinstance(node, ast.Arith):
            return self.arithmetic(node)
        return self.call(node)

    def arithmetic(self, node: ast.Arith) -> _Compiled:
        left, right = self.value(node.left), self.value(node.right)
        for side in (left, right):
            if side.static_type is not None and side.static_type != "N":
                self.problems.add("function", OPERAND_TYPE.format(node.op, side.static_type))
                break
        combine = add_numbers if node.op == "+" else subtract_numbers

        def arithmetic(item: Item) -> AttributeValue:
            a, b = left.get(item), right.get(item)
            if "N" not in a or "N" not in b:
                raise validation(BAD_DATA_TYPE)
            return {"N": combine(a["N"], b["N"])}

        return _Compiled(arithmetic, static_type="N")

    def call(self, node: ast.Call) -> _Compiled:
        name = node.name
        if name not in UPDATE_FUNCTION_ARITY:
            self.problems.add("unknownFunction", UNKNOWN_FUNCTION.format(name))
        args = [self.value(arg) for arg in node.args]
        arity = UPDATE_FUNCTION_ARITY.get(name)
        if arity is None or name in CONDITION_FUNCTIONS:
            return _Compiled(_unreachable)
        if arity != len(args):
            self.problems.add("function", OPERAND_COUNT.format(name, len(args)))
            return _Compiled(_unreachable)
        first, second = args
        if name == "if_not_exists":
            if first.path is None:
                self.problems.add("function", NEEDS_PATH.format(name))
                return _Compiled(_unreachable)
            existing = path_getter(first.path)

            def if_not_exists(item: Item) -> AttributeValue:
                found = existing(item)
                return found if found is not None else second.get(item)

            return _Compiled(if_not_exists, static_type=second.static_type)
        for arg in args:
            if arg.static_type is not None and arg.static_type != "L":
                self.problems.add("function", OPERAND_TYPE.format(name, arg.static_type))
                break
        # AWS refuses list_append nested in list_append (if_not_exists inside is fine).
        if any(isinstance(arg, ast.Call) and arg.name == "list_append" for arg in node.args):
            self.problems.add("function", MISUSED_FUNCTION.format("list_append"))

        def list_append(item: Item) -> AttributeValue:
            a, b = first.get(item), second.get(item)
            if "L" not in a or "L" not in b:
                raise validation(BAD_DATA_TYPE)
            return {"L": a["L"] + b["L"]}

        return _Compiled(list_append, static_type="L")


def _unreachable(item: Item) -> AttributeValue:
    raise AssertionError("validation lets no unresolved operand through")


class Update:
    """A validated update expression. `apply(item)` returns the new item; the input is untouched."""

    __slots__ = (
        "_sets",
        "_removes",
        "_adds",
        "_deletes",
        "names_used",
        "values_used",
        "paths",
        "_values",
        "mismatch",
    )

    def __init__(self) -> None:
        self._sets: list[tuple[Elements, ValueFn]] = []
        self._removes: list[Elements] = []
        # ADD and DELETE operands: the placeholders whose bound values they are
        self._adds: list[tuple[Elements, str]] = []
        self._deletes: list[tuple[Elements, str]] = []
        self.names_used: frozenset[str] = frozenset()
        self.values_used: frozenset[str] = frozenset()
        self.paths: list[Elements] = []
        self._values: Mapping[str, AttributeValue] = {}
        # the text of an ADD or DELETE that meets an attribute of another type (legacy
        # AttributeUpdates word it their own way)
        self.mismatch = BAD_DATA_TYPE

    def bind(self, values: Mapping[str, AttributeValue] | None) -> Update:
        """This compiled update for one request's ExpressionAttributeValues (see Condition.bind)."""
        bound = Update.__new__(Update)  # slots copied by hand: copy.copy is several times slower
        bound._sets, bound._removes, bound._adds, bound._deletes = (
            self._sets,
            self._removes,
            self._adds,
            self._deletes,
        )
        bound.names_used, bound.values_used, bound.paths = self.names_used, self.values_used, self.paths
        bound._values = values or {}
        bound.mismatch = self.mismatch
        return bound

    def updated_paths(self) -> list[Elements]:
        """Every document path the expression writes, as resolved element tuples."""
        return list(self.paths)

    def touched_top_level(self) -> set[str]:
        """Top-level attribute names written."""
        return {str(p[0]) for p in self.paths}

    def takes_away_only(self) -> bool:
        """True when there are actions and every one takes away (REMOVE, DELETE from a set, a
        legacy DELETE): on a missing item such an update creates nothing. No actions at all (an
        empty AttributeUpdates) still create the item (AWS, per alternator's test_item)."""
        return bool(self.paths) and not (self._sets or self._adds)

    def check_key_attributes(self, key_names: set[str] | list[str]) -> None:
        for path in self.paths:
            if path[0] in key_names:
                raise validation(
                    f"One or more parameter values were invalid: Cannot update attribute {path[0]}. This attribute is part of the key"
                )

    def apply(self, item: Item, *, existed: bool = True) -> Item:
        """The item after the update. `existed=False` when `item` holds only the key of an item
        that does not exist yet (REMOVE through missing parents is then silently ignored)."""
        token = BOUND.set(self._values)
        try:
            return self._apply(item, existed)
        finally:
            BOUND.reset(token)

    def _apply(self, item: Item, existed: bool) -> Item:
        # Computed values are cloned: they may be the expression's constants or parts of the old
        # item, and the new item must share nothing mutable with either.
        computed = [(path, clone_value(fn(item))) for path, fn in self._sets]
        new = dict(item)
        for path in self.paths:
            name = path[0]
            if len(path) > 1 and name in new and new[name] is item.get(name):  # type: ignore[call-overload]
                new[name] = clone_value(new[name])  # type: ignore[index]
        # Appends past the end of a list happen in index order whatever the written order.
        computed.sort(key=lambda entry: entry[0][-1] if isinstance(entry[0][-1], int) else -1)
        for path, value in computed:
            _put(new, path, value)
        for path, name in self._adds:
            _add(new, path, self._values[name], self.mismatch)
        for path, name in self._deletes:
            _delete(new, path, self._values[name], existed, self.mismatch)
        # Indexes in REMOVE refer to the list before the update: remove from the back.
        for path in sorted(
            self._removes, key=lambda p: p[-1] if isinstance(p[-1], int) else -1, reverse=True
        ):
            _remove(new, path, existed)
        return new


def _parent(item: Item, path: Elements) -> AttributeValue | None:
    """The container holding path's last element, or None if the way there is missing/wrong."""
    value: AttributeValue | None = item.get(path[0])  # type: ignore[arg-type]
    for element in path[1:-1]:
        if value is None:
            return None
        if isinstance(element, int):
            items = value.get("L")
            value = items[element] if items is not None and element < len(items) else None
        else:
            members = value.get("M")
            value = members.get(element) if members is not None else None
    return value


def _put(item: Item, path: Elements, value: AttributeValue) -> None:
    if len(path) == 1:
        item[path[0]] = value  # type: ignore[index]
        return
    parent = _parent(item, path)
    last = path[-1]
    if parent is None:
        raise validation(BAD_PATH)
    if isinstance(last, int):
        if "L" not in parent:
            raise validation(BAD_PATH)
        items = parent["L"]
        if last < len(items):
            items[last] = value
        else:
            items.append(value)
    else:
        if "M" not in parent:
            raise validation(BAD_PATH)
        parent["M"][last] = value


def _get(item: Item, path: Elements) -> AttributeValue | None:
    return path_getter(path)(item)


def _add(item: Item, path: Elements, operand: AttributeValue, mismatch: str) -> None:
    current = _get(item, path)
    kind = type_of(operand)
    if current is None:
        _put(item, path, clone_value(operand))
        return
    if kind == "N" and "N" in current:
        _put(item, path, {"N": add_numbers(current["N"], operand["N"])})
    elif kind in current and kind in ("SS", "NS", "BS"):
        members = list(current[kind])
        have = set(members)
        members.extend(m for m in operand[kind] if m not in have)
        _put(item, path, {kind: members})
    else:
        raise validation(mismatch)


def _delete(item: Item, path: Elements, operand: AttributeValue, existed: bool, mismatch: str) -> None:
    current = _get(item, path)
    if current is None:
        if len(path) > 1:
            _container(item, path, existed)  # a missing leaf is nothing to do; a missing way there is not
        return
    kind = type_of(operand)
    if kind not in current:
        raise validation(mismatch)
    drop = set(operand[kind])
    remaining = [m for m in current[kind] if m not in drop]
    if remaining:
        _put(item, path, {kind: remaining})
    else:
        _remove(item, path, True)


def _container(item: Item, path: Elements, existed: bool) -> AttributeValue | None:
    """For REMOVE and DELETE: the list or map holding path's last element. BAD_PATH if the way
    there is missing on an existing item or is not the list or map the element needs; None (nothing
    to do) if it is missing on an item being created."""
    parent = _parent(item, path)
    if parent is None:
        if existed:
            raise validation(BAD_PATH)
        return None
    if ("L" if isinstance(path[-1], int) else "M") not in parent:
        raise validation(BAD_PATH)
    return parent


def _remove(item: Item, path: Elements, existed: bool) -> None:
    if len(path) == 1:
        item.pop(path[0], None)  # type: ignore[arg-type]
        return
    parent = _container(item, path, existed)
    last = path[-1]
    if parent is None:
        return
    if isinstance(last, int):
        if last < len(parent["L"]):
            del parent["L"][last]
    else:
        parent["M"].pop(last, None)


def compile_update(tree: ast.UpdateTree, scope: Scope) -> Update:
    problems = scope.problems
    seen: set[str] = set()
    for section in tree.sections:
        if section in seen:
            problems.add("section", SECTION_TWICE.format(section))
        seen.add(section)
    compiler = UpdateCompiler(scope)
    update = Update()
    for action in tree.actions:
        path = scope.path(action.path)
        update.paths.append(path)
        if action.section == "SET":
            assert action.value is not None
            update._sets.append((path, compiler.value(action.value).get))
        elif action.section == "REMOVE":
            update._removes.append(path)
        else:
            assert isinstance(action.value, ast.ValueRef)
            operand = scope.value(action.value)
            if operand is None:
                continue
            kind = type_of(operand)
            if kind in _WIRE_TYPE_NAMES and not (action.section == "ADD" and kind == "N"):
                problems.add(
                    "operand",
                    f"Incorrect operand type for operator or function; operator: {action.section}, operand type: {_WIRE_TYPE_NAMES[kind]}",
                )
            target = update._adds if action.section == "ADD" else update._deletes
            target.append((path, action.value.name))
    check_overlaps(update.paths, problems)
    problems.raise_first("UpdateExpression", ORDER)
    update.names_used = frozenset(scope.names_used)
    update.values_used = frozenset(scope.values_used)
    return update
