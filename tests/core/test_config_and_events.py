"""Settings (env + flags + defaults, loud failures) and the event bus's sync watermarks."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from cloudlet.config import SettingsError, load_settings
from cloudlet.events import EventBus


def test_defaults_match_the_architecture() -> None:
    s = load_settings(environ={})
    assert (s.host, s.port, s.dns_port, s.resolver_port, s.whois_port) == (
        "127.0.0.1",
        4566,
        1053,
        1054,
        1043,
    )
    assert s.state_dir == Path(".cloudlet") and s.db_path == Path(".cloudlet/state.db")


def test_env_then_flags_override() -> None:
    env = {
        "CLOUDLET_PORT": "5000",
        "CLOUDLET_DNS_PORT": "5353",
        "CLOUDLET_STATE_DIR": "/tmp/x",
        "CLOUDLET_GEO_MAP": "m.json",
    }
    s = load_settings({"port": 6000}, environ=env)
    assert s.port == 6000 and s.dns_port == 5353 and s.state_dir == Path("/tmp/x")
    assert s.extra["geo_map"] == "m.json"  # service-specific values pass through


@pytest.mark.parametrize(
    "overrides",
    [{"port": 70000}, {"auth": "sometimes"}, {"time_scale": 0}, {"host": "0.0.0.0"}, {"nonsense": 1}],
)
def test_bad_settings_fail_loudly(overrides: dict[str, object]) -> None:
    with pytest.raises(SettingsError):
        load_settings(overrides, environ={})


def test_bad_env_value_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="dns_port"):
        load_settings(environ={"CLOUDLET_DNS_PORT": "fifty"})


def test_non_loopback_bind_needs_strict_auth() -> None:
    s = load_settings({"host": "0.0.0.0", "auth": "strict"}, environ={})
    assert s.host == "0.0.0.0"


def test_synced_needs_every_consumer() -> None:
    bus = EventBus()
    assert bus.synced("zone", 5)  # nobody to wait for
    bus.register_consumer("zone", "dns-1")
    bus.register_consumer("zone", "dns-2")
    bus.ack("zone", "dns-1", 5)
    assert not bus.synced("zone", 5)
    bus.ack("zone", "dns-2", 7)
    assert bus.synced("zone", 5) and not bus.synced("zone", 6)
    bus.ack("zone", "dns-2", 3)  # acks never go backwards
    assert bus.synced("zone", 5)
    bus.unregister_consumer("zone", "dns-1")
    assert bus.synced("zone", 7)


def test_publish_from_a_thread_is_delivered_on_the_loop() -> None:
    async def main() -> list[tuple[str, dict[str, object], bool]]:
        bus = EventBus()
        loop = asyncio.get_running_loop()
        bus.bind_loop(loop)
        got: list[tuple[str, dict[str, object], bool]] = []
        done = asyncio.Event()

        async def handler(topic: str, payload: dict[str, object]) -> None:
            got.append((topic, payload, asyncio.get_running_loop() is loop))
            done.set()

        bus.subscribe("t", handler)
        threading.Thread(target=bus.publish, args=("t", {"n": 1})).start()
        await asyncio.wait_for(done.wait(), 5)
        return got

    assert asyncio.run(main()) == [("t", {"n": 1}, True)]
