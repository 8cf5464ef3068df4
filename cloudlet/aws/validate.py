"""Model constraint checks (required, length, range, enum, pattern), compiled once per shape.

Errors read as AWS's Coral frameworks write them: "2 validation errors detected: Value null at
'tableName' failed to satisfy constraint: Member must not be null; Value '0' at 'limit' failed to
satisfy constraint: Member must have value greater than or equal to 1". Paths are lowerCamel member
names, list elements 1-based (`keySchema.1.member.keyType`), map values under their key
(`requestItems.Music.member.keys`), at most 10 items listed. The error code
is the service's own (`VALIDATION_CODES`). Neighbours: protocols/ call `Validator.check` after
decoding a request; the shapes come from models.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from botocore.model import ServiceModel, Shape

from cloudlet.aws.errors import AwsError
from cloudlet.aws.models import shape_key

# service -> error code AWS answers a constraint violation with; None: the service does not check
# the model's constraints itself (S3 answers its own, operation-specific errors)
VALIDATION_CODES: dict[str, str | None] = {
    "route53": "InvalidInput",
    "route53domains": "InvalidInput",
    "cloudfront": "InvalidArgument",
    "s3": None,
    "apigateway": "BadRequestException",
    "apigatewayv2": "BadRequestException",
    "cognito-idp": "InvalidParameterException",
    "cognito-identity": "InvalidParameterException",
    "sts": "ValidationError",
}
DEFAULT_CODE = "ValidationException"
# services whose front end does not check enum values (Lambda answers a bad Runtime with its own
# InvalidParameterValueException text, from the service)
ENUMS_UNCHECKED = frozenset(("lambda",))
MAX_LISTED = 10
# The order a service's Coral front end lists an enum's values in, where recorded (DynamoDB's, in
# dynalite's recordings and the parity suite's 2026 captures; Java set order, not the model's);
# any other enum is listed sorted
_DYNAMODB_ENUMS = (
    ("INDEXES", "TOTAL", "NONE"),
    ("SIZE", "NONE"),
    ("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"),
    ("OR", "AND"),
    ("PROVISIONED", "PAY_PER_REQUEST"),
    ("B", "N", "S"),
    ("HASH", "RANGE"),
    ("ALL", "INCLUDE", "KEYS_ONLY"),
    ("SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"),
    (
        "IN",
        "NULL",
        "BETWEEN",
        "LT",
        "NOT_CONTAINS",
        "EQ",
        "GT",
        "NOT_NULL",
        "NE",
        "LE",
        "BEGINS_WITH",
        "GE",
        "CONTAINS",
    ),
)
ENUM_ORDERS: dict[str, dict[frozenset[str], tuple[str, ...]]] = {
    "dynamodb": {frozenset(values): values for values in _DYNAMODB_ENUMS},
}
# services whose front end lists a request's problems in its members' hash order (java_member_order)
HASH_ORDERED = frozenset(("dynamodb",))
# members whose own length the service checks itself, in its own words (their contents are still
# checked here): DynamoDB's batch request maps and key lists ("The requestItems parameter is
# required for BatchGetItem", "Value at 'RequestItems.<table>.member.Keys' ...": the spec's [aws] rows)
SERVICE_CHECKED: dict[str, dict[str, frozenset[str]]] = {
    "dynamodb": {
        "BatchGetItemInput": frozenset({"RequestItems"}),
        "BatchWriteItemInput": frozenset({"RequestItems"}),
        "KeysAndAttributes": frozenset({"Keys"}),
    },
}
# members whose absence the service reports itself, before any constraint is checked, keyed by
# service and input shape: DynamoDB's table operations answer a request without TableName with
# this text alone, whatever else is missing (AWS; the spec's CreateTable row, dynalite's recordings)
PRESENCE_FIRST: dict[str, dict[str, str]] = {
    "dynamodb": {
        "CreateTableInput": "TableName",
        "DeleteTableInput": "TableName",
        "DescribeTableInput": "TableName",
        "UpdateTableInput": "TableName",
    },
}

Check = Callable[[Any, str, list[str]], None]


def _lower(name: str) -> str:
    return name[:1].lower() + name[1:]


def render(value: Any) -> str:
    """A value the way Coral prints it (Java toString of the deserialized value)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    return str(value)


