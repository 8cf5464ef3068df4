"""The transactional interface services program against (backends: sqlite.py; postgres later)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

Key = bytes | str


def encode_key(key: Key) -> bytes:
    return key.encode() if isinstance(key, str) else key


def prefix_end(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key starting with `prefix` (None: no upper bound)."""
    p = bytearray(prefix)
    while p:
        if p[-1] < 0xFF:
            p[-1] += 1
            return bytes(p)
        p.pop()
    return None


class Txn(Protocol):
    seq: int  # a write commits as this change sequence number; a read saw up to this one

    def get(self, ns: str, key: Key) -> bytes | None: ...
    def put(self, ns: str, key: Key, value: bytes) -> None: ...
    def delete(self, ns: str, key: Key) -> bool: ...
    def put_counted(
        self, ns: str, key: Key, value: bytes, count: Callable[[bytes | None], Mapping[str, int]]
    ) -> None:
        """Write `value` at `key`, and add to the counters (add_counters) what `count(old)`
        returns for the value it replaces (None: there was none). The store reads `old` when it
        is cheapest: a shared store's optimistic group (sqlite.BufferedTxn) reads it at commit,
        under the write lock, so a write that depends on nothing else it read (a blind PutItem
        keeping its table's statistics) reads nothing from the group's snapshot and can never
        conflict with another process's write of the same key."""
        ...

    def scan(
        self,
        ns: str,
        start: Key = b"",
        end: Key | None = None,
        *,
        reverse: bool = False,
        limit: int | None = None,
    ) -> Iterator[tuple[bytes, bytes]]:
        """Keys in [start, end), ascending (or descending with reverse=True)."""
        ...

    def delete_range(self, ns: str, start: Key = b"", end: Key | None = None) -> int: ...
    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this transaction has committed (never if it rolls back)."""
        ...

    def add_counters(self, deltas: Mapping[str, int]) -> None:
        """Add to named integer counters (a missing one counts from 0) when this transaction
        commits, inside it. Additions commute, so a transaction never reads what it adds to: the
        requests of a commit group, and processes sharing the store, never conflict over a
        counter (statistics every write updates)."""
        ...

    def counters(self, prefix: str) -> dict[str, int]:
        """The counters whose names start with `prefix`: as committed when this transaction's
        snapshot was taken, plus its own additions. Reading them is not a read that can conflict."""
        ...

    def drop_counters(self, prefix: str) -> None:
        """Delete the counters whose names start with `prefix`, with this transaction's additions."""
        ...

    memo: dict[str, Any]  # per-transaction scratch for components (e.g. what the catalog checked)

    # JSON documents on top of bytes
    def get_doc(self, ns: str, key: Key) -> Any: ...
    def put_doc(self, ns: str, key: Key, doc: Any) -> None: ...


class Store(Protocol):
    # other processes write this database too (API workers): caches of stored state must check
    # it per transaction
    shared: bool

    def read(self) -> AbstractContextManager[Txn]:
        """A consistent snapshot for reading (writes inside it are refused)."""
        ...

    def write(self) -> AbstractContextManager[Txn]:
        """A serialized write transaction; committed durably when the block exits normally.
        Nested write() calls on one thread join the outer transaction."""
        ...

    @property
    def seq(self) -> int:
        """The change sequence number: +1 per committed write transaction."""
        ...

    def committed_seq(self, stream: str | None = None) -> int:
        """The change sequence as committed by any process sharing the database; with a stream
        (a namespace prefix the store was opened to follow), the last commit that wrote to it."""
        ...

    def close(self) -> None: ...


class GroupingStore(Protocol):
    """A store that can commit the writes of many requests together (sqlite.py explains how)."""

    def enable_grouping(self, schedule: Callable[[Callable[[], None]], Any]) -> None: ...
    def grouped(self) -> AbstractContextManager[None]: ...
    def dirty_group(self) -> int: ...
    def when_durable(self, callback: Callable[[BaseException | None], None]) -> None: ...


class GroupAborted(RuntimeError):
    """The group commit a request was part of was rolled back (another request failed mid-write)."""


class GroupConflict(GroupAborted):
    """A shared store's group read something another process changed before the group could
    commit: nothing of it was written, and its requests run again (see sqlite.BufferedTxn)."""


class DocMixin:
    """get_doc/put_doc for any Txn implementing get/put."""

    def get_doc(self, ns: str, key: Key) -> Any:
        raw = self.get(ns, key)  # type: ignore[attr-defined]
        return None if raw is None else json.loads(raw)

    def put_doc(self, ns: str, key: Key, doc: Any) -> None:
        self.put(ns, key, json.dumps(doc, separators=(",", ":")).encode())  # type: ignore[attr-defined]
