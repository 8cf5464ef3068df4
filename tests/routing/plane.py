"""An in-process health plane on a real store, event bus and a ManualClock, for scenario tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from cloudlet.clock import ManualClock
from cloudlet.config import Settings
from cloudlet.events import EventBus
from cloudlet.services.base import Deps, RequestContext
from cloudlet.services.route53.health import HealthPlane
from cloudlet.services.route53.health_api import HealthCheckApi
from cloudlet.store import open_store


class Api(HealthCheckApi):
    def __init__(self, deps: Deps) -> None:
        self.deps = deps


CTX = RequestContext("route53", "op", "us-east-1", "000000000000", "req")


class Harness:
    def __init__(self, tmp: Path) -> None:
        self.clock = ManualClock()
        self.events = EventBus()
        self.store = open_store(str(tmp / "state.db"))
        self.deps = Deps(Settings(state_dir=tmp, extra={"geoip": "off"}), self.store, self.events, self.clock)
        self.api = Api(self.deps)
        self.plane = HealthPlane(self.deps)
        self.deps.services["health"] = self.plane
        self.published: list[dict[str, Any]] = []
        self.events.subscribe("route53.health", lambda t, p: self.published.append(p))

    async def start(self) -> Harness:
        self.events.bind_loop(asyncio.get_running_loop())
        await self.plane.start()
        return self

    async def stop(self) -> None:
        await self.plane.stop()
        self.store.close()

    async def call(self, op: str, params: dict[str, Any]) -> dict[str, Any]:
        result = await asyncio.to_thread(getattr(self.api, op), CTX, params)
        await settle()
        return result  # type: ignore[no-any-return]

    async def create(self, cfg: dict[str, Any], ref: str) -> str:
        out = await self.call("create_health_check", {"CallerReference": ref, "HealthCheckConfig": cfg})
        return str(out["HealthCheck"]["Id"])

    async def run_for(self, seconds: float, step: float = 1.25) -> None:
        """Move virtual time forward in steps, letting the real probes finish after each."""
        moved = 0.0
        while moved < seconds:
            await self.clock.advance(step)
            moved += step
            await settle()

    def healthy(self, hc_id: str) -> bool:
        return self.plane.router.health.healthy(hc_id)


async def settle(rounds: int = 4) -> None:
    """Let event handlers and loopback probes run (real time: they do real I/O)."""
    for _ in range(rounds):
        await asyncio.sleep(0.02)
