"""Group commit (store/sqlite.py): the store work of the requests handled in one event-loop turn
(and the iteration after it, for a writing group) shares one SQLite transaction; nobody is told of
a write before the group has committed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cloudlet.store import SqliteStore
from cloudlet.store.sqlite import GroupAborted


class Boom(Exception):
    pass


async def _request(store: SqliteStore, key: str, fail: str = "") -> str:
    """One 'request': a grouped write, then wait for durability as the gateway does."""
    outcome = "ok"
    with store.grouped():
        try:
            with store.write() as txn:
                if fail == "before":
                    raise Boom
                txn.put("t", key, key.encode())
                if fail == "after":
                    raise Boom
        except Boom:
            outcome = "failed"
    number = store.dirty_group()
    if number:
        done = asyncio.get_running_loop().create_future()
        store.when_durable(lambda err: done.set_exception(err) if err else done.set_result(None))
        try:
            await done
        except GroupAborted:
            return "aborted"
    return outcome


def _keys(path: Path) -> list[str]:
    reopened = SqliteStore(path)
    with reopened.read() as txn:
        keys = sorted(k.decode() for k, _ in txn.scan("t"))
    reopened.close()
    return keys


def test_concurrent_writes_share_one_commit_and_a_failure_before_writing_costs_nothing(
    tmp_path: Path,
) -> None:
    store = SqliteStore(tmp_path / "s.db")

    async def main() -> list[str]:
        store.enable_grouping(asyncio.get_running_loop().call_soon)
        before = store.seq
        outcomes = await asyncio.gather(
            *(_request(store, f"k{i:02}", fail="before" if i == 3 else "") for i in range(16))
        )
        assert store.seq == before + 1  # sixteen requests, one commit
        return outcomes

    outcomes = asyncio.run(main())
    assert outcomes[3] == "failed" and outcomes.count("ok") == 15
    assert _keys(tmp_path / "s.db") == [f"k{i:02}" for i in range(16) if i != 3]
    store.close()


def test_writes_of_the_next_loop_iteration_join_the_group(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")

    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        store.enable_grouping(loop.call_soon)
        before = store.seq
        first = loop.create_task(_request(store, "a"))
        await asyncio.sleep(0)  # its write opened a group in this iteration
        assert store.dirty_group()
        second = loop.create_task(_request(store, "b"))  # arrives in the next one
        outcomes = await asyncio.gather(first, second)
        assert store.seq == before + 1  # one commit for both
        return outcomes

    assert asyncio.run(main()) == ["ok", "ok"]
    assert _keys(tmp_path / "s.db") == ["a", "b"]
    store.close()


def test_a_failure_after_writing_rolls_back_its_group_and_nobody_is_acknowledged(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")

    async def main() -> list[str]:
        store.enable_grouping(asyncio.get_running_loop().call_soon)
        outcomes = await asyncio.gather(
            *(_request(store, f"k{i:02}", fail="after" if i == 5 else "") for i in range(8))
        )
        # the next turn's group is a fresh one
        assert await _request(store, "later") == "ok"
        return outcomes

    outcomes = asyncio.run(main())
    # the five before it were waiting on the group: told it failed; the failing one saw its own
    # error; the two after it ran in a new group, which committed
    assert outcomes == ["aborted"] * 5 + ["failed", "ok", "ok"]
    assert _keys(tmp_path / "s.db") == ["k06", "k07", "later"]
    store.close()


def test_nothing_is_acknowledged_or_announced_before_the_commit(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    events: list[str] = []

    async def main() -> None:
        store.enable_grouping(asyncio.get_running_loop().call_soon)
        other = SqliteStore(tmp_path / "s.db")
        with store.grouped(), store.write() as txn:
            txn.put("t", "a", b"1")
            txn.after_commit(lambda: events.append("after_commit"))
        assert store.dirty_group()
        store.when_durable(lambda err: events.append(f"durable {err}"))
        # another connection does not see the write yet
        with other.read() as t2:
            assert t2.get("t", "a") is None
        events.append("turn ends")
        await asyncio.sleep(0)  # the next iteration polls for more requests...
        with other.read() as t2:
            assert t2.get("t", "a") is None
        await asyncio.sleep(0)  # ...and the one after it commits
        with other.read() as t2:
            assert t2.get("t", "a") == b"1"
        other.close()

    asyncio.run(main())
    assert events == ["turn ends", "after_commit", "durable None"]
    store.close()


def test_a_read_after_a_write_in_the_group_sees_it_and_must_wait(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")

    async def main() -> None:
        store.enable_grouping(asyncio.get_running_loop().call_soon)
        with store.grouped(), store.read() as txn:
            assert txn.get("t", "a") is None
        assert store.dirty_group() == 0  # a reads-only group: nothing to wait for
        with store.grouped(), store.write() as txn:  # upgrades the group to a writing one
            txn.put("t", "a", b"1")
        with store.grouped(), store.read() as txn:
            assert txn.get("t", "a") == b"1"
        assert store.dirty_group() != 0  # that read rests on an uncommitted write
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert store.dirty_group() == 0

    asyncio.run(main())
    store.close()


def test_work_outside_grouped_on_the_loop_thread_first_commits_the_group(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    durable: list[object] = []

    async def main() -> None:
        store.enable_grouping(asyncio.get_running_loop().call_soon)
        with store.grouped(), store.write() as txn:
            txn.put("t", "a", b"1")
        store.when_durable(durable.append)
        seq = store.seq
        with store.write() as txn:  # not grouped: its own transaction, after the group's commit
            txn.put("t", "b", b"2")
        assert durable == [None]
        assert store.seq == seq + 2

    asyncio.run(main())
    with store.read() as txn:
        assert [k for k, _ in txn.scan("t")] == [b"a", b"b"]
    store.close()


def test_other_threads_are_never_grouped(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")

    async def main() -> None:
        store.enable_grouping(asyncio.get_running_loop().call_soon)

        def elsewhere() -> int:
            with store.grouped(), store.write() as txn:
                txn.put("t", "x", b"1")
            return store.seq

        seq = await asyncio.get_running_loop().run_in_executor(None, elsewhere)
        assert seq == 1 and store.dirty_group() == 0

    asyncio.run(main())
    store.close()


def test_a_failed_group_commit_reaches_every_waiter(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    errors: list[BaseException | None] = []

    async def main() -> None:
        store.enable_grouping(asyncio.get_running_loop().call_soon)
        with store.grouped(), store.write() as txn:
            txn.put("t", "a", b"1")
        store.when_durable(errors.append)
        store.when_durable(errors.append)
        # a constraint the COMMIT itself checks: a deferred foreign key the group violated
        con = store._connection()
        con.execute("CREATE TABLE IF NOT EXISTS parent (id INTEGER PRIMARY KEY)")
        con.execute(
            "CREATE TABLE IF NOT EXISTS child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"
        )
        con.execute("PRAGMA defer_foreign_keys=ON")
        con.execute("INSERT INTO child(p) VALUES (42)")
        await asyncio.sleep(0)

    con = store._connection()
    con.execute("PRAGMA foreign_keys=ON")
    asyncio.run(main())
    assert len(errors) == 2 and all(isinstance(e, Exception) for e in errors)
    with store.read() as txn:
        assert txn.get("t", "a") is None  # rolled back, not half committed
    store.close()