def _item(value: Any, path: str, rule: str) -> str:
    shown = "null" if value is None else f"'{render(value)}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {rule}"


def _number(shape: Shape, bound: Any) -> str:
    if shape.type_name in ("float", "double"):
        return str(float(bound))
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _compile_pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        # Java's \w, \d, \s are ASCII unless asked otherwise
        return re.compile(pattern, re.ASCII | re.DOTALL)
    except re.error:
        return None  # Java-only syntax (\p{...}, possessive quantifiers): not checkable here


def _java_hash(text: str) -> int:
    """Java's String.hashCode (over UTF-16 code units), as an unsigned 32-bit value."""
    data = text.encode("utf-16-be")
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h


def java_member_order(names: list[str]) -> list[str]:
    """Members in the order a Java HashMap of their lowerCamel names iterates them: by bucket
    (String.hashCode, spread by h ^ h >>> 16, over a table sized for the member count at load
    factor 0.75), then in model order. Coral validates a DynamoDB request's members in this order:
    it fits every multi-problem answer captured from AWS (UpdateItem, TransactWriteItems,
    CreateTable's indexes, ProvisionedThroughput)."""
    capacity = 16
    while len(names) > capacity * 3 // 4:
        capacity *= 2

    def bucket(name: str) -> int:
        h = _java_hash(_lower(name))
        return (h ^ (h >> 16)) & (capacity - 1)

    return sorted(names, key=bucket)  # a stable sort: model order within a bucket


def enum_listing(values: list[str], orders: Mapping[frozenset[str], tuple[str, ...]] | None = None) -> str:
    """An enum's values as the service lists them in 'Member must satisfy enum value set: [...]'."""
    listed = (orders or {}).get(frozenset(values)) or sorted(values)
    return "[" + ", ".join(listed) + "]"


def constraint_texts(
    shape: Shape, enums: bool = True, orders: Mapping[frozenset[str], tuple[str, ...]] | None = None
) -> list[str]:
    """Every constraint of a shape as Coral lists them inside "Map value must satisfy constraint: [...]"."""
    meta = shape.metadata
    sized = shape.type_name in ("string", "blob", "list", "map")
    word = "length" if sized else "value"
    out = []
    if "max" in meta:
        out.append(f"Member must have {word} less than or equal to {_number(shape, meta['max'])}")
    if "min" in meta:
        out.append(f"Member must have {word} greater than or equal to {_number(shape, meta['min'])}")
    if shape.type_name == "string" and "pattern" in meta:
        out.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    if shape.type_name == "string" and enums and shape.enum:
        out.append("Member must satisfy enum value set: " + enum_listing(shape.enum, orders))
    return out


def scalar_rules(
    shape: Shape, enums: bool = True, orders: Mapping[frozenset[str], tuple[str, ...]] | None = None
) -> Callable[[Any], list[str]] | None:
    """The failing constraint texts of a scalar value, or None when the shape has no constraints."""
    meta = shape.metadata
    kind = shape.type_name
    lo, hi = meta.get("min"), meta.get("max")
    enum = shape.enum if kind == "string" and enums else []
    pattern = _compile_pattern(meta["pattern"]) if kind == "string" and "pattern" in meta else None
    sized = kind in ("string", "blob", "list", "map")
    if lo is None and hi is None and not enum and pattern is None:
        return None
    enum_set = frozenset(enum)
    enum_text = "Member must satisfy enum value set: " + enum_listing(enum, orders)
    pattern_text = f"Member must satisfy regular expression pattern: {meta.get('pattern')}"
    word = "length" if sized else "value"
    hi_text = f"Member must have {word} less than or equal to {_number(shape, hi)}" if hi is not None else ""
    lo_text = (
        f"Member must have {word} greater than or equal to {_number(shape, lo)}" if lo is not None else ""
    )

    def rules(v: Any) -> list[str]:
        out: list[str] = []
        try:
            measure = len(v) if sized else v
            if hi is not None and measure > hi:
                out.append(hi_text)
            if lo is not None and measure < lo:
                out.append(lo_text)
        except TypeError:
            return out
        if pattern is not None and isinstance(v, str) and pattern.fullmatch(v) is None:
            out.append(pattern_text)
        if enum_set and isinstance(v, str) and v not in enum_set:
            out.append(enum_text)
        return out

    return rules


