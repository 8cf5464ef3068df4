"""Worker processes shared by the data planes that use more cores (DNS workers, API workers)."""

from __future__ import annotations

import asyncio
from typing import Any


async def stop_processes(procs: list[Any], grace: float) -> None:
    """SIGTERM each (it finishes what it has in flight), wait up to `grace` seconds each, then
    SIGKILL what is left."""
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        await asyncio.to_thread(p.join, grace)
        if p.is_alive():
            p.kill()
            await asyncio.to_thread(p.join, grace)
