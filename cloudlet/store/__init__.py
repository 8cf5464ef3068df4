"""Persistence: namespaced, ordered key/value tables with transactions and a change sequence.

`Store` is the interface every service uses; `sqlite.SqliteStore` is the embedded default.
Keys are byte strings (str keys are UTF-8 encoded) compared bytewise, so range scans follow
whatever order-preserving encoding a service chooses. Values are bytes; `get_doc`/`put_doc` store
JSON documents.
"""

from __future__ import annotations

from collections.abc import Iterable

from cloudlet.store.base import Store, Txn
from cloudlet.store.sqlite import SqliteStore

__all__ = ["Store", "Txn", "SqliteStore", "open_store"]


def open_store(
    path: str, durability: str = "normal", streams: Iterable[str] = (), shared: bool = False
) -> Store:
    return SqliteStore(path, durability=durability, streams=streams, shared=shared)
