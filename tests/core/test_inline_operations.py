"""Which thread a handler runs on: operations a service declares inline run on the event loop,
others on the gateway's pool; inline ones still go to the pool while a pooled handler runs (it may
hold the store's write lock) and under durability=full (every commit fsyncs)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from cloudlet.aws.gateway import Gateway
from cloudlet.aws.http import Headers, HttpRequest
from cloudlet.clock import SystemClock
from cloudlet.config import Settings, load_settings
from cloudlet.events import EventBus
from cloudlet.services.base import Deps, RequestContext, RunElsewhere, ServiceApi
from cloudlet.store import SqliteStore


class RecordingSts(ServiceApi):
    service_name = "sts"
    inline_operations = frozenset({"GetCallerIdentity", "GetAccessKeyInfo"})

    def __init__(self, deps: Deps) -> None:
        super().__init__(deps)
        self.threads: list[tuple[str, str]] = []
        self.release = threading.Event()

    def get_caller_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self.threads.append((ctx.operation, threading.current_thread().name))
        return {"Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root", "UserId": "x"}

    def get_access_key_info(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        # work whose size shows only while it runs: over budget on the loop, so it moves
        self.threads.append((ctx.operation, threading.current_thread().name))
        if ctx.inline:
            raise RunElsewhere
        return {"Account": "000000000000"}

    def get_session_token(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self.threads.append((ctx.operation, threading.current_thread().name))
        self.release.wait(10)
        return {}


def request(action: str) -> HttpRequest:
    headers = Headers([("Host", "sts.localhost"), ("Content-Type", "application/x-www-form-urlencoded")])
    return HttpRequest("POST", "/", "", headers, f"Action={action}&Version=2011-06-15".encode())


def run(settings: Settings, tmp_path: Path, scenario: Any) -> list[tuple[str, str]]:
    store = SqliteStore(tmp_path / "state.db")
    api = RecordingSts(Deps(settings=settings, store=store, events=EventBus(), clock=SystemClock()))
    gateway = Gateway(settings, {"sts": api}, dict)
    try:
        asyncio.run(scenario(gateway, api))
    finally:
        api.release.set()
        gateway.close()
        store.close()
    return api.threads


def test_declared_operations_run_on_the_loop_others_on_the_pool(tmp_path: Path) -> None:
    settings = load_settings({"state_dir": str(tmp_path), "log_requests": False})

    async def scenario(gateway: Gateway, api: RecordingSts) -> None:
        api.release.set()
        assert (await gateway.handle(request("GetCallerIdentity"))).status == 200
        assert (await gateway.handle(request("GetSessionToken"))).status == 200

    threads = run(settings, tmp_path, scenario)
    loop_thread = threading.current_thread().name
    assert threads[0] == ("GetCallerIdentity", loop_thread)
    assert threads[1][0] == "GetSessionToken" and threads[1][1].startswith("handler")


def test_inline_operations_use_the_pool_while_a_pooled_handler_runs(tmp_path: Path) -> None:
    settings = load_settings({"state_dir": str(tmp_path), "log_requests": False})

    async def scenario(gateway: Gateway, api: RecordingSts) -> None:
        slow = asyncio.ensure_future(gateway.handle(request("GetSessionToken")))
        while not api.threads:
            await asyncio.sleep(0.01)
        assert (await gateway.handle(request("GetCallerIdentity"))).status == 200
        api.release.set()
        assert (await slow).status == 200
        assert (await gateway.handle(request("GetCallerIdentity"))).status == 200

    threads = run(settings, tmp_path, scenario)
    assert [op for op, _ in threads] == ["GetSessionToken", "GetCallerIdentity", "GetCallerIdentity"]
    assert threads[1][1].startswith("handler")  # the pool was busy
    assert threads[2][1] == threading.current_thread().name  # idle again: inline


def test_no_inline_store_work_under_full_durability(tmp_path: Path) -> None:
    settings = replace(load_settings({"state_dir": str(tmp_path), "log_requests": False}), durability="full")

    async def scenario(gateway: Gateway, api: RecordingSts) -> None:
        assert (await gateway.handle(request("GetCallerIdentity"))).status == 200

    threads = run(settings, tmp_path, scenario)
    assert threads[0][1].startswith("handler")


def test_an_inline_handler_over_its_budget_runs_again_on_the_pool(tmp_path: Path) -> None:
    settings = load_settings({"state_dir": str(tmp_path), "log_requests": False})

    async def scenario(gateway: Gateway, api: RecordingSts) -> None:
        resp = await gateway.handle(request("GetAccessKeyInfo&AccessKeyId=AKIAIOSFODNN7EXAMPLE"))
        assert resp.status == 200 and b"000000000000" in resp.body

    threads = run(settings, tmp_path, scenario)
    assert threads[0] == ("GetAccessKeyInfo", threading.current_thread().name)
    assert threads[1][0] == "GetAccessKeyInfo" and threads[1][1].startswith("handler")


class CountingSts(ServiceApi):
    """GetCallerIdentity increments a stored counter and answers its new value (as UserId); on its
    first run another process commits its own value of the counter before the turn ends."""

    service_name = "sts"
    inline_operations = frozenset({"GetCallerIdentity"})

    def __init__(self, deps: Deps, other: SqliteStore) -> None:
        super().__init__(deps)
        self.other = other
        self.runs = 0

    def get_caller_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self.runs += 1
        with self.deps.store.write() as txn:
            count = int(txn.get("t", "count") or b"0") + 1
            txn.put("t", "count", str(count).encode())
        if self.runs == 1:
            with self.other.write() as txn:
                txn.put("t", "count", b"41")
        return {"Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root", "UserId": str(count)}


def test_an_inline_handler_whose_group_conflicts_runs_again_and_answers_the_rerun(tmp_path: Path) -> None:
    settings = load_settings({"state_dir": str(tmp_path), "log_requests": False})
    store = SqliteStore(tmp_path / "state.db", shared=True)
    other = SqliteStore(tmp_path / "state.db", shared=True)  # another worker process's connection
    api = CountingSts(Deps(settings=settings, store=store, events=EventBus(), clock=SystemClock()), other)
    gateway = Gateway(settings, {"sts": api}, dict, store=store)

    async def scenario() -> bytes:
        store.enable_grouping(asyncio.get_running_loop().call_soon)
        resp = await gateway.handle(request("GetCallerIdentity"))
        assert resp.status == 200
        return resp.body

    try:
        body = asyncio.run(scenario())
    finally:
        gateway.close()
        store.close()
    assert api.runs == 2 and store.conflicts == 1
    assert b"<UserId>42</UserId>" in body  # the first run's answer (1) was never sent
    with other.read() as txn:
        assert txn.get("t", "count") == b"42"
    other.close()
