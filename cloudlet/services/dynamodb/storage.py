"""Items and index entries in the store, and the statistics DescribeTable reports.

Layout (all under one store transaction per request, so an item and its index entries can never
disagree, and a crash leaves either all or nothing):
- `dynamodb/t/<table id>`: key = keys.encode_primary_key(pk, sk) -> the item (see dump_item).
  Keys sort exactly as DynamoDB orders partition and sort keys, so Query is a range scan.
- `dynamodb/i/<table id>/<index>`: key = encode(index pk) [+ encode(index sk)] + the item's primary
  key (unique, and ties on the index key keep table order) -> the projected item.
- count and bytes of the table and of each index: each write adds its deltas to the store's
  counters in its own transaction (stats.py).
Neighbours: catalog.py (tables), keys.py (encoding), items.py/query.py/batch.py/transactions.py.
"""

from __future__ import annotations

import base64
import json
import math
import pickle
from typing import TYPE_CHECKING, Any

import orjson

from cloudlet.services.base import RawJson
from cloudlet.services.dynamodb.keys import encode_key_value, encode_primary_key
from cloudlet.services.dynamodb.model import Index, Item, Table
from cloudlet.services.dynamodb.values import item_size
from cloudlet.store import Txn

if TYPE_CHECKING:
    from cloudlet.services.dynamodb.stats import StatsKeeper

# A stored item is: one format byte, its DynamoDB size (4 bytes, big-endian; so reads never
# recompute it), then the item. Formats written now: "W" / "Y", the item as its wire JSON (orjson:
# valid UTF-8; "Y" when it holds binary values, there base64 as on the wire, restored to bytes on
# load), so a read that returns whole items splices the stored bytes into the response (`wire`)
# instead of decoding and re-encoding them; and "P", a pickle (protocol 5) of the item as plain
# dicts, lists, str, bytes and bool, for the items orjson refuses (lone surrogates in strings).
# Only this service writes these bytes, and only from normalized items, so unpickling them runs no
# foreign code. "J" / "X" (JSON written by the json module, without / with binary values) were
# written by earlier versions and are still read, never spliced.
_PICKLED, _PLAIN, _WITH_BINARY = b"P", b"J", b"X"
_WIRE, _WIRE_BINARY = b"W", b"Y"
_HEADER = 5
_DECODE = json.JSONDecoder().decode
_PICKLE = 5


def items_ns(table: Table) -> str:
    return f"dynamodb/t/{table.table_id}"


def index_ns(table: Table, ix: Index) -> str:
    return f"dynamodb/i/{table.table_id}/{ix.name}"


# -- item encoding ---------------------------------------------------------------------------------
def _from_json(av: dict[str, Any]) -> dict[str, Any]:
    kind, value = next(iter(av.items()))
    if kind == "B":
        return {"B": base64.b64decode(value)}
    if kind == "BS":
        return {"BS": [base64.b64decode(v) for v in value]}
    if kind == "L":
        return {"L": [_from_json(v) for v in value]}
    if kind == "M":
        return {"M": {k: _from_json(v) for k, v in value.items()}}
    return av


def _blob(value: Any) -> str:
    if type(value) is bytes:
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value).__name__)


def dump_item(item: Item, size: int | None = None) -> bytes:
    size_bytes = (item_size(item) if size is None else size).to_bytes(4, "big")
    # orjson refuses bytes without a default (an item with binary values, then "Y") and lone
    # surrogates with or without one (then pickled): most items take the first try
    try:
        return _WIRE + size_bytes + orjson.dumps(item)
    except TypeError:  # orjson.JSONEncodeError
        pass
    try:
        return _WIRE_BINARY + size_bytes + orjson.dumps(item, default=_blob)
    except TypeError:
        return _PICKLED + size_bytes + pickle.dumps(item, _PICKLE)


def load_item(raw: bytes) -> Item:
    kind = raw[:1]
    if kind == _WIRE:
        item: Item = orjson.loads(memoryview(raw)[_HEADER:])
        return item
    if kind == _PICKLED:
        item = pickle.loads(memoryview(raw)[_HEADER:])
        return item
    if kind == _WIRE_BINARY:
        return {k: _from_json(v) for k, v in orjson.loads(memoryview(raw)[_HEADER:]).items()}
    item = _DECODE(raw[_HEADER:].decode("utf-8", "surrogatepass"))
    if kind == _WITH_BINARY:
        return {k: _from_json(v) for k, v in item.items()}
    return item


def wire(raw: bytes) -> Item | RawJson:
    """A stored item as a response returns it: its stored JSON as it is where that is wire form."""
    if raw[:1] == _WIRE or raw[:1] == _WIRE_BINARY:
        return RawJson(raw[_HEADER:])
    return load_item(raw)


def wire_list(raws: list[bytes]) -> list[Item | RawJson] | RawJson:
    """Stored items as a response's list of them: one JSON array where all are in wire form."""
    parts = []
    for raw in raws:
        kind = raw[:1]
        if kind != _WIRE and kind != _WIRE_BINARY:
            return [wire(r) for r in raws]
        parts.append(raw[_HEADER:])
    return RawJson(b"[" + b",".join(parts) + b"]")


def stored_size(raw: bytes) -> int:
    """The DynamoDB size of a stored item, as recorded when it was written."""
    return int.from_bytes(raw[1:_HEADER], "big")


# -- keys ------------------------------------------------------------------------------------------
def primary_key(table: Table, item: Item) -> bytes:
    return encode_primary_key(item[table.hash.name], item[table.range.name] if table.range else None)


