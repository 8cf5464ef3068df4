"""KeyConditionExpression (Query): a condition restricted to `pk = :v [AND sort-key condition]`.

Parsed and validated like any condition (same grammar, placeholders and texts), then its shape
is checked against the table's or index's key schema with AWS's messages, giving a
KeyCondition: the partition value and an optional sort-key operator with its values, which
keys.sort_range turns into a store range. Neighbours: condition.py, keys.py, legacy.py
(KeyConditions builds the same object).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cloudlet.services.dynamodb import keys
from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.condition import check_bounds_order
from cloudlet.services.dynamodb.expressions.errors import invalid, validation
from cloudlet.services.dynamodb.expressions.scope import Scope
from cloudlet.services.dynamodb.values import AttributeValue, Item, compare, type_of, values_equal

KIND = "KeyConditionExpression"
_SWAPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass
class KeyCondition:
    partition_name: str
    partition_value: AttributeValue
    sort_name: str | None = None
    sort_op: str | None = None  # = < <= > >= BETWEEN begins_with
    sort_values: list[AttributeValue] = field(default_factory=list)
    names_used: frozenset[str] = frozenset()
    values_used: frozenset[str] = frozenset()
    # the placeholders of partition_value and sort_values (None: a legacy KeyConditions)
    partition_ref: str | None = None
    sort_refs: list[str] = field(default_factory=list)
    # BETWEEN bounds whose order each request's values decide (condition.ConditionCompiler.bounds)
    bounds: tuple[tuple[str, str], ...] = ()

    def bind(self, values: Mapping[str, AttributeValue] | None) -> KeyCondition:
        """This compiled condition with one request's values (see Condition.bind)."""
        if self.partition_ref is None or values is None:
            return self
        if self.bounds:
            check_bounds_order(KIND, self.bounds, values)
        return KeyCondition(
            self.partition_name,
            values[self.partition_ref],
            self.sort_name,
            self.sort_op,
            [values[ref] for ref in self.sort_refs],
            self.names_used,
            self.values_used,
            self.partition_ref,
            self.sort_refs,
            self.bounds,
        )

    def partition_prefix(self) -> bytes:
        return keys.partition_prefix(self.partition_value)

    def range(self) -> tuple[bytes, bytes | None]:
        """[start, end) of absolute store keys (see keys.encode_primary_key) to scan."""
        prefix = self.partition_prefix()
        if self.sort_op is None:
            return prefix, keys.prefix_end(prefix)
        start, end = keys.sort_range(self.sort_op, self.sort_values, prefix)
        return start, end if end is not None else keys.prefix_end(prefix)

    def matches(self, item: Item) -> bool:
        pk = item.get(self.partition_name)
        if pk is None or not values_equal(pk, self.partition_value):
            return False
        if self.sort_op is None or self.sort_name is None:
            return True
        sk = item.get(self.sort_name)
        if sk is None:
            return False
        return sort_matches(self.sort_op, sk, self.sort_values)


