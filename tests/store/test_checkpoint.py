"""WAL checkpoints happen on the store's background thread, never inside a commit."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

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


def _wal_bytes(path: Path) -> int:
    wal = Path(str(path) + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _wal_restarts(path: Path) -> int:
    """How many times the WAL was started from its beginning: the checkpoint sequence number in
    the WAL header (bytes 12-15, big-endian), which SQLite adds one to at each start-over."""
    with open(str(path) + "-wal", "rb") as wal:
        return int.from_bytes(wal.read(16)[12:16], "big")


def _write_without_pause(stores: list[SqliteStore], commits: int) -> None:
    """Commit back to back from one thread per store, so the WAL is never idle."""

    def run(store: SqliteStore, n: int) -> None:
        for i in range(commits):
            with store.write() as txn:
                txn.put("ns", f"{n}-{i % 500:04d}", bytes(2000))

    threads = [threading.Thread(target=run, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _small_wal(monkeypatch) -> None:
    monkeypatch.setattr(sqlite_store, "CHECKPOINT_SECONDS", 0.02)
    monkeypatch.setattr(sqlite_store, "CHECKPOINT_COMMITS", 50)
    monkeypatch.setattr(sqlite_store, "RESTART_FRAMES", 256)  # 1 MiB
    monkeypatch.setattr(sqlite_store, "RESTART_BACKOFF_SECONDS", 0.1)


# Without the RESTART pass the WAL of these streams is never started over and ends at ~110 MB
# (each commit writes ~4-5 pages). With it, it is started over every ~256 frames plus what was
# written while a checkpoint ran: tens of times, and the file stays at a few MiB. The bounds
# below leave room for a loaded machine with slow fsyncs (a CI run saw 9.6 MB), where each
# checkpoint lets more frames pile up before the next start-over.
WAL_BOUND = 24 << 20
MIN_RESTARTS = 4


def test_every_connection_keeps_a_wal_of_several_start_over_lengths(tmp_path: Path) -> None:
    # journal_size_limit far above the length a steady stream's WAL reaches, so that it is not
    # cut (and regrown) at every start-over
    store = SqliteStore(tmp_path / "state.db")
    try:
        with store.write() as txn:
            txn.put("ns", "k", b"v")
            limit = txn._con.execute("PRAGMA journal_size_limit").fetchone()[0]
            page = txn._con.execute("PRAGMA page_size").fetchone()[0]
        assert limit == sqlite_store.wal_size_limit(page)
        assert limit >= 4 * sqlite_store.RESTART_FRAMES * (page + 24)
    finally:
        store.close()


@pytest.mark.slow
def test_a_steady_stream_of_writes_starts_the_wal_over_without_cutting_it(
    tmp_path: Path, monkeypatch
) -> None:
    # the file keeps its length from one start-over to the next: each cut (and the regrowth after
    # it) held the next commit for 10-20 ms. Sampled from another thread: a shorter file than
    # the last sample is a cut.
    _small_wal(monkeypatch)
    path = tmp_path / "state.db"
    wal = Path(str(path) + "-wal")
    store = SqliteStore(path)
    cuts = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal cuts
        last = 0
        while not done.is_set():
            size = wal.stat().st_size if wal.exists() else 0
            cuts += size < last
            last = size
            time.sleep(0.0005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        _write_without_pause([store], 6000)
    finally:
        done.set()
        watcher.join()
    try:
        restarts = _wal_restarts(path)
        assert restarts >= MIN_RESTARTS
        # (with the limit at one start-over length, 58 cuts in 63 start-overs here; a slow
        # checkpoint on a loaded machine can still let a WAL swell past the limit now and then)
        assert cuts <= restarts // 10, (cuts, restarts)
    finally:
        store.close()


def test_a_steady_stream_of_writes_does_not_grow_the_wal_without_bound(tmp_path: Path, monkeypatch) -> None:
    # a PASSIVE checkpoint never finds a busy WAL idle, and SQLite starts the WAL over only when
    # a writer finds it wholly copied back
    _small_wal(monkeypatch)
    path = tmp_path / "state.db"
    store = SqliteStore(path)
    try:
        _write_without_pause([store], 6000)
        assert _wal_restarts(path) >= MIN_RESTARTS
        assert _wal_bytes(path) < WAL_BOUND
        with store.read() as txn:
            assert len(list(txn.scan("ns"))) == 500
    finally:
        store.close()


def test_shared_stores_writing_without_pause_keep_the_wal_bounded(tmp_path: Path, monkeypatch) -> None:
    # two shared stores on one database (as API worker processes have), both checkpointing
    _small_wal(monkeypatch)
    path = tmp_path / "state.db"
    stores = [SqliteStore(path, shared=True), SqliteStore(path, shared=True)]
    try:
        _write_without_pause(stores, 3000)
        assert _wal_restarts(path) >= MIN_RESTARTS
        assert _wal_bytes(path) < WAL_BOUND
        with stores[0].read() as txn:
            assert len(list(txn.scan("ns"))) == 1000
    finally:
        for s in stores:
            s.close()


def test_a_reader_holding_an_old_snapshot_delays_the_restart_but_never_stalls_writers(
    tmp_path: Path, monkeypatch
) -> None:
    # the RESTART checkpoint runs in a committer holding the write lock and waits for readers of
    # older snapshots: it gives up after RESTART_WAIT_MS and backs off, and once the reader is
    # gone the WAL is started over again
    _small_wal(monkeypatch)
    monkeypatch.setattr(sqlite_store, "RESTART_BACKOFF_SECONDS", 0.2)
    path = tmp_path / "state.db"
    store = SqliteStore(path)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        with store.write() as txn:
            txn.put("ns", "first", b"x")
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM kv").fetchone()[0] == 1  # its snapshot is held
        slowest = 0.0
        started = time.monotonic()
        for i in range(3000):
            t = time.monotonic()
            with store.write() as txn:
                txn.put("ns", f"k{i % 500:04d}", bytes(2000))
            slowest = max(slowest, time.monotonic() - t)
        elapsed = time.monotonic() - started
        # without the give-up, a commit would wait out SQLite's 30 s busy timeout
        assert slowest < 2.0, (slowest, elapsed)
        assert _wal_bytes(path) > 6 << 20  # nothing could be started over while the reader read
        restarts = _wal_restarts(path)
        assert reader.execute("SELECT count(*) FROM kv").fetchone()[0] == 1  # and it still reads its snapshot
        reader.execute("ROLLBACK")
        time.sleep(0.3)  # past the back-off
        _write_without_pause([store], 3000)
        # after the reader ended the WAL was started over again and trimmed
        assert _wal_restarts(path) >= restarts + MIN_RESTARTS
        assert _wal_bytes(path) < WAL_BOUND
        with store.read() as txn:
            assert len(list(txn.scan("ns"))) == 1 + 500 + 500
    finally:
        reader.close()
        store.close()
