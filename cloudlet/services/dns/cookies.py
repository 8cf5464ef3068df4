"""DNS cookies (RFC 7873): the server cookie we return to a client that sent a COOKIE option.

The server cookie has the interoperable layout of RFC 9018: version 1, three reserved bytes, a
32-bit timestamp and an 8-byte SipHash-2-4 over the client cookie, those fields and the client's
address, keyed by a server secret. We never reject a query for its cookie (no BADCOOKIE): a
client that sends none, a stale one or a forged one is answered as usual, with a fresh cookie.
So the secret needs no sharing between DNS worker processes; each draws its own.

The hot path (engine.py) answers a query with a cookie as the same query without it, from its
caches, then adds the cookie to the response (`split`, `add`): the server cookie is the only
per-client part. Anything irregular goes to the slow path (wire.py), which renders it itself.
Neighbours: wire.py (parses the option, renders it into the response), engine.py.
"""

from __future__ import annotations

import ipaddress
import secrets
import struct
import time

COOKIE = 10  # the EDNS option code
_OPT_TYPE = b"\x00\x29"

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


_made: dict[tuple[bytes, str | None], bytes] = {}  # this second's server cookies
_made_at = 0


def server_cookie_now(client_cookie: bytes, address: str | None) -> bytes:
    """server_cookie for this second, remembered for the second (a resolver repeats its cookie)."""
    global _made_at
    now = int(time.time())
    if now != _made_at:
        _made.clear()
        _made_at = now
    key = (client_cookie, address)
    found = _made.get(key)
    if found is None:
        found = _made[key] = server_cookie(client_cookie, address, now)
    return found


def split(data: bytes, qend: int) -> tuple[bytes, bytes] | None:
    """(the query without its COOKIE option, the client cookie) when `data` is one question (ending
    at `qend`) followed by exactly one OPT record holding a well-formed COOKIE option; else None."""
    if data[6:10] != b"\x00\x00\x00\x00" or data[10:12] != b"\x00\x01":
        return None
    if data[qend : qend + 1] != b"\x00" or data[qend + 1 : qend + 3] != _OPT_TYPE or len(data) < qend + 11:
        return None
    rdlen = int.from_bytes(data[qend + 9 : qend + 11], "big")
    start = qend + 11
    if start + rdlen != len(data):
        return None
    at, found = start, None
    while at < len(data):  # every option must be whole; exactly one COOKIE, well formed
        if at + 4 > len(data):
            return None
        code, length = struct.unpack_from("!HH", data, at)
        end = at + 4 + length
        if end > len(data):
            return None
        if code == COOKIE:
            if found is not None or (length != 8 and not 16 <= length <= 40):
                return None  # two cookies, or a malformed one (the slow path answers FORMERR)
            found = at, end
        at = end
    if found is None:
        return None
    at, end = found
    rest = data[start:at] + data[end:]
    core = data[: qend + 9] + struct.pack("!H", len(rest)) + rest
    return core, data[at + 4 : at + 12]


def add(
    response: bytes, opt_rdlen: int, client_cookie: bytes, address: str | None, limit: int
) -> bytes | None:
    """`response` (to the query without its cookie; its OPT record last, with `opt_rdlen` bytes of
    options) with our COOKIE option added; None when it does not have that shape or would grow
    past `limit` bytes."""
    at = len(response) - opt_rdlen - 2  # the OPT record's RDLENGTH
    # the OPT record: root name (1 byte), TYPE (2), CLASS (2), TTL (4), then RDLENGTH at `at`
    if at < 21 or response[at - 8 : at - 6] != _OPT_TYPE or response[at - 9] != 0:
        return None
    if int.from_bytes(response[at : at + 2], "big") != opt_rdlen:
        return None
    option = struct.pack("!HH", COOKIE, 24) + client_cookie + server_cookie_now(client_cookie, address)
    if len(response) + len(option) > limit:
        return None
    return response[:at] + struct.pack("!H", opt_rdlen + len(option)) + response[at + 2 :] + option
