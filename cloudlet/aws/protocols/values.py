"""Scalar encodings shared by every protocol: timestamps (iso8601, rfc822, unixTimestamp) and base64.

Neighbours: the parsers and serializers in this package; nothing here knows a protocol.
"""

from __future__ import annotations

import base64
import binascii
import math
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from botocore.model import Shape

from cloudlet.aws.errors import AwsError

ISO8601 = "iso8601"
RFC822 = "rfc822"
UNIX = "unixTimestamp"


class ValueFormatError(ValueError):
    """A scalar on the wire is not in a format its shape allows; each protocol maps it to its error."""


def parse_timestamp(value: object) -> datetime:
    """Any wire form of a timestamp -> an aware UTC datetime. Servers accept every form clients send."""
    if isinstance(value, bool):
        raise ValueFormatError(f"{value!r} is not a timestamp")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueFormatError(f"{value!r} is not a valid timestamp") from None
    if not isinstance(value, str) or not value:
        raise ValueFormatError(f"{value!r} is not a timestamp")
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(number):
            return parse_timestamp(number)
        raise ValueFormatError(f"{value!r} is not a timestamp")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise ValueFormatError(f"{value!r} is not a timestamp") from None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def as_datetime(value: object) -> datetime:
    """A handler's timestamp (datetime, epoch number or string) as an aware UTC datetime."""
    if isinstance(value, datetime):
        return _utc(value)
    return parse_timestamp(value)


def format_timestamp(value: object, fmt: str) -> str | float | int:
    dt = as_datetime(value)
    if fmt == UNIX:
        ts = dt.timestamp()
        return int(ts) if ts == int(ts) else round(ts, 3)
    if fmt == RFC822:
        return format_datetime(dt.replace(microsecond=0), usegmt=True)
    if dt.microsecond:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def b64decode(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        if len(value) % 4:
            # Coral's text for unpadded input
            raise ValueFormatError(
                f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(value)}"
            ) from None
        raise ValueFormatError("Invalid Base64 encoded value") from None


def b64encode(value: bytes | bytearray | str) -> str:
    if isinstance(value, str):
        value = value.encode()
    return base64.b64encode(bytes(value)).decode("ascii")


def as_bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    if hasattr(value, "read"):
        data = value.read()
        return data.encode() if isinstance(data, str) else bytes(data)
    raise AwsError("InternalFailure", f"blob member is {type(value).__name__}, not bytes", 500, False)


def timestamp_format(shape: object, default: str) -> str:
    fmt = getattr(shape, "serialization", {}).get("timestampFormat")
    return fmt or default


_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def scalar_from_text(shape: Shape, text: str) -> Any:
    """A scalar member read from a URI label, query string value, header or XML text (every
    timestamp format is accepted wherever it appears: servers take what clients send)."""
    kind = shape.type_name
    if kind in ("string", "character"):
        return text
    if kind in ("integer", "long", "short", "byte", "bigInteger"):
        try:
            return int(text.strip())
        except ValueError:
            raise ValueFormatError(f"'{text}' is not a valid integer") from None
    if kind in ("float", "double", "bigDecimal"):
        if text in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[text]
        try:
            return float(text)
        except ValueError:
            raise ValueFormatError(f"'{text}' is not a valid number") from None
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise ValueFormatError(f"'{text}' is not a valid boolean")
    if kind == "timestamp":
        return parse_timestamp(text)
    if kind == "blob":
        return b64decode(text)
    return text


def scalar_to_text(shape: Shape, value: Any, timestamp_default: str) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return str(format_timestamp(value, timestamp_format(shape, timestamp_default)))
    if kind in ("float", "double"):
        if isinstance(value, float) and not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return str(value)
    if kind == "blob":
        return b64encode(as_bytes(value))
    return str(value)
