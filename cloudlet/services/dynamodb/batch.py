"""BatchGetItem and BatchWriteItem: up to 100 keys / 25 writes over any tables.

Every request is checked in full before anything is read or written (any ValidationException or
ResourceNotFoundException fails the whole batch, as on AWS). A BatchWriteItem runs in one store
transaction, so it is never left half-applied; BatchGetItem stops at 16 MB and hands the rest
back as UnprocessedKeys. Neighbours: writes.py, request_exprs.py, capacity.py.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cloudlet.services.base import RequestContext
from cloudlet.services.dynamodb import capacity, errors, storage
from cloudlet.services.dynamodb.core import Core
from cloudlet.services.dynamodb.errors import KEY_MISMATCH, KeyMismatch, validation
from cloudlet.services.dynamodb.items import collection_metrics
from cloudlet.services.dynamodb.key_rules import check_key
from cloudlet.services.dynamodb.legacy import check_no_mixing
from cloudlet.services.dynamodb.model import Table
from cloudlet.services.dynamodb.request_exprs import Exprs
from cloudlet.services.dynamodb.values import item_size
from cloudlet.services.dynamodb.writes import Write, prepare_keyed, prepare_put, put_item_checked

MAX_GET = 100
MAX_WRITE = 25
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
DUPLICATES = "Provided list of item keys contains duplicates"


def _write_repr(request_items: dict[str, Any]) -> str:
    """BatchWriteItem's RequestItems as AWS shows it in a constraint error: Java's toString of the
    request objects (`{t=[WriteRequest(putRequest=PutRequest(item={pk={S: a,}}))]}`; the outer
    form per the parity suite's capture, the attribute values in the SDK's {S: a,} form)."""
    parts = []
    for table, reqs in request_items.items():
        shown = []
        for r in reqs or []:
            if r.get("PutRequest"):
                shown.append(
                    f"WriteRequest(putRequest=PutRequest(item={_values_repr(r['PutRequest'].get('Item'))}))"
                )
            else:
                key = _values_repr((r.get("DeleteRequest") or {}).get("Key"))
                shown.append(f"WriteRequest(deleteRequest=DeleteRequest(key={key}))")
        parts.append(f"{table}=[{', '.join(shown)}]")
    return "{" + ", ".join(parts) + "}"


def _values_repr(attrs: Any) -> str:
    if not isinstance(attrs, dict):
        return "null"
    return "{" + ", ".join(f"{name}={_value_repr(av)}" for name, av in attrs.items()) + "}"


def _value_repr(av: Any) -> str:
    if not isinstance(av, dict):
        return "null"
    return "{" + "".join(f"{kind}: {value}," for kind, value in av.items()) + "}"


def _get_repr(request_items: dict[str, Any]) -> str:
    """BatchGetItem's RequestItems as AWS shows it in a constraint error: compact JSON."""
    return json.dumps(
        request_items, separators=(",", ":"), default=lambda b: base64.b64encode(bytes(b)).decode()
    )


