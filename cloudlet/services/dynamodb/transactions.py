"""TransactWriteItems and TransactGetItems: all-or-nothing over up to 100 items in any tables.

A write transaction is one store transaction: every action's condition is evaluated (no
short-circuit, so CancellationReasons has one entry per action, in order); if any fails, the store
transaction is rolled back and TransactionCanceledException carries the reasons. ClientRequestToken
makes a request idempotent for 10 minutes (namespace `dynamodb/tokens`, written in the same
transaction as the items). Neighbours: writes.py, request_exprs.py, capacity.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.services.base import RequestContext
from cloudlet.services.dynamodb import capacity, errors, storage
from cloudlet.services.dynamodb.core import Core
from cloudlet.services.dynamodb.errors import KeyMismatch, constraint, constraints, validation
from cloudlet.services.dynamodb.items import collection_metrics
from cloudlet.services.dynamodb.key_rules import check_key
from cloudlet.services.dynamodb.model import Item, Table
from cloudlet.services.dynamodb.request_exprs import Exprs
from cloudlet.services.dynamodb.values import item_size, normalize_item
from cloudlet.services.dynamodb.writes import Write, prepare_keyed, prepare_put, put_item_checked
from cloudlet.store import Txn

NS_TOKENS = "dynamodb/tokens"
NS_TOKEN_EXPIRY = (
    "dynamodb/token-expiry"  # "<expiry, zero-padded>/<token key>" -> b"": expired ones are a prefix range
)
TOKEN_TTL = 600.0
MAX_ACTIONS = 100
MAX_REQUEST_BYTES = 4 * 1024 * 1024
MULTIPLE = "Transaction request cannot include multiple operations on one item"
_KINDS = ("ConditionCheck", "Put", "Delete", "Update")


def _count_problems(items: Any, path: str) -> None:
    if items is None:
        raise constraints([constraint(None, path, "Member must not be null")])
    if len(items) < 1:
        raise constraints([constraint("[]", path, "Member must have length greater than or equal to 1")])
    if len(items) > MAX_ACTIONS:
        raise constraints(
            [constraint("[…]", path, f"Member must have length less than or equal to {MAX_ACTIONS}")]
        )


def _fingerprint(params: dict[str, Any]) -> str:
    def default(o: Any) -> Any:
        if isinstance(o, bytes | bytearray):
            return base64.b64encode(o).decode()
        return str(o)

    body = {
        k: v for k, v in params.items() if k not in ("ReturnConsumedCapacity", "ReturnItemCollectionMetrics")
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=default).encode()).hexdigest()


def _reason(err: AwsError | None) -> dict[str, Any]:
    if err is None:
        return {"Code": "None"}
    if err.code == "ConditionalCheckFailedException":
        out: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": err.message}
        if err.fields.get("Item"):
            out["Item"] = err.fields["Item"]
        return out
    return {"Code": "ValidationError", "Message": err.message}


def _cancelled(reasons: list[dict[str, Any]]) -> AwsError:
    codes = ", ".join(r["Code"] for r in reasons)
    return AwsError(
        "TransactionCanceledException",
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
        fields={"CancellationReasons": reasons},
    )


def _remember_token(txn: Txn, tkey: str, fingerprint: str, now: float, result: dict[str, Any]) -> None:
    """Record a ClientRequestToken for 10 minutes, and forget a few that have expired."""
    expires = now + TOKEN_TTL
    txn.put_doc(NS_TOKENS, tkey, {"fingerprint": fingerprint, "expires": expires, "result": result})
    txn.put(NS_TOKEN_EXPIRY, f"{expires:017.3f}/{tkey}", b"")
    for k, _ in list(txn.scan(NS_TOKEN_EXPIRY, b"", f"{now:017.3f}".encode(), limit=100)):
        txn.delete(NS_TOKEN_EXPIRY, k)
        old_key = k.decode().split("/", 1)[1]
        doc = txn.get_doc(NS_TOKENS, old_key)
        if doc is not None and doc["expires"] <= now:
            txn.delete(NS_TOKENS, old_key)


class TransactionsApi(Core):
    def transact_write_items(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        actions = params.get("TransactItems")
        _count_problems(actions, "transactItems")
        assert actions is not None
        token = params.get("ClientRequestToken")
        if token is not None and not 1 <= len(token) <= 36:
            rule = "less than or equal to 36" if len(token) > 36 else "greater than or equal to 1"
            raise constraints([constraint(token, "clientRequestToken", f"Member must have length {rule}")])
        mode = capacity.check_mode(params)
        metrics = params.get("ReturnItemCollectionMetrics")
        errors.check_enum(metrics, "returnItemCollectionMetrics", ["SIZE", "NONE"])
        parsed: list[tuple[str, dict[str, Any], Exprs]] = []
        items: list[tuple[Item, int] | None] = []
        # each action is checked in turn, all that needs no table: its expressions, then its item
        # or key values; the first problem fails the request (AWS, per the parity suite's captures)
        for n, a in enumerate(actions, 1):
            present = [k for k in _KINDS if a.get(k) is not None]
            if not present:
                raise validation(
                    "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request"
                )
            if len(present) != 1:
                raise validation("TransactItems can only contain one of Check, Put, Update or Delete")
            kind, spec = present[0], a[present[0]]
            member = kind[:1].lower() + kind[1:]
            errors.check_data_table_name(
                spec.get("TableName"), f"transactItems.{n}.member.{member}.tableName"
            )
            on_fail = spec.get("ReturnValuesOnConditionCheckFailure")
            errors.check_enum(on_fail, "returnValuesOnConditionCheckFailure", ["ALL_OLD", "NONE"])
            exprs = Exprs(spec, f"TransactWriteItems.{kind}")
            if kind == "Update":
                exprs.update()
            exprs.condition()
            exprs.finish()
            parsed.append((kind, spec, exprs))
            if kind == "Put":
                items.append(put_item_checked(spec.get("Item")))
            else:
                if isinstance(spec.get("Key"), dict):
                    normalize_item(spec["Key"], context="key")  # its values (the schema comes later)
                items.append(None)
        fingerprint = _fingerprint(params) if token is not None else ""
        if sum(n[1] for n in items if n is not None) > MAX_REQUEST_BYTES:
            raise validation("Transaction request size cannot exceed 4 MB")
        now = self.now()
        used: dict[str, dict[str, float]] = {}
        tables: dict[str, Table] = {}
        collection: dict[str, list[Any]] = {}
        with self.deps.store.write() as txn:
            if token is not None:
                tkey = f"{ctx.account_id}/{ctx.region}/{token}"
                seen = txn.get_doc(NS_TOKENS, tkey)
                if seen is not None and seen["expires"] > now:
                    if seen["fingerprint"] != fingerprint:
                        raise AwsError(
                            "IdempotentParameterMismatchException",
                            "Request parameters do not match the parameters of an earlier request with the same ClientRequestToken",
                        )
                    return dict(seen["result"])
            writes: list[Write | None] = []
            reasons: list[dict[str, Any]] = []
            keys: set[tuple[str, bytes]] = set()
            invalid = False
            for (kind, spec, exprs), normalized in zip(parsed, items, strict=True):
                if invalid:
                    # AWS validates the actions in order and stops at the first ValidationError:
                    # the rest are neither validated nor evaluated (reason None; alternator)
                    writes.append(None)
                    reasons.append(_reason(None))
                    continue
                table = self.data_table(txn, ctx, spec["TableName"])
                tables[spec["TableName"]] = table
                on_fail = spec.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
                w: Write | None
                try:
                    if kind == "Put":
                        assert normalized is not None
                        w = prepare_put(table, normalized, exprs.condition(), on_fail)
                    else:
                        upd = exprs.update() if kind == "Update" else None
                        w = prepare_keyed(table, kind, spec.get("Key"), exprs.condition(), upd, on_fail)
                except KeyMismatch as e:  # the action's reason; anything else fails the request
                    writes.append(None)
                    reasons.append(_reason(e))
                    invalid = True
                    continue
                if (table.table_id, w.key) in keys:
                    raise validation(MULTIPLE)
                keys.add((table.table_id, w.key))
                writes.append(w)
                reasons.append(_reason(None))
            for i, pending in enumerate(writes):
                if pending is None or invalid:
                    continue
                err = pending.evaluate(txn)
                if err is None:
                    try:
                        pending.compute()
                    except AwsError as e:
                        if e.code != "ValidationException":
                            raise
                        err = e
                reasons[i] = _reason(err)
            if any(r["Code"] != "None" for r in reasons):
                raise _cancelled(reasons)
            for (_, spec, _), w in zip(parsed, writes, strict=True):
                assert w is not None
                name = spec["TableName"]
                units = (
                    w.store(txn, self.stats)
                    if w.kind != "ConditionCheck"
                    else {"": capacity.read_units(item_size(w.old or {}), True)}
                )
                capacity.merge(used, name, {k: v * 2 for k, v in units.items()})
                if metrics == "SIZE" and w.kind != "ConditionCheck" and (m := collection_metrics(w.table, w)):
                    collection.setdefault(name, []).append(m)
            result: dict[str, Any] = {}
            if mode is not None:
                result["ConsumedCapacity"] = [
                    capacity.report(tables[n], mode, u, "Write") for n, u in used.items()
                ]
            if metrics == "SIZE":
                result["ItemCollectionMetrics"] = collection
            if token is not None:
                _remember_token(txn, tkey, fingerprint, now, result)
        return result

    def transact_get_items(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        actions = params.get("TransactItems")
        _count_problems(actions, "transactItems")
        assert actions is not None
        mode = capacity.check_mode(params)
        parsed = []
        for n, a in enumerate(actions, 1):
            spec = a.get("Get")
            if spec is None:
                raise validation("TransactItems can only contain Get")
            errors.check_data_table_name(spec.get("TableName"), f"transactItems.{n}.member.get.tableName")
            exprs = Exprs(spec, "TransactGetItems")
            projection = exprs.projection()
            exprs.finish()
            parsed.append((spec, projection))
        responses: list[dict[str, Any]] = []
        used: dict[str, dict[str, float]] = {}
        tables: dict[str, Table] = {}
        with self.deps.store.read() as txn:
            keys: set[tuple[str, bytes]] = set()
            plan = []
            for i, (spec, projection) in enumerate(parsed):
                table = self.data_table(txn, ctx, spec["TableName"])
                tables[spec["TableName"]] = table
                try:
                    kb = storage.primary_key(table, check_key(table, spec.get("Key")))
                except KeyMismatch as e:  # this Get's reason, the others None (as TransactWriteItems)
                    reasons = [_reason(None)] * len(parsed)
                    reasons[i] = _reason(e)
                    raise _cancelled(reasons) from None
                if (table.table_id, kb) in keys:
                    raise validation(MULTIPLE)
                keys.add((table.table_id, kb))
                plan.append((spec, projection, table, kb))
            for spec, projection, table, kb in plan:
                item = storage.get_item(txn, table, kb)
                capacity.merge(
                    used,
                    spec["TableName"],
                    {"": 2 * capacity.read_units(item_size(item) if item else 0, True)},
                )
                if item is None:
                    responses.append({})
                else:
                    responses.append({"Item": projection.apply(item) if projection is not None else item})
        result: dict[str, Any] = {"Responses": responses}
        if mode is not None:
            result["ConsumedCapacity"] = [
                capacity.report(tables[n], mode, u, "Read") for n, u in used.items()
            ]
        return result
