"""The HTTP/1.1 server of the AWS endpoint: an asyncio.Protocol over httptools (on uvloop).

It turns bytes into HttpRequest values, awaits `handle(request) -> HttpResponse` (the Gateway,
aws/gateway.py) and writes the responses (while turns answer several connections, each connection's
with one write at the end of the turn: `HttpServer._send`). Keep-alive, pipelining
(requests are handled one at a time per connection, so responses leave in request order),
Content-Length and chunked bodies, `Expect: 100-continue`, HEAD, a body size limit (413),
malformed input (400, then close) and an idle timeout. runtime.py owns the listening socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections import deque
from collections.abc import Callable, Coroutine
from email.utils import formatdate
from http import HTTPStatus
from typing import Any, cast

import httptools

from cloudlet.aws.http import Headers, HttpRequest, HttpResponse

log = logging.getLogger("cloudlet.http")

Handle = Callable[[HttpRequest], Coroutine[Any, None, HttpResponse]]

MAX_BODY = 64 * 1024 * 1024
_STATUS_LINES = {s.value: f"HTTP/1.1 {s.value} {s.phrase}\r\n".encode() for s in HTTPStatus}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_MAX_QUEUED = 32  # pipelined requests buffered before reading pauses
LONE_TURNS = 8  # turns in a row answering one connection after which responses go out at once


def _status_line(status: int) -> bytes:
    return _STATUS_LINES.get(status) or f"HTTP/1.1 {status} Status\r\n".encode()


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(status, Headers([("Content-Type", "text/plain")]), text.encode())


class _DateHeader:
    """The Date header, formatted once per second rather than per response."""

    def __init__(self) -> None:
        self._second = -1
        self._line = ""

    def line(self) -> str:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._line = f"Date: {formatdate(now, usegmt=True)}\r\n"
        return self._line


class HttpServer:
    def __init__(self, handle: Handle, *, max_body: int = MAX_BODY, idle_timeout: float = 30.0) -> None:
        self.handle = handle
        self.max_body = max_body
        self.idle_timeout = idle_timeout
        self.date = _DateHeader()
        self.connections: set[_Connection] = set()
        self._server: asyncio.AbstractServer | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._stopping = False
        self._unflushed: list[_Connection] = []  # connections holding responses not yet written
        self._holding = False  # responses wait for the end of the turn (turns answer several connections)
        self._direct = 0  # responses written at once in this turn (while not holding)
        self._lone = 0  # turns in a row whose held responses were one connection's

    # While loop turns answer several connections, responses wait for the end of the turn, as
    # Redis's replies wait for its beforeSleep: the turn then wakes the clients in one burst
    # instead of once per response, and each wake-up of a client on a busy machine is a
    # preemption of the server (a context switch and cold caches). Measured (bench/dynamodb,
    # interleaved A/B, two processes, 16 connections): GetItem and Query +18% requests/s, PutItem
    # +3%, p99 down 0.5-1 ms. A turn that answers one connection (a sequential client) gains
    # nothing by waiting, and waiting cost it ~12% (one connection, GetItem): after LONE_TURNS
    # such turns in a row, responses are written at once again (a busy server has such turns
    # too, now and then: ending the holding at the first one lost most of PutItem's gain).
    def _send(self, conn: _Connection, data: bytes) -> None:
        if self._holding:
            if not conn._out:
                if not self._unflushed:
                    conn.loop.call_soon(self.flush)
                self._unflushed.append(conn)
            conn._out.append(data)
            return
        assert conn.transport is not None
        conn.flush()  # (nothing is held once holding ends: the flush that ended it wrote it all)
        conn.transport.write(data)
        if not self._direct:
            conn.loop.call_soon(self._end_turn)
        self._direct += 1

    @property
    def holding(self) -> bool:
        """Whether responses now wait for the end of the loop turn."""
        return self._holding

    def _end_turn(self) -> None:
        self._holding = self._direct > 1
        self._direct = 0

    def flush(self) -> None:
        """Write every connection's held responses (one write each)."""
        conns, self._unflushed = self._unflushed, []
        for conn in conns:
            try:
                conn.flush()
            except Exception:  # one broken transport must not keep the other connections' answers
                log.exception("writing a connection's responses failed")
                conn.abort()
        if len(conns) > 1:
            self._lone = 0
        else:
            self._lone += 1
            if self._lone >= LONE_TURNS:
                self._holding = False
                self._lone = 0

    async def start(self, sock: socket.socket | None) -> None:
        """Serve the connections of listening socket `sock` (None: only those given to `adopt`)."""
        loop = asyncio.get_running_loop()
        if sock is not None:
            self._server = await loop.create_server(lambda: _Connection(self), sock=sock)
        self._sweeper = loop.create_task(self._sweep_idle())

    async def adopt(self, sock: socket.socket) -> None:
        """Serve a connection accepted elsewhere (aws/workers.py deals them out to processes)."""
        if self._stopping:
            sock.close()
            return
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().connect_accepted_socket(lambda: _Connection(self), sock)
        except OSError:
            sock.close()  # the client went away in between

    async def stop(self, grace: float = 10.0) -> None:
        """Stop accepting, let in-flight (and already received) requests finish, then close."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
        for conn in list(self.connections):
            conn.shutdown()
        deadline = time.monotonic() + grace
        while self.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        for conn in list(self.connections):
            conn.abort()

    async def _sweep_idle(self) -> None:
        # one timer for all connections instead of re-arming one per request
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(1.0, self.idle_timeout / 2))
            horizon = loop.time() - self.idle_timeout
            for conn in list(self.connections):
                if conn.idle() and conn.last_activity < horizon:
                    conn.shutdown()  # a FIN, which keep-alive clients expect, not a reset


class _Connection(asyncio.Protocol):
    def __init__(self, server: HttpServer) -> None:
        self.server = server
        self.loop = asyncio.get_running_loop()
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.client: tuple[str, int] | None = None
        self.last_activity = self.loop.time()
        # the request being parsed
        self._url = b""
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []
        self._size = 0
        self._continue = False  # the client waits for 100 Continue before sending the body
        # complete requests waiting for their turn: (request, keep the connection open after it)
        self._queue: deque[tuple[HttpRequest, bool]] = deque()
        self._busy = False
        self._write_paused = False
        self._read_paused = False
        self._closing = False  # no request after the queued ones is served
        self._final: HttpResponse | None = None  # an error answered once the queue drains, then close
        self._out: list[bytes] = []  # responses held until the end of the loop turn (HttpServer._send)

    # -- transport events --------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and len(peer) >= 2:
            self.client = (str(peer[0]), int(peer[1]))
        with contextlib.suppress(OSError, AttributeError):
            transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self._closing = True
        self._queue.clear()
        self._out.clear()

    def data_received(self, data: bytes) -> None:
        if self._final is not None or self._closing:
            return  # after a 400/413 (or once closing) input is read and discarded
        self.last_activity = self.loop.time()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._closing = True  # no protocol upgrades here: serve what was parsed, then close
        except httptools.HttpParserError as e:
            # an exception raised in a parser callback comes back wrapped, as the error's context
            too_large = isinstance(e.__context__, _TooLarge)
            self._final = (
                _plain(413, "request body too large") if too_large else _plain(400, "malformed HTTP request")
            )
        self._next()

    def eof_received(self) -> bool | None:
        self._closing = True
        if self.idle():
            self.flush()  # the transport closes once what it holds is written
            return None  # close now
        return True  # keep the write side open for the responses still owed

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._next()

    # -- parser callbacks --------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._body = []
        self._size = 0
        self._continue = False

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        for name, value in self._headers:
            lname = name.lower()
            if lname == "content-length" and value.strip().isdigit() and int(value) > self.server.max_body:
                raise _TooLarge
            if lname == "expect" and value.lower() == "100-continue":
                self._continue = True
        if self._continue and not self._busy and not self._queue:
            self._send_continue()

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > self.server.max_body:
            raise _TooLarge
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._continue = False  # the body is here: a 100 Continue now would be a stray response
        url = self._url
        if url[:1] != b"/":  # absolute-form (proxies) or '*'
            parsed = httptools.parse_url(url)
            path, query = parsed.path or b"/", parsed.query or b""
        else:
            path, _, query = url.partition(b"?")
        req = HttpRequest(
            method=self.parser.get_method().decode("ascii"),
            path=path.decode("latin-1"),
            query_string=query.decode("latin-1"),
            headers=Headers(self._headers),
            body=b"".join(self._body),
            client=self.client,
        )
        self._queue.append((req, self.parser.should_keep_alive()))
        if len(self._queue) >= _MAX_QUEUED and self.transport is not None and not self._read_paused:
            self._read_paused = True
            self.transport.pause_reading()

    # -- serving -----------------------------------------------------------------------------
    def _send_continue(self) -> None:
        self._continue = False
        if self.transport is not None:
            self.flush()  # the responses before it first
            self.transport.write(_CONTINUE)

    def _next(self) -> None:
        """Start the next queued request if none is in flight; when idle, answer a pending error
        or 100 Continue, or close a connection that is done."""
        if self._busy or self._write_paused or self.transport is None or self._final is _SENT:
            return
        if self._queue:
            req, keep_alive = self._queue.popleft()
            self._busy = True
            self._step(self.server.handle(req), req, keep_alive)
            return
        if self._read_paused and self._final is None:
            self._read_paused = False
            self.transport.resume_reading()
        if self._final is not None:
            self._write(self._final, head=False, keep_alive=False)
            self.flush()
            self._final = _SENT
            # half-close and let the client finish sending: closing with unread input would reset
            # the connection and could destroy the error response before the client reads it
            if self.transport.can_write_eof():
                self.transport.write_eof()
                self.loop.call_later(2.0, self.abort)
            else:
                self.transport.close()
        elif self._closing:
            self.flush()
            self.transport.close()
        elif self._continue:
            self._send_continue()

    # A request runs at once, inside the data_received that completed it, and is resumed by the
    # futures it awaits: a request that needs no await (most data-plane reads) is answered
    # without creating a Task or waiting for another loop turn. This is the part of Task.__step
    # the gateway needs: it only ever awaits asyncio futures (pool results, group commits).
    def _step(self, coro: Coroutine[Any, None, HttpResponse], req: HttpRequest, keep_alive: bool) -> None:
        try:
            awaited = coro.send(None)
        except StopIteration as done:
            self._respond(req, keep_alive, done.value)
            return
        except Exception:
            log.exception("unhandled error serving %s %s", req.method, req.path)
            self._respond(req, keep_alive, _plain(500, "internal error"))
            return
        if awaited is None:  # a bare yield (asyncio.sleep(0)): resume next turn
            self.loop.call_soon(self._step, coro, req, keep_alive)
        elif getattr(awaited, "_asyncio_future_blocking", None):
            awaited._asyncio_future_blocking = False
            awaited.add_done_callback(lambda _: self._step(coro, req, keep_alive))
        else:
            coro.close()
            log.error("request handler awaited %r, which is not an asyncio future", awaited)
            self._respond(req, keep_alive, _plain(500, "internal error"))

    def _respond(self, req: HttpRequest, keep_alive: bool, resp: HttpResponse) -> None:
        self._busy = False
        if self.transport is None or self.transport.is_closing():
            return
        last = not keep_alive or (self._closing and not self._queue)
        self._write(resp, head=req.method == "HEAD", keep_alive=not last)
        if last:
            self._closing = True
            self.flush()
            self.transport.close()
            return
        self.last_activity = self.loop.time()
        self._next()

    def _write(self, resp: HttpResponse, *, head: bool, keep_alive: bool) -> None:
        assert self.transport is not None
        lines = []
        has_length = has_date = False
        for name, value in resp.headers.items():
            if "\n" in value or "\r" in value:  # never let a value split the header block
                value = value.replace("\r", " ").replace("\n", " ")
            if len(name) == 14 and name.lower() == "content-length":
                has_length = True
            elif len(name) == 4 and name.lower() == "date":
                has_date = True
            lines.append(f"{name}: {value}\r\n")
        if not has_length and resp.status >= 200 and resp.status not in (204, 304):
            lines.append(f"Content-Length: {len(resp.body)}\r\n")
        if not has_date:
            lines.append(self.server.date.line())
        lines.append("\r\n" if keep_alive else "Connection: close\r\n\r\n")
        head_bytes = _status_line(resp.status) + "".join(lines).encode("latin-1", "replace")
        if head or not resp.body:
            self.server._send(self, head_bytes)
        elif len(resp.body) < 65536:
            self.server._send(self, head_bytes + resp.body)
        else:
            # at once, not worth copying into one buffer, and so that a full transport buffer
            # (pause_writing) stops the next pipelined request before it runs
            self.flush()
            self.transport.writelines([head_bytes, resp.body])

    def flush(self) -> None:
        out = self._out
        if not out:
            return
        self._out = []
        if self.transport is None or self.transport.is_closing():
            return
        if len(out) == 1:
            self.transport.write(out[0])
        else:
            self.transport.writelines(out)

    # -- lifecycle ---------------------------------------------------------------------------
    def idle(self) -> bool:
        return not self._busy and not self._queue

    def shutdown(self) -> None:
        self._closing = True
        if self.idle() and self.transport is not None:
            self.flush()
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


_SENT = HttpResponse(0)  # marks a connection whose final error response went out


class _TooLarge(Exception):
    """Raised from a parser callback: the body exceeds the limit (httptools re-raises it)."""


def bind_tcp(host: str, port: int) -> socket.socket:
    """A non-blocking listening TCP socket (port 0: any free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock
