"""The AWS endpoint's HTTP/1.1 server (cloudlet/aws/httpserver.py), driven over loopback with httpx
and raw sockets: keep-alive, pipelining, chunked bodies, Expect: 100-continue, HEAD, size limits,
malformed input, slow clients, idle timeout and a graceful stop. The server runs on its own uvloop
thread with a small handler written here (the handler is the server's injection point); the last
tests go through a real `cloudlet up`."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvloop

from cloudlet.aws.http import Headers, HttpRequest, HttpResponse
from cloudlet.aws.httpserver import LONE_TURNS, HttpServer
from tests.support.server import CloudletProcess


async def handle(req: HttpRequest) -> HttpResponse:
    if req.path == "/sleep":
        await asyncio.sleep(int(req.query_string.partition("=")[2]) / 1000)
    if req.path == "/boom":
        raise RuntimeError("handler bug")
    if req.path == "/yield":  # a bare yield, then a pool result, then a failed future
        await asyncio.sleep(0)
        await asyncio.get_running_loop().run_in_executor(None, time.sleep, 0.01)
        failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        failed.set_exception(KeyError("k"))
        try:
            await failed
        except KeyError:
            pass
    if req.path == "/not-a-future":
        await _NotAFuture()
    if req.path == "/block":  # holds the event loop, as a long synchronous handler would
        time.sleep(int(req.query_string.partition("=")[2]) / 1000)
    if req.path == "/big":  # a body written at once rather than held for the end of the turn
        return HttpResponse(200, Headers([("X-Path", req.path)]), b"b" * 100_000)
    headers = Headers(
        [
            ("Content-Type", "application/octet-stream"),
            ("X-Method", req.method),
            ("X-Path", req.path),
            ("X-Query", req.query_string),
            ("X-Client", f"{req.client[0]}:{req.client[1]}" if req.client else "-"),
            ("X-Length", str(len(req.body))),
        ]
    )
    return HttpResponse(200, headers, req.body or b"hello " + req.path.encode())


class _NotAFuture:
    def __await__(self) -> Any:
        yield 42  # what no asyncio code yields: the server answers 500 rather than hang


class ServerThread:
    def __init__(self, **options: Any) -> None:
        self.loop = uvloop.new_event_loop()
        self.server = HttpServer(handle, **options)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> ServerThread:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(self.sock), self.loop).result(5)
        return self

    def stop_async(self, grace: float = 5.0) -> Any:
        return asyncio.run_coroutine_threadsafe(self.server.stop(grace), self.loop)

    def close(self) -> None:
        self.stop_async().result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def server() -> Iterator[ServerThread]:
    s = ServerThread(max_body=4096, idle_timeout=1.0).start()
    yield s
    s.close()


def connect(s: ServerThread) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    return sock


def read_response(f: Any, head: bool = False) -> tuple[int, dict[str, str], bytes]:
    status_line = f.readline()
    assert status_line.startswith(b"HTTP/1.1 "), status_line
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := f.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b"" if head else f.read(int(headers.get("content-length", "0")))
    return status, headers, body


def test_keep_alive_reuses_one_connection_and_reports_the_client(server: ServerThread) -> None:
    with httpx.Client() as client:
        first = client.get(server.url + "/a?x=1")
        second = client.get(server.url + "/b")
    assert first.status_code == 200 and first.content == b"hello /a"
    assert first.headers["x-query"] == "x=1" and "date" in first.headers
    assert first.headers["x-client"] == second.headers["x-client"]
    assert first.headers["x-client"].startswith("127.0.0.1:")


def test_pipelined_requests_are_answered_in_order(server: ServerThread) -> None:
    with connect(server) as sock:
        # the first takes longest: responses must still leave in request order
        sock.sendall(
            b"GET /sleep?ms=200 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /sleep?ms=50 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"
            b"GET /last HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        f = sock.makefile("rb")
        paths = [read_response(f)[1]["x-path"] for _ in range(4)]
    assert paths == ["/sleep", "/sleep", "/echo", "/last"]


def _busy(s: ServerThread) -> None:
    """Bring the server to hold responses to the end of the loop turn: a turn answers two at once."""
    for _ in range(5):
        with connect(s) as sock:
            sock.sendall(b"GET /w1 HTTP/1.1\r\nHost: x\r\n\r\nGET /w2 HTTP/1.1\r\nHost: x\r\n\r\n")
            f = sock.makefile("rb")
            assert [read_response(f)[0] for _ in range(2)] == [200, 200]
        deadline = time.monotonic() + 0.5
        while not s.server.holding and time.monotonic() < deadline:
            time.sleep(0.01)
        if s.server.holding:
            return
    raise AssertionError("the server never held responses")


def test_a_sequential_client_is_answered_at_once_and_busy_turns_hold_responses(server: ServerThread) -> None:
    with httpx.Client(base_url=server.url) as client:
        for n in range(3):
            assert client.get(f"/one{n}").text == f"hello /one{n}"
        assert not server.server.holding  # one answer per turn: nothing to gain by waiting
        _busy(server)
        # held to the end of the turn, and still answered; LONE_TURNS turns in a row that answer
        # one connection end the holding
        for n in range(LONE_TURNS - 1):
            assert client.get(f"/held{n}").text == f"hello /held{n}"
            assert server.server.holding
        assert client.get("/last").text == "hello /last"
        deadline = time.monotonic() + 5
        while server.server.holding and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not server.server.holding


def test_held_responses_leave_in_order_and_before_the_connection_closes(server: ServerThread) -> None:
    # small responses wait for the end of the loop turn, large ones go at once, and the last
    # response (Connection: close) and the client's half-close both close the connection: every
    # response must still arrive, in request order, before the FIN
    _busy(server)
    with connect(server) as sock:
        sock.sendall(
            b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        f = sock.makefile("rb")
        paths = []
        for head in (False, True, False, False, False):
            status, headers, body = read_response(f, head=head)
            assert status == 200
            paths.append((headers["x-path"], len(body)))
        assert f.read() == b""
    assert paths == [("/a", 8), ("/h", 0), ("/big", 100_000), ("/b", 8), ("/c", 8)]
    _busy(server)
    with connect(server) as sock:
        sock.sendall(b"GET /block?ms=200 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.05)
        # while the loop is held, a request and the end of input: the next turn reads both
        sock.sendall(b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)
        f = sock.makefile("rb")
        assert [read_response(f)[2] for _ in range(2)] == [b"hello /block", b"hello /b"]
        assert f.read() == b""


def test_100_continue_follows_the_held_response_before_it(server: ServerThread) -> None:
    _busy(server)
    with connect(server) as sock:
        sock.sendall(
            b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            b"PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
        )
        f = sock.makefile("rb")
        assert read_response(f)[2] == b"hello /a"
        assert f.readline() == b"HTTP/1.1 100 Continue\r\n" and f.readline() == b"\r\n"
        sock.sendall(b"data")
        status, _, body = read_response(f)
    assert status == 200 and body == b"data"


def test_one_turn_answers_many_connections(server: ServerThread) -> None:
    _busy(server)
    socks = [connect(server) for _ in range(20)]
    try:
        for i, sock in enumerate(socks):
            sock.sendall(f"GET /n{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        bodies = [read_response(sock.makefile("rb"))[2] for sock in socks]
    finally:
        for sock in socks:
            sock.close()
    assert bodies == [f"hello /n{i}".encode() for i in range(20)]


def test_chunked_request_body(server: ServerThread) -> None:
    with connect(server) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )
        status, headers, body = read_response(sock.makefile("rb"))
    assert status == 200 and body == b"hello world" and headers["x-length"] == "11"
    # and from a real client streaming a generator (chunked on the wire)
    r = httpx.post(server.url + "/echo", content=iter([b"abc", b"def"]))
    assert r.content == b"abcdef"


def test_expect_100_continue_is_answered_before_the_body(server: ServerThread) -> None:
    with connect(server) as sock:
        sock.sendall(b"PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        f = sock.makefile("rb")
        assert f.readline() == b"HTTP/1.1 100 Continue\r\n"
        assert f.readline() == b"\r\n"
        sock.sendall(b"data")
        status, _, body = read_response(f)
    assert status == 200 and body == b"data"


def test_expect_100_continue_with_a_body_too_large_gets_413_not_100(server: ServerThread) -> None:
    with connect(server) as sock:
        sock.sendall(
            b"PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\nExpect: 100-continue\r\n\r\n"
        )
        status, headers, _ = read_response(sock.makefile("rb"))
    assert status == 413 and headers["connection"] == "close"


def test_head_has_headers_but_no_body(server: ServerThread) -> None:
    with connect(server) as sock:
        sock.sendall(b"HEAD /thing HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
        f = sock.makefile("rb")
        status, headers, _ = read_response(f, head=True)
        assert status == 200 and headers["content-length"] == str(len(b"hello /thing"))
        # had the body been sent, the next response would not start with a status line
        status, headers, body = read_response(f)
    assert status == 200 and body == b"hello /after"


def test_oversize_bodies_are_refused_with_413(server: ServerThread) -> None:
    r = httpx.post(server.url + "/echo", content=b"x" * 5000)
    assert r.status_code == 413
    r = httpx.post(server.url + "/echo", content=iter([b"x" * 3000, b"y" * 3000]))  # chunked
    assert r.status_code == 413
    assert httpx.post(server.url + "/echo", content=b"x" * 4096).status_code == 200


@pytest.mark.parametrize(
    "garbage",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"\x00\xff\x10\r\n\r\n",
    ],
)
def test_malformed_request_gets_400_and_close_and_others_are_served(
    server: ServerThread, garbage: bytes
) -> None:
    with connect(server) as sock:
        sock.sendall(garbage)
        f = sock.makefile("rb")
        status, headers, _ = read_response(f)
        assert status == 400 and headers["connection"] == "close"
        sock.shutdown(socket.SHUT_WR)
        assert f.read() == b""  # the server closes
    assert httpx.get(server.url + "/ok").status_code == 200


def test_handler_error_is_a_500_and_the_server_keeps_serving(server: ServerThread) -> None:
    assert httpx.get(server.url + "/boom").status_code == 500
    assert httpx.get(server.url + "/ok").status_code == 200


def test_slow_client_does_not_block_others(server: ServerThread) -> None:
    with connect(server) as slow:
        slow.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        started = time.monotonic()
        with httpx.Client() as client:
            for _ in range(20):
                assert client.get(server.url + "/fast").status_code == 200
        assert time.monotonic() - started < 2
        slow.sendall(b"defghij")
        status, _, body = read_response(slow.makefile("rb"))
    assert status == 200 and body == b"abcdefghij"


def test_idle_keep_alive_connection_is_closed(server: ServerThread) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        f = sock.makefile("rb")
        assert read_response(f)[0] == 200
        sock.settimeout(5)
        started = time.monotonic()
        assert f.read() == b""  # closed by the server after idle_timeout (1 s)
    assert 0.5 < time.monotonic() - started < 4


def test_connection_close_and_http10(server: ServerThread) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        f = sock.makefile("rb")
        status, headers, _ = read_response(f)
        assert status == 200 and headers["connection"] == "close" and f.read() == b""
    with connect(server) as sock:
        sock.sendall(b"GET /a HTTP/1.0\r\n\r\n")
        f = sock.makefile("rb")
        assert read_response(f)[0] == 200 and f.read() == b""


def test_stop_finishes_the_in_flight_request_then_refuses_new_ones() -> None:
    s = ServerThread().start()
    try:
        with connect(s) as sock:
            sock.sendall(b"GET /sleep?ms=400 HTTP/1.1\r\nHost: x\r\n\r\n")
            time.sleep(0.1)  # the request is in the handler now
            stopping = s.stop_async(grace=5)
            status, headers, body = read_response(sock.makefile("rb"))
            assert status == 200 and body == b"hello /sleep" and headers["connection"] == "close"
            stopping.result(5)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", s.port), timeout=1).close()
    finally:
        s.loop.call_soon_threadsafe(s.loop.stop)
        s.thread.join(5)


# -- through the real endpoint ----------------------------------------------------------------
def test_gateway_answers_expect_100_continue_and_pipelined_requests(cloudlet: CloudletProcess) -> None:
    body = b"{}"
    request = (
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
        f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(body)}\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", cloudlet.ports["aws"]), timeout=10) as sock:
        sock.sendall(request + b"Expect: 100-continue\r\n\r\n")
        f = sock.makefile("rb")
        assert f.readline() == b"HTTP/1.1 100 Continue\r\n" and f.readline() == b"\r\n"
        sock.sendall(body + request + b"\r\n" + body)
        for _ in range(2):
            status, headers, payload = read_response(f)
            # the session server is shared with other tests (xdist): tables may exist
            assert status == 200 and payload.startswith(b'{"TableNames":['), payload
            assert headers["x-amzn-requestid"]


def test_no_stray_100_continue_when_the_body_came_without_waiting(server: ServerThread) -> None:
    with connect(server) as sock:
        # the first request is in flight while the second (Expect + body at once) is parsed
        sock.sendall(
            b"GET /sleep?ms=100 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nok"
        )
        f = sock.makefile("rb")
        assert read_response(f)[0] == 200
        assert read_response(f)[2] == b"ok"
        sock.sendall(b"GET /third HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, _ = read_response(f)  # a stray "100 Continue" would show up here
    assert status == 200 and headers["x-path"] == "/third"


def test_upgrade_requests_are_served_as_plain_http_then_closed(server: ServerThread) -> None:
    with connect(server) as sock:
        sock.sendall(
            b"GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\r\n"
        )
        f = sock.makefile("rb")
        status, headers, body = read_response(f)
        assert status == 200 and body == b"hello /up" and headers["connection"] == "close"
        assert f.read() == b""


def test_absolute_form_request_target(server: ServerThread) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET http://example.com:4566/abs/path?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        status, headers, _ = read_response(sock.makefile("rb"))
    assert status == 200 and headers["x-path"] == "/abs/path" and headers["x-query"] == "x=1&y=2"


def test_requests_awaiting_futures_are_resumed_and_foreign_awaitables_refused(server: ServerThread) -> None:
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/yield").text == "hello /yield"
        assert client.get("/not-a-future").status_code == 500
        assert client.get("/after").text == "hello /after"
