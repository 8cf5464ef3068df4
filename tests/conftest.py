"""Fixtures that start real cloudlet servers on free loopback ports.

- `cloudlet`: one server shared by the tests of a session (per xdist worker); use unique names.
- `cloudlet_factory(settings=..., env=...)`: a fresh server with its own state dir, for tests that
  restart, kill or configure it; stopped at the end of the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import CloudletProcess


@pytest.fixture(scope="session")
def cloudlet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudletProcess]:
    server = CloudletProcess(tmp_path_factory.mktemp("cloudlet-shared")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cloudlet_factory(tmp_path: Path) -> Iterator[Callable[..., CloudletProcess]]:
    started: list[CloudletProcess] = []

    def make(
        settings: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        state_dir: Path | None = None,
        start: bool = True,
    ) -> CloudletProcess:
        server = CloudletProcess(state_dir or tmp_path / f"cloudlet-{len(started)}", settings, env)
        started.append(server)
        return server.start() if start else server

    yield make
    for server in started:
        server.kill()
