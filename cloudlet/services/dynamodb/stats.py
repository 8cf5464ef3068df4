"""Item count and size of each table and index (what DescribeTable reports), without a statistics
write per item write.

AWS refreshes ItemCount/TableSizeBytes about every 6 hours; we report exact figures but keep them
cheaply: the stored row (catalog.NS_STATS) is a base, and the deltas of writes committed since
are summed in memory (`_pending`), so DescribeTable answers base + pending.

Crash safety (kill -9): before this process first writes a table's items, it stamps the table's
row with its run id, in the same store transaction as that first write (`claim`). Pending deltas
are folded back into the row and the stamp removed only by a clean `flush` (component stop). A
row found stamped by another run therefore means that run may have died with deltas only in
memory: the first claim or DescribeTable then recounts the table and its indexes from the stored
items (one ordered scan reading each entry's recorded size, no decoding) and stamps the row as
its own, inside one write transaction, so the recount and the stamp are consistent.
With API workers (a `shared` store: several processes write the items) nothing is held in
memory: each transaction folds its deltas into the rows once, just before it commits
(Txn.before_commit), so the rows are exact and kill -9 needs no recount; a row left stamped by an
earlier single-process run is recounted on first use as above. Neighbours: storage.py (reports
each write's deltas), catalog.py (where the row lives), tables.py (DescribeTable, UpdateTable, DeleteTable).
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from cloudlet.services.dynamodb.catalog import NS_STATS
from cloudlet.services.dynamodb.model import Stats, Table
from cloudlet.services.dynamodb.storage import index_ns, items_ns, stored_size
from cloudlet.store import Store, Txn

_OWNER = "o"  # the row field holding the run id of the process that has deltas only in memory
_FOLD = "dynamodb.stats"


class StatsKeeper:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._shared = store.shared
        self._run = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._pending: dict[str, Stats] = {}
        self._claimed: set[str] = set()  # table ids whose row carries this run's stamp (committed)
        # (table id, index) -> the store sequence number of the transaction that deleted it.
        # Callbacks run after the store's write lock is released, so a write committed just before
        # the deletion may report after it: its index delta (an earlier sequence) is ignored, while
        # a later index of the same name (built at a later sequence) counts normally.
        self._dropped_at: dict[tuple[str, str], int] = {}

    # -- writes ------------------------------------------------------------------------------------
    def claim(self, txn: Txn, table: Table) -> None:
        """In a write transaction, before `table`'s items change: make sure its row is stamped."""
        if table.table_id in self._claimed:
            return
        doc = txn.get_doc(NS_STATS, table.table_id)
        owner = doc.get(_OWNER) if doc is not None else None
        if owner == self._run:  # stamped by an earlier transaction whose callback has not run yet
            return
        table_id = table.table_id
        if self._shared and doc is not None and owner is None:
            # exact as stored; remembered, so optimistic groups do not read the row every
            # other process's commit changes (each read would be a conflict)
            txn.after_commit(lambda: self._claimed.add(table_id))
            return
        # no row, or one a crashed run left behind: count what is stored
        stats = recount(txn, table) if doc is None or owner is not None else Stats.from_doc(doc)
        out = stats.to_doc()
        if not self._shared:
            out[_OWNER] = self._run
        txn.put_doc(NS_STATS, table.table_id, out)
        txn.after_commit(lambda: self._claimed.add(table_id))

    def add(
        self, txn: Txn, table_id: str, count: int, size: int, indexes: dict[str, list[int]] | None
    ) -> None:
        """Record a write's deltas (count, bytes, per index [count, bytes]); they count once committed."""
        if self._shared:
            self._fold_later(txn, table_id, count, size, indexes)
            return
        seq = txn.seq
        txn.after_commit(lambda: self._apply(table_id, count, size, indexes, seq))

    def _apply(
        self, table_id: str, count: int, size: int, indexes: dict[str, list[int]] | None, seq: int
    ) -> None:
        with self._lock:
            p = self._pending.get(table_id)
            if p is None:
                p = self._pending[table_id] = Stats()
            if indexes and self._dropped_at:  # not an index deleted after this write was made
                indexes = {
                    name: v
                    for name, v in indexes.items()
                    if seq >= self._dropped_at.get((table_id, name), -1)
                }
            p.add(count, size, indexes)

    @staticmethod
    def _fold_later(
        txn: Txn, table_id: str, count: int, size: int, indexes: dict[str, list[int]] | None
    ) -> None:
        deltas = txn.before_commit(_FOLD, _fold)
        p = deltas.get(table_id)
        if p is None:
            p = deltas[table_id] = Stats()
        p.add(count, size, indexes)

    def drop_index(self, txn: Txn, table: Table, name: str) -> None:
        """An index is being deleted: its figures go from the row now and from memory once committed."""
        self.claim(txn, table)
        doc = txn.get_doc(NS_STATS, table.table_id)
        doc["i"].pop(name, None)
        txn.put_doc(NS_STATS, table.table_id, doc)
        table_id, seq = table.table_id, txn.seq

        def drop() -> None:
            with self._lock:
                self._dropped_at[(table_id, name)] = seq
                p = self._pending.get(table_id)
                if p is not None:
                    p.indexes.pop(name, None)

        txn.after_commit(drop)

    def index_built(self, txn: Txn, table_id: str, name: str, count: int, size: int) -> None:
        """A new index was filled with `count` entries of `size` bytes (counted once committed)."""
        if self._shared:
            self._fold_later(txn, table_id, 0, 0, {name: [count, size]})
            return
        seq = txn.seq
        txn.after_commit(lambda: self._apply(table_id, 0, 0, {name: [count, size]}, seq))

    def forget(self, txn: Txn, table_id: str) -> None:
        """The table is being deleted (its row goes with it): drop what memory holds once committed."""

        def drop() -> None:
            with self._lock:
                self._pending.pop(table_id, None)
                self._claimed.discard(table_id)

        txn.after_commit(drop)

    # -- reads -------------------------------------------------------------------------------------
    def current(self, table: Table) -> Stats:
        """The exact statistics of `table` (recounting first if a crashed run left them behind)."""
        with self._store.read() as txn:
            doc = txn.get_doc(NS_STATS, table.table_id)
        owner = doc.get(_OWNER) if doc is not None else None
        if doc is None or (owner is not None and owner != self._run):
            with self._store.write() as txn:
                self.claim(txn, table)
                doc = txn.get_doc(NS_STATS, table.table_id)
        base = Stats.from_doc(doc)
        with self._lock:
            p = self._pending.get(table.table_id)
            if p is None:
                return base
            base.add(p.count, p.size, p.indexes)  # (from_doc copied the row's lists)
        return base

    # -- shutdown ----------------------------------------------------------------------------------
    def flush(self) -> None:
        """Fold pending deltas into the rows and remove this run's stamps (clean shutdown)."""
        if self._shared:
            return  # nothing pending, nothing stamped
        with self._store.write() as txn:
            for table_id in sorted(self._claimed):
                doc = txn.get_doc(NS_STATS, table_id)
                if doc is None:
                    continue  # deleted
                base = Stats.from_doc(doc)
                with self._lock:
                    p = self._pending.pop(table_id, None)
                if p is not None:
                    base.add(p.count, p.size, p.indexes)
                txn.put_doc(NS_STATS, table_id, base.to_doc())
            self._claimed.clear()


def _fold(txn: Txn, deltas: dict[str, Any]) -> None:
    """Add a transaction's deltas to the rows (shared stores; under the write lock, at commit)."""
    for table_id, p in deltas.items():
        doc = txn.get_doc(NS_STATS, table_id)
        if doc is None:
            continue  # the table was deleted
        base = Stats.from_doc(doc)  # never stamped: claim() ran first, in this transaction
        base.add(p.count, p.size, p.indexes)
        txn.put_doc(NS_STATS, table_id, base.to_doc())


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


__all__ = ["StatsKeeper", "recount"]
