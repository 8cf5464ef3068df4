"""AWS-shaped identifiers and request ids."""

from __future__ import annotations

import secrets
import string
import uuid

_UPPER_ALNUM = string.ascii_uppercase + string.digits


def request_id() -> str:
    return str(uuid.uuid4())


def upper_alnum(length: int) -> str:
    """Route 53 style ids (zone ids are 'Z' + 20 or so of these)."""
    return "".join(secrets.choice(_UPPER_ALNUM) for _ in range(length))


def lower_hex(length: int) -> str:
    return secrets.token_hex((length + 1) // 2)[:length]


def lower_alnum(length: int) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
