"""A small CBOR (RFC 8949) codec for the Smithy RPC v2 CBOR protocol.

Decoding yields Python values directly typed the way params are: byte strings -> bytes, tag 1
(epoch seconds) -> aware datetime. Malformed input raises ValueFormatError. Neighbours: cbor.py.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

from cloudlet.aws.protocols.values import ValueFormatError

MAX_DEPTH = 100
_BREAK = object()


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data) or n < 0:
            raise ValueFormatError("CBOR data ends early")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def argument(self, info: int) -> int | None:
        if info < 24:
            return info
        if info == 24:
            return self.take(1)[0]
        if info == 25:
            return int.from_bytes(self.take(2), "big")
        if info == 26:
            return int.from_bytes(self.take(4), "big")
        if info == 27:
            return int.from_bytes(self.take(8), "big")
        if info == 31:
            return None  # indefinite length
        raise ValueFormatError(f"reserved CBOR additional information {info}")

    def item(self, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ValueFormatError("CBOR nesting too deep")
        initial = self.take(1)[0]
        major, info = initial >> 5, initial & 0x1F
        if major == 7:
            return self._simple(info)
        arg = self.argument(info)
        if major == 0:
            return self._definite(arg)
        if major == 1:
            return -1 - self._definite(arg)
        if major in (2, 3):
            raw = self._chunks(major, depth) if arg is None else self.take(arg)
            if major == 2:
                return raw
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueFormatError("CBOR text string is not UTF-8") from None
        if major == 4:
            out = []
            if arg is None:
                while (x := self.item(depth + 1)) is not _BREAK:
                    out.append(x)
            else:
                for _ in range(self._bounded(arg)):
                    out.append(self._value(depth))
            return out
        if major == 5:
            result: dict[Any, Any] = {}
            while True:
                if arg is not None:
                    if len(result) >= arg:
                        break
                    key = self._value(depth)
                else:
                    key = self.item(depth + 1)
                    if key is _BREAK:
                        break
                if not isinstance(key, str | int):
                    raise ValueFormatError("CBOR map key is not a string")
                result[key] = self._value(depth)
            return result
        # major 6: a tag; 1 is epoch-seconds time, others are passed through
        value = self._value(depth)
        if arg == 1:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueFormatError("CBOR epoch time is not a number")
            try:
                return datetime.fromtimestamp(value, tz=UTC)
            except (OverflowError, OSError, ValueError):
                raise ValueFormatError("CBOR epoch time out of range") from None
        return value

    def _value(self, depth: int) -> Any:
        x = self.item(depth + 1)
        if x is _BREAK:
            raise ValueFormatError("unexpected CBOR break")
        return x

    def _definite(self, arg: int | None) -> int:
        if arg is None:
            raise ValueFormatError("CBOR integer with indefinite length")
        return arg

    def _bounded(self, n: int) -> int:
        if n > len(self.data) - self.pos:
            raise ValueFormatError("CBOR length exceeds the data")
        return n

    def _chunks(self, major: int, depth: int) -> bytes:
        parts: list[bytes] = []
        while True:
            initial = self.take(1)[0]
            if initial == 0xFF:
                return b"".join(parts)
            if initial >> 5 != major:
                raise ValueFormatError("CBOR indefinite string chunk of the wrong type")
            n = self.argument(initial & 0x1F)
            if n is None:
                raise ValueFormatError("nested indefinite CBOR string")
            parts.append(self.take(n))

    def _simple(self, info: int) -> Any:
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):
            return None
        if info == 25:
            return _half(self.take(2))
        if info == 26:
            return struct.unpack(">f", self.take(4))[0]
        if info == 27:
            return struct.unpack(">d", self.take(8))[0]
        if info == 31:
            return _BREAK
        if info < 20 or info == 24:
            if info == 24:
                self.take(1)
            return None
        raise ValueFormatError(f"unsupported CBOR simple value {info}")


def _half(raw: bytes) -> float:
    return float(struct.unpack(">e", raw)[0])


def decode(data: bytes) -> Any:
    reader = _Reader(data)
    value = reader.item()
    if value is _BREAK:
        raise ValueFormatError("unexpected CBOR break")
    if reader.pos != len(data):
        raise ValueFormatError("trailing bytes after the CBOR item")
    return value


def _head(out: bytearray, major: int, n: int) -> None:
    if n < 24:
        out.append(major << 5 | n)
    elif n < 0x100:
        out += bytes((major << 5 | 24, n))
    elif n < 0x10000:
        out.append(major << 5 | 25)
        out += n.to_bytes(2, "big")
    elif n < 0x100000000:
        out.append(major << 5 | 26)
        out += n.to_bytes(4, "big")
    else:
        out.append(major << 5 | 27)
        out += n.to_bytes(8, "big")


def encode_into(out: bytearray, value: Any) -> None:
    if value is None:
        out.append(0xF6)
    elif value is True:
        out.append(0xF5)
    elif value is False:
        out.append(0xF4)
    elif isinstance(value, int):
        if value >= 0:
            _head(out, 0, value)
        else:
            _head(out, 1, -1 - value)
    elif isinstance(value, float):
        out.append(0xFB)
        out += struct.pack(">d", value)
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        _head(out, 3, len(raw))
        out += raw
    elif isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        _head(out, 2, len(raw))
        out += raw
    elif isinstance(value, datetime):
        dt = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        ts = dt.timestamp()
        out.append(0xC1)
        encode_into(out, int(ts) if ts == int(ts) else round(ts, 3))
    elif isinstance(value, list | tuple):
        _head(out, 4, len(value))
        for item in value:
            encode_into(out, item)
    elif isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if v is not None]
        _head(out, 5, len(items))
        for k, v in items:
            encode_into(out, k)
            encode_into(out, v)
    else:
        raise TypeError(f"{type(value).__name__} cannot be encoded as CBOR")


def encode(value: Any) -> bytes:
    out = bytearray()
    encode_into(out, value)
    return bytes(out)
