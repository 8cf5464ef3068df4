"""Where table definitions live in the store.

Namespace `dynamodb/tables` (key `<account>/<region>/<name>` -> Table document; `dynamodb/stats`
held the statistics of earlier versions: stats.migrate). The store is the source of truth; parsed
definitions are cached in memory by (account, region, name), and an entry is only ever filled
from a transaction that provably sees the latest committed definitions (see `_may_cache`), and
evicted by every put/delete of that table, so a data-plane request costs no catalog read.
With API workers (the store is `shared`: other processes write the catalog too) the cache is
instead tagged with the catalog's generation, a counter stored in NS_GENERATION that every
put/delete bumps in its own transaction: each transaction reads it once (`txn.memo`), and the
cache serves it only if it was filled at that generation. In an optimistic group the read is
checked again at commit (sqlite.BufferedTxn), so a write that used a definition another process
changed meanwhile runs again.
Neighbours: tables.py (control plane) writes definitions; stats.py keeps the item statistics.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from cloudlet.services.dynamodb import errors
from cloudlet.services.dynamodb.model import Table
from cloudlet.store import Store, Txn
from cloudlet.store.base import prefix_end

NS_TABLES = "dynamodb/tables"
NS_STATS = "dynamodb/stats"  # earlier versions' statistics rows (stats.migrate)
NS_GENERATION = "dynamodb/catalog"  # key "generation" -> decimal counter (shared stores)
_GEN_KEY = "generation"
_GEN_MEMO = "dynamodb.catalog.generation"
_MEMO_SIZE = 256
_CACHE_SIZE = 10_000  # definitions are ~1 KB parsed; past this, lookups just read the store


def table_key(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


def resolve_name(name: str, account: str, region: str) -> tuple[str, str, str]:
    """(account, region, name) a data-plane TableName refers to: a plain name or a table ARN."""
    if name.startswith("arn:"):
        parts = name.split(":", 5)
        if len(parts) == 6 and parts[2] == "dynamodb" and parts[5].startswith("table/"):
            return parts[4], parts[3], parts[5][len("table/") :].split("/", 1)[0]
        raise errors.not_found()
    return account, region, name


class Catalog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._memo: OrderedDict[bytes, Table] = OrderedDict()
        self._cache: dict[tuple[str, str, str], Table] = {}
        self._lock = threading.Lock()
        # the store sequence number of the last transaction that changed a definition
        self._changed_seq = -1
        self._shared = store.shared
        self._generation = -1  # shared stores: the generation the cache was filled at

    def get(self, txn: Txn, account: str, region: str, name: str) -> Table | None:
        ck = (account, region, name)
        if self._shared:
            return self._get_shared(txn, ck)
        cached = self._cache.get(ck)
        if cached is not None:
            return cached
        raw = txn.get(NS_TABLES, table_key(account, region, name))
        if raw is None:
            return None
        table = self._parse(raw)
        with self._lock:
            if self._may_cache(txn) and len(self._cache) < _CACHE_SIZE:
                self._cache[ck] = table
        return table

    def _get_shared(self, txn: Txn, ck: tuple[str, str, str]) -> Table | None:
        gen = txn.memo.get(_GEN_MEMO)
        if gen is None:
            raw = txn.get(NS_GENERATION, _GEN_KEY)
            gen = txn.memo[_GEN_MEMO] = int(raw) if raw is not None else 0
        current = gen >= 0 and gen == self._generation
        if current:
            cached = self._cache.get(ck)
            if cached is not None:
                return cached
        raw = txn.get(NS_TABLES, table_key(*ck))
        if raw is None:
            return None
        table = self._parse(raw)
        if gen < 0:  # read after this transaction changed a definition: not for the cache
            return table
        with self._lock:
            if gen > self._generation:
                self._cache.clear()
                self._generation = gen
            if gen == self._generation and len(self._cache) < _CACHE_SIZE:
                self._cache[ck] = table
        return table

    def _parse(self, raw: bytes) -> Table:
        table = self._memo.get(raw)
        if table is None:
            table = Table.from_doc(json.loads(raw))
            self._memo[raw] = table
            if len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)
        return table

    def _may_cache(self, txn: Txn) -> bool:
        """Whether `txn` sees every committed definition change and none of its own (called under
        the lock that put/delete take, so no change can slip between this check and the insert).
        A write transaction holds the store's write lock, so the store's sequence is its own minus
        one; a read transaction began at the store's sequence and nothing has committed since
        only if the two are still equal."""
        current = self._store.seq
        if current == txn.seq - 1 or current == txn.seq:
            return current >= self._changed_seq
        return False

    def _changing(self, txn: Txn, table: Table) -> None:
        with self._lock:
            self._cache.pop((table.account, table.region, table.name), None)
            self._changed_seq = max(self._changed_seq, txn.seq)
        if self._shared:
            raw = txn.get(NS_GENERATION, _GEN_KEY)
            txn.put(NS_GENERATION, _GEN_KEY, str((int(raw) if raw is not None else 0) + 1).encode())
            txn.memo[_GEN_MEMO] = -1  # this transaction reads definitions from the store from now on

    def put(self, txn: Txn, table: Table) -> None:
        self._changing(txn, table)
        txn.put_doc(NS_TABLES, table_key(table.account, table.region, table.name), table.to_doc())

    def delete(self, txn: Txn, table: Table) -> None:
        self._changing(txn, table)
        txn.delete(NS_TABLES, table_key(table.account, table.region, table.name))

    def names(self, txn: Txn, account: str, region: str, start_after: str | None, limit: int) -> list[str]:
        prefix = f"{account}/{region}/".encode()
        start = prefix + (start_after.encode() + b"\x00" if start_after else b"")
        return [
            k[len(prefix) :].decode() for k, _ in txn.scan(NS_TABLES, start, prefix_end(prefix), limit=limit)
        ]
