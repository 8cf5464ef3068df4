"""DnsPlane: the authoritative DNS server as a runtime component ("dns").

start() loads every hosted zone from the store into a compiled View, binds UDP+TCP on
(settings.host, settings.dns_port) and follows the "route53.zone" event: each event rebuilds
only its zone on a worker thread, the new View is swapped in on the event loop, then the change
sequence is acknowledged (that is what makes GetChange say INSYNC). With settings.dns_workers > 1
extra worker processes share the port (workers.py). Neighbours: engine.py / server.py (serving),
compiler.py / view.py (the view), testanswer.py (TestDNSAnswer), route53/store.py (reads).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from cloudlet.config import Settings, SettingsError
from cloudlet.services.base import Component, Deps
from cloudlet.services.dns import testanswer
from cloudlet.services.dns.authoritative import Selector
from cloudlet.services.dns.compiler import compile_zone
from cloudlet.services.dns.engine import Engine
from cloudlet.services.dns.mmsg import MmsgReader
from cloudlet.services.dns.server import TcpLimits, UdpReader, bind
from cloudlet.services.dns.view import View
from cloudlet.services.dns.wire import Limits
from cloudlet.services.route53 import store as r53store

log = logging.getLogger("cloudlet.dns")

TOPIC = "route53.zone"
CONSUMER = "dns"


def _extra(settings: Settings, key: str, default: float, lo: float, hi: float) -> float:
    raw = settings.extra.get(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{key}: expected a number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise SettingsError(f"{key} must be within {lo}..{hi}, not {value}")
    return value


def limits_from(settings: Settings) -> tuple[Limits, TcpLimits]:
    """The server's limits from settings.extra; a bad value fails loudly before anything binds."""
    limits = Limits(max_udp=int(_extra(settings, "dns_max_udp_payload", 1232, 512, 65535)))
    tcp = TcpLimits(
        idle_timeout=_extra(settings, "dns_tcp_idle_timeout", 10.0, 0.1, 3600),
        max_connections=int(_extra(settings, "dns_tcp_max_connections", 256, 1, 100_000)),
    )
    return limits, tcp


def load_view(deps: Deps) -> tuple[View, int]:
    """Every hosted zone, compiled; and the change sequence the view reflects."""
    with deps.store.read() as txn:
        snapshots = r53store.all_snapshots(txn)
        seq = txn.seq
    return View(compile_zone(s) for s in snapshots), seq


class DnsPlane(Component):
    name = "dns"
    follows = ("route53",)  # worker processes reload only when Route 53 state changes

    def __init__(self, deps: Deps, selector: Selector | None = None) -> None:
        super().__init__(deps)
        self.limits, self.tcp_limits = limits_from(deps.settings)
        self.engine = Engine(selector=selector, limits=self.limits)
        self.port = 0
        self._udp: UdpReader | MmsgReader | None = None
        self._tcp: asyncio.Server | None = None
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._workers: Any = None

    @property
    def selector(self) -> Selector | None:
        return self.engine.selector

    @selector.setter
    def selector(self, selector: Selector | None) -> None:
        """Install the routing-policy selector; cached answers are dropped."""
        self.engine.selector = selector
        self.engine.swap(self.engine.view)

    @property
    def view(self) -> View:
        return self.engine.view

    async def start(self) -> None:
        s = self.deps.settings
        self.deps.events.subscribe(TOPIC, self._on_event)  # before loading: no change slips between
        view, seq = await asyncio.to_thread(load_view, self.deps)
        self.engine.swap(view)
        workers = max(1, s.dns_workers)
        self._udp, self._tcp, self.port = await bind(
            self.engine, s.host, s.dns_port, self.tcp_limits, reuse_port=workers > 1
        )
        self.deps.ports["dns"] = self.port
        self.deps.events.register_consumer(TOPIC, CONSUMER, seq)
        self._task = asyncio.create_task(self._follow(), name="dns-zone-rebuild")
        if workers > 1:
            from cloudlet.services.dns.workers import WorkerPool

            self._workers = WorkerPool(s, self.port, workers - 1)
            await self._workers.start()
        log.info("dns: %d zones on %s:%d (udp+tcp), %d worker(s)", len(view), s.host, self.port, workers)

    async def stop(self) -> None:
        if self._workers is not None:
            await self._workers.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            for t in list(self.tcp_limits.open):
                t.abort()
            await self._tcp.wait_closed()
        self.deps.events.unregister_consumer(TOPIC, CONSUMER)

    def _on_event(self, topic: str, payload: dict[str, Any]) -> None:
        self._queue.put_nowait(payload)

    async def _follow(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._apply(batch)
            except Exception:
                # the view keeps serving the previous data; the next event for the zone retries
                log.exception("dns: rebuilding zones failed")

    async def _apply(self, batch: list[dict[str, Any]]) -> None:
        zone_ids = {str(p["zone_id"]) for p in batch if p.get("zone_id")}
        seq = max(int(p.get("seq", 0)) for p in batch)
        compiled = await asyncio.to_thread(self._compile, zone_ids)
        view = self.engine.view
        for zone_id, zone in compiled.items():
            view = view.replace(zone_id, zone)
        self.engine.swap(view)
        if self._workers is not None:
            await self._workers.wait_for(seq)
        self.deps.events.ack(TOPIC, CONSUMER, seq)

    def _compile(self, zone_ids: set[str]) -> dict[str, Any]:
        with self.deps.store.read() as txn:
            snaps = {zid: r53store.zone_snapshot(txn, zid) for zid in zone_ids}
        return {zid: None if snap is None else compile_zone(snap) for zid, snap in snaps.items()}

    def test_dns_answer(self, params: dict[str, Any]) -> dict[str, Any]:
        """Route 53 TestDNSAnswer, answered by the same code as the listener (testanswer.py)."""
        return testanswer.test_dns_answer(self.engine, params)
