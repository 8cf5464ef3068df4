"""Wire rules around the answer: EDNS0, truncation, rcodes for bad queries, TCP behaviour."""

from __future__ import annotations

import socket
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype

from tests.dns.support import DnsHarness


def query_wire(name: str = "www.example.com.", rdtype: str = "A", **kw: object) -> bytes:
    return dns.message.make_query(name, rdtype, **kw).to_wire()  # type: ignore[arg-type]


def test_opt_echoed_with_our_payload_size(dns_server: DnsHarness) -> None:
    resp = dns_server.udp(dns.message.make_query("www.example.com.", "A", use_edns=0, payload=4096))
    assert resp.edns == 0
    assert resp.payload == 1232
    no_edns = dns_server.udp(dns.message.make_query("www.example.com.", "A"))
    assert no_edns.edns == -1


def test_do_bit_copied(dns_server: DnsHarness) -> None:
    resp = dns_server.udp(dns.message.make_query("www.example.com.", "A", want_dnssec=True))
    assert resp.ednsflags & dns.flags.DO


def test_truncation_without_edns_is_minimal_with_tc(dns_server: DnsHarness) -> None:
    resp = dns_server.udp(dns.message.make_query("big.example.com.", "TXT"))
    assert resp.flags & dns.flags.TC
    assert not resp.answer and not resp.authority
    assert resp.question[0].name.to_text() == "big.example.com."
    full = dns_server.tcp(dns.message.make_query("big.example.com.", "TXT"))
    assert len(full.answer[0]) == 8 and not full.flags & dns.flags.TC


def test_payload_size_honoured(dns_server: DnsHarness) -> None:
    small = dns_server.udp(dns.message.make_query("big.example.com.", "TXT", use_edns=0, payload=1232))
    assert small.flags & dns.flags.TC and small.edns == 0
    # the client offers 4096 but we cap at 1232: still truncated
    capped = dns_server.udp(dns.message.make_query("big.example.com.", "TXT", use_edns=0, payload=4096))
    assert capped.flags & dns.flags.TC


def test_payload_below_512_treated_as_512(dns_server: DnsHarness) -> None:
    resp = dns_server.udp(dns.message.make_query("www.example.com.", "A", use_edns=0, payload=100))
    assert resp.rcode() == dns.rcode.NOERROR and resp.answer


def test_badvers(dns_server: DnsHarness) -> None:
    resp = dns_server.udp(dns.message.make_query("www.example.com.", "A", use_edns=1))
    assert resp.rcode() == dns.rcode.BADVERS
    assert resp.edns == 0 and not resp.answer


def test_unknown_option_ignored(dns_server: DnsHarness) -> None:
    opt = dns.edns.GenericOption(65001, b"\x01\x02\x03")
    resp = dns_server.udp(dns.message.make_query("www.example.com.", "A", use_edns=0, options=[opt]))
    assert resp.rcode() == dns.rcode.NOERROR and len(resp.answer[0]) == 2
    assert not [o for o in resp.options if o.otype == 65001]


def test_client_subnet_echoed_with_scope(dns_server: DnsHarness) -> None:
    ecs = dns.edns.ECSOption("198.51.100.0", 24)
    resp = dns_server.udp(dns.message.make_query("www.example.com.", "A", use_edns=0, options=[ecs]))
    [echo] = [o for o in resp.options if isinstance(o, dns.edns.ECSOption)]
    assert echo.address == "198.51.100.0" and echo.srclen == 24
    assert echo.scopelen == 0  # a static answer holds for every client
    dyn = dns_server.udp(dns.message.make_query("wt.example.com.", "A", use_edns=0, options=[ecs]))
    [echo] = [o for o in dyn.options if isinstance(o, dns.edns.ECSOption)]
    assert echo.scopelen == 24  # a policy answer is specific to the subnet


def test_notimp_for_other_opcodes(dns_server: DnsHarness) -> None:
    q = dns.message.make_query("www.example.com.", "A")
    q.set_opcode(dns.opcode.NOTIFY)
    resp = dns.message.from_wire(dns_server.raw_udp(q.to_wire()) or b"")
    assert resp.rcode() == dns.rcode.NOTIMP and resp.opcode() == dns.opcode.NOTIFY and resp.id == q.id


def test_responses_are_never_answered(dns_server: DnsHarness) -> None:
    q = dns.message.make_query("www.example.com.", "A")
    q.flags |= dns.flags.QR
    assert dns_server.raw_udp(q.to_wire(), timeout=0.3) is None


def test_formerr_for_two_questions(dns_server: DnsHarness) -> None:
    wire = bytearray(query_wire())
    q = wire[12:]
    wire[4:6] = b"\x00\x02"
    resp = dns.message.from_wire(dns_server.raw_udp(bytes(wire) + bytes(q)) or b"")
    assert resp.rcode() == dns.rcode.FORMERR


