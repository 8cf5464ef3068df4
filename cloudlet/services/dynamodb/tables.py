"""DynamoDB control plane: CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables,
tags, DescribeLimits, DescribeEndpoints.

Request rules are in table_rules.py, rendering in describe.py, persistence in catalog.py and
storage.py. Tables are scoped by (account, region) from the request context, as AWS scopes them.
"""

from __future__ import annotations

import uuid
from typing import Any

from cloudlet.services.base import RequestContext
from cloudlet.services.dynamodb import errors, storage, table_rules
from cloudlet.services.dynamodb.catalog import resolve_name
from cloudlet.services.dynamodb.core import Core
from cloudlet.services.dynamodb.describe import describe
from cloudlet.services.dynamodb.errors import constraint, validation
from cloudlet.services.dynamodb.model import Stats, Table
from cloudlet.services.dynamodb.table_updates import apply_table_update

MAX_TAGS = 50
# what DescribeTable shows and DeleteTable's answer leaves out (AWS, per alternator's test_table)
_NOT_IN_DELETE_ANSWER = (
    "CreationDateTime",
    "KeySchema",
    "AttributeDefinitions",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
)


def _check_control_name(name: Any) -> str:
    if isinstance(name, str) and name.startswith("arn:"):
        return name
    if not isinstance(name, str) or not 3 <= len(name) <= 255:
        raise validation("TableName must be at least 3 characters long and at most 255 characters long")
    problems = errors.table_name_problems(name)  # characters outside the pattern, as item operations
    if problems:
        raise errors.constraints(problems)
    return name


def _unsupported_specs(params: dict[str, Any]) -> None:
    stream = params.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        raise validation("cloudlet does not support DynamoDB Streams yet (StreamSpecification.StreamEnabled)")


