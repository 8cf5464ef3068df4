"""Run only the authoritative DNS plane over an existing state dir (the benchmark's server side).

Routing policies are answered by the health plane's Router, fed the way a DNS worker process
feeds it (workers.py): health verdicts and CIDR collections read from the store, where the
health plane persists them — so the benchmark measures answer selection, not probing.

Usage: python -m bench.dns_auth.serve STATE_DIR PORT [WORKERS]. Prints "ready <port>" once bound.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import uvloop

from cloudlet.clock import SystemClock
from cloudlet.config import Settings
from cloudlet.events import EventBus
from cloudlet.geo import Geo
from cloudlet.services.base import Deps
from cloudlet.services.dns.plane import DnsPlane
from cloudlet.services.route53.router import Router, groups_in
from cloudlet.store import SqliteStore


async def main(state_dir: Path, port: int, workers: int) -> None:
    settings = Settings(dns_port=port, state_dir=state_dir, dns_workers=workers)
    store = SqliteStore(settings.db_path, streams=DnsPlane.follows)
    events = EventBus()
    events.bind_loop(asyncio.get_running_loop())
    deps = Deps(settings=settings, store=store, events=events, clock=SystemClock())
    plane = DnsPlane(deps)
    await plane.start()
    router = Router(Geo.from_settings(settings), groups_in(lambda: plane.view))
    await asyncio.to_thread(router.refresh_from_store, store)
    plane.selector = router
    print(f"ready {deps.ports['dns']}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await plane.stop()


if __name__ == "__main__":
    args = sys.argv[1:]
    uvloop.run(main(Path(args[0]), int(args[1]), int(args[2]) if len(args) > 2 else 1))
