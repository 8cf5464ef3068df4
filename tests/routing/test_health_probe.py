"""One probe against real loopback servers: the HTTP/HTTPS/STR_MATCH/TCP rules and their texts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from cloudlet.services.route53.health_model import config_from_api
from cloudlet.services.route53.health_probe import BODY_LIMIT, ProbeLimits, ProbeResult, probe

from .servers import Behaviour, HttpServer, self_signed_context, tcp_listener

FAST = ProbeLimits(connect=1.0, tcp_connect=1.0, status=0.5, body=0.5)


def run(coro: Awaitable[None]) -> None:
    asyncio.run(asyncio.wait_for(coro, 20))  # type: ignore[arg-type]


async def with_server(
    behaviour: Behaviour,
    cfg: dict,
    check: Callable[[ProbeResult, HttpServer], None],
    tls: bool = False,
    tmp: Path | None = None,
) -> None:
    server = await HttpServer(behaviour, self_signed_context(tmp) if tls and tmp else None).start()
    try:
        config = config_from_api({"IPAddress": "127.0.0.1", "Port": server.port, **cfg})
        check(await probe(config, "hc-1", FAST), server)
    finally:
        await server.stop()


def test_http_200_is_healthy_with_aws_status_text_and_headers() -> None:
    def check(r: ProbeResult, s: HttpServer) -> None:
        assert r.healthy and r.status == "Success: HTTP Status Code 200, OK"
        assert r.checker_ip == "127.0.0.1"
        head = s.requests[0].decode()
        assert head.startswith("GET /health?x=1 HTTP/1.1\r\n")
        assert f"Host: 127.0.0.1:{s.port}\r\n" in head
        assert "User-Agent: Amazon-Route53-Health-Check-Service (ref hc-1;" in head

    run(with_server(Behaviour(), {"Type": "HTTP", "ResourcePath": "health?x=1"}, check))


@pytest.mark.parametrize(
    ("status", "healthy"), [(204, True), (302, True), (399, True), (404, False), (503, False)]
)
def test_http_status_ranges(status: int, healthy: bool) -> None:
    def check(r: ProbeResult, s: HttpServer) -> None:
        assert r.healthy is healthy
        if status == 503:
            assert r.status == "Failure: HTTP Status Code 503, Service Unavailable"

    run(with_server(Behaviour(status=status), {"Type": "HTTP"}, check))


def test_http_status_line_must_arrive_within_the_limit() -> None:
    def check(r: ProbeResult, s: HttpServer) -> None:
        assert not r.healthy and "within 2 seconds" in r.status

    run(with_server(Behaviour(delay=1.5), {"Type": "HTTP"}, check))


@pytest.mark.parametrize("target", ["refused", "http"])
def test_a_probe_cancelled_at_any_point_ends(target: str) -> None:
    # A checker's stop() cancels its task and waits for it. asyncio.wait_for (Python 3.11) drops a
    # cancellation that arrives as the awaited connect completes: the probe then returned a
    # result, the checker probed on, and the health plane waited for it forever (seen as a
    # check whose observations never came). Cancelled at every point of a fast probe, it must end.
    async def go() -> None:
        server = await HttpServer(Behaviour(status=200)).start() if target == "http" else await tcp_listener()
        port = server.port if isinstance(server, HttpServer) else server.sockets[0].getsockname()[1]
        if not isinstance(server, HttpServer):
            server.close()
            await server.wait_closed()
        config = config_from_api({"Type": "HTTP", "IPAddress": "127.0.0.1", "Port": port})

        async def checker() -> None:
            while True:
                await probe(config, "h", FAST)

        try:
            for turns in [n % 40 for n in range(120)]:
                task = asyncio.create_task(checker())
                for _ in range(turns):
                    await asyncio.sleep(0)
                task.cancel()
                done, _ = await asyncio.wait([task], timeout=2)
                assert done, f"a probe cancelled after {turns} loop turns went on"
                assert task.cancelled()
        finally:
            if isinstance(server, HttpServer):
                await server.stop()

    run(go())


def test_connection_refused_is_a_failure() -> None:
    async def go() -> None:
        server = await tcp_listener()
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        r = await probe(config_from_api({"Type": "HTTP", "IPAddress": "127.0.0.1", "Port": port}), "h", FAST)
        assert not r.healthy and r.status.startswith("Failure: Connection refused.")

    run(go())


@pytest.mark.parametrize(
    ("body", "gz", "chunked", "healthy"),
    [
        (b"x" * 100 + b"NEEDLE", False, False, True),
        (b"x" * (BODY_LIMIT - 6) + b"NEEDLE", False, False, True),  # ends exactly at byte 5,120
        (b"x" * (BODY_LIMIT - 5) + b"NEEDLE", False, False, False),  # one byte too far
        (b"x" * 3000 + b"NEEDLE", True, False, True),  # gzip decoded
        (b"x" * 9000 + b"NEEDLE", True, True, False),
        (b"x" * 2500 + b"NEEDLE" + b"y" * 5000, False, True, True),  # chunked
        (b"no match here", False, False, False),
    ],
)
def test_string_match_first_5120_bytes(body: bytes, gz: bool, chunked: bool, healthy: bool) -> None:
    def check(r: ProbeResult, s: HttpServer) -> None:
        assert r.healthy is healthy, r.status

    run(
        with_server(
            Behaviour(body=body, gzip=gz, chunked=chunked),
            {"Type": "HTTP_STR_MATCH", "SearchString": "NEEDLE"},
            check,
        )
    )


def test_string_match_needs_a_2xx_3xx_status_too() -> None:
    def check(r: ProbeResult, s: HttpServer) -> None:
        assert not r.healthy and "500" in r.status

    run(
        with_server(
            Behaviour(status=500, body=b"NEEDLE"), {"Type": "HTTP_STR_MATCH", "SearchString": "NEEDLE"}, check
        )
    )


def test_https_with_a_self_signed_certificate_and_sni(tmp_path: Path) -> None:
    def check(r: ProbeResult, s: HttpServer) -> None:
        assert r.healthy, r.status
        assert "Host: health.example.com:" in s.requests[0].decode()

    async def go() -> None:
        server = await HttpServer(Behaviour(body=b"secure NEEDLE"), self_signed_context(tmp_path)).start()
        try:
            cfg = config_from_api(
                {
                    "Type": "HTTPS_STR_MATCH",
                    "IPAddress": "127.0.0.1",
                    "FullyQualifiedDomainName": "health.example.com",
                    "Port": server.port,
                    "SearchString": "NEEDLE",
                    "EnableSNI": True,
                }
            )
            check(await probe(cfg, "h", FAST), server)
            # plain HTTP against the TLS port fails
            plain = replace(cfg, type="HTTP", search_string=None)
            assert not (await probe(plain, "h", FAST)).healthy
        finally:
            await server.stop()

    run(go())


def test_tcp_connect() -> None:
    async def go() -> None:
        server = await tcp_listener()
        port = server.sockets[0].getsockname()[1]
        cfg = config_from_api({"Type": "TCP", "IPAddress": "127.0.0.1", "Port": port})
        ok = await probe(cfg, "h", FAST)
        assert ok.healthy and ok.status.startswith("Success")
        server.close()
        await server.wait_closed()
        assert not (await probe(cfg, "h", FAST)).healthy

    run(go())


def test_domain_name_target_is_resolved_each_probe() -> None:
    async def go() -> None:
        server = await HttpServer().start()
        try:
            cfg = config_from_api(
                {"Type": "HTTP", "FullyQualifiedDomainName": "localhost", "Port": server.port}
            )
            r = await probe(cfg, "h", FAST)
            assert r.healthy, r.status
            assert f"Host: localhost:{server.port}" in server.requests[0].decode()
            bad = replace(cfg, fqdn="does-not-exist.invalid")
            r = await probe(bad, "h", FAST)
            assert not r.healthy and r.status.startswith("Failure: DNS resolution failed")
        finally:
            await server.stop()

    run(go())
