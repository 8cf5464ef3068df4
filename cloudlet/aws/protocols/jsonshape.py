"""JSON documents <-> params, compiled once per shape (json 1.0/1.1 bodies and rest-json bodies).

A reader turns a json.loads() value into params (type-checked, blobs to bytes, timestamps to
datetime, unknown keys and nulls dropped); a writer prepares a result for json.dumps, walking only the
parts of the shape that need it (a non-default timestampFormat, NaN/Infinity floats); bytes and
datetimes elsewhere are handled by `default_hook` without a Python-level walk. Neighbours: json.py,
restjson.py; values.py for the scalar encodings.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from botocore.model import Shape

from cloudlet.aws.models import shape_key
from cloudlet.aws.protocols import values
from cloudlet.aws.protocols.values import ValueFormatError
from cloudlet.services.base import RawJson

Reader = Callable[[Any], Any]
Writer = Callable[[Any], Any]

# orjson parses and writes the common document ~4-15x faster than the json module; what it refuses
# and the json module accepts (lone surrogate escapes, integers beyond 64 bits, NaN literals) goes
# to the json module, so what is accepted and how it reads stay exactly the json module's.
# datetimes and dataclasses go to default_hook, as with the json module (orjson has its own forms)
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


# orjson reads an integer beyond 64 bits as a float: a body with a run of 19+ digits anywhere
# (usually a DynamoDB number inside a string, harmless) is read by the json module instead. The
# regex costs more than orjson's parse, so it runs only on bodies with 19 digits in all.
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_DIGITS = b"0123456789"


def loads(body: bytes) -> Any:
    """json.loads, fast for the common document. Raises ValueError/RecursionError as it does."""
    if len(body) - len(body.translate(None, _DIGITS)) < 19 or _LONG_DIGITS.search(body) is None:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return json.loads(body)


def dumps(doc: Any) -> bytes:
    """Compact JSON bytes of a document, blobs and datetimes through `default_hook`."""
    try:
        return orjson.dumps(doc, default=_orjson_hook, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError too: lone surrogates, integers beyond 64 bits
        return json.dumps(doc, default=default_hook, separators=(",", ":")).encode()


def _orjson_hook(value: Any) -> Any:
    if type(value) is RawJson:
        return orjson.Fragment(value.data)
    return default_hook(value)


# Coral's texts for a JSON value of the wrong kind (Jackson's token names; AWS, recorded by dynalite's
# type tests): a scalar reads as "<TOKEN> cannot be converted to <Type>", an object where no object
# belongs as "Start of structure or map found where not expected", an array where none belongs as
# "Unrecognized collection type <Java type>"; a scalar where a structure, list or map belongs reads
# as FIELD_TYPE, or, for a list member or map value, as VALUE_TYPE (structures) or CAST (lists and maps)
START_OF_OBJECT = "Start of structure or map found where not expected"
FIELD_TYPE = "Unexpected field type"
VALUE_TYPE = "Unexpected value type in payload"
CAST = (
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class "
    "java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class "
    "are in module java.base of loader 'bootstrap')"
)
_JAVA_SCALARS = {
    "string": "java.lang.String",
    "character": "java.lang.String",
    "boolean": "java.lang.Boolean",
    "integer": "java.lang.Integer",
    "short": "java.lang.Short",
    "byte": "java.lang.Byte",
    "long": "java.lang.Long",
    "bigInteger": "java.math.BigInteger",
    "float": "java.lang.Float",
    "double": "java.lang.Double",
    "bigDecimal": "java.math.BigDecimal",
    "blob": "java.nio.ByteBuffer",
    "timestamp": "java.util.Date",
}


class _Misplaced(ValueFormatError):
    """A scalar where a structure, list or map belongs. The reader of the enclosing structure,
    list or map words it (FIELD_TYPE, VALUE_TYPE or CAST), so it never passes more than one level."""


def _type_error(expected: str, value: Any) -> ValueFormatError:
    """Coral's text for a JSON value where a scalar of Java type java.lang.`expected` belongs."""
    kind = type(value)
    if kind is dict:
        return ValueFormatError(START_OF_OBJECT)
    if kind is list:
        java = "java.util.Date" if expected == "Date" else f"java.lang.{expected}"
        return ValueFormatError(f"Unrecognized collection type class {java}")
    if kind is bool:
        found = "TRUE_VALUE" if value else "FALSE_VALUE"
    elif kind is float:
        found = "DECIMAL_VALUE"  # a number with a fraction or an exponent, as Jackson reads it
    elif kind is int:
        found = "NUMBER_VALUE"
    elif kind is str:
        found = "STRING_VALUE"
    else:
        found = "VALUE"
    return ValueFormatError(f"{found} cannot be converted to {expected}")


