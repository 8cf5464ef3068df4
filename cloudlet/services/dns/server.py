"""UDP and TCP transports of the authoritative server (RFC 1035 §4.2, RFC 7766).

UDP: one datagram, one answer; batched with recvmmsg/sendmmsg where available (mmsg.py), else
a recvfrom loop; a cache hit is handled inline, so the common case is a dict lookup. TCP: two-byte
length prefix, any number of (pipelined) queries per connection answered in order, an idle
timeout, a cap on open connections, and flow control — a client that stops reading stops being
read, so it holds at most one socket buffer and never delays anyone else. Neighbours: engine.py answers; plane.py binds these.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass, field

from cloudlet.services.dns import mmsg
from cloudlet.services.dns.engine import Engine
from cloudlet.services.dns.mmsg import MmsgReader

log = logging.getLogger("cloudlet.dns.server")


@dataclass
class TcpLimits:
    idle_timeout: float = 10.0
    max_connections: int = 256
    open: set[asyncio.Transport] = field(default_factory=set)


class TcpProtocol(asyncio.Protocol):
    def __init__(self, engine: Engine, limits: TcpLimits) -> None:
        self.engine = engine
        self.limits = limits
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.peer: tuple[str, int] | None = None
        self.last = 0.0
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        t: asyncio.Transport = transport  # type: ignore[assignment]
        if len(self.limits.open) >= self.limits.max_connections:
            t.abort()
            return
        self.transport = t
        self.limits.open.add(t)
        peer = t.get_extra_info("peername")
        self.peer = (peer[0], peer[1]) if peer else None
        loop = asyncio.get_running_loop()
        self.last = loop.time()
        self.timer = loop.call_later(self.limits.idle_timeout, self._check_idle)

    def _check_idle(self) -> None:
        if self.transport is None:
            return
        loop = asyncio.get_running_loop()
        left = self.last + self.limits.idle_timeout - loop.time()
        if left <= 0:
            self.transport.close()
        else:
            self.timer = loop.call_later(left, self._check_idle)

    def data_received(self, data: bytes) -> None:
        t = self.transport
        if t is None:
            return
        self.last = asyncio.get_running_loop().time()
        buf = self.buf
        buf += data
        out = []
        while len(buf) >= 2:
            n = (buf[0] << 8) | buf[1]
            if len(buf) < n + 2:
                break
            msg = bytes(buf[2 : n + 2])
            del buf[: n + 2]
            resp = self.engine.answer(msg, self.peer, True)
            if resp is not None:
                out.append(len(resp).to_bytes(2, "big"))
                out.append(resp)
        if out:
            t.write(b"".join(out))

    def pause_writing(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.limits.open.discard(self.transport)
        if self.timer is not None:
            self.timer.cancel()
        self.transport = None


class UdpReader:
    """UDP served straight off a non-blocking socket: one readiness callback drains every queued
    datagram, so the per-packet cost is recvfrom + dict lookup + sendto (no transport layer)."""

    def __init__(self, engine: Engine, sock: socket.socket) -> None:
        self.engine = engine
        self.sock = sock
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(sock.fileno(), self._drain)

    def _drain(self) -> None:
        recvfrom = self.sock.recvfrom
        sendto = self.sock.sendto
        get = self.engine.udp_cache.get
        miss = self.engine.miss
        for _ in range(256):  # bounded, so TCP and timers get their turn under a flood
            try:
                data, addr = recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue
            hit = get(data[2:])
            try:
                if hit is not None:
                    sendto(data[:2] + hit, addr)
                else:
                    resp = miss(data, addr, False)
                    if resp is not None:
                        sendto(resp, addr)
            except OSError as exc:  # full send buffer or unreachable peer: drop, as UDP may
                log.debug("udp send failed: %s", exc)

    def close(self) -> None:
        self.loop.remove_reader(self.sock.fileno())
        self.sock.close()


def udp_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((host, port))
    sock.setblocking(False)
    return sock


async def bind(
    engine: Engine, host: str, port: int, limits: TcpLimits, reuse_port: bool = False
) -> tuple[UdpReader | MmsgReader, asyncio.Server, int]:
    """Bind UDP and TCP on the same port (port 0: an ephemeral port free for both)."""
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _attempt in range(20):
        sock = udp_socket(host, port, reuse_port)
        bound = sock.getsockname()[1]
        udp: UdpReader | MmsgReader = (
            MmsgReader(engine, sock) if mmsg.available() else UdpReader(engine, sock)
        )
        try:
            tcp = await loop.create_server(
                lambda: TcpProtocol(engine, limits),
                host,
                bound,
                family=family,
                reuse_address=True,
                reuse_port=reuse_port or None,
                backlog=1024,
            )
        except OSError:
            udp.close()
            if port:
                raise
            continue
        return udp, tcp, bound
    raise OSError(f"no port free for both UDP and TCP on {host}")
