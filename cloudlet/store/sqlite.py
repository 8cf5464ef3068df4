"""SQLite backend: one WAL database, a connection per thread, writes serialized by one lock.

Durability: in WAL mode with synchronous=NORMAL a committed transaction is in the WAL file before
COMMIT returns, so killing the process (even with SIGKILL) loses nothing acknowledged; only an
OS crash or power loss could drop the last commits. durability="full" (synchronous=FULL) fsyncs
every commit and survives those too.

Checkpoints (copying the WAL back into the database file) never run inside a commit: SQLite's
automatic checkpoint is off (wal_autocheckpoint=0) and a background thread runs a PASSIVE
checkpoint every CHECKPOINT_COMMITS commits or CHECKPOINT_SECONDS, whichever comes first. Commits
stay short and predictable, which lets the gateway run small store operations on the event loop.
A checkpoint only copies frames already durable in the WAL, so it changes nothing for kill -9.
Under a steady stream of writes a PASSIVE checkpoint never finds the WAL idle, and SQLite starts
the WAL over only when a writer finds it wholly copied back, so the file would grow without bound
("checkpoint starvation"): past RESTART_FRAMES the next writer, still holding the write lock
after its commit, runs the short RESTART checkpoint of what the PASSIVE one left, and the writer
after it starts the WAL from its beginning (journal_size_limit trims a file that grew far past that).

Group commit (`enable_grouping`, `grouped`): on the one thread that enables it (the event loop),
the store operations of every request handled in one loop turn share one SQLite transaction,
without a savepoint each (a request failing before it writes has nothing to undo; one failing
after it wrote rolls back its whole group, whose requests all get an error). A writing group
commits one loop iteration after the turn that opened it (`schedule` twice): the loop's poll in
between reads the requests that arrived while the turn ran, and they join the group instead of
waiting for its commit to open their own. So N concurrent writes cost one BEGIN/sequence/COMMIT
instead of N. A request that wrote, or that read after a write of its group, is answered only
after that commit (`when_durable`): nothing is acknowledged before it is in the WAL, and nobody is
told of a write that could still fail. Reads-only turns share one snapshot the same way and wait
for nothing.

Shared (`shared=True`, API worker processes writing one database): writers of every process queue
on an flock of `<db>.writelock`; the change sequence is read from the database; a turn's group is
optimistic (BufferedTxn: snapshot reads remembered, writes kept aside, checked and written under
the lock at the end of the turn; GroupConflict and a rerun if another process changed what it
read). Counters (`Txn.add_counters`) are added at commit, under the lock, once per group: a
transaction never reads them, so they never conflict. A counted put (`Txn.put_counted`) of a key
the group has not seen reads the value it replaces only then, under the lock: it reads nothing
from the snapshot, so it cannot conflict either (measured: PutItem +10% req/s with two processes,
bench/RESULTS.md seventh session). Every committer also writes its sequence number into the lock
file: a group that finds it changed since its snapshot began knows the snapshot has aged and skips
the upgrade that would fail.
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from cloudlet.store.base import DocMixin, GroupAborted, GroupConflict, Key, encode_key

__all__ = ["GroupAborted", "GroupConflict", "ReadOnlyError", "SqliteStore"]

log = logging.getLogger("cloudlet.store")

CHECKPOINT_COMMITS = 1000
CHECKPOINT_SECONDS = 1.0
# a WAL this long (64 MiB of 4 KiB pages) after a checkpoint is started over: under a steady
# stream of writes that is every few seconds, and each time writers wait ~1-2 ms (the copy of the
# last frames, two fsyncs, readers of older snapshots finishing)
RESTART_FRAMES = 16384
# journal_size_limit, in start-over lengths: a WAL longer than the limit when it starts over is cut
# back to it. A steady stream of writes passes the start-over length by the frames written until
# a checkpoint sees it and then during the checkpoint (bench/dynamodb PutItem: 1.5 lengths; the
# tests' small WAL: up to 4), so at 4 its WAL is not cut. Each cut held the commit that made it
# (and so the write lock) while the filesystem freed the blocks, 10-20 ms at every start-over
# (here ext4 discards freed blocks at once: ~0.4 ms per MB), and the WAL then regrew block by
# block. A WAL swollen while a reader held back its start-over is still trimmed.
WAL_LIMIT_RESTARTS = 4
RESTART_WAIT_MS = 50  # how long the RESTART checkpoint waits for readers of old snapshots (a long scan)
RESTART_POLL_SECONDS = 0.0002  # between looks for readers of older snapshots
RESTART_BACKOFF_SECONDS = 1.0  # after a RESTART that found a reader still busy, before the next try
BUSY_TIMEOUT_MS = 30000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (ns TEXT NOT NULL, k BLOB NOT NULL, v BLOB NOT NULL, PRIMARY KEY (ns, k)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(name, value) VALUES ('seq', 0);
"""


