"""A store shared by several processes (API workers; store/sqlite.py `shared`): each "process"
here is its own SqliteStore on the same file (separate connections and separate flock
descriptions, so they exclude each other exactly as processes do).

Optimistic groups: a group's writes reach the database only at the end of its turn, after
checking that nothing it read was changed by another process meanwhile; if something was, the
whole group is rolled back with GroupConflict and the next group locks from its start."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlet.store import SqliteStore
from cloudlet.store.base import GroupConflict
from cloudlet.store.sqlite import BufferedTxn


def _value(store: SqliteStore, key: str) -> bytes | None:
    with store.read() as txn:
        return txn.get("t", key)


async def _group(store: SqliteStore, work: Callable[[Any], None], between: Callable[[], None]) -> str:
    """Run `work` in a grouped write, then `between` (another process's doing) before the group
    ends, then wait for durability as the gateway does: 'ok' or 'conflict'."""
    with store.grouped(), store.write() as txn:
        work(txn)
    between()
    if not store.dirty_group():
        return "ok"
    done = asyncio.get_running_loop().create_future()
    store.when_durable(lambda err: done.set_exception(err) if err else done.set_result(None))
    try:
        await done
    except GroupConflict:
        return "conflict"
    return "ok"


def _run(store: SqliteStore, coro: Callable[[], Any]) -> Any:
    async def main() -> Any:
        store.enable_grouping(asyncio.get_running_loop().call_soon)
        return await coro()

    return asyncio.run(main())


@pytest.fixture
def pair(tmp_path: Path) -> Any:
    a = SqliteStore(tmp_path / "s.db", shared=True)
    b = SqliteStore(tmp_path / "s.db", shared=True)
    yield a, b
    a.close()
    b.close()


def test_group_writes_are_invisible_until_the_turn_ends_then_committed_with_a_global_sequence(
    pair: Any,
) -> None:
    a, b = pair
    with b.write() as txn:
        txn.put("t", "x", b"0")
    seen: list[bytes | None] = []

    def work(txn: Any) -> None:
        assert isinstance(txn, BufferedTxn)  # optimistic: no lock held
        txn.put("t", "y", b"1")
        assert txn.get("t", "y") == b"1"  # a group reads its own writes

    outcome = _run(a, lambda: _group(a, work, lambda: seen.append(_value(b, "y"))))
    assert outcome == "ok"
    assert seen == [None]  # another process saw nothing before the commit
    assert _value(b, "y") == b"1"
    # one sequence for all processes: b committed 1, a committed 2
    assert a.committed_seq() == 2 and a.seq == 2


def test_a_key_read_then_changed_by_another_process_rolls_the_group_back(pair: Any) -> None:
    a, b = pair
    with b.write() as txn:
        txn.put("t", "counter", b"1")

    def increment(txn: Any) -> None:
        txn.put("t", "counter", str(int(txn.get("t", "counter")) + 1).encode())

    def other_increment() -> None:
        with b.write() as txn:
            txn.put("t", "counter", b"11")  # b commits between a's read and a's commit

    assert _run(a, lambda: _group(a, increment, other_increment)) == "conflict"
    assert _value(b, "counter") == b"11"  # a's stale increment was not applied
    assert a.conflicts == 1

    # the rerun's group holds the lock from its start: b cannot slip in, so it cannot conflict
    async def rerun() -> str:
        with a.grouped(), a.write() as txn:
            assert not isinstance(txn, BufferedTxn)
            increment(txn)
        return await _group(a, lambda txn: None, lambda: None)

    assert _run(a, rerun) == "ok"
    assert _value(b, "counter") == b"12"


def test_reading_an_absent_key_conflicts_with_its_insertion(pair: Any) -> None:
    a, b = pair

    def insert_if_absent(txn: Any) -> None:
        if txn.get("t", "k") is None:
            txn.put("t", "k", b"a")

    def other_insert() -> None:
        with b.write() as txn:
            txn.put("t", "k", b"b")

    assert _run(a, lambda: _group(a, insert_if_absent, other_insert)) == "conflict"
    assert _value(b, "k") == b"b"


def test_writes_to_other_keys_do_not_conflict(pair: Any) -> None:
    a, b = pair

    def work(txn: Any) -> None:
        assert txn.get("t", "mine") is None
        txn.put("t", "mine", b"a")
        assert txn.delete("t", "gone") is False

    def other() -> None:
        with b.write() as txn:
            txn.put("t", "theirs", b"b")

    assert _run(a, lambda: _group(a, work, other)) == "ok"
    assert (_value(b, "mine"), _value(b, "theirs")) == (b"a", b"b")
    assert (a.rechecked, a.conflicts) == (1, 0)  # b committed meanwhile: a's reads were compared
    # ...and a knew it from the sequence number b left in the lock file, so it did not first try
    # (and fail) to upgrade its aged snapshot
    assert a.upgrades_skipped == 1


def test_a_group_whose_snapshot_is_still_current_commits_without_checking(pair: Any) -> None:
    a, b = pair
    with b.write() as txn:
        txn.put("t", "k", b"0")

    def work(txn: Any) -> None:
        txn.put("t", "k", txn.get("t", "k") + b"1")

    assert _run(a, lambda: _group(a, work, lambda: _value(b, "k"))) == "ok"  # b only read
    assert (a.rechecked, a.conflicts, a.upgrades_skipped) == (0, 0, 0)
    assert _value(b, "k") == b"01"


def test_an_upgrade_refused_as_busy_waits_for_the_writer_and_rechecks(pair: Any, tmp_path: Path) -> None:
    """A read transaction's upgrade never waits in SQLite's busy handler: a plain SQLITE_BUSY
    (here: a connection outside the flock holding SQLite's own write lock) must not fail the
    group; it begins a fresh write transaction, which waits, and compares its reads."""
    import sqlite3

    a, _ = pair
    raw = sqlite3.connect(tmp_path / "s.db", isolation_level=None, check_same_thread=False)
    released: list[float] = []

    def hold_then_release() -> None:
        time.sleep(0.3)
        released.append(time.monotonic())
        raw.execute("COMMIT")

    def work(txn: Any) -> None:
        txn.put("t", "k", (txn.get("t", "k") or b"") + b"a")
        raw.execute("BEGIN IMMEDIATE")  # taken after a's snapshot began, released 0.3 s later
        threading.Thread(target=hold_then_release).start()

    assert _run(a, lambda: _group(a, work, lambda: None)) == "ok"
    assert released and time.monotonic() >= released[0]
    assert (a.rechecked, a.conflicts) == (1, 0)
    assert a.upgrades_skipped == 0  # the hint is only a hint: a writer outside the stores leaves none
    assert _value(a, "k") == b"a"
    raw.close()


def test_a_scan_takes_the_lock_at_once_and_holds_it_to_the_end_of_the_turn(pair: Any) -> None:
    a, b = pair
    with b.write() as txn:
        txn.put("t", "r1", b"1")
    order: list[str] = []

    def other_writer() -> None:
        with b.write() as txn:  # blocks on the flock while a's group holds it
            txn.put("t", "r2", b"2")
        order.append("b committed")

    async def scenario() -> str:
        thread = threading.Thread(target=other_writer)

        def work(txn: Any) -> None:
            txn.put("t", "r0", b"0")
            rows = list(txn.scan("t"))  # the overlay is written before the scan reads
            assert [k for k, _ in rows] == [b"r0", b"r1"]
            assert not isinstance(txn, BufferedTxn) or txn.direct
            thread.start()
            time.sleep(0.2)
            order.append("a still open")

        outcome = await _group(a, work, lambda: None)
        thread.join(10)
        return outcome

    assert _run(a, scenario) == "ok"
    assert order == ["a still open", "b committed"]
    assert _value(a, "r2") == b"2" and _value(a, "r0") == b"0"


@pytest.mark.parametrize("shared", [False, True])
def test_counters_are_added_at_commit_and_read_with_the_transactions_own_additions(
    tmp_path: Path, shared: bool
) -> None:
    store = SqliteStore(tmp_path / "f.db", shared=shared)
    seen: list[dict[str, int]] = []

    async def scenario() -> None:
        for n in (1, 2, 3):  # three requests, one group
            with store.grouped(), store.write() as txn:
                txn.add_counters({"t/a": n, "t/b": -n, "u/a": 10})
                seen.append(txn.counters("t/"))
        await _group(store, lambda txn: None, lambda: None)

    _run(store, scenario)
    assert seen == [{"t/a": 1, "t/b": -1}, {"t/a": 3, "t/b": -3}, {"t/a": 6, "t/b": -6}]
    with store.read() as txn:
        assert txn.counters("t/") == {"t/a": 6, "t/b": -6}
        assert txn.counters("u/") == {"u/a": 30}
        assert txn.counters("v/") == {}
    with store.write() as txn:
        txn.add_counters({"t/a": 5})
        txn.drop_counters("t/")  # the stored ones and this transaction's own additions
        txn.add_counters({"t/b": 2})
    with store.read() as txn:
        assert txn.counters("") == {"t/b": 2, "u/a": 30}
    store.close()


def test_counters_never_conflict_between_processes(pair: Any) -> None:
    a, b = pair

    def work(txn: Any) -> None:
        assert txn.counters("hits") == {}  # read in the group's snapshot: not a conflicting read
        txn.add_counters({"hits": 1})

    def between() -> None:
        with b.write() as txn:
            txn.add_counters({"hits": 10})

    assert _run(a, lambda: _group(a, work, between)) == "ok"
    assert a.conflicts == 0
    with a.read() as txn:
        assert txn.counters("hits") == {"hits": 11}


def _sized(value: bytes) -> Any:
    """put_counted's count for a value: the items and bytes it adds over the one it replaces."""

    def count(old: bytes | None) -> dict[str, int]:
        return {
            "items": 0 if old is not None else 1,
            "bytes": len(value) - (len(old) if old is not None else 0),
        }

    return count


def test_a_counted_put_reads_what_it_replaces_at_commit_and_never_conflicts(pair: Any) -> None:
    a, b = pair
    with b.write() as txn:
        txn.put_counted("t", "k", b"old", _sized(b"old"))
    assert _value(b, "k") == b"old"

    def work(txn: Any) -> None:
        assert isinstance(txn, BufferedTxn)
        txn.put_counted("t", "k", b"new!!", _sized(b"new!!"))
        txn.put_counted("t", "fresh", b"f", _sized(b"f"))
        assert txn.reads == {}  # nothing read from the snapshot: nothing to conflict over
        assert txn.get("t", "k") == b"new!!"  # the group reads its own write

    def between() -> None:  # another process replaces the item after a's snapshot began
        with b.write() as txn:
            txn.put_counted("t", "k", b"other-value", _sized(b"other-value"))

    assert _run(a, lambda: _group(a, work, between)) == "ok"
    assert a.conflicts == 0
    assert _value(b, "k") == b"new!!"
    with b.read() as txn:
        # counted from what each write really replaced: 2 items, "new!!" and "f"
        assert txn.counters("") == {"items": 2, "bytes": 6}


def test_a_counted_put_of_a_key_the_group_already_saw_counts_from_what_it_saw(pair: Any) -> None:
    a, b = pair
    with b.write() as txn:
        txn.put_counted("t", "read", b"1234", _sized(b"1234"))
        txn.put_counted("t", "gone", b"12", _sized(b"12"))

    def work(txn: Any) -> None:
        assert txn.get("t", "read") == b"1234"
        txn.put_counted("t", "read", b"1", _sized(b"1"))  # -3 bytes, at once
        txn.put_counted("t", "read", b"123", _sized(b"123"))  # +2 over the group's own write
        assert txn.delete("t", "gone")
        txn.add_counters({"items": -1, "bytes": -2})  # (a delete counts itself)
        txn.put_counted("t", "gone", b"123456", _sized(b"123456"))  # over nothing: a new item
        assert txn.counters("") == {"items": 2, "bytes": 9}  # stored 2/6, then -1 -2 +1 +6 -1

    assert _run(a, lambda: _group(a, work, lambda: None)) == "ok"
    with b.read() as txn:
        assert txn.counters("") == {"items": 2, "bytes": 9}
        assert dict(txn.scan("t")) == {b"gone": b"123456", b"read": b"123"}


def test_a_scan_after_a_counted_put_counts_it_when_taking_the_lock(pair: Any) -> None:
    a, b = pair
    with b.write() as txn:
        txn.put_counted("t", "k", b"12345", _sized(b"12345"))

    def work(txn: Any) -> None:
        txn.put_counted("t", "k", b"1", _sized(b"1"))
        assert txn.counted  # deferred: nothing read yet
        assert list(txn.scan("t")) == [(b"k", b"1")]  # the lock is taken, the group writes through
        assert not txn.counted and txn.direct
        assert txn.counters("") == {"items": 1, "bytes": 1}

    assert _run(a, lambda: _group(a, work, lambda: None)) == "ok"
    with b.read() as txn:
        assert txn.counters("") == {"items": 1, "bytes": 1}


# -- the conflict rule against a model -------------------------------------------------------------
KEYS = ["a", "b", "c", "d"]
step = st.one_of(
    st.tuples(st.just("read"), st.sampled_from(KEYS)),
    st.tuples(st.just("write"), st.sampled_from(KEYS), st.binary(max_size=3)),
    st.tuples(st.just("delete"), st.sampled_from(KEYS)),
    st.tuples(st.just("counted"), st.sampled_from(KEYS), st.binary(max_size=3)),
)


@settings(max_examples=60, deadline=None)
@given(
    initial=st.dictionaries(st.sampled_from(KEYS), st.binary(max_size=3)),
    ours=st.lists(step, max_size=8),
    theirs=st.dictionaries(st.sampled_from(KEYS), st.one_of(st.none(), st.binary(max_size=3)), max_size=3),
)
def test_a_group_commits_exactly_when_nothing_it_read_was_changed(
    tmp_path_factory: Any, initial: dict[str, bytes], ours: list[Any], theirs: dict[str, bytes | None]
) -> None:
    path = tmp_path_factory.mktemp("model") / "s.db"
    a, b = SqliteStore(path, shared=True), SqliteStore(path, shared=True)
    try:
        with b.write() as txn:
            for k, v in initial.items():
                txn.put("t", k, v)
        state = dict(initial)  # the model: what a's group sees and does
        read: set[str] = set()
        after_theirs = dict(initial)
        for k, v in theirs.items():
            if v is None:
                after_theirs.pop(k, None)
            else:
                after_theirs[k] = v
        # a counted put replaces what the group saw of its key, or else what is stored at commit
        known: set[str] = set()
        counted = {"items": 0, "bytes": 0}

        def work(txn: Any) -> None:
            for op in ours:
                if op[0] == "read":
                    assert txn.get("t", op[1]) == state.get(op[1])
                    read.add(op[1])  # (a read of the group's own write reads nothing stored;
                elif op[0] == "write":  # the model over-approximates by counting it too)
                    txn.put("t", op[1], op[2])
                    state[op[1]] = op[2]
                elif op[0] == "counted":
                    txn.put_counted("t", op[1], op[2], _sized(op[2]))
                    old = state.get(op[1]) if op[1] in known else after_theirs.get(op[1])
                    for name, delta in _sized(op[2])(old).items():
                        counted[name] += delta
                    state[op[1]] = op[2]
                else:
                    assert txn.delete("t", op[1]) == (op[1] in state)
                    read.add(op[1])
                    state.pop(op[1], None)
                known.add(op[1])

        def other() -> None:
            with b.write() as txn:
                for k, v in theirs.items():
                    if v is None:
                        txn.delete("t", k)
                    else:
                        txn.put("t", k, v)

        outcome = _run(a, lambda: _group(a, work, other))
        # keys a read from the store before writing them itself
        stored_reads = set()
        written: set[str] = set()
        for op in ours:
            if op[0] in ("read", "delete") and op[1] not in written:
                stored_reads.add(op[1])
            if op[0] in ("write", "delete", "counted"):
                written.add(op[1])
        # a group that wrote nothing read one consistent snapshot: it has nothing to check
        changed = {k for k in stored_reads if initial.get(k) != after_theirs.get(k)} if written else set()
        with b.read() as txn:
            final = {k.decode(): v for k, v in txn.scan("t")}
            counters = txn.counters("")
        if changed:
            assert outcome == "conflict"
            assert final == after_theirs
            assert counters == {}
        else:
            assert outcome == "ok"
            expected = dict(after_theirs)
            for k in written:
                if k in state:
                    expected[k] = state[k]
                else:
                    expected.pop(k, None)
            assert final == expected
            assert counters == (counted if any(op[0] == "counted" for op in ours) else {})
    finally:
        a.close()
        b.close()
