"""TCP idle timeout and connection cap, on a plane configured with small limits."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import dns.message
import pytest

from tests.dns.support import running_plane, zone_records


def test_idle_timeout_and_connection_cap(tmp_path: Path) -> None:
    extra = {"dns_tcp_idle_timeout": "0.3", "dns_tcp_max_connections": "3"}
    with running_plane(tmp_path, extra=extra) as h:
        h.put_zone(
            "Z1", "example.com.", zone_records("example.com.", [("a.example.com.", "A", 60, ("192.0.2.1",))])
        )
        conns = [socket.create_connection((h.host, h.port)) for _ in range(3)]
        time.sleep(0.1)
        extra_conn = socket.create_connection((h.host, h.port))
        extra_conn.settimeout(2)
        assert extra_conn.recv(10) == b""  # over the cap: closed at once
        extra_conn.close()
        for c in conns:
            c.settimeout(2)
            assert c.recv(10) == b""  # closed after the idle timeout
            c.close()
        time.sleep(0.1)
        assert h.tcp(dns.message.make_query("a.example.com.", "A")).answer  # slots are free again


def test_ipv6_listener(tmp_path: Path) -> None:
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with running_plane(tmp_path, host="::1") as h:
        h.put_zone(
            "Z1", "example.com.", zone_records("example.com.", [("a.example.com.", "A", 60, ("192.0.2.1",))])
        )
        assert h.udp(dns.message.make_query("a.example.com.", "A")).answer
        assert h.tcp(dns.message.make_query("a.example.com.", "A")).answer


@pytest.mark.parametrize(
    "extra",
    [{"dns_max_udp_payload": "abc"}, {"dns_max_udp_payload": "100"}, {"dns_tcp_max_connections": "0"}],
)
def test_bad_limits_fail_loudly(extra: dict[str, str]) -> None:
    from cloudlet.config import Settings, SettingsError
    from cloudlet.services.dns.plane import limits_from

    with pytest.raises(SettingsError):
        limits_from(Settings(extra=extra))