def _blob_error(value: Any) -> ValueFormatError:
    if type(value) is dict:
        return ValueFormatError(START_OF_OBJECT)
    if type(value) is list:
        return ValueFormatError("Unrecognized collection type class java.nio.ByteBuffer")
    return ValueFormatError("only base-64-encoded strings are convertible to bytes")


def _read_string(v: Any) -> Any:
    if type(v) is not str:
        raise _type_error("String", v)
    return v


def _read_bool(v: Any) -> Any:
    if type(v) is not bool:
        raise _type_error("Boolean", v)
    return v


# Coral (DynamoDB) reads these strings as booleans, case aside; any other string is a parse error
# (AWS, recorded by dynalite's type tests)
_BOOLEAN_WORDS = {"TRUE": True, "1": True, "YES": True, "FALSE": False, "0": False, "NO": False}


def _read_coral_bool(v: Any) -> Any:
    if type(v) is bool:
        return v
    if type(v) is str:
        found = _BOOLEAN_WORDS.get(v.upper())
        if found is None:
            raise ValueFormatError("Unexpected token received from parser")
        return found
    raise _type_error("Boolean", v)


def _int_reader(expected: str) -> Reader:
    def read(v: Any) -> Any:
        if type(v) is int:
            return v
        if type(v) is float and v.is_integer():
            return int(v)
        raise _type_error(expected, v)

    return read


_read_int = _int_reader("Integer")
_read_long = _int_reader("Long")


_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _read_float(v: Any) -> Any:
    if type(v) is float or type(v) is int:
        return v
    if type(v) is str and v in _SPECIAL:
        return _SPECIAL[v]
    raise _type_error("Double", v)


def _read_blob(v: Any) -> Any:
    if type(v) is not str:
        raise _blob_error(v)
    return values.b64decode(v)


def _read_timestamp(v: Any) -> Any:
    if type(v) is bool or not isinstance(v, int | float | str):
        raise _type_error("Date", v)
    return values.parse_timestamp(v)


def _read_native_blob(v: Any) -> Any:
    if type(v) is not bytes:
        raise _blob_error(v)
    return v


def _read_native_timestamp(v: Any) -> Any:
    if isinstance(v, datetime):
        return v
    return _read_timestamp(v)


def _read_any(v: Any) -> Any:
    return v


_SCALAR_READERS: dict[str, Reader] = {
    "string": _read_string,
    "character": _read_string,
    "boolean": _read_bool,
    "integer": _read_int,
    "long": _read_long,
    "short": _read_int,
    "byte": _read_int,
    "bigInteger": _read_long,
    "float": _read_float,
    "double": _read_float,
    "bigDecimal": _read_float,
    "blob": _read_blob,
    "timestamp": _read_timestamp,
}


