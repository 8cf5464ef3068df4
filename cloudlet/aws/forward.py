"""Forwarding requests from an API worker process to the main process (see aws/workers.py).

A worker answers the services it runs and hands every other request to the main process over
keep-alive connections to a private loopback listener, unchanged except for one header carrying
the client's address, which only that listener trusts (`trusting`). The main process's server
always frames responses with Content-Length (httpserver.py), so reading one is simple.
"""

from __future__ import annotations

import asyncio
import logging

from cloudlet.aws.http import Headers, HttpRequest, HttpResponse
from cloudlet.aws.httpserver import Handle

log = logging.getLogger("cloudlet.forward")

CLIENT_HEADER = "X-Cloudlet-Forwarded-Client"  # "<address> <port>" of the worker's client
# not forwarded: this hop's framing, and `Expect` (the worker already answered 100 Continue)
_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "expect", CLIENT_HEADER.lower()}
)
_MAX_IDLE = 64  # connections kept open to the main process


class Forwarder:
    """`await forwarder(request)`: the main process's response to `request`."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def __call__(self, req: HttpRequest) -> HttpResponse:
        reader, writer = await self._connection()
        try:
            writer.write(_encode(req))
            status, headers, length, close = _parse_head(await reader.readuntil(b"\r\n\r\n"))
            while 100 <= status < 200:  # an interim response: the final one follows
                status, headers, length, close = _parse_head(await reader.readuntil(b"\r\n\r\n"))
            bodyless = req.method == "HEAD" or status in (204, 304)
            body = await reader.readexactly(length) if length and not bodyless else b""
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            writer.close()
            log.exception("forwarding %s %s to the main process failed", req.method, req.path)
            return _unavailable()
        except BaseException:
            writer.close()
            raise
        if close or len(self._idle) >= _MAX_IDLE:
            writer.close()
        else:
            self._idle.append((reader, writer))
        return HttpResponse(status, headers, body)

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self._idle:
            reader, writer = self._idle.pop()
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()  # the main process closed it while idle
        return await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


def trusting(handle: Handle) -> Handle:
    """The main process's handler for its private listener: the client is the one forwarded."""

    async def handle_forwarded(req: HttpRequest) -> HttpResponse:
        client = req.headers.get(CLIENT_HEADER)
        if client is not None:
            address, _, port = client.rpartition(" ")
            if address and port.isdigit():
                req.client = (address, int(port))
            req.headers = Headers(
                [(k, v) for k, v in req.headers.items() if k.lower() != CLIENT_HEADER.lower()]
            )
        return await handle(req)

    return handle_forwarded


def _encode(req: HttpRequest) -> bytes:
    target = req.path + ("?" + req.query_string if req.query_string else "")
    lines = [f"{req.method} {target} HTTP/1.1\r\n"]
    for name, value in req.headers.items():
        if name.lower() not in _HOP:
            lines.append(f"{name}: {value}\r\n")
    if req.client is not None:
        lines.append(f"{CLIENT_HEADER}: {req.client[0]} {req.client[1]}\r\n")
    lines.append(f"Content-Length: {len(req.body)}\r\n\r\n")
    return "".join(lines).encode("latin-1") + req.body


def _parse_head(head: bytes) -> tuple[int, Headers, int, bool]:
    status_line, *lines = head[:-4].decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ValueError(f"bad status line from the main process: {status_line!r}")
    headers = Headers()
    length, close = 0, False
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"bad header line from the main process: {line!r}")
        value = value.strip()
        lname = name.lower()
        if lname == "content-length":
            length = int(value)
            headers.add(name, value)  # kept: a HEAD response states the length it did not send
        elif lname == "connection":
            close = value.lower() == "close"
        elif lname not in _HOP:
            headers.add(name, value)
    return int(parts[1]), headers, length, close


def _unavailable() -> HttpResponse:
    body = b'{"__type":"ServiceUnavailableException","message":"cloudlet\'s main process did not answer"}'
    headers = Headers(
        {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": "ServiceUnavailableException"}
    )
    return HttpResponse(503, headers, body)
