"""Capacity units as AWS computes them, and the ConsumedCapacity shape that reports them.

Reads: ceil(bytes / 4 KB) per item (Query/Scan: over the page's evaluated bytes), halved when
eventually consistent; a missing item costs as 1 item. Writes: ceil(bytes / 1 KB) of the larger of
old and new item, plus each index's own writes (storage.write_item computes those). Transactions
cost twice. Neighbours: items.py, query.py, batch.py, transactions.py.
"""

from __future__ import annotations

import math
from typing import Any

from cloudlet.services.dynamodb.errors import check_enum
from cloudlet.services.dynamodb.model import Table

MODES = ["INDEXES", "TOTAL", "NONE"]


def read_units(size: int, consistent: bool) -> float:
    units = float(max(1, math.ceil(size / 4096)))
    return units if consistent else units / 2


def check_mode(params: dict[str, Any]) -> str | None:
    mode = params.get("ReturnConsumedCapacity")
    check_enum(mode, "returnConsumedCapacity", MODES)
    return None if mode in (None, "NONE") else mode


def report(
    table: Table, mode: str | None, units: dict[str, float], kind: str, scale: float = 1.0
) -> dict[str, Any] | None:
    """ConsumedCapacity for one table; `units` maps "" (the table) and index names to units;
    `kind` is "Read" or "Write"."""
    if mode is None:
        return None
    total = sum(units.values()) * scale
    out: dict[str, Any] = {"TableName": table.name, "CapacityUnits": total, f"{kind}CapacityUnits": total}
    if mode == "INDEXES":
        t = units.get("", 0.0) * scale
        out["Table"] = {"CapacityUnits": t, f"{kind}CapacityUnits": t}
        for kind_name, key in (("GSI", "GlobalSecondaryIndexes"), ("LSI", "LocalSecondaryIndexes")):
            found = {
                ix.name: {
                    "CapacityUnits": units[ix.name] * scale,
                    f"{kind}CapacityUnits": units[ix.name] * scale,
                }
                for ix in table.indexes
                if ix.kind == kind_name and ix.name in units
            }
            if found:
                out[key] = found
    return out


def merge(reports: dict[str, dict[str, float]], table: str, units: dict[str, float]) -> None:
    """Add `units` for `table` into a per-table accumulation (batches, transactions)."""
    acc = reports.setdefault(table, {})
    for k, v in units.items():
        acc[k] = acc.get(k, 0.0) + v
