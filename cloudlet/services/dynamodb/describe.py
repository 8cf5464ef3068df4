"""TableDescription rendering: a Table (model.py) plus its Stats as DescribeTable answers it.

Pure; tables.py calls it for CreateTable, DescribeTable, UpdateTable and DeleteTable.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cloudlet.services.dynamodb.model import Index, KeyAttr, Stats, Table


def _ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _schema(h: KeyAttr, r: KeyAttr | None) -> list[dict[str, str]]:
    out = [{"AttributeName": h.name, "KeyType": "HASH"}]
    if r is not None:
        out.append({"AttributeName": r.name, "KeyType": "RANGE"})
    return out


def _throughput(table: Table, rcu: int, wcu: int) -> dict[str, Any]:
    pt: dict[str, Any] = {
        "NumberOfDecreasesToday": table.decreases_today,
        "ReadCapacityUnits": rcu,
        "WriteCapacityUnits": wcu,
    }
    if table.billing_mode == "PROVISIONED":
        if table.last_increase is not None:
            pt["LastIncreaseDateTime"] = _ts(table.last_increase)
        if table.last_decrease is not None:
            pt["LastDecreaseDateTime"] = _ts(table.last_decrease)
    return pt


def _projection(ix: Index) -> dict[str, Any]:
    p: dict[str, Any] = {"ProjectionType": ix.projection_type}
    if ix.non_key:
        p["NonKeyAttributes"] = list(ix.non_key)
    return p


def describe(
    table: Table,
    stats: Stats,
    now: float,
    status: str | None = None,
    deleting: tuple[Index, ...] = (),
) -> dict[str, Any]:
    """`status` overrides the table's own (CreateTable answers CREATING, DeleteTable DELETING);
    `deleting` are GSIs just dropped, which UpdateTable still reports as DELETING."""
    d: dict[str, Any] = {
        "AttributeDefinitions": [
            {"AttributeName": a.name, "AttributeType": a.type} for a in table.attribute_definitions
        ],
        "TableName": table.name,
        "KeySchema": _schema(table.hash, table.range),
        "TableStatus": status or table.status(now),
        "CreationDateTime": _ts(table.created),
        "ProvisionedThroughput": _throughput(table, table.rcu, table.wcu),
        "TableSizeBytes": stats.size,
        "ItemCount": stats.count,
        "TableArn": table.arn,
        "TableId": table.table_id,
        "DeletionProtectionEnabled": table.deletion_protection,
    }
    if table.billing_mode == "PAY_PER_REQUEST" or not table.born_on_demand and table.last_on_demand_switch:
        summary: dict[str, Any] = {"BillingMode": table.billing_mode}
        if table.last_on_demand_switch is not None:
            summary["LastUpdateToPayPerRequestDateTime"] = _ts(table.last_on_demand_switch)
        d["BillingModeSummary"] = summary
    if table.table_class != "STANDARD":
        d["TableClassSummary"] = {"TableClass": table.table_class}
    if table.sse is not None:
        d["SSEDescription"] = {"Status": "ENABLED", **table.sse}
    lsis, gsis = [], []
    for ix in (*table.indexes, *(replace(i, deleting=True) for i in deleting)):
        count, size = stats.indexes.get(ix.name, [0, 0])
        desc: dict[str, Any] = {
            "IndexName": ix.name,
            "KeySchema": _schema(ix.hash, ix.range),
            "Projection": _projection(ix),
            "IndexSizeBytes": size,
            "ItemCount": count,
            "IndexArn": f"{table.arn}/index/{ix.name}",
        }
        if ix.kind == "LSI":
            lsis.append(desc)
            continue
        ix_status = ix.status(now) if status != "CREATING" else "CREATING"
        desc["IndexStatus"] = ix_status
        if ix_status == "CREATING" and status != "CREATING" and table.status(now) != "CREATING":
            desc["Backfilling"] = True
        desc["ProvisionedThroughput"] = _throughput(table, ix.rcu, ix.wcu)
        gsis.append(desc)
    if lsis:
        d["LocalSecondaryIndexes"] = lsis
    if gsis:
        d["GlobalSecondaryIndexes"] = gsis
    return d
