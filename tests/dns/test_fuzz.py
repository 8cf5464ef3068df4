"""Fuzz the listener: random and mutated packets over UDP (and some over TCP) while correct
queries keep getting correct answers, no handler error is logged and nothing answers SERVFAIL."""

from __future__ import annotations

import logging
import random
import socket
import struct
from collections.abc import Iterator

import dns.edns
import dns.message
import dns.rcode
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dns.support import DnsHarness

SEEDS = [
    dns.message.make_query("www.example.com.", "A").to_wire(),
    dns.message.make_query("foo.w.example.com.", "MX", use_edns=0, payload=1232).to_wire(),
    dns.message.make_query(
        "c.example.com.", "A", use_edns=0, options=[dns.edns.ECSOption("192.0.2.0", 24)]
    ).to_wire(),
    dns.message.make_query("big.example.com.", "TXT", want_dnssec=True).to_wire(),
    dns.message.make_query("host.sub.example.com.", "AAAA").to_wire(),
]


def mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        if op == 0 and b:
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 1 and b:
            del b[rng.randrange(len(b)) :]
        elif op == 2:
            pos = rng.randrange(len(b) + 1)
            b[pos:pos] = rng.randbytes(rng.randint(1, 16))
        elif op == 3 and len(b) >= 12:
            b[rng.choice((2, 3, 4, 5, 6, 7, 8, 9, 10, 11))] = rng.randrange(256)
        elif op == 4 and len(b) > 13:
            pos = rng.randrange(12, len(b) - 1)
            b[pos : pos + 2] = bytes([0xC0 | rng.randrange(64), rng.randrange(256)])  # a compression pointer
        elif op == 5:
            b += rng.randbytes(rng.randint(1, 3000))
    return bytes(b[:65000])


def packets(rng: random.Random, n: int) -> Iterator[bytes]:
    for i in range(n):
        if i % 4 == 0:
            yield rng.randbytes(rng.choice((0, 1, 11, 12, 13, 30, 100, 600)))
        else:
            yield mutate(rng, rng.choice(SEEDS))


class Prober:
    """Sends fuzz packets in batches; after each batch a correct query must get its correct answer
    (UDP is processed in order, so every earlier packet has been handled by then)."""

    def __init__(self, h: DnsHarness) -> None:
        self.h = h
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.settimeout(3)
        self.rcodes: dict[int, int] = {}

    def send(self, data: bytes) -> None:
        self.sock.sendto(data, (self.h.host, self.h.port))

    def check(self) -> None:
        q = dns.message.make_query("www.example.com.", "A")
        self.send(q.to_wire())
        while True:
            raw = self.sock.recv(65535)
            try:
                r = dns.message.from_wire(raw)
            except Exception:
                continue  # some fuzz replies echo a question dnspython's strict parser rejects
            if r.id == q.id and r.question == q.question:
                assert sorted(rd.to_text() for rd in r.answer[0]) == ["192.0.2.1", "192.0.2.2"]
                return
            self.rcodes[r.rcode()] = self.rcodes.get(r.rcode(), 0) + 1

    def close(self) -> None:
        self.sock.close()


def run_fuzz(h: DnsHarness, n: int, seed: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="cloudlet")
    rng = random.Random(seed)
    p = Prober(h)
    try:
        for i, pkt in enumerate(packets(rng, n)):
            p.send(pkt)
            if i % 100 == 99:
                p.check()
            if i % 1000 == 500:  # a share over TCP too
                with socket.create_connection((h.host, h.port), timeout=3) as s:
                    s.sendall(struct.pack("!H", len(pkt)) + pkt)
        p.check()
    finally:
        p.close()
    assert dns.rcode.SERVFAIL not in p.rcodes
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert h.tcp(dns.message.make_query("www.example.com.", "A")).answer


def test_fuzz_10k(dns_server: DnsHarness, caplog: pytest.LogCaptureFixture) -> None:
    run_fuzz(dns_server, 10_000, 1, caplog)


@pytest.mark.slow
def test_fuzz_100k(dns_server: DnsHarness, caplog: pytest.LogCaptureFixture) -> None:
    run_fuzz(dns_server, 100_000, 2, caplog)


labels = st.binary(min_size=0, max_size=70)
names = st.lists(labels, min_size=0, max_size=8).map(
    lambda ls: b"".join(bytes([len(x) & 0xFF]) + x for x in ls) + b"\x00"
)


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    header = struct.pack(
        "!HHHHHH",
        draw(st.integers(0, 0xFFFF)),
        draw(st.integers(0, 0xFFFF)),
        draw(st.integers(0, 3)),
        draw(st.integers(0, 2)),
        draw(st.integers(0, 2)),
        draw(st.integers(0, 3)),
    )
    body = draw(names) + struct.pack(
        "!HH", draw(st.integers(0, 0xFFFF)), draw(st.sampled_from([1, 3, 255, 254, 0]))
    )
    if draw(st.booleans()):
        opts = draw(st.binary(max_size=40))
        body += b"\x00\x00\x29" + struct.pack(
            "!HI", draw(st.integers(0, 0xFFFF)), draw(st.integers(0, 2**32 - 1))
        )
        body += struct.pack("!H", len(opts) if draw(st.booleans()) else draw(st.integers(0, 0xFFFF))) + opts
    return header + body + draw(st.binary(max_size=8))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(msg=messages())
def test_structured_fuzz(dns_server: DnsHarness, msg: bytes) -> None:
    raw = dns_server.raw_udp(msg, timeout=0.05 if msg[2] & 0x80 else 1.0)
    if msg[2] & 0x80:
        assert raw is None  # QR=1 never answered
        return
    assert raw is not None
    assert raw[:2] == msg[:2]
    assert raw[3] & 0xF != dns.rcode.SERVFAIL
