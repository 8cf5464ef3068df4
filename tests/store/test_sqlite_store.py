"""The SQLite store: transactions, ordered scans, change sequence, and kill -9 durability."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlet.store import SqliteStore
from cloudlet.store.base import prefix_end
from cloudlet.store.sqlite import ReadOnlyError


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStore(tmp_path / "state.db")
    yield s
    s.close()


def test_put_get_delete_and_seq(store: SqliteStore) -> None:
    assert store.seq == 0
    with store.write() as txn:
        assert txn.seq == 1
        txn.put("a", "k1", b"v1")
        txn.put_doc("a", b"k2", {"x": [1, 2]})
    assert store.seq == 1
    with store.read() as txn:
        assert txn.get("a", "k1") == b"v1"
        assert txn.get_doc("a", "k2") == {"x": [1, 2]}
        assert txn.get("b", "k1") is None  # namespaces are separate
    with store.write() as txn:
        assert txn.delete("a", "k1") is True
        assert txn.delete("a", "k1") is False
    assert store.seq == 2


def test_rollback_on_exception_keeps_nothing(store: SqliteStore) -> None:
    with pytest.raises(RuntimeError), store.write() as txn:
        txn.put("a", "k", b"v")
        raise RuntimeError("boom")
    with store.read() as txn:
        assert txn.get("a", "k") is None
    assert store.seq == 0


def test_after_commit_runs_only_on_commit(store: SqliteStore) -> None:
    calls: list[str] = []
    with store.write() as txn:
        txn.after_commit(lambda: calls.append("committed"))
    with pytest.raises(ValueError), store.write() as txn:
        txn.after_commit(lambda: calls.append("rolled back"))
        raise ValueError
    assert calls == ["committed"]


def test_nested_write_joins_outer_and_read_cannot_write(store: SqliteStore) -> None:
    with store.write() as outer:
        outer.put("a", "1", b"x")
        with store.write() as inner:
            assert inner is outer
        with store.read() as r:
            assert r.get("a", "1") == b"x"  # a read inside a write sees its writes
    assert store.seq == 1
    with store.read() as txn, pytest.raises(ReadOnlyError):
        txn.put("a", "2", b"y")


def test_readers_see_a_snapshot_while_a_writer_commits(store: SqliteStore) -> None:
    with store.write() as txn:
        txn.put("a", "k", b"old")
    with store.read() as r:
        assert r.get("a", "k") == b"old"
        t = threading.Thread(target=lambda: _write(store, b"new"))
        t.start()
        t.join()
        assert r.get("a", "k") == b"old"
    with store.read() as r:
        assert r.get("a", "k") == b"new"


def _write(store: SqliteStore, value: bytes) -> None:
    with store.write() as txn:
        txn.put("a", "k", value)


@settings(max_examples=60, deadline=None)
@given(
    keys=st.sets(st.binary(max_size=6), max_size=40),
    start=st.binary(max_size=3),
    end=st.one_of(st.none(), st.binary(max_size=3)),
    reverse=st.booleans(),
    limit=st.one_of(st.none(), st.integers(0, 50)),
)
def test_scan_matches_sorted_bytes(tmp_path_factory, keys, start, end, reverse, limit) -> None:
    s = SqliteStore(tmp_path_factory.mktemp("scan") / "db")
    try:
        with s.write() as txn:
            for k in keys:
                txn.put("ns", k, k)
            txn.put("other", b"\x00", b"x")
        expected = sorted(k for k in keys if k >= start and (end is None or k < end))
        if reverse:
            expected.reverse()
        if limit is not None:
            expected = expected[:limit]
        with s.read() as txn:
            got = [k for k, _ in txn.scan("ns", start, end, reverse=reverse, limit=limit)]
        assert got == expected
    finally:
        s.close()


def test_an_unfinished_scan_does_not_pin_the_snapshot(store: SqliteStore) -> None:
    """A reader that stops part-way through a scan (a full page, an error) and keeps the cursor
    alive must not leave its connection on the old snapshot: later transactions on that thread
    see what other threads commit, and can begin writing."""
    with store.write() as txn:
        for i in range(50):
            txn.put("a", f"k{i:02d}", b"v")
    kept = []
    with store.read() as txn:
        rows = txn.scan("a")
        kept.append((rows, next(rows)))  # one row read, the cursor kept alive past the block

    def other_thread_writes() -> None:
        with store.write() as txn:
            txn.put("b", "new", b"1")

    writer = threading.Thread(target=other_thread_writes)
    writer.start()
    writer.join()
    with store.read() as txn:
        assert txn.get("b", "new") == b"1"
    with store.write() as txn:  # would fail at once with "database is locked" on a pinned snapshot
        txn.put("b", "mine", b"2")
    assert kept


def test_prefix_end_bounds_every_key_with_the_prefix() -> None:
    assert prefix_end(b"ab") == b"ac"
    assert prefix_end(b"a\xff") == b"b"
    assert prefix_end(b"\xff\xff") is None


def test_delete_range(store: SqliteStore) -> None:
    with store.write() as txn:
        for i in range(10):
            txn.put("n", bytes([i]), b"v")
        assert txn.delete_range("n", bytes([2]), bytes([5])) == 3
    with store.read() as txn:
        assert [k[0] for k, _ in txn.scan("n")] == [0, 1, 5, 6, 7, 8, 9]


def test_state_survives_reopen(tmp_path: Path) -> None:
    s = SqliteStore(tmp_path / "db")
    with s.write() as txn:
        txn.put("a", "k", b"v")
    s.close()
    s2 = SqliteStore(tmp_path / "db")
    try:
        assert s2.seq == 1
        with s2.read() as txn:
            assert txn.get("a", "k") == b"v"
    finally:
        s2.close()


WRITER = """
import sys
from cloudlet.store import SqliteStore
s = SqliteStore(sys.argv[1])
i = 0
while True:
    with s.write() as txn:
        txn.put("acks", str(i).zfill(8), str(i).encode())
    print(i, flush=True)  # acknowledged only after commit returned
    i += 1