def test_formerr_for_truncated_and_garbage(dns_server: DnsHarness) -> None:
    wire = query_wire()
    for bad in (wire[:15], wire + b"\x00\x01", wire[:12] + b"\xc0\x0c\x00\x01\x00\x01"):
        resp = dns.message.from_wire(dns_server.raw_udp(bad) or b"")
        assert resp.rcode() == dns.rcode.FORMERR and resp.id == struct.unpack("!H", wire[:2])[0]
    assert dns_server.raw_udp(b"\x01\x02\x03", timeout=0.3) is None  # shorter than a header: dropped


def test_compression_loop_and_label_overflow(dns_server: DnsHarness) -> None:
    header = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
    loop = header + b"\x01a\xc0\x0c\x00\x01\x00\x01"  # pointer back to its own start
    overflow = header + b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01"  # 64-byte label
    too_long = header + (b"\x3f" + b"a" * 63) * 5 + b"\x00\x00\x01\x00\x01"  # name > 255 bytes
    for bad in (loop, overflow, too_long):
        resp = dns.message.from_wire(dns_server.raw_udp(bad) or b"")
        assert resp.rcode() == dns.rcode.FORMERR


def test_non_in_class_refused(dns_server: DnsHarness) -> None:
    resp = dns_server.udp(dns.message.make_query("version.bind.", "TXT", rdclass="CH"))
    assert resp.rcode() == dns.rcode.REFUSED


def test_tcp_pipelining_in_order(dns_server: DnsHarness) -> None:
    names = [f"{n}.example.com." for n in ("www", "mx", "nope", "mail", "c")] * 10
    queries = [dns.message.make_query(n, "A") for n in names]
    answers = dns_server.raw_tcp([q.to_wire() for q in queries])
    for q, raw in zip(queries, answers, strict=True):
        r = dns.message.from_wire(raw)
        assert r.id == q.id and r.question == q.question


def test_tcp_split_writes(dns_server: DnsHarness) -> None:
    wire = query_wire()
    frame = struct.pack("!H", len(wire)) + wire
    with socket.create_connection((dns_server.host, dns_server.port), timeout=2) as s:
        for b in frame:
            s.send(bytes([b]))
        head = s.recv(2)
        assert len(head) == 2


def test_silent_client_does_not_block_others(dns_server: DnsHarness) -> None:
    idle = [socket.create_connection((dns_server.host, dns_server.port)) for _ in range(5)]
    half = socket.create_connection((dns_server.host, dns_server.port))
    half.sendall(b"\x00\x40\x12")  # a frame that never completes
    try:
        t = time.monotonic()
        resp = dns_server.tcp(dns.message.make_query("www.example.com.", "A"))
        assert resp.answer and time.monotonic() - t < 1
        assert dns_server.udp(dns.message.make_query("www.example.com.", "A")).answer
    finally:
        for s in [*idle, half]:
            s.close()


def test_non_reading_client_does_not_block_others(dns_server: DnsHarness) -> None:
    wire = query_wire("big.example.com.", "TXT")
    frame = struct.pack("!H", len(wire)) + wire
    hog = socket.create_connection((dns_server.host, dns_server.port))
    hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    hog.setblocking(False)
    try:
        for _ in range(2000):  # ~3 MB of answers it never reads
            try:
                hog.send(frame)
            except BlockingIOError:
                break
        t = time.monotonic()
        assert dns_server.tcp(dns.message.make_query("www.example.com.", "A")).answer
        assert time.monotonic() - t < 1
    finally:
        hog.close()


def _ecs_query(family: int, source: int, scope: int, address: bytes) -> bytes:
    data = struct.pack("!HBB", family, source, scope) + address
    opt = dns.edns.GenericOption(dns.edns.OptionType.ECS, data)
    return dns.message.make_query("www.example.com.", "A", use_edns=0, options=[opt]).to_wire()


def test_malformed_client_subnet_is_formerr(dns_server: DnsHarness) -> None:
    for bad in (
        _ecs_query(3, 24, 0, b"\x01\x02\x03"),  # unknown family
        _ecs_query(1, 40, 0, b"\x01\x02\x03\x04\x05"),  # source prefix beyond 32
        _ecs_query(1, 24, 0, b"\x01\x02"),  # address shorter than the prefix
        _ecs_query(1, 24, 8, b"\x01\x02\x03"),  # scope must be 0 in a query
    ):
        resp = dns.message.from_wire(dns_server.raw_udp(bad) or b"")
        assert resp.rcode() == dns.rcode.FORMERR
    ok = dns.message.from_wire(dns_server.raw_udp(_ecs_query(1, 0, 0, b"")) or b"")
    assert ok.rcode() == dns.rcode.NOERROR and ok.answer


def test_oversized_packets_are_formerr(dns_server: DnsHarness) -> None:
    wire = query_wire()
    resp = dns.message.from_wire(dns_server.raw_udp(wire + b"\x00" * 6000) or b"")
    assert resp.rcode() == dns.rcode.FORMERR and resp.id == struct.unpack("!H", wire[:2])[0]
    [raw] = dns_server.raw_tcp([wire + b"\x00" * 65000])
    assert dns.message.from_wire(raw).rcode() == dns.rcode.FORMERR
