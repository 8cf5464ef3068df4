"""Single-item operations: PutItem, GetItem, UpdateItem, DeleteItem.

Each handler checks the request (shapes, expressions) before touching the store, then runs one
store transaction (writes.py does the read-check-write). Neighbours: writes.py, request_exprs.py
(expressions), capacity.py, storage.py.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.base import RequestContext
from cloudlet.services.dynamodb import capacity, errors, storage
from cloudlet.services.dynamodb.core import Core
from cloudlet.services.dynamodb.errors import check_enum, constraint, constraints
from cloudlet.services.dynamodb.expressions.projection import Projection
from cloudlet.services.dynamodb.key_rules import check_key
from cloudlet.services.dynamodb.model import Item, Table
from cloudlet.services.dynamodb.request_exprs import Exprs
from cloudlet.services.dynamodb.writes import Write, prepare_keyed, prepare_put, put_item_checked

_UPDATE_RETURN = ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"]


def _return_values_put(value: Any) -> str:
    check_enum(value, "returnValues", _UPDATE_RETURN)
    if value not in (None, "NONE", "ALL_OLD"):
        raise errors.validation("1 validation error detected: ReturnValues can only be ALL_OLD or NONE")
    return value or "NONE"


def _return_on_failure(params: dict[str, Any]) -> bool:
    value = params.get("ReturnValuesOnConditionCheckFailure")
    check_enum(value, "returnValuesOnConditionCheckFailure", ["ALL_OLD", "NONE"])
    return value == "ALL_OLD"


def _metrics_mode(params: dict[str, Any]) -> bool:
    value = params.get("ReturnItemCollectionMetrics")
    check_enum(value, "returnItemCollectionMetrics", ["SIZE", "NONE"])
    return value == "SIZE"


def collection_metrics(table: Table, write: Write) -> dict[str, Any] | None:
    """ItemCollectionMetrics: only tables with local secondary indexes have item collections."""
    if not table.lsis:
        return None
    return {
        "ItemCollectionKey": {table.hash.name: write.key_item[table.hash.name]},
        "SizeEstimateRangeGB": [0.0, 1.0],
    }


def _write_result(
    table: Table, write: Write, attrs: Item | None, mode: str | None, units: dict[str, float], metrics: bool
) -> dict[str, Any]:
    """A single-item write's answer: the Attributes asked for (when there are any), then consumed
    capacity and item collection metrics, when asked for."""
    out: dict[str, Any] = {}
    if attrs:
        out["Attributes"] = attrs
    cc = capacity.report(table, mode, units, "Write")
    if cc:
        out["ConsumedCapacity"] = cc
    if metrics and (m := collection_metrics(table, write)):
        out["ItemCollectionMetrics"] = m
    return out


class ItemsApi(Core):
    def put_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        errors.check_data_table_name(params.get("TableName"))
        rv = _return_values_put(params.get("ReturnValues"))
        mode = capacity.check_mode(params)
        metrics = _metrics_mode(params)
        on_fail = _return_on_failure(params)
        if params.get("Item") is None:
            raise constraints([constraint(None, "item", "Member must not be null")])
        exprs = Exprs(params, "PutItem")
        cond = exprs.condition()
        exprs.finish()
        normalized = put_item_checked(params["Item"])
        with self.deps.store.write() as txn:
            table = self.data_table(txn, ctx, params["TableName"])
            write = prepare_put(table, normalized, cond, on_fail)
            if write.blind(needs_old=rv == "ALL_OLD" or mode is not None):
                write.put_blind(txn, self.stats)
                units: dict[str, float] = {}
            else:
                units = write.execute(txn, self.stats)
        return _write_result(table, write, write.old if rv == "ALL_OLD" else None, mode, units, metrics)

    def delete_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        errors.check_data_table_name(params.get("TableName"))
        # as PutItem: ALL_NEW and the UPDATED_ values are refused in words (parity suite, AWS 2026)
        rv = _return_values_put(params.get("ReturnValues"))
        mode = capacity.check_mode(params)
        metrics = _metrics_mode(params)
        on_fail = _return_on_failure(params)
        exprs = Exprs(params, "DeleteItem")
        cond = exprs.condition()
        exprs.finish()
        with self.deps.store.write() as txn:
            table = self.data_table(txn, ctx, params["TableName"])
            write = prepare_keyed(table, "Delete", params.get("Key"), cond, None, on_fail)
            units = write.execute(txn, self.stats)
        return _write_result(table, write, write.old if rv == "ALL_OLD" else None, mode, units, metrics)

    def update_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        errors.check_data_table_name(params.get("TableName"))
        rv = params.get("ReturnValues") or "NONE"
        check_enum(rv, "returnValues", _UPDATE_RETURN)
        mode = capacity.check_mode(params)
        metrics = _metrics_mode(params)
        on_fail = _return_on_failure(params)
        exprs = Exprs(params, "UpdateItem")
        update = exprs.update()
        cond = exprs.condition()
        exprs.finish()
        with self.deps.store.write() as txn:
            table = self.data_table(txn, ctx, params["TableName"])
            write = prepare_keyed(table, "Update", params.get("Key"), cond, update, on_fail)
            units = write.execute(txn, self.stats)
        attrs: Item | None = None
        if rv == "ALL_OLD":
            attrs = write.old
        elif rv == "ALL_NEW":
            attrs = write.new
        elif rv in ("UPDATED_OLD", "UPDATED_NEW") and update is not None:
            # only the written paths, nested as in the item: SET a.b returns {a: {b}}, not all of a;
            # a path the item (old or new) does not have is left out (AWS, per alternator's tests)
            src = write.old if rv == "UPDATED_OLD" else write.new
            attrs = Projection(update.updated_paths()).apply(src or {})
        return _write_result(table, write, attrs, mode, units, metrics)

    def get_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        errors.check_data_table_name(params.get("TableName"))
        mode = capacity.check_mode(params)
        exprs = Exprs(params, "GetItem")
        projection = exprs.projection()
        exprs.finish()
        consistent = bool(params.get("ConsistentRead"))
        with self.deps.store.read() as txn:
            table = self.data_table(txn, ctx, params["TableName"])
            key_item = check_key(table, params.get("Key"))
            raw = storage.get_raw(txn, table, storage.primary_key(table, key_item))
        out: dict[str, Any] = {}
        size = 0
        if raw is not None:
            size = storage.stored_size(raw)
            # the whole item: as stored, without decoding it (storage.wire)
            out["Item"] = (
                projection.apply(storage.load_item(raw)) if projection is not None else storage.wire(raw)
            )
        if mode is not None:
            cc = capacity.report(table, mode, {"": capacity.read_units(size, consistent)}, "Read")
            if cc:
                out["ConsumedCapacity"] = cc
        return out