def _check_tags(tags: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in tags:
        k, v = t.get("Key"), t.get("Value")
        if k is None or not 1 <= len(k) <= 128:
            raise validation(
                f"1 validation error detected: {constraint(k, 'tags.1.member.key', 'Member must have length less than or equal to 128')}"
            )
        if v is None or len(v) > 256:
            raise validation(
                f"1 validation error detected: {constraint(v, 'tags.1.member.value', 'Member must have length less than or equal to 256')}"
            )
        out[k] = v
    return out


def _answer_status(before: Table, after: Table, created: list[Any], dropped: list[Any]) -> str | None:
    """UpdateTable answers UPDATING for any change but deletion protection (AWS applies that at once)."""
    if created or dropped:
        return "UPDATING"
    unchanged = before.with_changes(
        deletion_protection=after.deletion_protection, updating_until=after.updating_until
    )
    return None if unchanged == after else "UPDATING"


class TablesApi(Core):
    def _control_table(self, txn: Any, ctx: RequestContext, name: Any) -> Table:
        name = _check_control_name(name)
        account, region, plain = resolve_name(name, ctx.account_id, ctx.region)
        table = self.catalog.get(txn, account, region, plain)
        if table is None:
            raise errors.table_not_found(plain)
        return table

    def create_table(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table_rules.check_create_constraints(params)
        billing, rcu, wcu = table_rules.check_billing(params)
        now = self.now()
        ready_at = now + self.status_delay
        h, r, defs, indexes = table_rules.build_schema(params, billing, ready_at)
        _unsupported_specs(params)
        tags = _check_tags(params.get("Tags") or [])
        table = Table(
            account=ctx.account_id,
            region=ctx.region,
            name=params["TableName"],
            table_id=str(uuid.uuid4()),
            created=now,
            hash=h,
            range=r,
            attribute_definitions=defs,
            billing_mode=billing,
            rcu=rcu,
            wcu=wcu,
            born_on_demand=billing == "PAY_PER_REQUEST",
            last_on_demand_switch=now if billing == "PAY_PER_REQUEST" else None,
            indexes=indexes,
            sse=table_rules.sse_description(params.get("SSESpecification"), ctx),
            table_class=params.get("TableClass") or "STANDARD",
            deletion_protection=bool(params.get("DeletionProtectionEnabled")),
            tags=tags,
            ready_at=ready_at,
        )
        with self.deps.store.write() as txn:
            if self.catalog.get(txn, ctx.account_id, ctx.region, table.name) is not None:
                raise errors.in_use(f"Table already exists: {table.name}")
            self.catalog.put(txn, table)
        desc = describe(table, Stats(), now, status="CREATING")
        return {"TableDescription": desc}

    def describe_table(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.deps.store.read() as txn:
            table = self._control_table(txn, ctx, params.get("TableName"))
        return {"Table": describe(table, self.stats.current(table), self.now())}

    def delete_table(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        now = self.now()
        with self.deps.store.write() as txn:
            table = self._control_table(txn, ctx, params.get("TableName"))
            status = table.status(now)
            if status == "CREATING":
                raise errors.in_use(
                    f"Attempt to change a resource which is still in use: Table is being created: {table.name}"
                )
            if status == "UPDATING":
                raise errors.in_use(
                    f"Attempt to change a resource which is still in use: Table is being updated: {table.name}"
                )
            if table.deletion_protection:
                raise validation(
                    "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."
                )
            stats = self.stats.current(table)
            storage.drop_table(txn, table)
            self.catalog.delete(txn, table)
            self.stats.forget(txn, table.table_id)
        desc = describe(table, stats, now, status="DELETING")
        for name in _NOT_IN_DELETE_ANSWER:
            desc.pop(name, None)
        return {"TableDescription": desc}

    def update_table(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        now = self.now()
        with self.deps.store.write() as txn:
            table = self._control_table(txn, ctx, params.get("TableName"))
            if table.status(now) == "CREATING":
                raise errors.in_use(
                    f"Attempt to change a resource which is still in use: Table is being created: {table.name}"
                )
            _unsupported_specs(params)
            updated, created, dropped = apply_table_update(table, params, now, self.status_delay, ctx)
            for ix in dropped:
                storage.drop_index(txn, updated, ix, self.stats)
            self.catalog.put(txn, updated)
            for ix in created:
                storage.backfill_index(txn, updated, ix, self.stats)
        stats = self.stats.current(updated)
        return {
            "TableDescription": describe(
                updated,
                stats,
                now,
                status=_answer_status(table, updated, created, dropped),
                deleting=tuple(dropped),
            )
        }

    def list_tables(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("Limit", 100)
        if limit < 1 or limit > 100:
            rule = "greater than or equal to 1" if limit < 1 else "less than or equal to 100"
            raise errors.constraints([constraint(limit, "limit", f"Member must have value {rule}")])
        start = params.get("ExclusiveStartTableName")
        if start is not None and not 3 <= len(start) <= 255:
            raise errors.constraints(errors.table_name_problems(start, "exclusiveStartTableName"))
        with self.deps.store.read() as txn:
            names = self.catalog.names(txn, ctx.account_id, ctx.region, start, limit + 1)
        out: dict[str, Any] = {"TableNames": names[:limit]}
        if len(names) > limit:
            out["LastEvaluatedTableName"] = names[limit - 1]
        return out

    # -- tags --------------------------------------------------------------------------------------
    def _table_by_arn(self, txn: Any, arn: Any) -> Table:
        prefix = "arn:aws:dynamodb:"
        if not isinstance(arn, str) or not arn.startswith(prefix) or ":table/" not in arn:
            raise validation(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
        parts = arn.split(":", 5)
        region, account, rest = parts[3], parts[4], parts[5]
        name = rest[len("table/") :].split("/", 1)[0]
        table = self.catalog.get(txn, account, region, name)
        if table is None:
            raise errors.arn_not_found(arn)
        return table

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        tags = _check_tags(params.get("Tags") or [])
        with self.deps.store.write() as txn:
            table = self._table_by_arn(txn, params.get("ResourceArn"))
            merged = {**table.tags, **tags}
            if len(merged) > MAX_TAGS:
                raise errors.AwsError("LimitExceededException", "The number of tags exceeds the limit of 50.")
            self.catalog.put(txn, table.with_changes(tags=merged))
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.deps.store.write() as txn:
            table = self._table_by_arn(txn, params.get("ResourceArn"))
            keys = set(params.get("TagKeys") or [])
            self.catalog.put(
                txn, table.with_changes(tags={k: v for k, v in table.tags.items() if k not in keys})
            )
        return {}

    def list_tags_of_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.deps.store.read() as txn:
            table = self._table_by_arn(txn, params.get("ResourceArn"))
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(table.tags.items())]}

    # -- account-level -----------------------------------------------------------------------------
    def describe_limits(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "AccountMaxReadCapacityUnits": 80000,
            "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000,
            "TableMaxWriteCapacityUnits": 40000,
        }

    def describe_endpoints(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        address = ctx.host or f"dynamodb.{ctx.region}.amazonaws.com"
        return {"Endpoints": [{"Address": address, "CachePeriodInMinutes": 1440}]}
