"""Helpers for the DNS tests: write zones into a real store, run a real DnsPlane on port 0, ask it.

Zones are written with route53/store.py (the functions the control plane uses) and announced on
the real EventBus exactly as the control plane does after a commit.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.message
import dns.query

from cloudlet.clock import SystemClock
from cloudlet.config import Settings
from cloudlet.events import EventBus
from cloudlet.services.base import Deps
from cloudlet.services.dns.plane import DnsPlane
from cloudlet.services.route53 import store as r53store
from cloudlet.services.route53.model import AliasTarget, HostedZone, RecordSet
from cloudlet.store import SqliteStore

NS = ("ns-1.awsdns-01.com.", "ns-600.awsdns-02.net.")
SOA = "ns-1.awsdns-01.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"

Row = tuple[str, str, int, tuple[str, ...]]  # (name, type, ttl, values)


def zone_records(origin: str, rows: Iterable[Row], soa_ttl: int = 900) -> list[RecordSet]:
    out = [RecordSet(origin, "SOA", soa_ttl, (SOA,)), RecordSet(origin, "NS", 172800, NS)]
    out += [RecordSet(n, t, ttl, vals) for n, t, ttl, vals in rows]
    return out


def alias(name: str, rtype: str, target: str, zone_id: str) -> RecordSet:
    return RecordSet(name, rtype, None, (), AliasTarget(zone_id, target, False))


@dataclass
class DnsHarness:
    plane: DnsPlane
    store: SqliteStore
    loop: asyncio.AbstractEventLoop
    port: int
    host: str = "127.0.0.1"
    zones: dict[str, HostedZone] = field(default_factory=dict)

    def put_zone(self, zone_id: str, origin: str, records: Iterable[RecordSet], created: float = 0.0) -> None:
        """Create or replace a whole zone, then announce it and wait until the server acked it."""
        zone = HostedZone(zone_id, origin, f"ref-{zone_id}", created=created)
        with self.store.write() as txn:
            old = r53store.get_zone(txn, zone_id)
            if old is not None:
                r53store.delete_zone(txn, old)
            r53store.put_zone(txn, zone)
            for r in records:
                r53store.put_rrset(txn, zone_id, r)
            seq = txn.seq
        self.zones[zone_id] = zone
        self._announce(zone_id, seq, False)

    def delete_zone(self, zone_id: str) -> None:
        with self.store.write() as txn:
            r53store.delete_zone(txn, self.zones.pop(zone_id))
            seq = txn.seq
        self._announce(zone_id, seq, True)

    def _announce(self, zone_id: str, seq: int, deleted: bool) -> None:
        events = self.plane.deps.events
        events.publish("route53.zone", {"zone_id": zone_id, "seq": seq, "deleted": deleted})
        for _ in range(500):
            if events.synced("route53.zone", seq):
                return
            threading.Event().wait(0.01)
        raise AssertionError(f"dns never acked seq {seq}")

    def udp(self, q: dns.message.Message, timeout: float = 2.0) -> dns.message.Message:
        return dns.query.udp(q, self.host, port=self.port, timeout=timeout, ignore_unexpected=True)

    def tcp(self, q: dns.message.Message, timeout: float = 2.0) -> dns.message.Message:
        return dns.query.tcp(q, self.host, port=self.port, timeout=timeout)

    def raw_udp(self, data: bytes, timeout: float = 1.0) -> bytes | None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.sendto(data, (self.host, self.port))
            try:
                return s.recv(65535)
            except TimeoutError:
                return None

    def raw_tcp(self, messages: list[bytes], timeout: float = 2.0) -> list[bytes]:
        with socket.create_connection((self.host, self.port), timeout=timeout) as s:
            s.sendall(b"".join(struct.pack("!H", len(m)) + m for m in messages))
            out = []
            for _ in messages:
                out.append(_read_frame(s))
            return out


def _read_frame(s: socket.socket) -> bytes:
    head = _read_exact(s, 2)
    return _read_exact(s, struct.unpack("!H", head)[0])


def _read_exact(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


@contextmanager
def running_plane(
    tmp_path: Path, extra: dict[str, str] | None = None, host: str = "127.0.0.1", workers: int = 1, **kw: Any
) -> Iterator[DnsHarness]:
    """A DnsPlane on its own event loop thread, over a SqliteStore in tmp_path."""
    settings = Settings(host=host, dns_port=0, state_dir=tmp_path, extra=extra or {}, dns_workers=workers)
    store = SqliteStore(settings.db_path, streams=DnsPlane.follows)
    loop = asyncio.new_event_loop()
    events = EventBus()
    events.bind_loop(loop)
    deps = Deps(settings=settings, store=store, events=events, clock=SystemClock())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def make() -> DnsPlane:
        plane = DnsPlane(deps, **kw)
        await plane.start()
        return plane

    plane = asyncio.run_coroutine_threadsafe(make(), loop).result(10)
    try:
        yield DnsHarness(plane, store, loop, deps.ports["dns"], host)
    finally:
        asyncio.run_coroutine_threadsafe(plane.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
        store.close()
