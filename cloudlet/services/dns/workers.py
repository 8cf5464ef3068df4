"""Extra DNS worker processes sharing the listening port with SO_REUSEPORT.

Each worker is what a replica on another host would be: it opens the store itself, builds its
own View, binds UDP+TCP on the same port, and follows the store's change sequence of the streams DnsPlane.follows (polling
`store.committed_seq("route53")`, so other services' writes cost it nothing; a change reloads the zones on a worker thread, then swaps). It publishes the
sequence it has applied in shared memory; the main plane waits for every worker before it
acknowledges a change, so GetChange's INSYNC covers all of them. Neighbour: plane.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.sharedctypes
import os
import time
from typing import Any

from cloudlet.config import Settings
from cloudlet.processes import stop_processes

log = logging.getLogger("cloudlet.dns.workers")

POLL = 0.02  # seconds between change-sequence polls in a worker
SYNC_TIMEOUT = 10.0


class WorkerPool:
    def __init__(self, settings: Settings, port: int, count: int) -> None:
        self.settings = settings
        self.port = port
        self.count = count
        self.ctx = multiprocessing.get_context("spawn")
        self.applied: list[Any] = []
        self.procs: list[Any] = []

    async def start(self) -> None:
        for _ in range(self.count):
            applied = self.ctx.Value("q", -1, lock=False)  # one writer, a word-sized value
            proc = self.ctx.Process(
                target=_worker_main, args=(self.settings, self.port, applied, os.getpid()), daemon=True
            )
            proc.start()
            self.applied.append(applied)
            self.procs.append(proc)
        deadline = time.monotonic() + 30
        while any(v.value < 0 for v in self.applied) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def wait_for(self, seq: int) -> None:
        deadline = time.monotonic() + SYNC_TIMEOUT
        while time.monotonic() < deadline:
            if all(v.value >= seq or not p.is_alive() for v, p in zip(self.applied, self.procs, strict=True)):
                return
            await asyncio.sleep(0.005)
        log.warning("dns workers did not reach seq %d within %.0f s", seq, SYNC_TIMEOUT)

    async def stop(self) -> None:
        await stop_processes(self.procs, 5)


def _worker_main(settings: Settings, port: int, applied: Any, parent: int) -> None:
    try:
        import uvloop

        uvloop.run(_serve(settings, port, applied, parent))
    except ImportError:
        asyncio.run(_serve(settings, port, applied, parent))


async def _serve(settings: Settings, port: int, applied: Any, parent: int) -> None:
    from cloudlet.clock import SystemClock
    from cloudlet.events import EventBus
    from cloudlet.geo import Geo
    from cloudlet.services.base import Deps
    from cloudlet.services.dns.engine import Engine
    from cloudlet.services.dns.plane import limits_from, load_view
    from cloudlet.services.dns.server import bind
    from cloudlet.services.route53.router import Router, groups_in
    from cloudlet.store import open_store

    store = open_store(str(settings.db_path), durability=settings.durability)
    deps = Deps(settings=settings, store=store, events=EventBus(), clock=SystemClock())
    limits, tcp_limits = limits_from(settings)
    engine = Engine(limits=limits)
    # Routing policies route here exactly as in the main process: health verdicts and CIDR
    # collections come from the store, where the health plane persists them.
    router = Router(Geo.from_settings(settings), groups_in(lambda: engine.view))
    engine.selector = router
    from cloudlet.services.dns.plane import DnsPlane

    def committed() -> int:
        return max(store.committed_seq(stream) for stream in DnsPlane.follows)

    seq = committed()
    view, _ = await asyncio.to_thread(load_view, deps)
    await asyncio.to_thread(router.refresh_from_store, store)
    engine.swap(view)
    udp, tcp, _ = await bind(engine, settings.host, port, tcp_limits, reuse_port=True)
    applied.value = seq
    try:
        while os.getppid() == parent:  # a worker never outlives the plane that started it
            await asyncio.sleep(POLL)
            latest = committed()
            if latest != seq:
                seq = latest  # read before loading: a later commit triggers another reload
                view, _ = await asyncio.to_thread(load_view, deps)
                await asyncio.to_thread(router.refresh_from_store, store)
                engine.swap(view)
                applied.value = seq
    finally:
        udp.close()
        tcp.close()
        with contextlib.suppress(Exception):
            store.close()
