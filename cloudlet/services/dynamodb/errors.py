"""DynamoDB's error texts, built in one place so every operation words them exactly as AWS does.

Everything here returns an AwsError (the gateway serializes it); callers `raise` the result.
Texts come from ../shared/spec/dynamodb.md (sections 1, 2, 5, 6).
"""

from __future__ import annotations

import re
from typing import Any

from cloudlet.aws.errors import AwsError

OPV = "One or more parameter values were invalid: "
_NAME_RE = re.compile(r"[a-zA-Z0-9_.-]+\Z")


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def opv(message: str) -> AwsError:
    return AwsError("ValidationException", OPV + message)


class KeyMismatch(AwsError):
    """A key that does not fit the table's key schema. A transaction reports it as its action's
    ValidationError cancellation reason; other invalid input fails the whole request (AWS)."""


def key_mismatch(message: str) -> AwsError:
    return KeyMismatch("ValidationException", message)


def constraint(value: Any, path: str, rule: str) -> str:
    """One item of a constraint list (`Value 'x' at 'path' failed to satisfy constraint: ...`)."""
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {rule}"


def constraints(items: list[str]) -> AwsError:
    items = items[:10]
    n = len(items)
    head = f"{n} validation error{'s' if n > 1 else ''} detected: "
    return AwsError("ValidationException", head + "; ".join(items))


def table_name_problems(
    name: Any, path: str = "tableName", min_len: int = 3, max_len: int = 255
) -> list[str]:
    if name is None:
        return [constraint(None, path, "Member must not be null")]
    out = []
    if len(name) < min_len:
        out.append(constraint(name, path, f"Member must have length greater than or equal to {min_len}"))
    if len(name) > max_len:
        out.append(constraint(name, path, f"Member must have length less than or equal to {max_len}"))
    if name and not _NAME_RE.match(name):
        out.append(constraint(name, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"))
    return out


def check_data_table_name(name: Any, path: str = "tableName") -> None:
    """Item operations accept 1..255 characters, or a table ARN up to 1024 (resolved by the caller).
    `path`: where the name sits (a transaction's 'transactItems.2.member.put.tableName')."""
    if type(name) is str and 0 < len(name) <= 255 and _NAME_RE.match(name):
        return  # the common case, checked once per request ("arn:" never matches: no ':' allowed)
    if isinstance(name, str) and name.startswith("arn:"):
        if len(name) > 1024:
            raise constraints([constraint(name, path, "Member must have length less than or equal to 1024")])
        return
    problems = table_name_problems(name, path, min_len=1)
    if problems:
        raise constraints(problems)


BATCH_NAME_RULES = (
    "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have "
    "length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"
)


def check_batch_table_name(name: Any, shown: str) -> None:
    """A batch's table name (a key of RequestItems): a bad one is a constraint on the whole map,
    shown as `shown` (AWS, per the parity suite's captures); short names are looked up as usual."""
    if type(name) is str and 0 < len(name) <= 255 and _NAME_RE.match(name) or str(name).startswith("arn:"):
        return
    raise constraints([constraint(shown, "requestItems", BATCH_NAME_RULES)])


def check_enum(value: Any, path: str, allowed: list[str]) -> None:
    if value is not None and value not in allowed:
        raise constraints(
            [constraint(value, path, f"Member must satisfy enum value set: [{', '.join(allowed)}]")]
        )


def not_found() -> AwsError:
    return AwsError("ResourceNotFoundException", "Requested resource not found")


def table_not_found(name: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")


def arn_not_found(arn: str) -> AwsError:
    # "ResourcArn" is AWS's own spelling
    return AwsError("ResourceNotFoundException", f"Requested resource not found: ResourcArn: {arn} not found")


def in_use(message: str) -> AwsError:
    return AwsError("ResourceInUseException", message)


def conditional_failed(old_item: dict[str, Any] | None = None) -> AwsError:
    fields: dict[str, object] = {}
    if old_item:
        fields["Item"] = old_item
    return AwsError("ConditionalCheckFailedException", "The conditional request failed", fields=fields)


KEY_MISMATCH = "The provided key element does not match the schema"