class Validator:
    """Constraint checks for one service's shapes; `check` raises the service's validation error."""

    def __init__(self, model: ServiceModel) -> None:
        name = model.service_name
        self.enabled = VALIDATION_CODES.get(name, DEFAULT_CODE) is not None
        self.code = VALIDATION_CODES.get(name) or DEFAULT_CODE
        self.enums = name not in ENUMS_UNCHECKED
        self._presence_first = PRESENCE_FIRST.get(name, {})
        self.orders = ENUM_ORDERS.get(name, {})
        self._service_checked = SERVICE_CHECKED.get(name, {})
        self.hash_order = name in HASH_ORDERED
        self._checks: dict[tuple[str, str], Check | None] = {}
        self._compiling: set[tuple[str, str]] = set()
        # struct checks that, for a value setting one member (a union such as AttributeValue), only
        # look that member up: their members with checks, so a map of them skips the call for a
        # value whose member has none (most of an item's attributes)
        self._one_member: dict[Check, dict[str, tuple[str, Check]]] = {}

    def check(self, shape: Shape | None, params: dict[str, Any]) -> None:
        if shape is None or not self.enabled:
            return
        first = self._presence_first.get(shape.name)
        if first is not None and params.get(first) is None:
            raise AwsError(
                self.code, f"The parameter '{first}' is required but was not present in the request", 400
            )
        check = self.compile(shape)
        if check is None:
            return
        errors: list[str] = []
        check(params, "", errors)
        if errors:
            listed = errors[:MAX_LISTED]
            n = len(listed)
            head = f"{n} validation error{'s' if n > 1 else ''} detected: "
            raise AwsError(self.code, head + "; ".join(listed), 400)

    def compile(self, shape: Shape) -> Check | None:
        key = shape_key(shape)
        if key in self._checks:
            return self._checks[key]
        if key in self._compiling:
            return self._recursive(key)
        self._compiling.add(key)
        kind = shape.type_name
        check: Check | None
        if kind == "structure":
            check = self._struct(shape)
        elif kind == "list":
            check = self._list(shape)
        elif kind == "map":
            check = self._map(shape)
        else:
            rules = self._rules(shape)
            check = None if rules is None else _scalar(rules)
        self._checks[key] = check
        self._compiling.discard(key)
        return check

    def _rules(self, shape: Shape) -> Callable[[Any], list[str]] | None:
        return scalar_rules(shape, self.enums, self.orders)

    def _listed(self, shape: Shape) -> str:
        """Every constraint of `shape`, as a map's key or value error lists them."""
        return "[" + ", ".join(constraint_texts(shape, self.enums, self.orders)) + "]"

    def _recursive(self, key: tuple[str, str]) -> Check:
        """A shape reached again while it is being compiled (AttributeValue inside its own M/L):
        look its check up when called, once compilation has finished."""
        checks = self._checks

        def check(v: Any, path: str, errors: list[str]) -> None:
            found = checks.get(key)
            if found is not None:
                found(v, path, errors)

        return check

    def _struct(self, shape: Shape) -> Check | None:
        required = [n for n in shape.required_members if n in shape.members]
        theirs = self._service_checked.get(shape.name, frozenset())
        members = [
            (n, _lower(n), c)
            for n, m in shape.members.items()
            if (c := self._contents(m) if n in theirs else self.compile(m)) is not None
        ]
        if not required and not members:
            return None

        by_name = {name: (lname, c) for name, lname, c in members}
        if self.hash_order:
            # every problem in the order of the members' Java HashMap (see java_member_order)
            ordered = java_member_order(list(shape.members))
            walk = [(n, _lower(n), n in required, by_name.get(n, (None, None))[1]) for n in ordered]
            walk = [w for w in walk if w[2] or w[3] is not None]
        else:
            walk = [(n, _lower(n), True, None) for n in required]
            walk += [(n, lname, False, c) for n, lname, c in members]

        def check(v: Any, path: str, errors: list[str]) -> None:
            if not isinstance(v, dict):
                return
            # one member set (an AttributeValue has ten and sets one): look it up; else walk the
            # members in the shape's order, which is the order errors are listed in
            if len(v) == 1 and not required:
                for name, item in v.items():
                    found = by_name.get(name)
                    if found is not None and item is not None:
                        found[1](item, (path + "." if path else "") + found[0], errors)
                return
            prefix = path + "." if path else ""
            for name, lname, needed, c in walk:
                item = v.get(name)
                if item is None:
                    if needed:
                        errors.append(_item(None, prefix + lname, "Member must not be null"))
                elif c is not None:
                    c(item, prefix + lname, errors)

        if not required:
            self._one_member[check] = by_name
        return check

    def _contents(self, shape: Shape) -> Check | None:
        """A list or map's check without its own length rules (SERVICE_CHECKED)."""
        if shape.type_name == "list":
            return self._list(shape, own_rules=False)
        return self._map(shape, own_rules=False) if shape.type_name == "map" else self.compile(shape)

    def _list(self, shape: Shape, own_rules: bool = True) -> Check | None:
        own = self._rules(shape) if own_rules else None
        inner = self.compile(shape.member)
        if own is None and inner is None:
            return None

        def check(v: Any, path: str, errors: list[str]) -> None:
            if own is not None:
                errors.extend(_item(v, path, r) for r in own(v))
            if inner is not None and isinstance(v, list):
                for i, item in enumerate(v, 1):
                    inner(item, f"{path}.{i}.member", errors)

        return check

    def _map(self, shape: Shape, own_rules: bool = True) -> Check | None:
        own = self._rules(shape) if own_rules else None
        key_rules = self._rules(shape.key)
        value_shape = shape.value
        value_rules = self._rules(value_shape) if value_shape.type_name not in ("structure", "map") else None
        value_check = self.compile(value_shape) if value_shape.type_name in ("structure", "map") else None
        value_is_list = value_shape.type_name == "list"
        if value_is_list:
            value_check = self.compile(value_shape.member)
        one_member = (
            self._one_member.get(value_check) if value_check is not None and not value_is_list else None
        )
        if own is None and key_rules is None and value_rules is None and value_check is None:
            return None

        keys_text = "Map keys must satisfy constraint: " + self._listed(shape.key)
        values_text = "Map value must satisfy constraint: " + self._listed(value_shape)

        # string keys whose only constraints are length bounds (AttributeName: at most 65535):
        # checked with two C-level passes instead of the rules per key
        key_meta = shape.key.metadata
        lengths_only = (
            key_rules is not None
            and shape.key.type_name == "string"
            and "pattern" not in key_meta
            and not (self.enums and shape.key.enum)
        )
        key_lo, key_hi = key_meta.get("min", 0), key_meta.get("max", math.inf)

        def check(v: Any, path: str, errors: list[str]) -> None:
            if own is not None:
                errors.extend(_item(v, path, r) for r in own(v))
            if not isinstance(v, dict):
                return
            # one error per map for its keys and one for its values, naming all their constraints
            if lengths_only and v:
                try:
                    bad = min(map(len, v)) < key_lo or max(map(len, v)) > key_hi
                except TypeError:  # a key without a length: each key by the rules
                    bad = key_rules is not None and any(key_rules(k) for k in v)
                if bad:
                    errors.append(_item(v, path, keys_text))
            elif key_rules is not None and any(key_rules(k) for k in v):
                errors.append(_item(v, path, keys_text))
            if value_rules is not None and any(value_rules(x) for x in v.values() if x is not None):
                errors.append(_item(v, path, values_text))
            if value_check is None:
                return
            for k, item in v.items():
                if one_member is not None and type(item) is dict and len(item) == 1:
                    for name, inner in item.items():
                        found = one_member.get(name)
                        if found is not None and inner is not None:
                            found[1](inner, f"{path}.{k}.member.{found[0]}", errors)
                elif value_is_list and isinstance(item, list):
                    for i, x in enumerate(item, 1):
                        value_check(x, f"{path}.{k}.member.{i}.member", errors)
                else:
                    value_check(item, f"{path}.{k}.member", errors)

        return check


def _scalar(rules: Callable[[Any], list[str]]) -> Check:
    def check(v: Any, path: str, errors: list[str]) -> None:
        bad = rules(v)
        if bad:
            errors.extend(_item(v, path, r) for r in bad)

    return check
