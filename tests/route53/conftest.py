"""Route 53 control-plane fixtures: a Route53Api over a real SqliteStore (no server), for the
table-driven rule tests; e2e tests use the `cloudlet` / `cloudlet_factory` fixtures instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudlet.aws.errors import AwsError
from cloudlet.clock import ManualClock
from cloudlet.config import Settings
from cloudlet.events import EventBus
from cloudlet.services.base import Deps, RequestContext
from cloudlet.services.route53.api import Route53Api
from cloudlet.store import SqliteStore


class Direct:
    """Calls handlers as the gateway would: Route53Api.<op>(ctx, params)."""

    def __init__(self, api: Route53Api, account: str = "000000000000") -> None:
        self.api = api
        self.account = account

    def __call__(self, op: str, **params: Any) -> dict[str, Any]:
        ctx = RequestContext("route53", op, "us-east-1", self.account, "req-1")
        handler = self.api.handler(op)
        assert handler is not None, op
        return handler(ctx, params)  # type: ignore[return-value]

    def error(self, op: str, **params: Any) -> AwsError:
        with pytest.raises(AwsError) as e:
            self(op, **params)
        return e.value

    def zone(self, name: str = "example.com", ref: str | None = None, **kw: Any) -> str:
        out = self(
            "CreateHostedZone", Name=name, CallerReference=ref or f"ref-{name}-{id(kw)}-{len(kw)}", **kw
        )
        return str(out["HostedZone"]["Id"]).rpartition("/")[2]

    def change(self, zone_id: str, *changes: tuple[str, dict[str, Any]]) -> dict[str, Any]:
        batch = {"Changes": [{"Action": a, "ResourceRecordSet": r} for a, r in changes]}
        return self("ChangeResourceRecordSets", HostedZoneId=zone_id, ChangeBatch=batch)

    def change_error(self, zone_id: str, *changes: tuple[str, dict[str, Any]]) -> AwsError:
        with pytest.raises(AwsError) as e:
            self.change(zone_id, *changes)
        return e.value

    def records(self, zone_id: str) -> list[dict[str, Any]]:
        return list(self("ListResourceRecordSets", HostedZoneId=zone_id)["ResourceRecordSets"])


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[Deps]:
    store = SqliteStore(tmp_path / "state.db")
    yield Deps(settings=Settings(state_dir=tmp_path), store=store, events=EventBus(), clock=ManualClock())
    store.close()


@pytest.fixture
def r53(deps: Deps) -> Direct:
    return Direct(Route53Api(deps))


def rr(name: str, rtype: str, *values: str, ttl: int = 300, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": name, "Type": rtype, **extra}
    if values:
        out["TTL"] = ttl
        out["ResourceRecords"] = [{"Value": v} for v in values]
    return out