class JsonCodec:
    """Compiled readers and writers for the shapes of one service, keyed by shape identity."""

    def __init__(
        self, default_timestamp: str = values.UNIX, native: bool = False, java_package: str = ""
    ) -> None:
        """`native`: the decoded document already holds bytes and datetimes (CBOR), not base64
        strings and epoch numbers (JSON). `java_package`: where the service's Coral classes live
        (com.amazonaws.dynamodb.v20120810), named by the texts of errors about structures."""
        self.default_timestamp = default_timestamp
        self.java_package = java_package
        self._scalars = dict(_SCALAR_READERS)
        if java_package:
            self._scalars["boolean"] = _read_coral_bool
        if native:
            self._scalars["blob"] = _read_native_blob
            self._scalars["timestamp"] = _read_native_timestamp
        self._readers: dict[tuple[str, str], Reader] = {}
        self._writers: dict[tuple[str, str], Writer | None] = {}

    # -- reading -------------------------------------------------------------------------------
    def reader(self, shape: Shape) -> Reader:
        key = shape_key(shape)
        found = self._readers.get(key)
        if found is not None:
            return found
        kind = shape.type_name
        if shape.metadata.get("document"):
            reader: Reader = _read_any
        elif kind == "structure":
            reader = self._struct_reader(shape)
        elif kind == "list":
            reader = self._list_reader(shape)
        elif kind == "map":
            reader = self._map_reader(shape)
        else:
            reader = self._scalars.get(kind, _read_any)
        self._readers[key] = reader
        return reader

    def _struct_reader(self, shape: Shape) -> Reader:
        # wire key -> (member name, reader); strings are checked inline (most members are strings)
        members: dict[str, tuple[str, Reader | None]] = {}

        java = self.java_type(shape)

        def read(v: Any) -> Any:
            if type(v) is not dict:
                if type(v) is list:
                    raise ValueFormatError(f"Unrecognized collection type class {java}")
                raise _Misplaced(FIELD_TYPE)
            out = {}
            try:
                for k, item in v.items():
                    found = members.get(k)
                    if found is None or item is None:
                        continue
                    name, r = found
                    if r is None:
                        if type(item) is not str:
                            raise _type_error("String", item)
                        out[name] = item
                    else:
                        out[name] = r(item)
            except _Misplaced:  # raised by a member's own reader: a scalar member
                raise ValueFormatError(FIELD_TYPE) from None
            return out

        self._readers[shape_key(shape)] = read  # before members: shapes may be recursive
        for name, member in shape.members.items():
            r = self.reader(member)
            members[member.serialization.get("name", name)] = (name, None if r is _read_string else r)
        return read

    def _list_reader(self, shape: Shape) -> Reader:
        cell: list[Reader] = []
        misplaced = _misplaced_element(shape.member)

        def read(v: Any) -> Any:
            if type(v) is not list:
                raise ValueFormatError(START_OF_OBJECT) if type(v) is dict else _Misplaced(FIELD_TYPE)
            r = cell[0]
            try:
                return [r(x) for x in v if x is not None]
            except _Misplaced:  # raised by a member's own reader: a scalar member
                raise ValueFormatError(misplaced) from None

        self._readers[shape_key(shape)] = read
        cell.append(self.reader(shape.member))
        return read

    def _map_reader(self, shape: Shape) -> Reader:
        cell: list[Reader] = []
        misplaced = _misplaced_element(shape.value)
        java = self.java_type(shape)

        def read(v: Any) -> Any:
            if type(v) is not dict:
                if type(v) is list:
                    raise ValueFormatError(f"Unrecognized collection type {java}")
                raise _Misplaced(FIELD_TYPE)
            r = cell[0]
            try:
                return {k: r(x) for k, x in v.items() if x is not None}
            except _Misplaced:  # raised by a value's own reader: a scalar value
                raise ValueFormatError(misplaced) from None

        self._readers[shape_key(shape)] = read
        cell.append(self.reader(shape.value))
        return read

    def java_type(self, shape: Shape) -> str:
        """The Java type Coral reads `shape` into, as its error texts name it."""
        kind = shape.type_name
        if kind == "structure":
            return f"{self.java_package}.{shape.name}" if self.java_package else shape.name
        if kind == "list":
            return f"java.util.List<{self.java_type(shape.member)}>"
        if kind == "map":
            return f"java.util.Map<java.lang.String, {self.java_type(shape.value)}>"
        return _JAVA_SCALARS.get(kind, "java.lang.Object")

    # -- writing -------------------------------------------------------------------------------
    def writer(self, shape: Shape) -> Writer | None:
        """A function preparing a value of `shape` for json.dumps, or None when none is needed."""
        key = shape_key(shape)
        if key in self._writers:
            return self._writers[key]
        self._writers[key] = None  # provisional, for recursive shapes
        kind = shape.type_name
        writer: Writer | None = None
        if shape.metadata.get("document"):
            writer = None
        elif kind == "structure":
            writer = self._struct_writer(shape)
        elif kind == "list":
            inner = self.writer(shape.member)
            if inner is not None:
                writer = _list_writer(inner)
        elif kind == "map":
            inner = self.writer(shape.value)
            if inner is not None:
                writer = _map_writer(inner)
        elif kind == "timestamp":
            fmt = values.timestamp_format(shape, self.default_timestamp)
            if fmt != values.UNIX:
                writer = _timestamp_writer(fmt)
        elif kind in ("float", "double"):
            writer = _write_float
        self._writers[key] = writer
        return writer

    def _struct_writer(self, shape: Shape) -> Writer | None:
        renames = {n: m.serialization["name"] for n, m in shape.members.items() if "name" in m.serialization}
        needy = {n: w for n, m in shape.members.items() if (w := self.writer(m)) is not None}
        if not needy and not renames:
            return None

        def write(v: Any) -> Any:
            out = {}
            for k, item in v.items():
                if item is None:
                    continue
                w = needy.get(k)
                out[renames.get(k, k)] = w(item) if w is not None else item
            return out

        return write


def _misplaced_element(shape: Shape) -> str:
    """What Coral says of a scalar as a list member or map value of this shape (a structure,
    list or map: only their readers raise _Misplaced)."""
    return VALUE_TYPE if shape.type_name == "structure" else CAST


def _list_writer(inner: Writer) -> Writer:
    return lambda v: [inner(x) for x in v]


def _map_writer(inner: Writer) -> Writer:
    return lambda v: {k: inner(x) for k, x in v.items()}


def _timestamp_writer(fmt: str) -> Writer:
    return lambda v: values.format_timestamp(v, fmt)


def _write_float(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def default_hook(value: Any) -> Any:
    """json.dumps default=: blobs and timestamps in their default JSON encodings."""
    if type(value) is RawJson:
        return json.loads(value.data)
    if isinstance(value, bytes | bytearray | memoryview):
        return values.b64encode(bytes(value))
    if isinstance(value, datetime):
        return values.format_timestamp(value, values.UNIX)
    if hasattr(value, "read"):
        return values.b64encode(values.as_bytes(value))
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