def wal_size_limit(page_size: int) -> int:
    """journal_size_limit in bytes: WAL_LIMIT_RESTARTS start-over lengths of `page_size` pages
    (a WAL frame is a page and a 24-byte header, after the WAL's 32-byte header)."""
    return 32 + WAL_LIMIT_RESTARTS * RESTART_FRAMES * (page_size + 24)


class ReadOnlyError(RuntimeError):
    pass


_ABSENT = object()
_GET = "SELECT v FROM kv WHERE ns=? AND k=?"
_PUT = "INSERT OR REPLACE INTO kv(ns, k, v) VALUES (?,?,?)"
_DELETE = "DELETE FROM kv WHERE ns=? AND k=?"
# the sequence bump, run first: it upgrades a read transaction to a write one, which SQLite allows
# only while the read's snapshot is still the latest state
_BUMP = "UPDATE meta SET value=value+1 WHERE name='seq' RETURNING value"
# counters are meta rows named "n:<counter>": beside the change sequence, whose page every commit
# writes anyway, so adding to a few costs no page read or WAL frame of their own
_COUNTER = "n:"
_COUNTERS = "SELECT name, value FROM meta WHERE name >= ? AND name < ?"
_ADD_COUNTER = (
    "INSERT INTO meta(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value=value+excluded.value"
)


_HINT = struct.Struct("<Q")  # the lock file's content: the last committed sequence number


