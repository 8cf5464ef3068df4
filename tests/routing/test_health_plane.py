"""Health checker scenarios: real loopback servers, virtual time (ManualClock), the plane's view."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from cloudlet.services.route53.health_checker import CheckerState, endpoint_healthy, final_status
from cloudlet.services.route53.health_probe import ProbeResult

from .plane import Harness
from .servers import Behaviour, HttpServer, tcp_listener


def scenario(tmp: Path, body: Callable[[Harness], Awaitable[None]]) -> None:
    async def go() -> None:
        h = await Harness(tmp).start()
        try:
            await body(h)
        finally:
            await h.stop()

    asyncio.run(asyncio.wait_for(go(), 60))


def test_checker_flips_after_failure_threshold_consecutive_results() -> None:
    s = CheckerState("us-east-1")
    bad, good = ProbeResult(False, "Failure"), ProbeResult(True, "Success")
    assert not s.observe(bad, 3, 0) and not s.observe(bad, 3, 1)
    assert not s.observe(good, 3, 2)  # the streak is broken
    assert [s.observe(bad, 3, t) for t in range(3)] == [False, False, True]
    assert not s.healthy and s.last_failure is not None


def test_more_than_18_percent_rule() -> None:
    def states(healthy: int, total: int) -> list[CheckerState]:
        out = [CheckerState(str(i)) for i in range(total)]
        for st in out[healthy:]:
            st.healthy = False
        return out

    assert not endpoint_healthy(states(1, 8))  # 12.5%
    assert endpoint_healthy(states(2, 8))  # 25%
    assert not endpoint_healthy(states(0, 3))
    assert endpoint_healthy(states(1, 3))  # 33%


def test_inverted_and_disabled() -> None:
    assert final_status(False, inverted=True, disabled=False)
    assert final_status(False, inverted=False, disabled=True)
    assert not final_status(True, inverted=True, disabled=True)


def test_http_check_goes_down_and_up_within_interval_times_threshold(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        server = await HttpServer().start()
        try:
            hc = await h.create(
                {
                    "Type": "HTTP",
                    "IPAddress": "127.0.0.1",
                    "Port": server.port,
                    "RequestInterval": 10,
                    "FailureThreshold": 2,
                },
                "web",
            )
            assert h.healthy(hc)  # a new check is healthy until it has data
            await h.run_for(10)
            obs = h.plane.observations(hc)
            assert len(obs) == 8 and {o["StatusReport"]["Status"] for o in obs} == {
                "Success: HTTP Status Code 200, OK"
            }
            server.behaviour.status = 503
            await h.run_for(10)
            assert h.healthy(hc)  # one failure per checker is below FailureThreshold 2
            await h.run_for(10)
            assert not h.healthy(hc)
            assert {"health_check_id": hc, "healthy": False} in h.published
            failures = h.plane.observations(hc, failures_only=True)
            assert (
                failures
                and failures[0]["StatusReport"]["Status"]
                == "Failure: HTTP Status Code 503, Service Unavailable"
            )
            server.behaviour.status = 200
            await h.run_for(20)
            assert h.healthy(hc)
        finally:
            await server.stop()

    scenario(tmp_path, body)


def test_tcp_check_and_killed_listener(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        listener = await tcp_listener()
        port = listener.sockets[0].getsockname()[1]
        hc = await h.create(
            {
                "Type": "TCP",
                "IPAddress": "127.0.0.1",
                "Port": port,
                "RequestInterval": 10,
                "FailureThreshold": 1,
            },
            "tcp",
        )
        await h.run_for(10)
        assert h.healthy(hc)
        listener.close()
        await listener.wait_closed()
        await h.run_for(10)
        assert not h.healthy(hc)

    scenario(tmp_path, body)


def test_inverted_disabled_and_calculated_through_the_api(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        up = await HttpServer().start()
        down = await HttpServer(Behaviour(status=500)).start()
        try:
            base = {"Type": "HTTP", "IPAddress": "127.0.0.1", "RequestInterval": 10, "FailureThreshold": 1}
            a = await h.create({**base, "Port": up.port}, "a")
            b = await h.create({**base, "Port": down.port}, "b")
            calc = await h.create(
                {"Type": "CALCULATED", "ChildHealthChecks": [a, b], "HealthThreshold": 2}, "calc"
            )
            await h.run_for(10)
            assert h.healthy(a) and not h.healthy(b) and not h.healthy(calc)
            await h.call("update_health_check", {"HealthCheckId": calc, "HealthThreshold": 1})
            assert h.healthy(calc)
            await h.call("update_health_check", {"HealthCheckId": b, "Inverted": True})
            await h.run_for(10)
            assert h.healthy(b)
            await h.call("update_health_check", {"HealthCheckId": a, "Disabled": True, "Inverted": True})
            assert not h.healthy(a)  # disabled + inverted forces unhealthy
            await h.call("update_health_check", {"HealthCheckId": a, "Inverted": False})
            assert h.healthy(a)  # disabled counts as healthy
            await h.call("update_health_check", {"HealthCheckId": calc, "HealthThreshold": 3})
            assert not h.healthy(calc)  # threshold above the number of children
            status = h.plane.observations(calc)
            assert status[0]["StatusReport"]["Status"].startswith("Failure: 2 of 2 child health checks")
        finally:
            await up.stop()
            await down.stop()

    scenario(tmp_path, body)


def test_verdicts_are_persisted_for_worker_processes(tmp_path: Path) -> None:
    from cloudlet.geo import Geo
    from cloudlet.services.route53.router import Router

    async def body(h: Harness) -> None:
        hc = await h.create(
            {
                "Type": "TCP",
                "IPAddress": "127.0.0.1",
                "Port": 9,
                "FailureThreshold": 1,
                "RequestInterval": 10,
            },
            "persist",
        )
        await h.run_for(10)
        assert not h.healthy(hc)
        if h.plane._persisting is not None:
            await h.plane._persisting
        worker_router = Router(Geo())
        await asyncio.to_thread(worker_router.refresh_from_store, h.store)
        assert worker_router.health.healthy(hc) is False

    scenario(tmp_path, body)


def test_deleting_a_check_removes_it_from_the_view(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        hc = await h.create(
            {
                "Type": "TCP",
                "IPAddress": "127.0.0.1",
                "Port": 9,
                "FailureThreshold": 1,
                "RequestInterval": 10,
            },
            "gone",
        )
        await h.run_for(10)
        assert not h.healthy(hc)
        await h.call("delete_health_check", {"HealthCheckId": hc})
        assert hc not in h.plane.router.health and h.healthy(hc)
        assert not h.plane.runners

    scenario(tmp_path, body)
