"""DynamoDB attribute values in their wire form: validation, normalization, size, order, equality.

An item is `dict[str, AttributeValue]` and an AttributeValue is a one-key dict exactly as the wire
parser gives it: {"S": str} {"N": str} {"B": bytes} {"BOOL": bool} {"NULL": True} {"L": [...]}
{"M": {...}} {"SS": [...]} {"NS": [...]} {"BS": [...]}. Everything here is pure. Neighbours:
numbers.py (number rules), keys.py (byte encoding of key values), expressions/ (which evaluate
conditions and updates over these values).
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb.numbers import normalize_number, number_size

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

MAX_ITEM_SIZE = 400 * 1024
MAX_NESTING = 32
MAX_NAME_BYTES = 65535
TYPES = ("S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS")
SCALAR_ORDERED = frozenset(("S", "N", "B"))

OPV = "One or more parameter values were invalid: "
NESTING = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"


def _error(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def type_of(av: AttributeValue) -> str:
    """The type tag of a well-formed value ("S", "N", ...)."""
    for key in av:
        return key
    raise _error("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def normalize_value(av: Any, depth: int = 1) -> AttributeValue:
    """A checked, normalized copy of one AttributeValue (numbers in canonical text)."""
    if type(av) is dict and len(av) == 1:
        ((kind, value),) = av.items()
        if value is None:
            raise _error(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
            )
    else:
        if not isinstance(av, dict):
            raise _error(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
            )
        present = [k for k, v in av.items() if v is not None]
        if not present:
            raise _error(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
            )
        if len(present) > 1:
            raise _error(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
            )
        kind = present[0]
        value = av[kind]
    if depth > MAX_NESTING:
        raise _error(NESTING)
    value_type = type(value)
    if value_type is str:
        if kind == "S":
            return {"S": value}
        if kind == "N":
            return {"N": normalize_number(value)}
    if kind == "B" and isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if kind == "BOOL" and isinstance(value, bool):
        return {"BOOL": value}
    if kind == "NULL" and isinstance(value, bool):
        if not value:
            raise _error(OPV + "Null attribute value types must have the value of true")
        return {"NULL": True}
    if kind == "L" and isinstance(value, list):
        return {"L": [normalize_value(v, depth + 1) for v in value]}
    if kind == "M" and isinstance(value, dict):
        return {"M": {_check_name(k): normalize_value(v, depth + 1) for k, v in value.items()}}
    if kind in ("SS", "NS", "BS") and isinstance(value, list):
        return {kind: _normalize_set(kind, value)}
    raise _error("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")


def _normalize_set(kind: str, members: list[Any]) -> list[Any]:
    if not members:
        raise _error(
            OPV
            + {"SS": "An string set  may not be empty", "NS": "An number set  may not be empty"}.get(
                kind, "Binary sets should not be empty"
            )
        )
    if kind == "SS":
        if not all(isinstance(m, str) for m in members):
            raise _error(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
            )
        if len(set(members)) != len(members):
            raise _error(OPV + f"Input collection [{', '.join(members)}] contains duplicates.")
        return list(members)
    if kind == "NS":
        if not all(isinstance(m, str) for m in members):
            raise _error("The parameter cannot be converted to a numeric value")
        normalized = [normalize_number(m) for m in members]
        if len(set(normalized)) != len(normalized):
            raise _error("Input collection contains duplicates")
        return normalized
    if not all(isinstance(m, bytes | bytearray) for m in members):
        raise _error("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
    blobs = [bytes(m) for m in members]
    if len(set(blobs)) != len(blobs):
        raise _error(
            OPV + f"Input collection [{', '.join(_b64(b) for b in blobs)}]of type BS contains duplicates."
        )
    return blobs


def _check_name(name: Any) -> str:
    if type(name) is not str:
        raise _error("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
    # At most 4 UTF-8 bytes per character: only long names need encoding to be measured.
    if len(name) > MAX_NAME_BYTES // 4 and len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise _error(
            "1 validation error detected: Attribute name is too large, must be less than 65536 bytes"
        )
    return name


def normalize_item(item: Any, *, context: str = "item") -> Item:
    """A checked copy of an item with every number in canonical text.

    `context` names what is being checked (item, key, expressionAttributeValues); top-level
    attribute names must be non-empty except inside expression attribute values."""
    return normalize_sized(item, context=context)[0]


def normalize_sized(item: Any, *, context: str = "item") -> tuple[Item, int]:
    """normalize_item(item) and the result's item_size, measured in the same pass (a write
    needs both, and a second walk over the item was a tenth of a PutItem)."""
    if not isinstance(item, dict):
        raise _error("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
    out: Item = {}
    size = 0
    for name, av in item.items():
        if name == "" and context != "expressionAttributeValues":
            raise _error("Empty attribute name")  # the spec's [alt] row; the parity suite's AWS capture
        size += text_size(_check_name(name))
        # the scalars most attributes are, normalized and measured in one step; anything else
        # (and every malformed value) goes the general way
        if type(av) is dict and len(av) == 1:
            ((kind, value),) = av.items()
            if type(value) is str:
                if kind == "S":
                    out[name] = {"S": value}
                    size += text_size(value)
                    continue
                if kind == "N":
                    number = normalize_number(value)
                    out[name] = {"N": number}
                    size += number_size(number)
                    continue
        normalized = out[name] = normalize_value(av)
        size += value_size(normalized)
    return out, size


def validate_item(item: Any, *, context: str = "item") -> None:
    """Raise AWS's ValidationException if `item` is not a well-formed item."""
    normalize_item(item, context=context)


