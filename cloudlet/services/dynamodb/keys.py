"""Order-preserving byte encoding of DynamoDB key values, so Query is a range scan in the store.

Byte order of the encoding equals DynamoDB's order of the values: S by UTF-8 bytes, B by bytes
(both unsigned), N by numeric value. Every encoding is self-delimiting (no encoding is a proper
prefix of another), so `partition_prefix(pk) + encode_key_value(sk)` keeps one partition's items
contiguous and sorted by sort key whatever the lengths involved.

- S/B: the bytes with 0x00 escaped as 00 FF, then the terminator 00 01.
- N: one sign byte (01 negative, 02 zero, 03 positive); then for non-zero values the adjusted
  exponent (+130, one byte) and the significant digits (ASCII), then 00; for negatives every byte
  after the sign is complemented, so larger magnitudes sort first.

Neighbours: values.py (the value forms), numbers.py (limits); the API helper's storage uses these
keys inside its own table namespace and decodes them to build LastEvaluatedKey.
"""

from __future__ import annotations

from decimal import Decimal

from cloudlet.services.dynamodb.numbers import MIN_EXPONENT, decompose, format_number
from cloudlet.services.dynamodb.values import AttributeValue

_NEG, _ZERO, _POS = 1, 2, 3
_ESCAPED_ZERO = b"\x00\xff"
_TERMINATOR = b"\x00\x01"
_INVERT = bytes(255 - i for i in range(256))


def _encode_bytes(data: bytes) -> bytes:
    return data.replace(b"\x00", _ESCAPED_ZERO) + _TERMINATOR


def _encode_number(text: str) -> bytes:
    negative, digits, adjusted = decompose(text)
    if not digits:
        return bytes((_ZERO,))
    encoded = bytes((adjusted - MIN_EXPONENT,)) + digits.encode("ascii") + b"\x00"
    if negative:
        return bytes((_NEG,)) + encoded.translate(_INVERT)
    return bytes((_POS,)) + encoded


def encode_key_value(av: AttributeValue) -> bytes:
    """The order-preserving, self-delimiting encoding of an S, N or B value."""
    kind, value = next(iter(av.items()))
    if kind == "S":
        return _encode_bytes(value.encode("utf-8", "surrogatepass"))
    if kind == "B":
        return _encode_bytes(bytes(value))
    if kind == "N":
        return _encode_number(value)
    raise ValueError(f"not a key type: {kind}")


def _decode_bytes(data: bytes, pos: int) -> tuple[bytes, int]:
    out = bytearray()
    while True:
        zero = data.index(b"\x00", pos)
        out += data[pos:zero]
        marker = data[zero + 1]
        pos = zero + 2
        if marker == 0x01:
            return bytes(out), pos
        out.append(0)


def _decode_number(data: bytes, pos: int) -> tuple[str, int]:
    sign = data[pos]
    if sign == _ZERO:
        return "0", pos + 1
    negative = sign == _NEG
    end = data.index(b"\xff" if negative else b"\x00", pos + 2)
    body = data[pos + 1 : end]
    if negative:
        body = body.translate(_INVERT)
    adjusted = body[0] + MIN_EXPONENT
    digits = body[1:].decode("ascii")
    value = Decimal(f"{'-' if negative else ''}{digits[0]}.{digits[1:] or '0'}E{adjusted}")
    return format_number(value), end + 1


def decode_key_value(data: bytes, kind: str, pos: int = 0) -> tuple[AttributeValue, int]:
    """Decode one value of type `kind` starting at `pos`; returns it and the next position."""
    if kind == "N":
        text, pos = _decode_number(data, pos)
        return {"N": text}, pos
    raw, pos = _decode_bytes(data, pos)
    if kind == "S":
        return {"S": raw.decode("utf-8", "surrogatepass")}, pos
    return {"B": raw}, pos


def partition_prefix(pk: AttributeValue) -> bytes:
    """The common prefix of every primary key in pk's partition."""
    return encode_key_value(pk)


def encode_primary_key(pk: AttributeValue, sk: AttributeValue | None) -> bytes:
    """The storage key of an item: partition prefix, then the sort key (if the table has one)."""
    if sk is None:
        return encode_key_value(pk)
    return encode_key_value(pk) + encode_key_value(sk)


def decode_primary_key(
    data: bytes, pk_type: str, sk_type: str | None
) -> tuple[AttributeValue, AttributeValue | None]:
    """The (partition, sort) values of an encoded primary key; sort is None for hash-only tables."""
    pk, pos = decode_key_value(data, pk_type)
    if sk_type is None:
        return pk, None
    sk, _ = decode_key_value(data, sk_type, pos)
    return pk, sk


def _after(prefix: bytes) -> bytes:
    """The smallest start past every key starting with `prefix`, which is never all 0xff bytes
    (every encoding of a number starts with a sign byte below 0xff; of a string or binary, ends
    with the terminator 00 01)."""
    end = prefix_end(prefix)
    assert end is not None
    return end


def prefix_end(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with `prefix` (None: no bound)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes((trimmed[-1] + 1,))


def sort_range(op: str, values: list[AttributeValue], prefix: bytes = b"") -> tuple[bytes, bytes | None]:
    """[start, end) over encoded keys for a sort-key condition; end None = to the end of `prefix`.

    `op` is one of = < <= > >= BETWEEN begins_with. With a partition `prefix` the bounds are
    absolute store keys; without, relative to the sort-key part. Encodings are self-delimiting, so
    the keys whose sort value is v are exactly those starting with prefix + encoding(v): a table's
    key ends there, an index entry goes on with the item's primary key, and the bounds hold both."""
    if op == "begins_with":
        kind, value = next(iter(values[0].items()))
        raw = value.encode("utf-8", "surrogatepass") if kind == "S" else bytes(value)
        start = prefix + raw.replace(b"\x00", _ESCAPED_ZERO)
        return start, prefix_end(start) if raw else prefix_end(prefix)
    first = encode_key_value(values[0])
    end_of_partition = prefix_end(prefix) if prefix else None
    if op == "=":
        return prefix + first, prefix_end(prefix + first)
    if op == "<":
        return prefix, prefix + first
    if op == "<=":
        return prefix, prefix_end(prefix + first)
    if op == ">":
        return _after(prefix + first), end_of_partition
    if op == ">=":
        return prefix + first, end_of_partition
    if op == "BETWEEN":
        return prefix + first, prefix_end(prefix + encode_key_value(values[1]))
    raise ValueError(f"not a sort-key operator: {op}")
