"""The checkers of one endpoint health check: one independent prober per checker region.

Each region's checker is a small state machine: it starts healthy (AWS: a new check is healthy
until it has data), and flips only after FailureThreshold consecutive observations that disagree
with its current status. The endpoint is healthy when more than 18% of the checkers say so
(`endpoint_healthy`); Inverted and Disabled apply on top (`final_status`).

Checkers are staggered across the RequestInterval (as Route 53's are not synchronised) and
scheduled on the injected clock, so tests drive them with ManualClock or a high time_scale.
Neighbours: health_probe.py (one observation), health.py (owns the runners, aggregates, swaps
the HealthView).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from cloudlet.clock import Clock
from cloudlet.services.route53.health_model import HealthCheck
from cloudlet.services.route53.health_probe import ProbeLimits, ProbeResult, probe

log = logging.getLogger("cloudlet.health")

HEALTHY_FRACTION = 0.18  # healthy iff MORE than 18% of checkers report healthy


@dataclass(frozen=True)
class StatusReport:
    region: str
    status: str
    checked_time: float  # wall-clock seconds (clock.now())
    checker_ip: str | None


class CheckerState:
    """One checker region's view of the endpoint."""

    __slots__ = ("region", "healthy", "streak", "last", "last_failure")

    def __init__(self, region: str, healthy: bool = True) -> None:
        self.region = region
        self.healthy = healthy
        self.streak = 0  # consecutive observations disagreeing with `healthy`
        self.last: StatusReport | None = None
        self.last_failure: StatusReport | None = None

    def observe(self, result: ProbeResult, failure_threshold: int, now: float) -> bool:
        """Record one observation; True when this checker's status flipped."""
        report = StatusReport(self.region, result.status, now, result.checker_ip)
        self.last = report
        if not result.healthy:
            self.last_failure = report
        if result.healthy == self.healthy:
            self.streak = 0
            return False
        self.streak += 1
        if self.streak >= failure_threshold:
            self.healthy = result.healthy
            self.streak = 0
            return True
        return False


def endpoint_healthy(states: list[CheckerState]) -> bool:
    if not states:
        return True
    return sum(1 for s in states if s.healthy) / len(states) > HEALTHY_FRACTION


def final_status(raw_healthy: bool, inverted: bool, disabled: bool) -> bool:
    """Disabled counts as healthy (Inverted on a disabled check forces unhealthy)."""
    healthy = True if disabled else raw_healthy
    return not healthy if inverted else healthy


class EndpointRunner:
    """The probing tasks of one endpoint health check; `on_change` is called (on the event loop)
    whenever a checker flips, so the owner can recompute the check's status."""

    def __init__(
        self,
        check: HealthCheck,
        clock: Clock,
        limits: ProbeLimits,
        on_change: Callable[[str], None],
        previous: dict[str, CheckerState] | None = None,
    ) -> None:
        self.check = check
        self.clock = clock
        self.limits = limits
        self.on_change = on_change
        previous = previous or {}
        self.states = {r: previous.get(r) or CheckerState(r) for r in check.config.checker_regions}
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def raw_healthy(self) -> bool:
        return endpoint_healthy(list(self.states.values()))

    def start(self) -> None:
        if self.check.config.disabled:
            return  # AWS stops probing a disabled check
        regions = list(self.states)
        interval = self.check.config.request_interval
        for i, region in enumerate(regions):
            offset = interval * i / len(regions)
            self._tasks.append(
                asyncio.create_task(self._run(region, offset), name=f"health-{self.check.id}-{region}")
            )

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t

    async def _run(self, region: str, offset: float) -> None:
        clock = self.clock
        next_at = clock.monotonic() + offset
        while True:
            delay = next_at - clock.monotonic()
            if delay > 0:
                await clock.sleep(delay)
            cfg = self.check.config
            try:
                result = await probe(cfg, self.check.id, self.limits)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # a probe bug must not kill the checker
                log.exception("health check %s (%s): probe failed", self.check.id, region)
                result = ProbeResult(False, f"Failure: internal checker error: {type(e).__name__}")
            state = self.states.get(region)
            if state is None:
                return
            if state.observe(result, cfg.failure_threshold, clock.now()):
                self.on_change(self.check.id)
            next_at += cfg.request_interval
            now = clock.monotonic()
            if next_at < now:  # a probe overran its slot: skip to the next one, keep the phase
                missed = int((now - next_at) // cfg.request_interval) + 1
                next_at += missed * cfg.request_interval