def sort_matches(op: str, sk: AttributeValue, values: list[AttributeValue]) -> bool:
    if op == "begins_with":
        kind = type_of(sk)
        return kind == type_of(values[0]) and kind in ("S", "B") and sk[kind].startswith(values[0][kind])
    order = compare(sk, values[0])
    if order is None:
        return False
    if op == "BETWEEN":
        upper = compare(sk, values[1])
        return order >= 0 and upper is not None and upper <= 0
    return {"=": order == 0, "<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]


def _fail(message: str) -> Exception:
    return invalid(KIND, message)


def _atoms(node: ast.Cond) -> list[ast.Cond]:
    if isinstance(node, ast.And):
        return _atoms(node.left) + _atoms(node.right)
    if isinstance(node, ast.Or):
        raise _fail("Invalid operator used in KeyConditionExpression: OR")
    if isinstance(node, ast.Not):
        raise _fail("Invalid operator used in KeyConditionExpression: NOT")
    return [node]


def _operand_name(scope: Scope, node: ast.Operand) -> str | None:
    if isinstance(node, ast.Call):
        raise _fail("KeyConditionExpressions cannot contain nested operations")
    if isinstance(node, ast.Path):
        path = scope.path(node)
        if len(path) > 1:
            raise _fail("KeyConditionExpressions cannot have conditions on nested attributes")
        return str(path[0])
    return None


def build_key_condition(
    tree: ast.Cond, scope: Scope, key_schema: dict[str, str | None], attribute_types: dict[str, str]
) -> KeyCondition:
    """Turn a validated condition tree into a KeyCondition, with AWS's key-condition errors."""
    conditions: dict[str, tuple[str, list[AttributeValue]]] = {}
    refs: dict[str, list[str]] = {}
    for atom in _atoms(tree):
        name, op, names = _atom(scope, atom)
        if name in conditions:
            raise _fail("KeyConditionExpressions must only contain one condition per key")
        conditions[name] = (op, [_literal(scope, ref) for ref in names])
        refs[name] = names
    hash_name = key_schema["HASH"]
    range_name = key_schema.get("RANGE")
    assert hash_name is not None
    check_against_schema(conditions, hash_name, range_name, attribute_types)
    result = KeyCondition(hash_name, conditions[hash_name][1][0], partition_ref=refs[hash_name][0])
    if range_name is not None and range_name in conditions:
        result.sort_name = range_name
        result.sort_op, result.sort_values = conditions[range_name]
        result.sort_refs = refs[range_name]
    result.names_used = frozenset(scope.names_used)
    result.values_used = frozenset(scope.values_used)
    return result


def check_against_schema(
    conditions: Mapping[str, tuple[str, list[AttributeValue]]],
    hash_name: str,
    range_name: str | None,
    attribute_types: Mapping[str, str],
) -> None:
    """AWS's errors for key conditions (attribute -> (operator, values)), from an expression or
    a legacy KeyConditions map, that do not fit the key schema: the partition key compared with
    `=`, no other attribute than the keys, values of the keys' types."""
    keys = 1 if range_name is None else 2
    if len(conditions) > keys:  # parity suite's AWS capture (queryKeyConditionOperands)
        raise validation(
            f"The number of query conditions ({len(conditions)}) exceeds the number of key attributes "
            f"defined in the schema ({keys})"
        )
    if hash_name not in conditions:
        raise validation(f"Query condition missed key schema element: {hash_name}")
    for name in conditions:
        if name not in (hash_name, range_name):
            if range_name is None:
                raise validation("Query key condition not supported")
            raise validation(f"Query condition missed key schema element: {range_name}")
    if conditions[hash_name][0] != "=":
        raise validation("Query key condition not supported")
    for name, (_, values) in conditions.items():
        expected = attribute_types.get(name)
        if expected is not None and any(type_of(v) != expected for v in values):
            raise validation(
                "One or more parameter values were invalid: Condition parameter type does not match schema type"
            )


def _atom(scope: Scope, atom: ast.Cond) -> tuple[str, str, list[str]]:
    """(key attribute, operator, the placeholders of its values) of one key condition."""
    if isinstance(atom, ast.Compare):
        if atom.op == "<>":
            raise _fail("Invalid operator used in KeyConditionExpression: <>")
        left, right = _operand_name(scope, atom.left), _operand_name(scope, atom.right)
        if left is not None and right is not None:
            raise _fail(
                "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
            )
        if left is None and right is None:
            raise _fail("Invalid condition in KeyConditionExpression: No key attribute specified")  # [?]
        if left is not None:
            return left, atom.op, [_ref(atom.right)]
        assert right is not None
        return right, _SWAPPED[atom.op], [_ref(atom.left)]
    if isinstance(atom, ast.Between):
        name = _operand_name(scope, atom.subject)
        if name is None or _operand_name(scope, atom.low) or _operand_name(scope, atom.high):
            raise _fail(
                "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
            )
        return name, "BETWEEN", [_ref(atom.low), _ref(atom.high)]
    if isinstance(atom, ast.In):
        raise _fail("Invalid operator used in KeyConditionExpression: IN")
    assert isinstance(atom, ast.FunctionCondition)
    call = atom.call
    if call.name != "begins_with":
        raise _fail(f"Invalid operator used in KeyConditionExpression: {call.name}")
    name = _operand_name(scope, call.args[0])
    if name is None or _operand_name(scope, call.args[1]) is not None:
        raise _fail(
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
        )
    return name, "begins_with", [_ref(call.args[1])]


def _ref(node: ast.Operand) -> str:
    assert isinstance(node, ast.ValueRef)
    return node.name


def _literal(scope: Scope, name: str) -> AttributeValue:
    value = scope.values.get(name)
    assert value is not None  # condition validation already rejected undefined values
    return value