"""


def test_sigkill_never_loses_an_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "db"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert proc.stdout is not None
    acked = -1
    deadline = time.monotonic() + 10
    while acked < 300 and time.monotonic() < deadline:
        acked = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    # lines already printed before the kill were acknowledged too
    rest = proc.stdout.read()
    proc.wait()
    for line in rest.split():
        acked = max(acked, int(line))
    assert acked >= 300
    s = SqliteStore(db)
    try:
        with s.read() as txn:
            present = {int(v) for _, v in txn.scan("acks")}
        assert set(range(acked + 1)) <= present
    finally:
        s.close()


def test_committed_seq_sees_other_processes_commits(tmp_path: Path) -> None:
    a, b = SqliteStore(tmp_path / "db"), SqliteStore(tmp_path / "db")
    try:
        with a.write() as txn:
            txn.put("n", "k", b"v")
        assert a.seq == 1 and b.committed_seq() == 1
    finally:
        a.close()
        b.close()


def test_followed_streams_keep_their_own_change_sequence(tmp_path: Path) -> None:
    """DNS workers follow "route53" only: a DynamoDB write must not move that sequence."""
    s = SqliteStore(tmp_path / "db", streams=("route53",))
    try:
        assert s.committed_seq("route53") == 0
        with s.write() as txn:
            txn.put("route53.zones", "z", b"1")
        assert s.committed_seq("route53") == 1 == s.committed_seq()
        with s.write() as txn:
            txn.put("dynamodb.items", "k", b"v")
        assert s.committed_seq() == 2 and s.committed_seq("route53") == 1
        with s.write() as txn:
            txn.put("dynamodb.items", "k2", b"v")
            txn.delete("route53.zones", "z")
        assert s.committed_seq("route53") == 3
        with s.write() as txn:
            txn.delete_range("route53.zones")
        assert s.committed_seq("route53") == 4
        with pytest.raises(RuntimeError), s.write() as txn:
            txn.put("route53.zones", "y", b"1")
            raise RuntimeError
        assert s.committed_seq("route53") == 4  # rolled back: no move
        assert s.committed_seq("dynamodb") == 0  # not followed: not kept
    finally:
        s.close()
