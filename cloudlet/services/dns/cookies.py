"""DNS cookies (RFC 7873): the server cookie we return to a client that sent a COOKIE option.

The server cookie has the interoperable layout of RFC 9018: version 1, three reserved bytes, a
32-bit timestamp and an 8-byte SipHash-2-4 over the client cookie, those fields and the client's
address, keyed by a server secret. We never reject a query for its cookie (no BADCOOKIE): a
client that sends none, a stale one or a forged one is answered as usual, with a fresh cookie.
So the secret needs no sharing between DNS worker processes; each draws its own.
Neighbours: wire.py (parses the option, renders it into the response).
"""

from __future__ import annotations

import ipaddress
import secrets
import struct
import time

_SECRET = secrets.token_bytes(16)
_MASK = 0xFFFFFFFFFFFFFFFF
VERSION = 1


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & _MASK


def siphash24(key: bytes, data: bytes) -> int:
    """SipHash-2-4 (Aumasson and Bernstein) of `data` under a 16-byte key, as a 64-bit integer."""
    k0, k1 = struct.unpack("<QQ", key)
    v0, v1, v2, v3 = (
        k0 ^ 0x736F6D6570736575,
        k1 ^ 0x646F72616E646F6D,
        k0 ^ 0x6C7967656E657261,
        k1 ^ 0x7465646279746573,
    )

    def rounds(n: int) -> None:
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & _MASK
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _MASK
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _MASK
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _MASK
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)

    tail = len(data) % 8
    for (m,) in struct.iter_unpack("<Q", data[: len(data) - tail]):
        v3 ^= m
        rounds(2)
        v0 ^= m
    last = ((len(data) & 0xFF) << 56) | int.from_bytes(data[len(data) - tail :], "little")
    v3 ^= last
    rounds(2)
    v0 ^= last
    v2 ^= 0xFF
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3


def server_cookie(client_cookie: bytes, address: str | None, now: float | None = None) -> bytes:
    """The 16-byte server cookie for a client cookie from `address` (RFC 9018 §4)."""
    head = struct.pack("!B3xI", VERSION, int(time.time() if now is None else now) & 0xFFFFFFFF)
    ip = ipaddress.ip_address(address).packed if address else b""
    return head + struct.pack("<Q", siphash24(_SECRET, client_cookie + head + ip))
