"""Item count and size of each table and index (what DescribeTable reports), exact and durable.

AWS refreshes ItemCount/TableSizeBytes about every 6 hours; we report exact figures. Each write
adds its deltas to the store's counters (Txn.add_counters) in its own transaction, so the figures
commit with the items and are exact after a kill -9 with nothing to recount. Counters are added at
commit and never read by the writer: the requests of a commit group and the API worker processes
never conflict over them, and the store keeps them in the page its change sequence already dirties
at every commit, so a group's additions cost no page of their own. Names:
`dynamodb/<table id>/c` and `/s` (items, bytes), `dynamodb/<table id>/i/<index>/c` and `/s`.

Earlier versions kept a JSON row per table (catalog.NS_STATS), with deltas in memory and the row
stamped by the run holding them; `migrate` turns such rows into counters at start (recounting a
stamped row's table: that run may have died with deltas only in memory). Neighbours: storage.py
(reports each write's deltas), catalog.py, tables.py (DescribeTable, UpdateTable, DeleteTable).
"""

from __future__ import annotations

import json

from cloudlet.services.dynamodb.catalog import NS_STATS, NS_TABLES
from cloudlet.services.dynamodb.model import Stats, Table
from cloudlet.services.dynamodb.storage import index_ns, items_ns, stored_size
from cloudlet.store import Store, Txn

_OWNER = "o"  # (earlier versions) the row field holding the run id of a process with deltas in memory


def _prefix(table_id: str) -> str:
    return f"dynamodb/{table_id}/"


class StatsKeeper:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- writes ------------------------------------------------------------------------------------
    @staticmethod
    def add(
        txn: Txn, table_id: str, count: int, size: int, indexes: dict[str, list[int]] | None = None
    ) -> None:
        """Record a write's deltas (count, bytes, per index [count, bytes]), committed with it."""
        txn.add_counters(StatsKeeper.deltas(table_id, count, size, indexes))

    @staticmethod
    def deltas(
        table_id: str, count: int, size: int, indexes: dict[str, list[int]] | None = None
    ) -> dict[str, int]:
        """The counter additions for a write's deltas (what `add` records)."""
        prefix = _prefix(table_id)
        deltas = {prefix + "c": count, prefix + "s": size}
        if indexes:
            for name, (c, s) in indexes.items():
                deltas[f"{prefix}i/{name}/c"] = c
                deltas[f"{prefix}i/{name}/s"] = s
        return deltas

    @staticmethod
    def drop_index(txn: Txn, table: Table, name: str) -> None:
        """An index is being deleted: its figures go with it."""
        txn.drop_counters(f"{_prefix(table.table_id)}i/{name}/")

    @staticmethod
    def forget(txn: Txn, table_id: str) -> None:
        """The table is being deleted: its figures go with it."""
        txn.drop_counters(_prefix(table_id))

    # -- reads -------------------------------------------------------------------------------------
    def current(self, table: Table) -> Stats:
        """The exact statistics of `table` as committed."""
        with self._store.read() as txn:
            return read(txn, table.table_id)

    # -- start -------------------------------------------------------------------------------------
    def migrate(self) -> int:
        """Turn the statistics rows of earlier versions into counters (see the module docstring);
        the number of tables migrated."""
        with self._store.read() as txn:
            if next(iter(txn.scan(NS_STATS, limit=1)), None) is None:
                return 0
        migrated = 0
        with self._store.write() as txn:
            tables = {}
            for _, raw in txn.scan(NS_TABLES):
                table = Table.from_doc(json.loads(raw))
                tables[table.table_id] = table
            for key, raw in list(txn.scan(NS_STATS)):
                table_id = key.decode()
                txn.delete(NS_STATS, key)
                found = tables.get(table_id)
                if found is None:
                    continue  # the row of a deleted table
                doc = json.loads(raw)
                stats = recount(txn, found) if doc.get(_OWNER) is not None else Stats.from_doc(doc)
                txn.drop_counters(_prefix(table_id))
                self.add(txn, table_id, stats.count, stats.size, stats.indexes)
                migrated += 1
        return migrated


def read(txn: Txn, table_id: str) -> Stats:
    prefix = _prefix(table_id)
    found = txn.counters(prefix)
    stats = Stats(found.get(prefix + "c", 0), found.get(prefix + "s", 0))
    cut = len(prefix) + 2  # "i/"
    for name, value in found.items():
        if name.startswith("i/", len(prefix)):
            index, _, which = name[cut:].rpartition("/")
            entry = stats.indexes.setdefault(index, [0, 0])
            entry[0 if which == "c" else 1] = value
    return stats


def recount(txn: Txn, table: Table) -> Stats:
    """Count a table's items and index entries from the store (each entry records its size)."""
    stats = Stats()
    for _, raw in txn.scan(items_ns(table)):
        stats.count += 1
        stats.size += stored_size(raw)
    for ix in table.indexes:
        entry = stats.indexes[ix.name] = [0, 0]
        for _, raw in txn.scan(index_ns(table, ix)):
            entry[0] += 1
            entry[1] += stored_size(raw)
    return stats


__all__ = ["StatsKeeper", "read", "recount"]
