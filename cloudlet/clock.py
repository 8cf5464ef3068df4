"""Injectable time. Production uses SystemClock; tests use ManualClock and move time forward."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock seconds since the epoch (for timestamps shown to users)."""

    def monotonic(self) -> float:
        """Seconds on a monotonic scale (for intervals and expiry)."""

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock; `scale` > 1 makes sleeps shorter (time runs faster) for demos and tests."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic() * self.scale

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.scale)


class ManualClock:
    """A clock that only moves when told to; sleepers wake when `advance` passes their deadline."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._mono = 0.0
        self._waiters: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    async def sleep(self, seconds: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((self._mono + seconds, fut))
        await fut

    async def advance(self, seconds: float) -> None:
        self._now += seconds
        self._mono += seconds
        due = [w for w in self._waiters if w[0] <= self._mono]
        self._waiters = [w for w in self._waiters if w[0] > self._mono]
        for _, fut in sorted(due, key=lambda w: w[0]):
            if not fut.done():
                fut.set_result(None)
        # let woken tasks run
        for _ in range(3):
            await asyncio.sleep(0)
