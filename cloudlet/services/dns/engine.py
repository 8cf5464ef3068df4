"""The hot path: query bytes in, response bytes out, with precomputed answers.

Responses that do not depend on who asks are cached keyed by the query's bytes after the
16-bit id (flags, question with its exact case, EDNS record including payload size and Client
Subnet), so a repeated question costs one dict lookup and a two-part concatenation: patch the
id and send. An answer with several values is kept as a cycle of rotated responses (a "rotor")
instead. A mixed-case question (0x20) is answered from the lower-case form's response with the
asker's case patched in. Answers a routing policy chooses are prerendered too, per question and
per chosen record sets (routed.py): a query runs the selection and picks the response. Anything
else goes through wire.py (dnspython parse, answer, render) and fills these. Swapping in a new
View clears everything in place (the transports hold references to the dicts). Neighbours:
server.py / mmsg.py (transports), plane.py (swaps), routed.py (routed answers).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator

import dns.rcode

from cloudlet.services.dns import cookies
from cloudlet.services.dns.authoritative import Client, Selector
from cloudlet.services.dns.routed import (
    SATURATED,
    Draw,
    Leaf,
    Node,
    Peer,
    Recorder,
    Shape,
    insert,
    make_client,
    name_end,
    query_shape,
    walk,
)
from cloudlet.services.dns.view import View
from cloudlet.services.dns.wire import Limits, Reply, answer_query, header_only

log = logging.getLogger("cloudlet.dns")

CACHE_MAX = 100_000  # entries per transport; a full cache is simply emptied


class Routes:
    """One transport's routed-answer trees: `plain` for queries without a Client Subnet,
    `ecs` keyed without the subnet address; `exact` remembers, for the exact bytes of a
    mixed-case or Client Subnet query seen before, its tree and parse (a resolver repeats them)."""

    __slots__ = ("plain", "ecs", "exact")

    def __init__(self) -> None:
        self.plain: dict[bytes, Node] = {}
        self.ecs: dict[bytes, Node] = {}
        self.exact: dict[bytes, tuple[Node, Shape]] = {}

    def clear(self) -> None:
        self.plain.clear()
        self.ecs.clear()
        self.exact.clear()


class Engine:
    def __init__(
        self, view: View | None = None, selector: Selector | None = None, limits: Limits | None = None
    ):
        self.view = view or View()
        self._selector = selector
        self.limits = limits or Limits()
        self.udp_cache: dict[bytes, bytes] = {}
        self.tcp_cache: dict[bytes, bytes] = {}
        # answers whose values take turns: query bytes after the id -> cycle of responses
        self.udp_rotors: dict[bytes, Iterator[bytes]] = {}
        self.tcp_rotors: dict[bytes, Iterator[bytes]] = {}
        self.udp_routes = Routes()
        self.tcp_routes = Routes()

    @property
    def selector(self) -> Selector | None:
        return self._selector

    @selector.setter
    def selector(self, selector: Selector | None) -> None:
        self._selector = selector
        self.udp_routes.clear()  # the trees hold selections compiled by the old selector
        self.tcp_routes.clear()

    def swap(self, view: View) -> None:
        self.view = view
        self.udp_cache.clear()
        self.tcp_cache.clear()
        self.udp_rotors.clear()
        self.tcp_rotors.clear()
        self.udp_routes.clear()
        self.tcp_routes.clear()

    def answer(self, data: bytes, addr: Peer, tcp: bool) -> bytes | None:
        """The response to one query (None: send nothing). Never raises. `addr` may be a
        callable giving the source address: it is then called only if the answer needs it."""
        hit = (self.tcp_cache if tcp else self.udp_cache).get(data[2:])
        if hit is not None:
            return data[:2] + hit
        return self.miss(data, addr, tcp)

    def miss(self, data: bytes, addr: Peer, tcp: bool) -> bytes | None:
        """`answer` for a query the transport already looked up in the cache."""
        # one additional record holding what may be a COOKIE option header (a C-level search first,
        # so routed queries with EDNS but no cookie pay next to nothing for this)
        if data[10:12] == b"\x00\x01" and b"\x00\x0a\x00" in data[12:]:
            end = name_end(data)
            parts = cookies.split(data, end + 4) if end is not None else None
            if parts is not None and end is not None:
                return self._with_cookie(data, parts[0], parts[1], end + 4, addr, tcp)
        key = data[2:]
        routes = self.tcp_routes if tcp else self.udp_routes
        node = routes.plain.get(key)
        draws: list[Draw] | None = None  # choices already drawn on a path the tree lacks
        if node is not None:  # a routed question, asked in lower case without a Client Subnet
            try:
                body = walk(node, addr, None)
            except Exception:
                log.exception("selecting a routed answer failed")
                return header_only(data, dns.rcode.SERVFAIL)
            if isinstance(body, bytes):
                return data[:2] + body
            draws = body
        else:
            seen = routes.exact.get(key)
            if seen is not None:  # this very query (case, subnet) was routed before
                try:
                    body = walk(seen[0], addr, seen[1].ecs)
                except Exception:
                    log.exception("selecting a routed answer failed")
                    return header_only(data, dns.rcode.SERVFAIL)
                if isinstance(body, bytes):
                    return seen[1].respond(data, body)
                node, draws = seen[0], body  # a new path: the slow path reuses these draws
        cache = self.tcp_cache if tcp else self.udp_cache
        rotors = self.tcp_rotors if tcp else self.udp_rotors
        rotor = rotors.get(key)
        if rotor is not None:
            return data[:2] + next(rotor)
        if len(cache) >= CACHE_MAX:
            cache.clear()
        if len(rotors) >= CACHE_MAX:
            rotors.clear()
        shape = query_shape(data) if len(data) >= 12 else None
        if shape is None:
            return self._fill(cache, rotors, key, data, addr, tcp)
        if node is None and (shape.mixed or shape.ecs is not None):
            if shape.mixed:
                # another case of a question we may have answered (0x20 resolvers): answer from
                # the lower-case form, then put the asker's case back into the question
                tail = cache.get(shape.canon)
                if tail is not None and tail[10 : shape.end - 2] == shape.canon[10 : shape.end - 2]:
                    tail = tail[:10] + data[12 : shape.end] + tail[shape.end - 2 :]
                    cache[key] = tail
                    return data[:2] + tail
            tree = routes.ecs if shape.ecs is not None else routes.plain
            node = tree.get(shape.key)
            if node is not None:
                if len(routes.exact) >= CACHE_MAX:
                    routes.exact.clear()
                routes.exact[key] = (node, shape)
                try:
                    body = walk(node, addr, shape.ecs)
                except Exception:
                    log.exception("selecting a routed answer failed")
                    return header_only(data, dns.rcode.SERVFAIL)
                if isinstance(body, bytes):
                    return shape.respond(data, body)
                draws = body
        if draws is SATURATED:
            return self._fill(cache, rotors, key, data, addr, tcp)
        return self._fill_shaped(cache, rotors, routes, shape, data, addr, tcp, draws or [])

    def _fill_shaped(
        self,
        cache: dict[bytes, bytes],
        rotors: dict[bytes, Iterator[bytes]],
        routes: Routes,
        shape: Shape,
        data: bytes,
        addr: Peer,
        tcp: bool,
        draws: list[Draw],
    ) -> bytes | None:
        """A miss on a query routed.py can key: answer its lower-case form; keep the response
        in the cache, a rotor or a routed tree; hand the asker their own case and subnet."""
        selector = self._selector
        recorder = Recorder(selector, draws) if selector is not None else None
        canon = data[:2] + shape.canon
        try:
            reply = answer_query(
                canon,
                make_client(addr, None),
                self.view,
                recorder,
                tcp=tcp,
                limits=self.limits,
                prerender=True,
            )
        except Exception:
            log.exception("answering a query failed")
            return header_only(data, dns.rcode.SERVFAIL)
        if reply is None or (reply.cacheable and shape.mixed and reply.variants):
            # dropped, or a rotating answer (kept by exact key only): the plain way
            return self._fill(cache, rotors, data[2:], data, addr, tcp)
        if reply.cacheable:
            self._keep(cache, rotors, shape.canon, reply)
            if not shape.mixed:
                return reply.wire
            tail = reply.wire[2:]
            if tail[10 : shape.end - 2] != shape.canon[10 : shape.end - 2]:
                return self._fill(cache, rotors, data[2:], data, addr, tcp)
            tail = tail[:10] + data[12 : shape.end] + tail[shape.end - 2 :]
            cache[data[2:]] = tail
            return data[:2] + tail
        bodies = _bodies(reply, shape)
        if bodies is not None:
            tree = routes.ecs if shape.ecs is not None else routes.plain
            if len(tree) >= CACHE_MAX:
                tree.clear()
            calls = recorder.calls if recorder is not None else []
            if insert(tree, shape.key, calls, Leaf(bodies), selector):
                return shape.respond(data, bodies[0])
        if not shape.mixed and shape.ecs is None:
            return reply.wire
        return self._fill(cache, rotors, data[2:], data, addr, tcp)  # answer the asker's own bytes

    def _with_cookie(
        self, data: bytes, core: bytes, client_cookie: bytes, qend: int, addr: Peer, tcp: bool
    ) -> bytes | None:
        """A query with a client cookie: the answer to the same query without it (from the caches
        when it is there) plus our cookie; the slow path when that answer has an unusual shape."""
        response = self.answer(core, addr, tcp)
        if response is not None:
            payload = int.from_bytes(core[qend + 3 : qend + 5], "big")
            limit = 65535 if tcp else max(512, min(payload, self.limits.max_udp))
            address = make_client(addr, None).address
            patched = cookies.add(response, len(core) - qend - 11, client_cookie, address, limit)
            if patched is not None:
                return patched
        reply = self._slow(data, addr, tcp)  # a reply with a cookie is never kept
        return reply.wire if isinstance(reply, Reply) else reply

    def _slow(self, data: bytes, addr: Peer, tcp: bool) -> Reply | bytes | None:
        """The slow path's Reply for the exact query bytes, or the bytes to send (SERVFAIL) or
        None (nothing) when it yields none. Never raises."""
        try:
            return self.reply(data, make_client(addr, None), tcp)
        except Exception:
            log.exception("answering a query failed")
            return header_only(data, dns.rcode.SERVFAIL) if len(data) >= 12 else None

    def _fill(
        self,
        cache: dict[bytes, bytes],
        rotors: dict[bytes, Iterator[bytes]],
        key: bytes,
        data: bytes,
        addr: Peer,
        tcp: bool,
    ) -> bytes | None:
        """The slow path for the exact query bytes; caches what may be cached under `key`."""
        reply = self._slow(data, addr, tcp)
        if not isinstance(reply, Reply):
            return reply
        if reply.cacheable:
            self._keep(cache, rotors, key, reply)
        return reply.wire

    @staticmethod
    def _keep(
        cache: dict[bytes, bytes], rotors: dict[bytes, Iterator[bytes]], key: bytes, reply: Reply
    ) -> None:
        if reply.variants:
            turns = itertools.cycle([v[2:] for v in reply.variants])
            next(turns)  # this reply is the first turn
            rotors[key] = turns
        else:
            cache[key] = reply.wire[2:]

    def reply(self, data: bytes, client: Client, tcp: bool) -> Reply | None:
        return answer_query(data, client, self.view, self._selector, tcp=tcp, limits=self.limits)


def _bodies(reply: Reply, shape: Shape) -> list[bytes] | None:
    """The routed response's rotations without id and subnet address; None unless every one
    has the lower-case question and ends with the query's subnet address as routed.py assumes."""
    if reply.answer is None or not reply.variants:
        return None
    n = len(shape.ecs[2]) if shape.ecs is not None else 0
    name = shape.canon[10 : shape.end - 2]
    out = []
    for v in reply.variants:
        if v[12 : shape.end] != name or (n and v[len(v) - n :] != shape.ecs[2]):  # type: ignore[index]
            return None
        out.append(v[2 : len(v) - n])
    return out
