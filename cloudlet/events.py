"""In-process publish/subscribe of change events, and the sync watermarks behind GetChange.

A control plane commits, then publishes (topic, payload) — usually from `txn.after_commit`.
Subscribers are called on the event loop (publishing from a handler thread is safe). A data plane
that must report when it has applied a change registers as a *consumer* of a topic and calls
`ack(topic, consumer, seq)` after swapping in its new view; `synced(topic, seq)` is true once
every registered consumer has acknowledged `seq` (Route 53 GetChange INSYNC).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("cloudlet.events")

Handler = Callable[[str, dict[str, Any]], Awaitable[None] | None]


class EventBus:
    def __init__(self) -> None:
        self._subs: dict[str, list[Handler]] = defaultdict(list)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._acked: dict[str, dict[str, int]] = defaultdict(dict)

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self, topic: str, handler: Handler) -> None:
        self._subs[topic].append(handler)

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._deliver(topic, payload)
        else:
            loop.call_soon_threadsafe(self._deliver, topic, payload)

    def _deliver(self, topic: str, payload: dict[str, Any]) -> None:
        for handler in list(self._subs.get(topic, ())):
            try:
                res = handler(topic, payload)
                if asyncio.iscoroutine(res):
                    task = asyncio.ensure_future(res)
                    task.add_done_callback(_log_failure)
            except Exception:
                log.exception("event handler for %s failed", topic)

    # -- sync watermarks -------------------------------------------------------------------------
    def register_consumer(self, topic: str, consumer: str, seq: int = 0) -> None:
        with self._lock:
            self._acked[topic][consumer] = seq

    def unregister_consumer(self, topic: str, consumer: str) -> None:
        with self._lock:
            self._acked[topic].pop(consumer, None)

    def ack(self, topic: str, consumer: str, seq: int) -> None:
        with self._lock:
            if self._acked[topic].get(consumer, -1) < seq:
                self._acked[topic][consumer] = seq

    def synced(self, topic: str, seq: int) -> bool:
        with self._lock:
            return all(v >= seq for v in self._acked.get(topic, {}).values())


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("async event handler failed", exc_info=task.exception())
