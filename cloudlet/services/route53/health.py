"""HealthPlane: Route 53's health checkers and the routing data the DNS server answers with.

A runtime component ("health", started before "dns"). It
- runs every endpoint health check (health_checker.py: one prober per checker region, real
  connections, the >18% rule) and computes CALCULATED checks from their children;
- keeps the current HealthView (health check id -> healthy) and swaps in a new one whenever a
  status changes, publishing "route53.health" {"health_check_id", "healthy"};
- owns the Router (router.py) that the DNS plane calls per dynamic query, and installs it as the
  DNS plane's selector; the router reads the swapped-in HealthView and CidrTable, never the store;
- follows "route53.healthcheck" (health_api.py) and "route53.cidr" (cidr_api.py) events.
Time comes from deps.clock; probe timeouts are AWS's divided by settings.time_scale.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from cloudlet.geo import Geo
from cloudlet.services.base import Component, Deps
from cloudlet.services.route53 import cidr, health_store
from cloudlet.services.route53.health_checker import EndpointRunner, StatusReport, final_status
from cloudlet.services.route53.health_model import HealthCheck
from cloudlet.services.route53.health_probe import ProbeLimits
from cloudlet.services.route53.health_view import EMPTY_HEALTH, HealthView
from cloudlet.services.route53.router import Router, groups_in

log = logging.getLogger("cloudlet.health")

STATUS_EVENT = "route53.health"
MIN_TIMEOUT = 0.25  # real seconds: a scaled-down timeout below this flags a busy loopback as down


class HealthPlane(Component):
    name = "health"

    def __init__(self, deps: Deps) -> None:
        super().__init__(deps)
        self.router = Router(Geo.from_settings(deps.settings), groups_in(self._dns_view))
        self.view: HealthView = EMPTY_HEALTH
        self.checks: dict[str, HealthCheck] = {}
        self.runners: dict[str, EndpointRunner] = {}
        self.limits = _scaled_limits(deps.settings.time_scale)
        self._queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._persisting: asyncio.Future[None] | None = None
        self._warming: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        events = self.deps.events
        events.subscribe(health_store.EVENT, self._on_event)
        events.subscribe(cidr.EVENT, self._on_event)
        checks, table = await asyncio.to_thread(self._load_all)
        self.router.cidr = table
        dns_plane = self.deps.services.get("dns")
        if dns_plane is not None and getattr(dns_plane, "selector", None) is None:
            dns_plane.selector = self.router  # type: ignore[attr-defined]
        for hc in checks:
            self.checks[hc.id] = hc
            self._start_runner(hc)
        self._recompute()
        self._task = asyncio.create_task(self._follow(), name="health-follow")
        # GeoIP data loads off the event loop so the first routed query does not pay for it
        self._warming = asyncio.create_task(asyncio.to_thread(self.router.geo.warm), name="geo-warm")
        log.info("health: %d health checks", len(checks))

    async def stop(self) -> None:
        if self._warming is not None:
            with contextlib.suppress(Exception):
                await self._warming
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for runner in list(self.runners.values()):
            await runner.stop()
        self.runners.clear()
        if self._persisting is not None:
            with contextlib.suppress(Exception):
                await self._persisting

    def _load_all(self) -> tuple[list[HealthCheck], cidr.CidrTable]:
        with self.deps.store.read() as txn:
            checks = health_store.all_health_checks(txn)
        return checks, cidr.load_cidr_table(self.deps.store)

    def _dns_view(self) -> Any:
        return getattr(self.deps.services.get("dns"), "view", None)

    # -- following the control plane ---------------------------------------------------------------
    def _on_event(self, topic: str, payload: dict[str, Any]) -> None:
        self._queue.put_nowait((topic, payload))

    async def _follow(self) -> None:
        while True:
            topic, payload = await self._queue.get()
            try:
                if topic == cidr.EVENT:
                    self.router.cidr = await asyncio.to_thread(cidr.load_cidr_table, self.deps.store)
                else:
                    await self._reload(str(payload.get("health_check_id", "")))
            except Exception:
                log.exception("health: applying %s %s failed", topic, payload)

    async def _reload(self, hc_id: str) -> None:
        hc = await asyncio.to_thread(self._read, hc_id)
        old = self.runners.pop(hc_id, None)
        if old is not None:
            await old.stop()
        if hc is None:
            self.checks.pop(hc_id, None)
            self._set({hc_id: None})
        else:
            self.checks[hc_id] = hc
            self._start_runner(hc, old.states if old is not None else None)
        self._recompute()

    def _read(self, hc_id: str) -> HealthCheck | None:
        with self.deps.store.read() as txn:
            return health_store.get_health_check(txn, hc_id)

    def _start_runner(self, hc: HealthCheck, previous: dict[str, Any] | None = None) -> None:
        if hc.config.is_calculated:
            return
        runner = EndpointRunner(hc, self.deps.clock, self.limits, self._on_checker_flip, previous)
        self.runners[hc.id] = runner
        runner.start()

    # -- status ------------------------------------------------------------------------------------
    def _on_checker_flip(self, hc_id: str) -> None:
        self._recompute()

    def status_of(self, hc: HealthCheck) -> bool:
        cfg = hc.config
        if cfg.is_calculated:
            healthy_children, _ = self._children(hc)
            threshold = cfg.health_threshold or 0
            raw = healthy_children >= threshold and threshold <= len(cfg.child_health_checks)
        else:
            runner = self.runners.get(hc.id)
            raw = runner.raw_healthy if runner is not None else True
        return final_status(raw, cfg.inverted, cfg.disabled)

    def _children(self, hc: HealthCheck) -> tuple[int, int]:
        healthy = 0
        for child_id in hc.config.child_health_checks:
            child = self.checks.get(child_id)
            # a missing child cannot vouch for anything; a calculated child is not nested (AWS)
            if child is not None and not child.config.is_calculated and self.status_of(child):
                healthy += 1
        return healthy, len(hc.config.child_health_checks)

    def _recompute(self) -> None:
        changes: dict[str, bool | None] = {}
        for hc_id, hc in self.checks.items():
            healthy = self.status_of(hc)
            if self.view.get(hc_id) != healthy:
                changes[hc_id] = healthy
        if changes:
            self._set(changes)

    def _set(self, changes: dict[str, bool | None]) -> None:
        self.view = self.view.with_status(changes)
        self.router.health = self.view  # one assignment: queries see the old view or the new one
        self._persist(changes)
        for hc_id, healthy in changes.items():
            if healthy is not None:
                log.info("health: %s is now %s", hc_id, "healthy" if healthy else "unhealthy")
                self.deps.events.publish(STATUS_EVENT, {"health_check_id": hc_id, "healthy": healthy})

    def _persist(self, changes: dict[str, bool | None]) -> None:
        """Write the verdicts for DNS worker processes and replicas (router.refresh_from_store);
        off the event loop, in order, and never on the query path."""

        def write() -> None:
            with self.deps.store.write() as txn:
                health_store.put_statuses(txn, changes)

        previous = self._persisting

        async def chain() -> None:
            if previous is not None:
                with contextlib.suppress(Exception):
                    await previous
            try:
                await asyncio.to_thread(write)
            except Exception:
                log.exception("health: persisting statuses failed")

        self._persisting = asyncio.ensure_future(chain())

    # -- what the API reports ----------------------------------------------------------------------
    def observations(self, hc_id: str, failures_only: bool = False) -> list[dict[str, Any]]:
        hc = self.checks.get(hc_id)
        if hc is None:
            return []
        if hc.config.is_calculated:
            healthy_children, total = self._children(hc)
            ok = self.status_of(hc)
            if failures_only and ok:
                return []
            text = (
                f"{'Success' if ok else 'Failure'}: {healthy_children} of {total} child health checks are "
                f"healthy (HealthThreshold {hc.config.health_threshold or 0})"
            )
            return [{"StatusReport": {"Status": text, "CheckedTime": _ts(self.deps.clock.now())}}]
        runner = self.runners.get(hc_id)
        if runner is None:
            return []
        out = []
        for state in runner.states.values():
            report = state.last_failure if failures_only else state.last
            if report is not None:
                out.append(_observation(report))
        return out


def _scaled_limits(time_scale: float) -> ProbeLimits:
    base = ProbeLimits()

    def scale(seconds: float) -> float:
        return min(seconds, max(seconds / time_scale, MIN_TIMEOUT))

    return ProbeLimits(scale(base.connect), scale(base.tcp_connect), scale(base.status), scale(base.body))


def _ts(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _observation(report: StatusReport) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Region": report.region,
        "StatusReport": {"Status": report.status, "CheckedTime": _ts(report.checked_time)},
    }
    if report.checker_ip:
        out["IPAddress"] = report.checker_ip
    return out