def _text_after(prefix: str) -> str:
    """The least text greater than every text starting with `prefix` (non-empty)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class SqliteTxn(DocMixin):
    __slots__ = (
        "_con",
        "_cur",
        "_writable",
        "_callbacks",
        "seq",
        "_followed",
        "touched",
        "writes",
        "_counts",
        "memo",
        "bumped",
        "_scans",
    )

    def __init__(
        self, con: sqlite3.Connection, writable: bool, seq: int, followed: frozenset[str] = frozenset()
    ) -> None:
        self._con = con
        # one cursor for the single-row statements: re-executing it is ~2 us cheaper than
        # con.execute's new cursor (scans still get their own, as they may interleave)
        self._cur = con.cursor()
        self._writable = writable
        self._callbacks: list[Callable[[], None]] = []
        self._followed = followed
        self.touched: set[str] = set()  # followed streams this transaction wrote to
        self.writes = 0  # statements that changed (or tried to change) something
        # for a write: the change sequence number this transaction commits as; for a read: the last one seen
        self.seq = seq
        self._counts: dict[str, int] | None = None  # additions to counters, made at commit
        self.memo: dict[str, Any] = {}
        self.bumped = False  # the change sequence row already carries this transaction's number
        self._scans: list[sqlite3.Cursor] | None = None  # scan cursors, closed when it ends

    def end_scans(self) -> None:
        """Close this transaction's scan cursors. One its reader left unfinished (a page full, an
        error, a request moved to the pool) keeps its statement active, and an active statement
        keeps the connection's read snapshot after COMMIT: later transactions on the connection
        would read old data and fail to begin writing ("database is locked") until the cursor was
        garbage-collected. Called wherever a transaction ends."""
        scans = self._scans
        if scans is not None:
            self._scans = None
            for cur in scans:
                cur.close()

    def get(self, ns: str, key: Key) -> bytes | None:
        row = self._cur.execute(_GET, (ns, encode_key(key))).fetchone()
        return None if row is None else row[0]  # type: ignore[no-any-return]

    def put(self, ns: str, key: Key, value: bytes) -> None:
        if not self._writable:
            raise ReadOnlyError("put in a read transaction")
        self.writes += 1
        self._cur.execute(_PUT, (ns, encode_key(key), value))
        if self._followed:
            self._touch(ns)

    def put_counted(
        self, ns: str, key: Key, value: bytes, count: Callable[[bytes | None], Mapping[str, int]]
    ) -> None:
        old = self.get(ns, key)
        self.put(ns, key, value)
        self.add_counters(count(old))

    def _touch(self, ns: str) -> None:
        stream = ns.partition(".")[0]
        if stream in self._followed:
            self.touched.add(stream)

    def delete(self, ns: str, key: Key) -> bool:
        if not self._writable:
            raise ReadOnlyError("delete in a read transaction")
        self.writes += 1
        cur = self._cur.execute(_DELETE, (ns, encode_key(key)))
        if self._followed:
            self._touch(ns)
        return cur.rowcount > 0

    def scan(
        self,
        ns: str,
        start: Key = b"",
        end: Key | None = None,
        *,
        reverse: bool = False,
        limit: int | None = None,
    ) -> Iterator[tuple[bytes, bytes]]:
        sql = "SELECT k, v FROM kv WHERE ns=? AND k>=?"
        args: list[object] = [ns, encode_key(start)]
        if end is not None:
            sql += " AND k<?"
            args.append(encode_key(end))
        sql += " ORDER BY k DESC" if reverse else " ORDER BY k"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        # the cursor itself: its rows already are (bytes, bytes) tuples (BLOBs come back as bytes)
        cur = self._con.execute(sql, args)
        if self._scans is None:
            self._scans = [cur]
        else:
            self._scans.append(cur)
        return cur

    def delete_range(self, ns: str, start: Key = b"", end: Key | None = None) -> int:
        if not self._writable:
            raise ReadOnlyError("delete_range in a read transaction")
        self.writes += 1
        if end is None:
            cur = self._con.execute("DELETE FROM kv WHERE ns=? AND k>=?", (ns, encode_key(start)))
        else:
            cur = self._con.execute(
                "DELETE FROM kv WHERE ns=? AND k>=? AND k<?", (ns, encode_key(start), encode_key(end))
            )
        if self._followed:
            self._touch(ns)
        return cur.rowcount

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def add_counters(self, deltas: Mapping[str, int]) -> None:
        if not self._writable:
            raise ReadOnlyError("add_counters in a read transaction")
        self.writes += 1  # the transaction (its group) must commit
        counts = self._counts
        if counts is None:
            counts = self._counts = {}
        for name, delta in deltas.items():
            counts[name] = counts.get(name, 0) + delta

    def counters(self, prefix: str) -> dict[str, int]:
        lo = _COUNTER + prefix
        rows = self._con.execute(_COUNTERS, (lo, _text_after(lo)))
        cut = len(_COUNTER)
        found: dict[str, int] = {name[cut:]: value for name, value in rows}
        if self._counts:
            for name, delta in self._counts.items():
                if name.startswith(prefix):
                    found[name] = found.get(name, 0) + delta
        return found

    def drop_counters(self, prefix: str) -> None:
        if not self._writable:
            raise ReadOnlyError("drop_counters in a read transaction")
        self.writes += 1
        lo = _COUNTER + prefix
        self._con.execute("DELETE FROM meta WHERE name >= ? AND name < ?", (lo, _text_after(lo)))
        if self._counts:
            self._counts = {n: d for n, d in self._counts.items() if not n.startswith(prefix)}

    def _apply_counters(self) -> None:
        """Make the counter additions (at commit, under the write lock)."""
        if self._counts:
            self._con.executemany(_ADD_COUNTER, [(_COUNTER + n, d) for n, d in self._counts.items()])
        self._counts = None


class BufferedTxn(SqliteTxn):
    """A shared store's group transaction before it holds the write lock (optimistic).

    With other processes writing the same database, holding the write lock for a whole loop turn
    would serialize their turns: each turn's requests would run their Python under the lock. So
    a shared store's group reads from the turn's snapshot, remembering the first value it read of
    each key (`reads`), and keeps its writes in `overlay`; at the end of the turn it takes the
    lock, checks every remembered value is still the stored one, writes the overlay and commits —
    the lock is held for a few statements per request. A changed value means another process
    committed in between: the group is rolled back with GroupConflict and its requests run again
    (the gateway reruns them; the next group then takes the lock from its start, so a rerun
    cannot conflict). A range scan or range delete cannot be checked this way: it first takes
    the lock and checks and writes what came before (`direct` from then on). A counted put of a
    key the group has neither read nor written is kept in `counted` too: at commit, under the lock,
    the value it replaces is read for its counters (Txn.put_counted), not in the snapshot.
    """

    __slots__ = ("_store", "overlay", "reads", "counted", "direct", "hint")

    def __init__(self, store: SqliteStore, con: sqlite3.Connection, followed: frozenset[str]) -> None:
        super().__init__(con, writable=True, seq=store._seq + 1, followed=followed)
        self._store = store
        # read before the snapshot is taken (by the first statement): if it is still the hint
        # when the group takes the lock, nothing committed since and the snapshot is current
        self.hint = store._read_hint()
        self.overlay: dict[tuple[str, bytes], bytes | None] = {}
        self.reads: dict[tuple[str, bytes], bytes | None] = {}
        # put_counted writes whose old value is read at commit: each the first write of its key
        self.counted: list[tuple[tuple[str, bytes], Callable[[bytes | None], Mapping[str, int]]]] = []
        self.direct = False

    def get(self, ns: str, key: Key) -> bytes | None:
        if self.direct:
            return SqliteTxn.get(self, ns, key)
        k = (ns, encode_key(key))
        found = self.overlay.get(k, _ABSENT)
        if found is not _ABSENT:
            return found  # type: ignore[return-value]
        row = self._cur.execute(_GET, k).fetchone()
        value: bytes | None = None if row is None else row[0]
        self.reads.setdefault(k, value)
        return value

    def put(self, ns: str, key: Key, value: bytes) -> None:
        if self.direct:
            return SqliteTxn.put(self, ns, key, value)
        self.writes += 1
        self.overlay[(ns, encode_key(key))] = value
        if self._followed:
            self._touch(ns)

    def put_counted(
        self, ns: str, key: Key, value: bytes, count: Callable[[bytes | None], Mapping[str, int]]
    ) -> None:
        if self.direct:
            return SqliteTxn.put_counted(self, ns, key, value, count)
        k = (ns, encode_key(key))
        old = self.overlay.get(k, _ABSENT)
        if old is _ABSENT:
            old = self.reads.get(k, _ABSENT)  # read in this snapshot: checked unchanged at commit
        self.put(ns, key, value)
        if old is _ABSENT:
            self.counted.append((k, count))
        else:
            self.add_counters(count(old))  # type: ignore[arg-type]

    def delete(self, ns: str, key: Key) -> bool:
        if self.direct:
            return SqliteTxn.delete(self, ns, key)
        existed = self.get(ns, key) is not None
        self.writes += 1
        self.overlay[(ns, encode_key(key))] = None
        if self._followed:
            self._touch(ns)
        return existed

    def scan(
        self,
        ns: str,
        start: Key = b"",
        end: Key | None = None,
        *,
        reverse: bool = False,
        limit: int | None = None,
    ) -> Iterator[tuple[bytes, bytes]]:
        if not self.direct:
            self._store._lock_buffered(self)
        return SqliteTxn.scan(self, ns, start, end, reverse=reverse, limit=limit)

    def delete_range(self, ns: str, start: Key = b"", end: Key | None = None) -> int:
        if not self.direct:
            self._store._lock_buffered(self)
        return SqliteTxn.delete_range(self, ns, start, end)

    def drop_counters(self, prefix: str) -> None:
        if not self.direct:
            self._store._lock_buffered(self)
        SqliteTxn.drop_counters(self, prefix)


class _Group:
    """The transaction shared by the requests of one loop turn (see the module docstring)."""

    __slots__ = ("txn", "writable", "dirty", "waiters", "number")

    def __init__(self, txn: SqliteTxn | BufferedTxn, writable: bool, number: int) -> None:
        self.txn = txn
        self.writable = writable
        self.dirty = False  # a write in it was released (so it must commit before anyone is answered)
        self.waiters: list[Callable[[BaseException | None], None]] = []
        self.number = number


class SqliteStore:
    def __init__(
        self,
        path: str | os.PathLike[str],
        durability: str = "normal",
        streams: Iterable[str] = (),
        shared: bool = False,
    ) -> None:
        self.path = str(path)
        # shared: other processes write this database too (API workers). Their writers queue on
        # an flock of a side file, taken after the thread lock and before BEGIN IMMEDIATE: a
        # blocked writer sleeps in the kernel and wakes on release, where SQLite's own busy
        # handler would poll with sleeps of up to 100 ms. The change sequence is then read from
        # the database at each write instead of counted in memory.
        self.shared = shared
        self._lock_fd = -1
        # Streams (namespace prefixes before the first ".") whose own change sequence is kept, for
        # processes that follow only those (DNS workers follow "route53", not every DynamoDB write).
        self._followed = frozenset(streams)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._sync = "FULL" if durability == "full" else "NORMAL"
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        # shared: the last committed sequence number, written by every committer into the lock
        # file under the lock. Only a hint (see _lock_buffered); nothing depends on it for
        # correctness, so a process that dies before writing it costs nothing.
        self._hint: mmap.mmap | None = None
        if shared:
            self._lock_fd = os.open(self.path + ".writelock", os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(self._lock_fd).st_size < _HINT.size:
                os.ftruncate(self._lock_fd, _HINT.size)
            self._hint = mmap.mmap(self._lock_fd, _HINT.size)
        self.upgrades_skipped = 0  # optimistic groups that knew their snapshot had aged (shared)
        con = self._connection()
        con.executescript(_SCHEMA)
        self._seq = con.execute("SELECT value FROM meta WHERE name='seq'").fetchone()[0]
        # background checkpoints: started by the first write (read-only replicas never need one)
        self._checkpointed = self._seq
        self._checkpointer: threading.Thread | None = None
        self._wake = threading.Event()
        self._stopping = False
        self._restart_due = False  # the checkpointer found the WAL long: the next committer restarts it
        self._restarted_at = -1  # the WAL length the last RESTART saw (kept until a writer starts it over)
        self._restart_not_before = 0.0  # monotonic time: backing off after a busy RESTART
        # group commit: off until enable_grouping; then only for the thread that enabled it
        self._schedule: Callable[[Callable[[], None]], Any] | None = None
        self._group_thread = -1
        self._group: _Group | None = None
        self._groups = 0
        self._grouping = False  # the grouping thread is inside grouped()
        self._cautious = False  # a shared store's group conflicted: the next one locks from its start
        self.conflicts = 0  # groups rolled back by GroupConflict (shared store)
        self.rechecked = 0  # groups whose snapshot had aged, so their reads were compared again
        self._grouped_block = _Grouped(self)

    def _connection(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute(f"PRAGMA synchronous={self._sync}")
            con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA cache_size=-65536")
            con.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer thread does it
            page = con.execute("PRAGMA page_size").fetchone()[0]
            con.execute(f"PRAGMA journal_size_limit={wal_size_limit(page)}")
            self._local.con = con
            self._local.txn = None
            with self._all_lock:
                self._all.append(con)
        return con

    @property
    def seq(self) -> int:
        return self._seq

    def committed_seq(self, stream: str | None = None) -> int:
        """The change sequence as committed in the database, by any process (a replica or worker
        follows other processes' writes with this; `seq` only counts this process's own). With a
        stream: the sequence number of the last commit that wrote to that stream (0 if none) —
        kept only for the streams the writing process was opened to follow."""
        con = self._connection()
        row = con.execute(
            "SELECT value FROM meta WHERE name=?", ("seq" if stream is None else "seq:" + stream,)
        )
        found = row.fetchone()
        return int(found[0]) if found else 0

    # -- group commit ----------------------------------------------------------------------------
    def enable_grouping(self, schedule: Callable[[Callable[[], None]], Any]) -> None:
        """Let `grouped()` blocks on this thread share one transaction per turn; `schedule(fn)`
        must run fn on this thread after the work already queued (the loop's call_soon)."""
        self._schedule = schedule
        self._group_thread = threading.get_ident()

    def grouped(self) -> AbstractContextManager[None]:
        """Store operations in this block join the current turn's group (on the grouping thread)."""
        return self._grouped_block

    def dirty_group(self) -> int:
        """The number of this thread's open group if it holds uncommitted writes, else 0."""
        g = self._group
        return g.number if g is not None and g.dirty and threading.get_ident() == self._group_thread else 0

    def when_durable(self, callback: Callable[[BaseException | None], None]) -> None:
        """Call `callback(None)` once the open dirty group has committed (or with the error that
        prevented it). Only after `dirty_group()` returned its number."""
        assert self._group is not None and self._group.dirty
        self._group.waiters.append(callback)

    def _join_group(self, writable: bool) -> _Group:
        group = self._group
        if group is not None and (group.writable or not writable):
            return group
        if group is not None:
            self._end_group()  # a reads-only group cannot take writes: end it, open a writing one
        self._groups += 1
        txn: SqliteTxn
        if writable and self.shared and not self._cautious:
            con = self._connection()
            con.execute("BEGIN")
            txn = BufferedTxn(self, con, self._followed)
        elif writable:
            self._cautious = False
            txn = self._begin_write()
        else:
            con = self._connection()
            con.execute("BEGIN")
            txn = SqliteTxn(con, writable=False, seq=self._seq)
        group = self._group = _Group(txn, writable, self._groups)
        schedule = self._schedule
        assert schedule is not None
        if writable:
            # one more iteration (its poll) before the commit: measured ~10% more PutItem/s with
            # one process or two; more iterations gained nothing (bench/RESULTS.md, fifth session)
            schedule(lambda: schedule(lambda: self._end_group(only=group)))
        else:
            schedule(lambda: self._end_group(only=group))
        return group

    def _begin_write(self) -> SqliteTxn:
        """Take the write lock and begin a write transaction on this thread's connection."""
        con = self._connection()
        self._write_lock.acquire()
        try:
            if self.shared:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
                try:
                    con.execute("BEGIN IMMEDIATE")
                    seq = con.execute("SELECT value FROM meta WHERE name='seq'").fetchone()[0] + 1
                except BaseException:
                    if con.in_transaction:
                        con.execute("ROLLBACK")
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                    raise
            else:
                con.execute("BEGIN IMMEDIATE")
                seq = self._seq + 1
        except BaseException:
            self._write_lock.release()
            raise
        return SqliteTxn(con, writable=True, seq=seq, followed=self._followed)

    def _lock_buffered(self, txn: BufferedTxn) -> None:
        """Turn an optimistic group transaction into a locked one: take the write lock, bump the
        change sequence, make sure nothing it read has changed, write its overlay (GroupConflict,
        with the group rolled back, if something did change).

        The bump runs inside the snapshot, upgrading it to a write transaction: SQLite allows that
        only if no other connection has committed since the snapshot began, and then nothing it
        read can have changed, so there is nothing to check (and the page cache it warmed stays
        valid). Otherwise (the lock was held elsewhere, SQLITE_BUSY_SNAPSHOT, answered at once, or
        a momentary SQLITE_BUSY) a fresh write transaction bumps the sequence, re-reads and
        compares every remembered value."""
        con = txn._con
        cur = txn._cur
        # a lock held elsewhere is released after a commit, which ages the snapshot anyway: let go
        # of it before waiting (a RESTART checkpoint holding the lock waits for old snapshots)
        current = self._try_lock_write()
        if not current:
            con.execute("ROLLBACK")
            self._write_lock.acquire()
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            except BaseException:
                self._write_lock.release()
                raise
        changed = None
        try:
            if current and txn.hint != self._read_hint():
                # another commit since the snapshot: the upgrade would fail (measured: a failed
                # attempt costs ~30 µs), so go straight to a fresh write transaction
                self.upgrades_skipped += 1
                current = False
                con.execute("ROLLBACK")
            if current:
                try:
                    seq = cur.execute(_BUMP).fetchone()[0]
                except sqlite3.OperationalError as e:
                    # SQLITE_BUSY_SNAPSHOT, or plain SQLITE_BUSY (an upgrade never waits in the busy
                    # handler; another process's checkpoint can hold a lock it needs for a moment)
                    if e.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                        raise
                    current = False
                    con.execute("ROLLBACK")
            if not current:
                self.rechecked += 1
                con.execute("BEGIN IMMEDIATE")
                seq = cur.execute(_BUMP).fetchone()[0]
                for k, seen in txn.reads.items():
                    row = cur.execute(_GET, k).fetchone()
                    if (None if row is None else row[0]) != seen:
                        changed = k
                        break
            if changed is None:
                for k, count in txn.counted:
                    row = cur.execute(_GET, k).fetchone()
                    txn.add_counters(count(None if row is None else row[0]))
                puts = [(ns, k, v) for (ns, k), v in txn.overlay.items() if v is not None]
                dels = [k for k, v in txn.overlay.items() if v is None]
                if puts:
                    cur.executemany(_PUT, puts)
                if dels:
                    cur.executemany(_DELETE, dels)
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            self._release_write()
            raise
        if changed is not None:
            con.execute("ROLLBACK")
            self._release_write()
            self.conflicts += 1
            self._cautious = True
            conflict = GroupConflict(f"another process changed {changed[0]} while this group ran")
            if self._group is not None and self._group.txn is txn:
                self._end_group(failure=conflict)
            raise conflict
        txn.direct = True
        txn.seq = seq
        txn.bumped = True
        txn.reads.clear()
        txn.overlay.clear()
        txn.counted.clear()

    def _read_hint(self) -> int:
        """The last sequence number a committer wrote into the lock file (0 if none yet)."""
        return _HINT.unpack_from(self._hint, 0)[0] if self._hint is not None else 0

    def _try_lock_write(self) -> bool:
        """Take the write lock (thread lock and flock) if it is free at once."""
        if not self._write_lock.acquire(blocking=False):
            return False
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._write_lock.release()
            return False
        except BaseException:
            self._write_lock.release()
            raise
        return True

    def _release_write(self) -> None:
        if self.shared:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        self._write_lock.release()

    def _end_group(self, failure: BaseException | None = None, only: _Group | None = None) -> None:
        """Commit (or, for reads only, end) the open group (if `only`: only if it is that one); a
        no-op when none is open. With a `failure` (a request failed halfway through its writes),
        roll the whole group back."""
        group = self._group
        if group is None or (only is not None and group is not only):
            return
        self._group = None
        txn, con = group.txn, group.txn._con
        txn.end_scans()
        buffered = txn if isinstance(txn, BufferedTxn) else None
        error = failure
        try:
            if failure is not None:
                if con.in_transaction:
                    con.execute("ROLLBACK")
            elif group.dirty:
                if buffered is not None and not buffered.direct:
                    self._lock_buffered(buffered)
                self._commit_writes(con, txn)
            else:
                con.execute("COMMIT")
        except GroupConflict as e:
            error = e  # _lock_buffered rolled back and released
        except BaseException as e:
            error = e
            log.exception("group commit failed; its %d requests get an error", len(group.waiters))
            try:
                if con.in_transaction:
                    con.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        finally:
            if group.writable and (buffered is None or buffered.direct):
                self._release_write()
        if error is None and group.dirty:
            self._after_write()
            for cb in txn._callbacks:
                cb()
        for waiter in group.waiters:
            waiter(error)

    def _flush_group(self) -> None:
        """Outside grouped(), the grouping thread first commits its open group (its connection
        cannot begin another transaction, and the caller expects its own write to be durable)."""
        if self._group is not None and threading.get_ident() == self._group_thread:
            self._end_group()

    # -- transactions -----------------------------------------------------------------------------
    def read(self) -> AbstractContextManager[SqliteTxn]:
        return _ReadBlock(self)

    def write(self) -> AbstractContextManager[SqliteTxn]:
        return _WriteBlock(self)

    def _commit_writes(self, con: sqlite3.Connection, txn: SqliteTxn) -> None:
        """Make the counter additions, bump the change sequence(s) and COMMIT (under the write lock)."""
        txn._apply_counters()
        if not txn.bumped:
            con.execute("UPDATE meta SET value=value+1 WHERE name='seq'")
        for stream in txn.touched:
            con.execute(
                "INSERT INTO meta(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value=excluded.value",
                ("seq:" + stream, txn.seq),
            )
        con.execute("COMMIT")
        self._seq = txn.seq
        if self._hint is not None:
            _HINT.pack_into(self._hint, 0, txn.seq)
        if self._restart_due:
            self._restart_wal(con)

    def _after_write(self) -> None:
        if self._checkpointer is None:
            self._start_checkpointer()
        elif self._seq - self._checkpointed >= CHECKPOINT_COMMITS:
            self._wake.set()

    def _start_checkpointer(self) -> None:
        if self.path == ":memory:":
            self._checkpointer = threading.current_thread()  # no WAL: nothing to checkpoint
            return
        self._checkpointer = threading.Thread(
            target=self._checkpoint_loop, name="sqlite-checkpoint", daemon=True
        )
        self._checkpointer.start()

    def _checkpoint_loop(self) -> None:
        con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        try:
            while not self._stopping:
                self._wake.wait(CHECKPOINT_SECONDS)
                self._wake.clear()
                seq = self._seq
                if seq == self._checkpointed or self._stopping:
                    continue
                try:
                    _, frames, _ = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    # after a RESTART the WAL keeps its length until the next writer starts it
                    # over: the same length again is that WAL, not a new one
                    if (
                        frames >= RESTART_FRAMES
                        and frames != self._restarted_at
                        and time.monotonic() >= self._restart_not_before
                    ):
                        self._restart_due = True
                except sqlite3.Error:
                    log.exception("WAL checkpoint failed; retrying later")
                    continue
                self._checkpointed = seq
        finally:
            con.close()

    def _restart_wal(self, con: sqlite3.Connection) -> None:
        """Right after a commit, with the write lock still held: checkpoint what the PASSIVE pass
        left and wait for readers of older snapshots, so that the next writer starts the WAL
        over. The committer does it, not the checkpointer thread: a thread holding the lock
        across Python statements waits for the GIL at each (up to 5 ms while the event loop
        runs), and every writer of every process would wait with it. No writer waits for the
        lock while holding a snapshot (a shared store's optimistic group lets go of its snapshot
        first), so readers end soon; if one does not within RESTART_WAIT_MS (a long scan), a
        pass after RESTART_BACKOFF_SECONDS tries again."""
        self._restart_due = False
        deadline = time.monotonic() + RESTART_WAIT_MS / 1000
        try:
            # polled here, not in SQLite's busy handler, which sleeps 1, 2, 5, 10 ms... between
            # looks: a reader done after 3.5 ms would hold every writer for 8
            con.execute("PRAGMA busy_timeout=0")
            try:
                while True:
                    busy, frames, _ = con.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
                    if not busy or frames < 0 or time.monotonic() >= deadline:
                        break
                    time.sleep(RESTART_POLL_SECONDS)
            finally:
                con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.Error:
            log.exception("WAL restart checkpoint failed; retrying later")
            return
        if not busy:
            self._restarted_at = frames
        elif frames < 0:  # another connection was checkpointing (answered at once): the next commit
            self._restart_due = True
        else:  # a reader of an older snapshot outlasted RESTART_WAIT_MS
            self._restart_not_before = time.monotonic() + RESTART_BACKOFF_SECONDS

    def close(self) -> None:
        self._flush_group()
        self._stopping = True
        self._wake.set()
        if self._checkpointer is not None and self._checkpointer is not threading.current_thread():
            self._checkpointer.join(timeout=30)
        with self._all_lock:
            for con in self._all:
                try:
                    con.close()
                except sqlite3.ProgrammingError:
                    pass
            self._all.clear()
        self._local = threading.local()
        if self._hint is not None:
            self._hint.close()
            self._hint = None
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1


class _Grouped:
    """`with store.grouped():` on the grouping thread (a reusable, allocation-free block)."""

    __slots__ = ("_store",)

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def __enter__(self) -> None:
        store = self._store
        if threading.get_ident() == store._group_thread:
            store._grouping = True

    def __exit__(self, *exc: object) -> None:
        self._store._grouping = False


# Blocks are classes, not @contextmanager generators: a data-plane request enters two or three
# of them, and a generator-based block costs several times a plain __enter__/__exit__ pair.
class _ReadBlock:
    __slots__ = ("_store", "_txn", "_own")

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._own = False  # began its own transaction (not joined an outer one or a group)

    def __enter__(self) -> SqliteTxn:
        store = self._store
        local = store._local
        outer: SqliteTxn | None = getattr(local, "txn", None)
        if outer is not None:  # inside a write (or read) on this thread: see its own writes
            self._txn = None
            return outer
        if store._grouping and threading.get_ident() == store._group_thread:
            txn = store._join_group(writable=False).txn
        else:
            store._flush_group()
            con = store._connection()
            con.execute("BEGIN")
            txn = SqliteTxn(con, writable=False, seq=store._seq)
            self._own = True
        local.txn = self._txn = txn
        return txn

    def __exit__(self, *exc: object) -> None:
        txn = self._txn
        if txn is None:
            return
        self._store._local.txn = None
        if self._own:
            txn.end_scans()
            txn._con.execute("COMMIT")


class _WriteBlock:
    __slots__ = ("_store", "_txn", "_mode", "_writes", "_mark")

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._mode = 0  # 0: joined an outer write; 1: in the turn's group; 2: its own transaction

    def __enter__(self) -> SqliteTxn:
        store = self._store
        local = store._local
        outer: SqliteTxn | None = getattr(local, "txn", None)
        if outer is not None:
            if not outer._writable:
                raise ReadOnlyError("write() inside read()")
            return outer
        if store._grouping and threading.get_ident() == store._group_thread:
            txn = store._join_group(writable=True).txn
            self._mode = 1
            self._writes, self._mark = txn.writes, len(txn._callbacks)
        else:
            store._flush_group()
            txn = store._begin_write()
            self._mode = 2
        local.txn = self._txn = txn
        return txn

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        mode = self._mode
        if mode == 0:
            return
        store, txn = self._store, self._txn
        store._local.txn = None
        if mode == 1:
            # No savepoint per request: a request that fails before it writes (a failed
            # condition, a validation error: nearly every failure) has nothing to undo; one that
            # fails after writing takes its whole group down, and every request in it is answered
            # with an error (none of them had been acknowledged).
            wrote = txn.writes != self._writes
            if exc is None:
                if wrote:
                    assert store._group is not None
                    store._group.dirty = True
            elif wrote:
                store._end_group(failure=GroupAborted(f"a request in the same commit group failed: {exc!r}"))
            else:
                del txn._callbacks[self._mark :]
            return
        con = txn._con
        txn.end_scans()
        try:
            if exc is None:
                try:
                    store._commit_writes(con, txn)
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            else:
                con.execute("ROLLBACK")
                return
        finally:
            store._release_write()
        store._after_write()
        for cb in txn._callbacks:
            cb()
