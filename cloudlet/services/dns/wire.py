"""The slow path: parse a query with dnspython, answer it, render the response.

`answer_query(data, ...)` turns the bytes of one query into the bytes of its response (or None:
drop) and says whether the response may be cached for identical query bytes. It owns the
protocol rules around the answer: header checks (QR, opcode), FORMERR, EDNS0 (version, payload
size, DO, Client Subnet, cookies: cookies.py), class and meta-type refusals, truncation. The answer itself comes from
authoritative.py; engine.py calls this on a cache miss. With `prerender`, an answer that a
routing policy chose also comes back as its value rotations, unshuffled (engine.py / routed.py
keep them per chosen record sets instead of shuffling per query).
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.renderer

from cloudlet.services.dns.authoritative import Answer, Client, Outcome, Selector, ZoneIndex, resolve
from cloudlet.services.dns.cookies import server_cookie

TCP_MAX = 65535
NO_EDNS_MAX = 512
MAX_ROTATIONS = 16  # distinct value orders kept per cached answer
_REFUSED_TYPES = frozenset({dns.rdatatype.AXFR, dns.rdatatype.IXFR, dns.rdatatype.MAILA, dns.rdatatype.MAILB})
_FORMERR_TYPES = frozenset({dns.rdatatype.OPT, dns.rdatatype.TSIG, dns.rdatatype.TKEY})


@dataclass(frozen=True)
class Reply:
    wire: bytes
    cacheable: bool
    answer: Answer | None = None
    # for a cacheable answer with several values in an RRset (or any routed answer when asked to
    # prerender): the same response with the values rotated (wire first), so repeated questions
    # see them in turn as Route 53 varies the order
    variants: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Limits:
    max_udp: int = 1232  # our advertised EDNS payload size (DNS Flag Day 2020)


def header_only(data: bytes, rcode: int) -> bytes:
    """A response carrying only a header: same id, opcode and RD; QR set; no sections."""
    (flags,) = struct.unpack_from("!H", data, 2)
    flags = (flags & 0x7900) | 0x8000 | (rcode & 0xF)  # keep opcode and RD
    return data[:2] + struct.pack("!HHHHH", flags, 0, 0, 0, 0)


def answer_query(
    data: bytes,
    client: Client,
    view: ZoneIndex,
    selector: Selector | None,
    *,
    tcp: bool,
    limits: Limits,
    prerender: bool = False,
) -> Reply | None:
    if len(data) < 12:
        return None
    if data[2] & 0x80:
        return None  # a response: never answer it (reflection loops)
    if (data[2] >> 3) & 0xF != dns.opcode.QUERY:
        return Reply(header_only(data, dns.rcode.NOTIMP), False)
    try:
        msg = dns.message.from_wire(data, ignore_trailing=False)
    except (dns.exception.DNSException, ValueError, TypeError, IndexError, UnicodeError):
        return Reply(header_only(data, dns.rcode.FORMERR), False)
    if len(msg.question) != 1 or msg.answer or msg.authority:
        return Reply(header_only(data, dns.rcode.FORMERR), False)
    cookie = _cookie(msg)
    reply = _answer(msg, client, view, selector, tcp, limits, prerender, cookie)
    if reply.cacheable and cookie is not None:
        # it carries a server cookie made for this client and this second
        return Reply(reply.wire, False, reply.answer)
    return reply


def _answer(
    msg: dns.message.Message,
    client: Client,
    view: ZoneIndex,
    selector: Selector | None,
    tcp: bool,
    limits: Limits,
    prerender: bool,
    cookie: dns.edns.CookieOption | None,
) -> Reply:
    q = msg.question[0]
    ecs = _ecs(msg)
    payload = max(NO_EDNS_MAX, min(msg.payload, limits.max_udp)) if msg.edns >= 0 else NO_EDNS_MAX
    max_size = TCP_MAX if tcp else payload
    # a client cookie gets a server cookie back in every response with an OPT record (RFC 7873)
    extra: list[dns.edns.Option] = []
    if cookie is not None:
        extra.append(dns.edns.CookieOption(cookie.client, server_cookie(cookie.client, client.address)))
    if msg.edns > 0:
        return Reply(_render(msg, _bare(dns.rcode.BADVERS), max_size, limits, ecs, extra), True)
    if ecs is not None and ecs.scopelen != 0:  # RFC 7871 §7.1.1: must be 0 in queries
        return Reply(_render(msg, _bare(dns.rcode.FORMERR), max_size, limits, None, extra), False)
    if q.rdtype in _FORMERR_TYPES:
        return Reply(_render(msg, _bare(dns.rcode.FORMERR), max_size, limits, ecs, extra), False)
    if q.rdclass != dns.rdataclass.IN or q.rdtype in _REFUSED_TYPES:
        return Reply(_render(msg, _bare(dns.rcode.REFUSED), max_size, limits, ecs, extra), True)
    if ecs is not None:
        client = Client(client.address, ecs.address, ecs.srclen)
    ans = resolve(view, q.name, q.rdtype, client, selector)
    turns = min(MAX_ROTATIONS, max((len(rds) for _, rds in ans.answer), default=1))
    if not ans.cacheable and not prerender:
        return Reply(_render(msg, ans, max_size, limits, ecs, extra, shuffle=True), False, ans)
    wire = _render(msg, ans, max_size, limits, ecs, extra, shuffle=False)
    if ans.cacheable and turns < 2:
        return Reply(wire, True, ans)
    rotated = (
        _render(msg, _rotated(ans, i), max_size, limits, ecs, extra, shuffle=False) for i in range(1, turns)
    )
    return Reply(wire, ans.cacheable, ans, (wire, *rotated))


def _rotated(ans: Answer, turn: int) -> Answer:
    answer = []
    for owner, rds in ans.answer:
        items = list(rds)
        k = turn % len(items)
        out = dns.rdataset.Rdataset(rds.rdclass, rds.rdtype, ttl=rds.ttl)
        for rd in items[k:] + items[:k]:
            out.add(rd)
        out.ttl = rds.ttl
        answer.append((owner, out))
    return dataclasses.replace(ans, answer=answer)


def _cookie(msg: dns.message.Message) -> dns.edns.CookieOption | None:
    for opt in msg.options:
        if isinstance(opt, dns.edns.CookieOption):
            return opt
    return None


def _ecs(msg: dns.message.Message) -> dns.edns.ECSOption | None:
    for opt in msg.options:
        if isinstance(opt, dns.edns.ECSOption):
            return opt
    return None


def _bare(rcode: int) -> Answer:
    return Answer(Outcome.REFUSED, rcode, aa=False)


def _render(
    msg: dns.message.Message,
    ans: Answer,
    max_size: int,
    limits: Limits,
    ecs: dns.edns.ECSOption | None,
    extra: Sequence[dns.edns.Option] = (),
    shuffle: bool = False,
) -> bytes:
    """The response; `shuffle` puts each RRset's values in random order (per-query answers)."""
    q = msg.question[0]
    flags = dns.flags.QR | (msg.flags & (dns.flags.RD | dns.flags.CD)) | (ans.rcode & 0xF)
    if ans.aa:
        flags |= dns.flags.AA
    options: list[dns.edns.Option] = []
    opt_size = 0
    if msg.edns >= 0:
        if ecs is not None:
            scope = 0 if ans.cacheable else ecs.srclen
            options.append(dns.edns.ECSOption(ecs.address, ecs.srclen, scope))
            opt_size += 4 + 4 + (ecs.srclen + 7) // 8
        for opt in extra:
            options.append(opt)
            opt_size += 4 + len(opt.to_wire() or b"")
        opt_size += 11
    r = dns.renderer.Renderer(msg.id, flags, max_size)
    r.add_question(q.name, q.rdtype, q.rdclass)
    if opt_size:
        r.reserve(opt_size)
    try:
        for section, rrs in ((dns.renderer.ANSWER, ans.answer), (dns.renderer.AUTHORITY, ans.authority)):
            for owner, rds in rrs:
                r.add_rdataset(section, owner, rds, want_shuffle=shuffle)
    except dns.exception.TooBig:
        # RFC 2181 §9 / RFC 6891 §7: a minimal response with TC; the client retries over TCP
        r = dns.renderer.Renderer(msg.id, flags | dns.flags.TC, max_size)
        r.add_question(q.name, q.rdtype, q.rdclass)
        if opt_size:
            r.reserve(opt_size)
    else:
        for owner, rds in ans.additional:
            try:
                r.add_rdataset(dns.renderer.ADDITIONAL, owner, rds, want_shuffle=shuffle)
            except dns.exception.TooBig:
                break  # additional data is optional: no TC for it
    if msg.edns >= 0:
        r.release_reserved()
        ednsflags = (msg.ednsflags & dns.flags.DO) | ((ans.rcode >> 4) << 24)
        r.add_edns(0, ednsflags, limits.max_udp, options)
    r.write_header()
    return r.get_wire()  # type: ignore[no-any-return]
