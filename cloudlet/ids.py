"""AWS-shaped identifiers and request ids."""

from __future__ import annotations

import os
import random
import secrets
import string

_UPPER_ALNUM = string.ascii_uppercase + string.digits


_request_rng = random.Random(secrets.randbits(128))
_request_bits = _request_rng.getrandbits
# a forked worker must not repeat its parent's ids
os.register_at_fork(after_in_child=lambda: _request_rng.seed(secrets.randbits(128)))
_V4 = (0x4 << 76) | (0x2 << 62)  # the version (4) and variant (10) bits of a random UUID
_V4_MASK = ~((0xF << 76) | (0x3 << 62))


def request_id() -> str:
    """A UUID4-shaped request id. Not a secret, so a seeded PRNG rather than os.urandom (uuid4
    costs a system call per request on the AWS endpoint's hot path)."""
    h = f"{(_request_bits(128) & _V4_MASK) | _V4:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def upper_alnum(length: int) -> str:
    """Route 53 style ids (zone ids are 'Z' + 20 or so of these)."""
    return "".join(secrets.choice(_UPPER_ALNUM) for _ in range(length))


def lower_hex(length: int) -> str:
    return secrets.token_hex((length + 1) // 2)[:length]


def lower_alnum(length: int) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
