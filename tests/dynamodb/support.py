"""Helpers shared by the DynamoDB tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    """(code, message) of the ClientError a call raises."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    err = info.value.response["Error"]
    return err["Code"], err.get("Message", "")


def index(
    name: str, hash_key: str, range_key: str | None = None, projection: str = "KEYS_ONLY", *include: str
) -> dict[str, Any]:
    """A GlobalSecondaryIndexes/LocalSecondaryIndexes entry (`include`: NonKeyAttributes)."""
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key is not None:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    spec: dict[str, Any] = {"ProjectionType": projection}
    if include:
        spec["NonKeyAttributes"] = list(include)
    return {"IndexName": name, "KeySchema": schema, "Projection": spec}
