"""HealthView: the health checkers' verdicts as one immutable value (health check id -> healthy).

The health plane (health.py) builds a new HealthView whenever a status changes and swaps it in
atomically; the DNS data plane reads the current one per query without locking. A health check
id that is missing (unknown, or not yet observed) counts as healthy, as AWS treats a new check.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType


class HealthView(Mapping[str, bool]):
    __slots__ = ("_status", "version")

    def __init__(self, status: Mapping[str, bool] | None = None, version: int = 0) -> None:
        self._status: Mapping[str, bool] = MappingProxyType(dict(status or {}))
        self.version = version  # increases with every swap; lets consumers skip unchanged views

    def __getitem__(self, health_check_id: str) -> bool:
        return self._status[health_check_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._status)

    def __len__(self) -> int:
        return len(self._status)

    def healthy(self, health_check_id: str | None) -> bool:
        """True unless the check exists and is unhealthy (no check, or no data yet: healthy)."""
        if health_check_id is None:
            return True
        return self._status.get(health_check_id, True)

    def with_status(self, changes: Mapping[str, bool | None]) -> HealthView:
        """A new view with `changes` applied (None removes a check)."""
        status = dict(self._status)
        for hc, healthy in changes.items():
            if healthy is None:
                status.pop(hc, None)
            else:
                status[hc] = healthy
        return HealthView(status, self.version + 1)

    def __repr__(self) -> str:
        return f"HealthView({dict(self._status)!r}, version={self.version})"


EMPTY_HEALTH = HealthView()
