"""Where table definitions and their item statistics live in the store.

Namespaces: `dynamodb/tables` (key `<account>/<region>/<name>` -> Table document) and
`dynamodb/stats` (key table id -> Stats document). Every data-plane request looks its table up
here inside its own transaction; parsed tables are memoised by their stored bytes, so a changed
definition is always seen (the bytes differ) and nothing is trusted from memory alone.
Neighbours: tables.py (control plane) writes definitions; storage.py keeps Stats current.
"""

from __future__ import annotations

import json
from collections import OrderedDict

from cloudlet.services.dynamodb import errors
from cloudlet.services.dynamodb.model import Stats, Table
from cloudlet.store import Txn
from cloudlet.store.base import prefix_end

NS_TABLES = "dynamodb/tables"
NS_STATS = "dynamodb/stats"
_MEMO_SIZE = 256


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
    def __init__(self) -> None:
        self._memo: OrderedDict[bytes, Table] = OrderedDict()

    def get(self, txn: Txn, account: str, region: str, name: str) -> Table | None:
        raw = txn.get(NS_TABLES, table_key(account, region, name))
        if raw is None:
            return None
        table = self._memo.get(raw)
        if table is None:
            table = Table.from_doc(json.loads(raw))
            self._memo[raw] = table
            if len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)
        return table

    def put(self, txn: Txn, table: Table) -> None:
        txn.put_doc(NS_TABLES, table_key(table.account, table.region, table.name), table.to_doc())

    def delete(self, txn: Txn, table: Table) -> None:
        txn.delete(NS_TABLES, table_key(table.account, table.region, table.name))
        txn.delete(NS_STATS, table.table_id)

    def names(self, txn: Txn, account: str, region: str, start_after: str | None, limit: int) -> list[str]:
        prefix = f"{account}/{region}/".encode()
        start = prefix + (start_after.encode() + b"\x00" if start_after else b"")
        return [
            k[len(prefix) :].decode() for k, _ in txn.scan(NS_TABLES, start, prefix_end(prefix), limit=limit)
        ]

    @staticmethod
    def stats(txn: Txn, table_id: str) -> Stats:
        return Stats.from_doc(txn.get_doc(NS_STATS, table_id))

    @staticmethod
    def put_stats(txn: Txn, table_id: str, stats: Stats) -> None:
        txn.put_doc(NS_STATS, table_id, stats.to_doc())
