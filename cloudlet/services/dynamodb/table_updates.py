"""UpdateTable rules: billing mode, throughput, GSI create/update/delete, SSE, class, protection.

Pure: returns the updated Table plus the indexes to backfill and to drop; tables.py applies them
(storage.backfill_index / drop_index) in the same store transaction that saves the table.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.services.base import RequestContext
from cloudlet.services.dynamodb import table_rules
from cloudlet.services.dynamodb.errors import opv, validation
from cloudlet.services.dynamodb.model import Index, KeyAttr, Table

_NOTHING = (
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates "
    "or SSESpecification or ReplicaUpdates is required"
)
_KNOWN = (
    "ProvisionedThroughput",
    "BillingMode",
    "StreamSpecification",
    "GlobalSecondaryIndexUpdates",
    "SSESpecification",
    "ReplicaUpdates",
    "TableClass",
    "DeletionProtectionEnabled",
)


def _same_throughput(table: Table, rcu: int, wcu: int) -> AwsError:
    return validation(
        "The provisioned throughput for the table will not change. The requested value equals the current value. "
        f"Current ReadCapacityUnits provisioned for the table: {table.rcu}. Requested ReadCapacityUnits: {rcu}. "
        f"Current WriteCapacityUnits provisioned for the table: {table.wcu}. Requested WriteCapacityUnits: {wcu}. "
        "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."
    )


def _billing(table: Table, params: dict[str, Any], now: float) -> Table:
    mode = params.get("BillingMode")
    tp = params.get("ProvisionedThroughput")
    target = mode or table.billing_mode
    if target == "PAY_PER_REQUEST":
        if tp is not None:
            raise opv(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
            )
        if table.billing_mode == "PAY_PER_REQUEST":
            return table
        recent = tuple(t for t in table.on_demand_switches if now - t < 86400)
        indexes = tuple(i if i.kind == "LSI" else replace(i, rcu=0, wcu=0) for i in table.indexes)
        return table.with_changes(
            billing_mode=target,
            rcu=0,
            wcu=0,
            last_on_demand_switch=now,
            on_demand_switches=(*recent, now),
            indexes=indexes,
        )
    if tp is None:
        if mode == "PROVISIONED" and table.billing_mode != "PROVISIONED":
            raise opv("ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
        return table
    table_rules.throughput_bounds(tp)
    rcu, wcu = tp["ReadCapacityUnits"], tp["WriteCapacityUnits"]
    if table.billing_mode == "PROVISIONED" and (rcu, wcu) == (table.rcu, table.wcu):
        raise _same_throughput(table, rcu, wcu)
    changes: dict[str, Any] = {"billing_mode": "PROVISIONED", "rcu": rcu, "wcu": wcu}
    if table.billing_mode == "PROVISIONED":
        if rcu > table.rcu or wcu > table.wcu:
            changes["last_increase"] = now
        if rcu < table.rcu or wcu < table.wcu:
            changes["last_decrease"] = now
            changes["decreases_today"] = table.decreases_today + 1
    else:
        changes["indexes"] = tuple(
            i if i.kind == "LSI" else replace(i, rcu=rcu, wcu=wcu) for i in table.indexes
        )
    return table.with_changes(**changes)


def _gsi_updates(
    table: Table, params: dict[str, Any], ready_at: float
) -> tuple[Table, list[Index], list[Index]]:
    updates = params.get("GlobalSecondaryIndexUpdates") or []
    seen: set[str] = set()
    creates = deletes = 0
    for u in updates:
        present = [k for k in ("Update", "Create", "Delete") if u.get(k) is not None]
        if len(present) != 1:
            raise opv(
                "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                "GlobalSecondaryIndexUpdate.Delete must not be null"
            )
        name = u[present[0]].get("IndexName")
        if name in seen:
            raise opv(
                f"Only one global secondary index update per index is allowed simultaneously. Index: {name}"
            )
        seen.add(name)
        creates += present[0] == "Create"
        deletes += present[0] == "Delete"
    if creates + deletes > 1:
        raise AwsError(
            "LimitExceededException",
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
        )
    indexes = list(table.indexes)
    defs = {a.name: a.type for a in table.attribute_definitions}
    # a new index's keys are defined in this request, even those the table already defines (as
    # its own or another index's key): AWS, per alternator's test_gsi_updatetable
    given = [d["AttributeName"] for d in params.get("AttributeDefinitions") or []]
    for d in params.get("AttributeDefinitions") or []:
        if d["AttributeName"] in defs and defs[d["AttributeName"]] != d["AttributeType"]:
            raise opv(
                f"Cannot change the type of an existing key attribute: {d['AttributeName']} "
                f"(type mismatch: {defs[d['AttributeName']]} vs {d['AttributeType']})"
            )
        defs.setdefault(d["AttributeName"], d["AttributeType"])
    created: list[Index] = []
    dropped: list[Index] = []
    for u in updates:
        if u.get("Create") is not None:
            spec = u["Create"]
            if table.index(spec["IndexName"]) is not None:
                raise opv(f"Index with name: {spec['IndexName']} already exists")
            if len([i for i in indexes if i.kind == "GSI"]) >= table_rules.MAX_GSI:
                raise opv(f"GlobalSecondaryIndex count exceeds the per-table limit of {table_rules.MAX_GSI}")
            for e in spec["KeySchema"]:
                if e["AttributeName"] not in given:
                    raise opv(
                        "Some index key attributes are not defined in AttributeDefinitions. "
                        f"Keys: [{', '.join(e2['AttributeName'] for e2 in spec['KeySchema'])}], "
                        f"AttributeDefinitions: [{', '.join(given)}]"
                    )
            ix = table_rules.build_index(spec, "GSI", defs, table.billing_mode, table.hash, ready_at)
            indexes.append(ix)
            created.append(ix)
        elif u.get("Delete") is not None:
            gone = table.index(u["Delete"]["IndexName"])
            if gone is None or gone.kind != "GSI":
                raise AwsError(
                    "ResourceNotFoundException",
                    f"Requested resource not found: Index: {u['Delete']['IndexName']} not found",
                )
            indexes.remove(gone)
            dropped.append(gone)
        else:
            spec = u["Update"]
            target = table.index(spec.get("IndexName"))
            if target is None or target.kind != "GSI":
                raise AwsError(
                    "ResourceNotFoundException",
                    f"Requested resource not found: Index: {spec.get('IndexName')} not found",
                )
            tp = spec.get("ProvisionedThroughput")
            if tp is not None:
                if table.billing_mode == "PAY_PER_REQUEST":
                    raise opv(
                        f"ProvisionedThroughput should not be specified for index: {target.name} when BillingMode is PAY_PER_REQUEST"
                    )
                table_rules.throughput_bounds(tp)
                indexes[indexes.index(target)] = replace(
                    target, rcu=tp["ReadCapacityUnits"], wcu=tp["WriteCapacityUnits"]
                )
    table_rules.check_non_key_total(indexes)
    used = {table.hash.name} | ({table.range.name} if table.range else set())
    for i in indexes:
        used.update(i.key_names)
    new_defs = tuple(KeyAttr(n, t) for n, t in defs.items() if n in used)
    return table.with_changes(indexes=tuple(indexes), attribute_definitions=new_defs), created, dropped


def apply_table_update(
    table: Table, params: dict[str, Any], now: float, delay: float, ctx: RequestContext
) -> tuple[Table, list[Index], list[Index]]:
    if not any(params.get(k) is not None and params.get(k) != [] for k in _KNOWN):
        raise validation(_NOTHING)  # an empty GlobalSecondaryIndexUpdates counts as none (AWS, dynalite)
    updated = _billing(table, params, now)
    updated, created, dropped = _gsi_updates(updated, params, now + delay)
    if params.get("SSESpecification") is not None:
        updated = updated.with_changes(sse=table_rules.sse_description(params["SSESpecification"], ctx))
    if params.get("TableClass") is not None:
        updated = updated.with_changes(table_class=params["TableClass"])
    if params.get("DeletionProtectionEnabled") is not None:
        updated = updated.with_changes(deletion_protection=bool(params["DeletionProtectionEnabled"]))
    if updated is not table and not created:
        updated = updated.with_changes(updating_until=now + delay)
    return updated, created, dropped