class BatchApi(Core):
    def batch_get_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        request_items = params.get("RequestItems")
        if not request_items:
            raise validation("The requestItems parameter is required for BatchGetItem")
        mode = capacity.check_mode(params)
        total = 0
        plans: list[tuple[str, dict[str, Any], Exprs]] = []
        # one request is one request: expressions for one table and AttributesToGet for another mix
        check_no_mixing({k: v for spec in request_items.values() for k, v in spec.items()})
        for name, spec in request_items.items():
            errors.check_batch_table_name(name, _get_repr(request_items))
            keys = spec.get("Keys") or []
            if len(keys) > MAX_GET:
                raise validation(
                    f"1 validation error detected: Value at 'RequestItems.{name}.member.Keys' failed to satisfy "
                    f"constraint: Member must have length less than or equal to {MAX_GET}"
                )
            if not keys:
                raise validation(
                    f"1 validation error detected: Value at 'RequestItems.{name}.member.Keys' failed to satisfy "
                    "constraint: Member must have length greater than or equal to 1"
                )
            total += len(keys)
            exprs = Exprs(spec, "BatchGetItem")
            exprs.projection()
            exprs.finish()
            plans.append((name, spec, exprs))
        if total > MAX_GET:
            raise validation("Too many items requested for the BatchGetItem call")
        responses: dict[str, list[Any]] = {}
        unprocessed: dict[str, Any] = {}
        used: dict[str, dict[str, float]] = {}
        tables: dict[str, Table] = {}
        size = 0
        with self.deps.store.read() as txn:
            resolved = []
            for name, spec, exprs in plans:
                table = self.data_table(txn, ctx, name)
                tables[name] = table
                seen: set[bytes] = set()
                keys = []
                for raw in spec["Keys"]:
                    key_item = check_key(table, raw)
                    kb = storage.primary_key(table, key_item)
                    if kb in seen:
                        raise validation(DUPLICATES)
                    seen.add(kb)
                    keys.append((raw, kb))
                resolved.append((name, spec, exprs, table, keys))
            for name, spec, exprs, table, keys in resolved:
                projection = exprs.projection()
                consistent = bool(spec.get("ConsistentRead"))
                out = responses.setdefault(name, [])
                for raw, kb in keys:
                    if size >= MAX_RESPONSE_BYTES:
                        left = unprocessed.setdefault(name, {k: v for k, v in spec.items() if k != "Keys"})
                        left.setdefault("Keys", []).append(raw)
                        continue
                    item = storage.get_item(txn, table, kb)
                    n = item_size(item) if item else 0
                    size += n
                    capacity.merge(used, name, {"": capacity.read_units(n, consistent)})
                    if item is not None:
                        out.append(projection.apply(item) if projection is not None else item)
        result: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
        if mode is not None:
            result["ConsumedCapacity"] = [
                capacity.report(tables[n], mode, u, "Read") for n, u in used.items()
            ]
        return result

    def batch_write_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        request_items = params.get("RequestItems")
        if not request_items:
            raise validation("The requestItems parameter is required for BatchWriteItem")
        mode = capacity.check_mode(params)
        metrics = params.get("ReturnItemCollectionMetrics")
        errors.check_enum(metrics, "returnItemCollectionMetrics", ["SIZE", "NONE"])
        counts = [len(v or []) for v in request_items.values()]
        if sum(counts) > MAX_WRITE or any(c < 1 for c in counts):
            raise validation(
                f"1 validation error detected: Value '{_write_repr(request_items)}' at 'requestItems' failed to satisfy "
                "constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, "
                "Member must have length greater than or equal to 1]"
            )
        for name, reqs in request_items.items():
            errors.check_batch_table_name(name, _write_repr(request_items))
            for r in reqs:
                if (r.get("PutRequest") is None) == (r.get("DeleteRequest") is None):
                    raise validation(
                        "Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest"
                    )
        used: dict[str, dict[str, float]] = {}
        tables: dict[str, Table] = {}
        collection: dict[str, list[Any]] = {}
        with self.deps.store.write() as txn:
            writes: list[tuple[str, Write]] = []
            for name, reqs in request_items.items():
                table = self.data_table(txn, ctx, name)
                tables[name] = table
                seen: set[bytes] = set()
                for r in reqs:
                    if r.get("PutRequest") is not None:
                        checked = put_item_checked(r["PutRequest"].get("Item"))
                        try:
                            w = prepare_put(table, checked, None, False)
                        except KeyMismatch:  # a batch words any key problem of a put this way (AWS)
                            raise validation(KEY_MISMATCH) from None
                    else:
                        w = prepare_keyed(table, "Delete", r["DeleteRequest"].get("Key"), None, None, False)
                    if w.key in seen:
                        raise validation(DUPLICATES)
                    seen.add(w.key)
                    writes.append((name, w))
            for name, w in writes:
                if w.blind(needs_old=mode is not None):
                    w.put_blind(txn, self.stats)
                    continue
                capacity.merge(used, name, w.execute(txn, self.stats))
                if metrics == "SIZE" and (m := collection_metrics(tables[name], w)):
                    collection.setdefault(name, []).append(m)
        result: dict[str, Any] = {"UnprocessedItems": {}}
        if mode is not None:
            result["ConsumedCapacity"] = [
                capacity.report(tables[n], mode, u, "Write") for n, u in used.items()
            ]
        if metrics == "SIZE":
            result["ItemCollectionMetrics"] = collection
        return result
