"""WAL checkpoints happen on the store's background thread, never inside a commit."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from cloudlet.store import SqliteStore
from cloudlet.store import sqlite as sqlite_store


def test_connections_never_checkpoint_on_commit(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.db")
    try:
        with store.write() as txn:
            txn.put("ns", "k", b"v")
            assert txn._con.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        with store.read() as txn:
            assert txn._con.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    finally:
        store.close()


def test_background_thread_copies_the_wal_into_the_database(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = SqliteStore(path)
    try:
        for i in range(200):
            with store.write() as txn:
                txn.put("ns", f"k{i:04d}", bytes(1000))
        # commits only append to the WAL; the database file grows once the checkpointer has run
        # (within CHECKPOINT_SECONDS, as 200 commits stay below CHECKPOINT_COMMITS)
        deadline = time.monotonic() + sqlite_store.CHECKPOINT_SECONDS * 5
        while path.stat().st_size < 200_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size >= 200_000
        with store.read() as txn:
            assert len(list(txn.scan("ns"))) == 200
    finally:
        store.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM kv WHERE ns='ns'").fetchone()[0] == 200
    con.close()


def test_many_commits_wake_the_checkpointer_early(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sqlite_store, "CHECKPOINT_SECONDS", 60.0)  # only the commit count can trigger it
    monkeypatch.setattr(sqlite_store, "CHECKPOINT_COMMITS", 50)
    path = tmp_path / "state.db"
    store = SqliteStore(path)
    try:
        for i in range(120):
            with store.write() as txn:
                txn.put("ns", f"k{i:04d}", bytes(1000))
        deadline = time.monotonic() + 10
        while path.stat().st_size < 40_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size >= 40_000
    finally:
        store.close()