def key_of(table: Table, item: Item) -> Item:
    """The key attributes of an item (what Key parameters and LastEvaluatedKey look like)."""
    out = {table.hash.name: item[table.hash.name]}
    if table.range is not None:
        out[table.range.name] = item[table.range.name]
    return out


def index_key(table: Table, ix: Index, item: Item | None) -> bytes | None:
    """Where an item sits in an index; None when it is not in it (sparse index)."""
    if item is None:
        return None
    hv = item.get(ix.hash.name)
    if hv is None or ix.hash.type not in hv:
        return None
    head = encode_key_value(hv)
    if ix.range is not None:
        rv = item.get(ix.range.name)
        if rv is None or ix.range.type not in rv:
            return None
        head += encode_key_value(rv)
    return head + primary_key(table, item)


def project(table: Table, ix: Index, item: Item) -> Item:
    names = ix.projected_names(table)
    if names is None:
        return item
    return {k: v for k, v in item.items() if k in names}


# -- reads -----------------------------------------------------------------------------------------
def get_item(txn: Txn, table: Table, key: bytes) -> Item | None:
    raw = txn.get(items_ns(table), key)
    return None if raw is None else load_item(raw)


def get_raw(txn: Txn, table: Table, key: bytes) -> bytes | None:
    """The stored bytes of an item (load_item decodes them, stored_size reads its size)."""
    return txn.get(items_ns(table), key)


# -- writes ----------------------------------------------------------------------------------------
def _units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def write_item(
    txn: Txn,
    table: Table,
    key: bytes,
    old: Item | None,
    new: Item | None,
    old_size: int | None,
    new_size: int | None,
    stats: StatsKeeper,
) -> dict[str, float]:
    """Replace `old` by `new` (None = absent) at `key`, keeping indexes in step and reporting the
    statistics deltas to `stats`. Sizes may be passed when the caller knows them.

    Returns the write capacity units consumed: "" for the table, then one entry per index touched."""
    if old is None and new is None:
        return {"": 1.0}
    if old_size is None:
        old_size = item_size(old) if old is not None else 0
    if new_size is None:
        new_size = item_size(new) if new is not None else 0
    ns = items_ns(table)
    count = 0
    if new is None:
        txn.delete(ns, key)
        count = -1
    else:
        txn.put(ns, key, dump_item(new, new_size))
        if old is None:
            count = 1
    units: dict[str, float] = {"": float(_units(max(old_size, new_size)))}
    deltas: dict[str, list[int]] | None = None
    for ix in table.indexes:
        ok, nk = index_key(table, ix, old), index_key(table, ix, new)
        if ok is None and nk is None:
            continue
        iname = index_ns(table, ix)
        po = project(table, ix, old) if ok is not None and old is not None else None
        pn = project(table, ix, new) if nk is not None and new is not None else None
        if ok == nk and po == pn:
            continue  # nothing the index carries changed: no index write
        if deltas is None:
            deltas = {}
        entry = deltas[ix.name] = [0, 0]
        so = (old_size if po is old else item_size(po)) if po is not None else 0
        sn = (new_size if pn is new else item_size(pn)) if pn is not None else 0
        cost = 0
        if ok is not None and ok != nk:
            txn.delete(iname, ok)
            entry[0] -= 1
            entry[1] -= so
            cost += _units(so)
            so = 0
        if nk is not None and pn is not None:
            txn.put(iname, nk, dump_item(pn, sn))
            if ok != nk:
                entry[0] += 1
                cost += _units(sn)
            else:
                cost += _units(max(so, sn))
            entry[1] += sn - so
        units[ix.name] = float(cost)
    stats.add(txn, table.table_id, count, new_size - old_size, deltas)
    return units


def put_blind(txn: Txn, table: Table, key: bytes, new: Item, new_size: int, stats: StatsKeeper) -> None:
    """Store `new` at `key` of a table without indexes whatever was there, without reading it
    here: the statistics deltas come from the replaced item's recorded size, which the store reads
    when it is cheapest (Txn.put_counted; for an API worker's group, at commit)."""
    assert not table.indexes
    table_id = table.table_id

    def deltas(old: bytes | None) -> dict[str, int]:
        if old is None:
            return stats.deltas(table_id, 1, new_size)
        return stats.deltas(table_id, 0, new_size - stored_size(old))

    txn.put_counted(items_ns(table), key, dump_item(new, new_size), deltas)


def backfill_index(txn: Txn, table: Table, ix: Index, stats: StatsKeeper) -> None:
    """Build a new GSI from the table's items (items whose key type does not fit are skipped)."""
    entry = [0, 0]
    iname = index_ns(table, ix)
    for _, raw in txn.scan(items_ns(table)):
        item = load_item(raw)
        k = index_key(table, ix, item)
        if k is None or not _index_key_fits(ix, item):
            continue
        p = project(table, ix, item)
        size = item_size(p)
        txn.put(iname, k, dump_item(p, size))
        entry[0] += 1
        entry[1] += size
    stats.add(txn, table.table_id, 0, 0, {ix.name: entry})


def _index_key_fits(ix: Index, item: Item) -> bool:
    for attr, limit in ((ix.hash, 2048), (ix.range, 1024)):
        if attr is None:
            continue
        v = item[attr.name][attr.type]
        n = len(v.encode()) if attr.type == "S" else len(v) if attr.type == "B" else 1
        if n == 0 or n > limit:
            return False
    return True


def drop_index(txn: Txn, table: Table, ix: Index, stats: StatsKeeper) -> None:
    txn.delete_range(index_ns(table, ix))
    stats.drop_index(txn, table, ix.name)


def drop_table(txn: Txn, table: Table) -> None:
    txn.delete_range(items_ns(table))
    for ix in table.indexes:
        txn.delete_range(index_ns(table, ix))
