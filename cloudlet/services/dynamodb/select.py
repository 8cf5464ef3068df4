"""The Select parameter of Query and Scan, with AWS's texts for its combinations.

Pure; query.py calls resolve_select once the index (if any) is known.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.dynamodb.errors import check_enum, opv, validation
from cloudlet.services.dynamodb.model import Index

SELECTS = ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"]
_WHAT = {
    "ALL_ATTRIBUTES": "ALL_ATTRIBUTES",
    "COUNT": "only the Count",
    "ALL_PROJECTED_ATTRIBUTES": "ALL_PROJECTED_ATTRIBUTES",
}


def check_select_enum(params: dict[str, Any]) -> None:
    check_enum(params.get("Select"), "select", SELECTS)


def resolve_select(params: dict[str, Any], ix: Index | None, has_projection: bool, op: str) -> str:
    check_select_enum(params)
    select = params.get("Select")
    which = "AttributesToGet" if params.get("AttributesToGet") is not None else "ProjectionExpression"
    if select is None:
        if has_projection:
            return "SPECIFIC_ATTRIBUTES"
        select = "ALL_PROJECTED_ATTRIBUTES" if ix is not None else "ALL_ATTRIBUTES"
        return select
    if select == "SPECIFIC_ATTRIBUTES" and not has_projection:
        prefix = "1 validation error detected: " if op == "Query" else ""
        raise validation(
            f"{prefix}Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
        )
    if select != "SPECIFIC_ATTRIBUTES" and has_projection:
        raise validation(f"Cannot specify the {which} when choosing to get {_WHAT[select]}")
    if select == "ALL_PROJECTED_ATTRIBUTES" and ix is None:
        raise validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    if select == "ALL_ATTRIBUTES" and ix is not None and ix.kind == "GSI" and ix.projection_type != "ALL":
        raise opv(
            f"Select type ALL_ATTRIBUTES is not supported for global secondary index {ix.name} "
            "because its projection type is not ALL"
        )
    return select
