"""Query and Scan: range scans over the order-preserving key encoding (storage.py), pages cut by
Limit or 1 MB of evaluated data, then FilterExpression, then projection, as AWS does.

Neighbours: paging.py (ExclusiveStartKey/LastEvaluatedKey), select.py (Select rules),
request_exprs.py (key condition, filter, projection), capacity.py.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cloudlet.services.base import RawJson, RequestContext, RunElsewhere
from cloudlet.services.dynamodb import capacity, errors, paging, storage
from cloudlet.services.dynamodb.core import Core
from cloudlet.services.dynamodb.errors import constraint, constraints, validation
from cloudlet.services.dynamodb.keys import partition_prefix, prefix_end, sort_range
from cloudlet.services.dynamodb.model import Index, Item, Table
from cloudlet.services.dynamodb.request_exprs import Condition, Exprs, Projection
from cloudlet.services.dynamodb.select import resolve_select
from cloudlet.store import Txn

MAX_PAGE_BYTES = 1024 * 1024
# entries a Query/Scan may read on the event loop before it moves to the pool (RunElsewhere): a
# few ms at most of work thrown away, against a thread hop for every small page
INLINE_BUDGET = 256


@dataclass
class Page:
    items: list[Item | RawJson] | RawJson = field(default_factory=list)
    count: int = 0
    scanned: int = 0
    size: int = 0
    last: Item | None = None
    last_raw: bytes | None = None  # the last entry read, when `last` was not decoded

    def last_item(self) -> Item | None:
        if self.last is None and self.last_raw is not None:
            self.last = storage.load_item(self.last_raw)
        return self.last


def _index_for(table: Table, params: dict[str, Any], now: float) -> Index | None:
    name = params.get("IndexName")
    if name is None:
        return None
    ix = table.index(name)
    if ix is None:
        raise validation(f"The table does not have the specified index: {name}")
    if ix.kind == "GSI" and params.get("ConsistentRead"):
        raise validation("Consistent reads are not supported on global secondary indexes")
    if ix.status(now) == "CREATING":
        raise validation(f"Cannot read from backfilling global secondary index: {name}")
    return ix


def read_page(
    txn: Txn,
    table: Table,
    ix: Index | None,
    start: bytes,
    end: bytes | None,
    reverse: bool,
    limit: int | None,
    flt: Condition | None,
    keep: Callable[[Item], Item | None],
    in_segment: Callable[[Item], bool] | None = None,
    full_items: bool = False,
    budget: int | None = None,
) -> Page:
    """Evaluate items in [start, end) until Limit or 1 MB; `keep` maps an evaluated item that passed
    the filter to what the page returns (None: count only). On a local secondary index that does
    not project everything, the table item is fetched and returned when `full_items` (Select
    ALL_ATTRIBUTES or SPECIFIC_ATTRIBUTES), as AWS does; a filter names only projected attributes
    (_check_filter_projected). Past `budget` entries read, RunElsewhere (an inline run: see
    services/base.py)."""
    page = Page()
    ns = storage.items_ns(table) if ix is None else storage.index_ns(table, ix)
    partial_lsi = ix is not None and ix.kind == "LSI" and ix.projection_type != "ALL"
    fetch_full = partial_lsi and full_items
    rows = txn.scan(ns, start, end, reverse=reverse)
    if keep is keep_all and flt is None and in_segment is None and not fetch_full:
        return _splice_page(page, rows, limit, budget)
    items: list[Item | RawJson] = []
    page.items = items
    read = 0
    for _, raw in rows:
        if budget is not None:
            read += 1
            if read > budget:
                raise RunElsewhere
        item = storage.load_item(raw)
        if in_segment is not None and not in_segment(item):
            continue
        page.scanned += 1
        page.size += storage.stored_size(raw)
        page.last = item
        full = item
        if fetch_full:
            full = storage.get_item(txn, table, storage.primary_key(table, item)) or item
        if flt is None or flt.evaluate(full):
            page.count += 1
            kept = keep(full if full_items else item)
            if kept is not None:
                items.append(kept)
        if (limit is not None and page.scanned >= limit) or page.size >= MAX_PAGE_BYTES:
            return page
    page.last = page.last_raw = None
    return page


def _check_filter_projected(table: Table, ix: Index | None, flt: Condition) -> None:
    """A filter on an index that does not project everything may name only projected attributes,
    even when the items are fetched from the table (AWS)."""
    names = ix.projected_names(table) if ix is not None else None
    if names is None:
        return
    assert ix is not None
    missing = sorted(flt.top_level_names() - names)
    if missing:
        raise validation(
            f"One or more parameter values were invalid: Secondary index {ix.name} does not project "
            f"one or more filter attributes: [{', '.join(missing)}]"
        )


def _splice_page(
    page: Page, rows: Iterable[tuple[bytes, bytes]], limit: int | None, budget: int | None
) -> Page:
    """read_page for whole items and no filter: the items are returned as stored (storage.wire),
    and decoded only to name the last key."""
    raws: list[bytes] = []
    size = 0
    last = None
    for _, raw in rows:
        if len(raws) == budget:
            raise RunElsewhere
        raws.append(raw)
        size += storage.stored_size(raw)
        if len(raws) == limit or size >= MAX_PAGE_BYTES:
            last = raw
            break
    page.scanned = page.count = len(raws)
    page.size = size
    page.last_raw = last
    page.items = storage.wire_list(raws)
    return page


def _limit(params: dict[str, Any], path: str) -> int | None:
    limit = params.get("Limit")
    if limit is not None and limit < 1:
        shown = f"'{limit}'" if path == "limit" else ""
        item = constraint(limit, path, "Member must have value greater than or equal to 1")
        if not shown:
            item = item.replace(f"Value '{limit}' at", "Value at")
        raise constraints([item])
    return limit


def _keeper(select: str, projection: Projection | None) -> Callable[[Item], Item | None]:
    if select == "COUNT":
        return lambda item: None
    if projection is not None:
        return projection.apply
    return keep_all


def keep_all(item: Item) -> Item:
    return item


def _result(
    table: Table, ix: Index | None, page: Page, select: str, mode: str | None, consistent: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {"Count": page.count, "ScannedCount": page.scanned}
    if select != "COUNT":
        out["Items"] = page.items
    last = page.last_item()
    if last is not None:
        out["LastEvaluatedKey"] = paging.last_key(table, ix, last)
    units = capacity.read_units(page.size, consistent)
    cc = capacity.report(table, mode, {"" if ix is None else ix.name: units}, "Read")
    if cc:
        out["ConsumedCapacity"] = cc
    return out


class QueryApi(Core):
    def query(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        errors.check_data_table_name(params.get("TableName"))
        limit = _limit(params, "Limit")
        mode = capacity.check_mode(params)
        exprs = Exprs(params, "Query")
        key_cond = exprs.key_condition()
        flt = exprs.filter("Query")
        projection = exprs.projection()
        forward = params.get("ScanIndexForward", True)
        consistent = bool(params.get("ConsistentRead"))
        with self.deps.store.read() as txn:
            table = self.data_table(txn, ctx, params["TableName"])
            ix = _index_for(table, params, self.now())
            select = resolve_select(params, ix, projection is not None, "Query")
            h, r = (table.hash, table.range) if ix is None else (ix.hash, ix.range)
            pk, op, values = key_cond.resolve(h, r)
            exprs.finish()
            if flt is not None:
                # the key being queried: the index's own on an index (a table key attribute that is
                # not one of the index's may be filtered on, as AWS allows)
                keys = table.key_names if ix is None else ix.key_names
                for name in flt.top_level_names():
                    if name in keys:
                        raise validation(
                            f"Filter Expression can only contain non-primary key attributes: Primary key attribute: {name}"
                        )
                _check_filter_projected(table, ix, flt)
            prefix = partition_prefix(pk)
            if op is None:
                start, end = prefix, prefix_end(prefix)
            else:
                start, end = sort_range(op, values, prefix)
            if params.get("ExclusiveStartKey") is not None:
                if ix is None and table.range is None:
                    raise validation("The query can return at most one row and cannot be restarted")
                esk, position = paging.start_key(table, ix, params["ExclusiveStartKey"])
                if not position.startswith(prefix):
                    raise validation(
                        "The provided starting key is outside query boundaries based on provided conditions"
                    )
                if not (start <= position and (end is None or position < end)):
                    raise validation("The provided starting key does not match the range key predicate")
                if forward:
                    start = position + b"\x00"
                else:
                    end = position
            page = read_page(
                txn,
                table,
                ix,
                start,
                end,
                not forward,
                limit,
                flt,
                _keeper(select, projection),
                full_items=select in ("ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES"),
                budget=INLINE_BUDGET if ctx.inline else None,
            )
        return _result(table, ix, page, select, mode, consistent)

    def scan(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        errors.check_data_table_name(params.get("TableName"))
        limit = _limit(params, "limit")
        mode = capacity.check_mode(params)
        segment, total = params.get("Segment"), params.get("TotalSegments")
        if segment is not None and total is None:
            raise validation(
                "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"
            )
        if total is not None and segment is None:
            raise validation(
                "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"
            )
        if total is not None and not 1 <= total <= 1000000:
            rule = "greater than or equal to 1" if total < 1 else "less than or equal to 1000000"
            raise constraints([constraint(total, "totalSegments", f"Member must have value {rule}")])
        if segment is not None and segment < 0:
            raise constraints(
                [constraint(segment, "segment", "Member must have value greater than or equal to 0")]
            )
        if segment is not None and total is not None and segment >= total:
            raise validation(
                "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                f"Segment: {segment} is not less than TotalSegments: {total}"
            )
        exprs = Exprs(params, "Scan")
        flt = exprs.filter("Scan")
        projection = exprs.projection()
        exprs.finish()
        consistent = bool(params.get("ConsistentRead"))
        with self.deps.store.read() as txn:
            table = self.data_table(txn, ctx, params["TableName"])
            ix = _index_for(table, params, self.now())
            select = resolve_select(params, ix, projection is not None, "Scan")
            if flt is not None:
                _check_filter_projected(table, ix, flt)
            in_segment = None
            if total is not None and total > 1:
                assert segment is not None
                in_segment = _segment_test(table, segment, total)
            start: bytes = b""
            if params.get("ExclusiveStartKey") is not None:
                esk, position = paging.start_key(table, ix, params["ExclusiveStartKey"])
                if in_segment is not None and not in_segment(esk):
                    raise validation(
                        "The provided Exclusive start key does not map to the provided Segment and TotalSegments values."
                    )
                start = position + b"\x00"
            page = read_page(
                txn,
                table,
                ix,
                start,
                None,
                False,
                limit,
                flt,
                _keeper(select, projection),
                in_segment,
                full_items=select in ("ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES"),
                budget=INLINE_BUDGET if ctx.inline else None,
            )
        return _result(table, ix, page, select, mode, consistent)


def _segment_test(table: Table, segment: int, total: int) -> Callable[[Item], bool]:
    """Segments split the table by a hash of the partition key, so they partition it exactly."""
    name = table.hash.name

    def test(item: Item) -> bool:
        return zlib.crc32(partition_prefix(item[name])) % total == segment

    return test
