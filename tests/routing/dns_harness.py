"""A real DnsPlane plus the HealthPlane (which installs the routing selector), on their own event
loop thread over one SqliteStore: zones are written with route53/store.py and announced on the
event bus exactly as the control plane does. Queries go over real UDP with dnspython."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dns.edns
import dns.message
import dns.query
import dns.rdatatype

from cloudlet.clock import Clock, SystemClock
from cloudlet.config import Settings
from cloudlet.events import EventBus
from cloudlet.services.base import Deps
from cloudlet.services.dns.plane import DnsPlane
from cloudlet.services.route53.health import HealthPlane
from tests.dns.support import DnsHarness

from .helpers import USER_MAP


class RoutingHarness(DnsHarness):
    health: HealthPlane

    def ask(
        self, name: str, rtype: str = "A", source: str = "127.0.0.1", ecs: str | None = None
    ) -> list[str]:
        options: list[dns.edns.Option] = []
        if ecs:
            addr, _, prefix = ecs.partition("/")
            options.append(dns.edns.ECSOption(addr, int(prefix)))
        q = dns.message.make_query(name, rtype, use_edns=0, options=options)
        r = dns.query.udp(q, self.host, port=self.port, timeout=2, source=source, ignore_unexpected=True)
        return sorted(
            rd.to_text()
            for rrset in r.answer
            for rd in rrset
            if rrset.rdtype == dns.rdatatype.from_text(rtype)
        )

    def run(self, coro: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


@contextmanager
def routing_plane(
    tmp_path: Path, clock: Clock | None = None, extra: dict[str, str] | None = None
) -> Iterator[RoutingHarness]:
    geo_map = tmp_path / "geo-map.json"
    geo_map.write_text(json.dumps(USER_MAP))
    settings = Settings(dns_port=0, state_dir=tmp_path, extra={"geo_map": str(geo_map), **(extra or {})})
    from cloudlet.store import SqliteStore

    store = SqliteStore(settings.db_path)
    loop = asyncio.new_event_loop()
    events = EventBus()
    events.bind_loop(loop)
    deps = Deps(settings=settings, store=store, events=events, clock=clock or SystemClock())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def make() -> tuple[DnsPlane, HealthPlane]:
        dns_plane = DnsPlane(deps)
        health = HealthPlane(deps)
        deps.services.update(health=health, dns=dns_plane)
        await health.start()
        await dns_plane.start()
        return dns_plane, health

    dns_plane, health = asyncio.run_coroutine_threadsafe(make(), loop).result(30)
    h = RoutingHarness(dns_plane, store, loop, deps.ports["dns"])
    h.health = health
    try:
        yield h
    finally:

        async def stop() -> None:
            await dns_plane.stop()
            await health.stop()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
        store.close()
