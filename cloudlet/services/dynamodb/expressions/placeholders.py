"""Request-level checks on ExpressionAttributeNames/Values, across all of a request's expressions.

`check_placeholder_maps` validates the maps themselves (non-empty, key syntax, well-formed values,
returning normalized values); `check_unused` runs after every expression of the request has been
parsed and reports placeholders none of them used. Neighbours: the API helper calls both;
condition.py / update.py / projection.py / key_condition.py expose names_used/values_used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb.expressions.errors import validation
from cloudlet.services.dynamodb.values import AttributeValue, normalize_value

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")


class UsesPlaceholders(Protocol):
    names_used: frozenset[str]
    values_used: frozenset[str]


def check_placeholder_maps(
    names: dict[str, str] | None, values: dict[str, Any] | None
) -> tuple[dict[str, str] | None, dict[str, AttributeValue] | None]:
    """Validate the maps; returns them with every value normalized (numbers canonical)."""
    if names is not None:
        if not names:
            raise validation("ExpressionAttributeNames must not be empty")
        for key in names:
            if not _NAME_KEY.fullmatch(key):
                raise validation(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
    normalized: dict[str, AttributeValue] | None = None
    if values is not None:
        if not values:
            raise validation("ExpressionAttributeValues must not be empty")
        normalized = {}
        for key, value in values.items():
            if not _VALUE_KEY.fullmatch(key):
                raise validation(
                    f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
                )
            try:
                normalized[key] = normalize_value(value)
            except AwsError as error:
                raise validation(
                    f"ExpressionAttributeValues contains invalid value: {error.message} for key {key}"
                ) from None
    return names, normalized


def check_unused(
    names: dict[str, str] | None, values: dict[str, Any] | None, parsed: Iterable[UsesPlaceholders | None]
) -> None:
    """AWS's error for placeholders that no expression of the request used."""
    used_names: set[str] = set()
    used_values: set[str] = set()
    for expression in parsed:
        if expression is not None:
            used_names |= expression.names_used
            used_values |= expression.values_used
    unused_names = sorted(set(names or ()) - used_names)
    if unused_names:
        raise validation(
            f"Value provided in ExpressionAttributeNames unused in expressions: keys: {{{', '.join(unused_names)}}}"
        )
    unused_values = sorted(set(values or ()) - used_values)
    if unused_values:
        raise validation(
            f"Value provided in ExpressionAttributeValues unused in expressions: keys: {{{', '.join(unused_values)}}}"
        )
