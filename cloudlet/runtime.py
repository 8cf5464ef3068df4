"""Builds every component from Settings, starts and stops the servers, wires the event bus.

Neighbours: cli.py calls Runtime; components are declared in COMPONENTS in start order (data
planes before the APIs that report on them); aws/httpserver.py serves the AWS endpoint,
aws/gateway.py answers its requests.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import logging
import os
import time
from typing import Any

from cloudlet.aws.forward import trusting
from cloudlet.aws.gateway import Gateway
from cloudlet.aws.httpserver import HttpServer, bind_tcp
from cloudlet.aws.workers import ApiWorkers, Balancer
from cloudlet.clock import Clock, SystemClock
from cloudlet.config import Settings
from cloudlet.events import EventBus
from cloudlet.services.base import Component, Deps, ServiceApi
from cloudlet.store import SqliteStore, Store, open_store

log = logging.getLogger("cloudlet")

# (name, "module:Class"), started in this order and stopped in reverse.
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("health", "cloudlet.services.route53.health:HealthPlane"),
    ("dns", "cloudlet.services.dns.plane:DnsPlane"),
    ("route53", "cloudlet.services.route53.api:Route53Api"),
    ("dynamodb", "cloudlet.services.dynamodb.api:DynamoDbApi"),
    ("sts", "cloudlet.services.sts.api:StsApi"),
)


def load_component(path: str) -> type[Component]:
    module, _, cls = path.partition(":")
    return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]


class Runtime:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock(settings.time_scale)
        self.store: Store | None = None
        self.deps: Deps | None = None
        self.components: list[Component] = []
        self.gateway: Gateway | None = None
        self._server: HttpServer | None = None
        self._private: HttpServer | None = None  # where API workers forward what they do not serve
        self._workers: ApiWorkers | None = None
        self._balancer: Balancer | None = None
        self.started_at = 0.0

    def _selected(self) -> list[tuple[str, str]]:
        wanted = set(self.settings.services)
        return [c for c in COMPONENTS if not wanted or c[0] in wanted]

    async def start(self) -> dict[str, int]:
        s = self.settings
        s.state_dir.mkdir(parents=True, exist_ok=True)
        classes = [(name, load_component(path)) for name, path in self._selected()]
        streams = {stream for _, cls in classes for stream in cls.follows}
        shared = s.api_workers > 1  # worker processes write the store too (aws/workers.py)
        self.store = open_store(str(s.db_path), durability=s.durability, streams=streams, shared=shared)
        events = EventBus()
        events.bind_loop(asyncio.get_running_loop())
        self.deps = Deps(settings=s, store=self.store, events=events, clock=self.clock)
        for name, cls in classes:
            component = cls(self.deps)
            self.deps.services[name] = component
            self.components.append(component)
        for component in self.components:
            await component.start()
        apis = {c.service_name: c for c in self.components if isinstance(c, ServiceApi) and c.service_name}
        loop = asyncio.get_running_loop()
        grouping = self.store if isinstance(self.store, SqliteStore) else None
        if grouping is not None:
            grouping.enable_grouping(loop.call_soon)
        self.gateway = Gateway(s, apis, self.status, store=grouping)
        sock = bind_tcp(s.host, s.port)
        self.deps.ports["aws"] = sock.getsockname()[1]
        self._server = HttpServer(self.gateway.handle, idle_timeout=30)
        if shared:
            private = bind_tcp("127.0.0.1", 0)
            self._private = HttpServer(trusting(self.gateway.handle), idle_timeout=300)
            await self._private.start(private)
            self._workers = ApiWorkers(s, private.getsockname()[1], s.api_workers - 1)
            await self._workers.start()
            await self._server.start(None)
            self._balancer = Balancer(sock, self._server, self._workers.channels)
            self._balancer.start()
        else:
            await self._server.start(sock)
        self.started_at = time.time()
        self._write_endpoints()
        return dict(self.deps.ports)

    def status(self) -> dict[str, Any]:
        assert self.deps is not None
        return {
            "pid": os.getpid(),
            "started": self.started_at,
            "ports": dict(self.deps.ports),
            "components": [type(c).__name__ for c in self.components],
            "state_dir": str(self.settings.state_dir.resolve()),
            "store_seq": self.store.seq if self.store else None,
            "api_workers": [p.pid for p in self._workers.procs] if self._workers else [],
        }

    def _write_endpoints(self) -> None:
        path = self.settings.state_dir / "endpoints.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"host": self.settings.host, **self.status()}))
        os.replace(tmp, path)

    async def stop(self) -> None:
        if self._balancer is not None:
            self._balancer.close()
        if self._server is not None:
            await self._server.stop()
        if self._workers is not None:
            await self._workers.stop()
        if self._private is not None:
            await self._private.stop()
        for component in reversed(self.components):
            try:
                await component.stop()
            except Exception:
                log.exception("stopping %s failed", type(component).__name__)
        if self.gateway is not None:
            self.gateway.close()
        if self.store is not None:
            self.store.close()
        try:
            (self.settings.state_dir / "endpoints.json").unlink()
        except FileNotFoundError:
            pass


def settle_heap() -> None:
    """After a server process has started (not for an embedded Runtime: frozen objects are never
    freed): move what start-up allocated (service models, compiled zones: tens of thousands of
    objects) out of the garbage collector's view, or every full collection walks them all, a
    pause of 5-20 ms that the requests in flight wait out."""
    gc.collect()
    gc.freeze()
