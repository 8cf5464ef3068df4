"""AWS-shaped identifiers and request ids."""

from __future__ import annotations

import itertools
import os
import secrets
import string

_UPPER_ALNUM = string.ascii_uppercase + string.digits


_V4 = (0x4 << 76) | (0x2 << 62)  # the version (4) and variant (10) bits of a random UUID
_V4_MASK = ~((0xF << 76) | (0x3 << 62))


class _RequestIds:
    """UUID4-shaped request ids: 80 random bits per process (new ones after a fork) and a 48-bit
    counter. Not secrets, only unique: one int format per request instead of 128 random bits and
    five slices (the AWS endpoint makes one per request)."""

    def __init__(self) -> None:
        self._reseed()
        os.register_at_fork(after_in_child=self._reseed)

    def _reseed(self) -> None:
        h = f"{(secrets.randbits(128) & _V4_MASK) | _V4:032x}"
        self._prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-"
        self._next = itertools.count(secrets.randbits(32)).__next__

    def __call__(self) -> str:
        return f"{self._prefix}{self._next() & 0xFFFFFFFFFFFF:012x}"


# request_id() -> a UUID4-shaped id, unique within this process's lifetime and across processes
request_id = _RequestIds()


def upper_alnum(length: int) -> str:
    """Route 53 style ids (zone ids are 'Z' + 20 or so of these)."""
    return "".join(secrets.choice(_UPPER_ALNUM) for _ in range(length))


def lower_hex(length: int) -> str:
    return secrets.token_hex((length + 1) // 2)[:length]


def lower_alnum(length: int) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
