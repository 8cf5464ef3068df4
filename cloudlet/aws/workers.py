"""API worker processes: more cores for the AWS endpoint (settings.api_workers > 1).

The main process alone listens on the AWS port and deals each accepted connection out in turn to
itself and to api_workers - 1 worker processes, passing the socket over a Unix socket pair
(SCM_RIGHTS; `Balancer`). Dealing, not SO_REUSEPORT: the kernel's hash spreads a few keep-alive
connections unevenly (measured 11/5 of 16 as often as 8/8), and the process with more of them
answers each more slowly, which is what sets the latency tail. A worker runs, with its own store
connection and gateway, only the services whose state lives wholly in the store (WORKER_SERVICES:
DynamoDB, STS), exactly as a replica on another host would; every other request (Route 53, whose
changes the main process's DNS and health planes follow through in-process events; the status
page) it forwards to the main process's private loopback listener (forward.py). Every process
opens the store `shared` (store/sqlite.py: a cross-process write lock, optimistic commit groups,
the change sequence read from the database), and DynamoDB's caches check the store per
transaction (dynamodb/catalog.py). Neighbours: runtime.py starts the pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import time
from typing import Any

from cloudlet.aws.httpserver import HttpServer
from cloudlet.config import Settings
from cloudlet.processes import stop_processes

log = logging.getLogger("cloudlet.workers")

WORKER_SERVICES = ("dynamodb", "sts")
_START_TIMEOUT = 60.0


class ApiWorkers:
    def __init__(self, settings: Settings, forward_port: int, count: int) -> None:
        self.settings = settings
        self.forward_port = forward_port
        self.count = count
        self._ctx = multiprocessing.get_context("spawn")
        self._ready: list[Any] = []
        self.procs: list[Any] = []
        self.channels: list[socket.socket] = []  # the main process's end of each worker's pair

    async def start(self) -> None:
        for number in range(1, self.count + 1):
            ready = self._ctx.Value("b", 0, lock=False)  # set to 1 once the worker takes connections
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            proc = self._ctx.Process(
                target=_worker_main,
                args=(self.settings, number, theirs, self.forward_port, os.getpid(), ready),
                name="cloudlet-api-worker",
                daemon=True,
            )
            proc.start()
            theirs.close()
            ours.setblocking(False)
            self.channels.append(ours)
            self._ready.append(ready)
            self.procs.append(proc)
        deadline = time.monotonic() + _START_TIMEOUT
        while not all(r.value or not p.is_alive() for r, p in zip(self._ready, self.procs, strict=True)):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        failed = [p.pid for r, p in zip(self._ready, self.procs, strict=True) if not r.value]
        if failed:
            await self.stop()
            raise RuntimeError(f"API worker process(es) {failed} did not start (see their log lines)")

    async def stop(self) -> None:
        await stop_processes(self.procs, 15)  # a worker finishes its in-flight requests first
        self.procs.clear()
        for channel in self.channels:
            channel.close()
        self.channels.clear()


class Balancer:
    """Accepts the AWS port's connections (main process) and deals them out in turn: to this
    process's server and to each worker's channel. A connection a worker cannot take at once (its
    channel is full, or it is gone) is served here."""

    def __init__(self, listener: socket.socket, server: HttpServer, channels: list[socket.socket]) -> None:
        self.listener = listener
        self.server = server
        self.channels = channels
        self._turn = 0
        self._pending: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        asyncio.get_running_loop().add_reader(self.listener.fileno(), self._accept)

    def close(self) -> None:
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.listener.fileno())
        self.listener.close()

    def _accept(self) -> None:
        for _ in range(_ACCEPT_BATCH):
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                log.exception("accept failed")  # EMFILE and the like: try again on the next wake-up
                return
            turn = self._turn
            self._turn = (turn + 1) % (len(self.channels) + 1)
            if turn and self._hand(self.channels[turn - 1], conn):
                continue
            task = asyncio.get_running_loop().create_task(self.server.adopt(conn))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    @staticmethod
    def _hand(channel: socket.socket, conn: socket.socket) -> bool:
        try:
            socket.send_fds(channel, [b"c"], [conn.fileno()])
        except OSError:  # full (BlockingIOError) or the worker is gone
            return False
        conn.close()  # the worker holds its own duplicate now
        return True


_ACCEPT_BATCH = 64


def _worker_main(
    settings: Settings, number: int, channel: socket.socket, forward_port: int, parent: int, ready: Any
) -> None:
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s %(name)s[worker{number}] %(message)s")
    try:
        import uvloop

        uvloop.run(_serve(settings, number, channel, forward_port, parent, ready))
    except ImportError:
        asyncio.run(_serve(settings, number, channel, forward_port, parent, ready))


async def _serve(
    settings: Settings, number: int, channel: socket.socket, forward_port: int, parent: int, ready: Any
) -> None:
    from cloudlet.aws.forward import Forwarder
    from cloudlet.aws.gateway import Gateway
    from cloudlet.clock import SystemClock
    from cloudlet.events import EventBus
    from cloudlet.runtime import COMPONENTS, load_component, settle_heap
    from cloudlet.services.base import Deps, ServiceApi
    from cloudlet.store import SqliteStore

    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    store = SqliteStore(settings.db_path, durability=settings.durability, shared=True)
    events = EventBus()
    events.bind_loop(loop)
    deps = Deps(settings=settings, store=store, events=events, clock=SystemClock(settings.time_scale))
    wanted = set(settings.services)
    components = [
        load_component(path)(deps)
        for name, path in COMPONENTS
        if name in WORKER_SERVICES and (not wanted or name in wanted)
    ]
    for component in components:
        deps.services[component.name] = component
        await component.start()
    apis = {c.service_name: c for c in components if isinstance(c, ServiceApi) and c.service_name}
    store.enable_grouping(loop.call_soon)
    forwarder = Forwarder("127.0.0.1", forward_port)
    gateway = Gateway(
        settings,
        apis,
        lambda: {},
        store=store,
        forward=forwarder,
        log_name=f"cloudlet.requests.worker{number}",
    )
    gateway.warm()  # a worker's first requests arrive under load: no model loading in them
    server = HttpServer(gateway.handle, idle_timeout=30)
    await server.start(None)
    pending: set[asyncio.Task[None]] = set()

    def receive() -> None:
        while True:
            try:
                msg, fds, _, _ = socket.recv_fds(channel, 16, 16)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                msg, fds = b"", []
            if not msg and not fds:  # the main process closed its end: it is stopping or gone
                loop.remove_reader(channel.fileno())
                stopping.set()
                return
            for fd in fds:
                task = loop.create_task(server.adopt(socket.socket(fileno=fd)))
                pending.add(task)
                task.add_done_callback(pending.discard)

    channel.setblocking(False)
    loop.add_reader(channel.fileno(), receive)
    settle_heap()
    ready.value = 1
    try:
        while os.getppid() == parent and not stopping.is_set():  # never outlive the main process
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), 0.5)
    finally:
        with contextlib.suppress(ValueError, OSError):
            loop.remove_reader(channel.fileno())
        channel.close()
        await server.stop()
        for component in reversed(components):
            try:
                await component.stop()
            except Exception:
                log.exception("stopping %s failed", type(component).__name__)
        gateway.close()
        forwarder.close()
        store.close()