def clone_value(av: AttributeValue) -> AttributeValue:
    """A copy of a value that shares nothing mutable with it (strings/bytes are immutable)."""
    kind, value = next(iter(av.items()))
    if kind == "L":
        return {"L": [clone_value(v) for v in value]}
    if kind == "M":
        return {"M": {k: clone_value(v) for k, v in value.items()}}
    if kind in ("SS", "NS", "BS"):
        return {kind: list(value)}
    return {kind: value}


def value_size(av: AttributeValue) -> int:
    """Bytes of one value in DynamoDB's item-size accounting (CapacityUnitCalculations)."""
    for kind, value in av.items():
        if kind == "S":
            return text_size(value)
        if kind == "N":
            return number_size(value)
        if kind == "B":
            return len(value)
        if kind == "M":
            return 3 + sum(1 + text_size(k) + value_size(v) for k, v in value.items())
        if kind == "L":
            return 3 + sum(1 + value_size(v) for v in value)
        if kind == "SS":
            return sum(text_size(m) for m in value)
        if kind == "NS":
            return sum(number_size(m) for m in value)
        if kind == "BS":
            return sum(len(m) for m in value)
        return 1  # BOOL, NULL
    return 0


def text_size(text: str) -> int:
    """UTF-8 bytes of a string (an attribute name or S value) in DynamoDB's size accounting."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def item_size(item: Item) -> int:
    """Bytes of an item as DynamoDB counts them for the 400 KB limit and capacity units."""
    return sum(text_size(name) + value_size(av) for name, av in item.items())


def compare(a: AttributeValue, b: AttributeValue) -> int | None:
    """-1, 0 or 1 ordering two values of the same ordered type (N, S, B); None otherwise."""
    ka, va = next(iter(a.items()))
    kb, vb = next(iter(b.items()))
    if ka != kb or ka not in SCALAR_ORDERED:
        return None
    if ka == "N":
        da, db = Decimal(va), Decimal(vb)
        return (da > db) - (da < db)
    if ka == "S":
        va, vb = va.encode("utf-8", "surrogatepass"), vb.encode("utf-8", "surrogatepass")
    return (va > vb) - (va < vb)


def values_equal(a: AttributeValue, b: AttributeValue) -> bool:
    """DynamoDB equality: same type and content; numbers by value, sets unordered."""
    ka, va = next(iter(a.items()))
    kb, vb = next(iter(b.items()))
    if ka != kb:
        return False
    if ka == "N":
        return va == vb or Decimal(va) == Decimal(vb)
    if ka == "NS":
        return len(va) == len(vb) and {Decimal(x) for x in va} == {Decimal(x) for x in vb}
    if ka in ("SS", "BS"):
        return len(va) == len(vb) and set(va) == set(vb)
    if ka == "L":
        return len(va) == len(vb) and all(values_equal(x, y) for x, y in zip(va, vb, strict=True))
    if ka == "M":
        return va.keys() == vb.keys() and all(values_equal(v, vb[k]) for k, v in va.items())
    return bool(va == vb)


def set_contains(av: AttributeValue, member: Any) -> bool:
    """Whether set value `av` has `member` (a raw member: str, number text or bytes)."""
    kind, members = next(iter(av.items()))
    if kind == "NS":
        target = Decimal(member)
        return any(Decimal(m) == target for m in members)
    return member in members
