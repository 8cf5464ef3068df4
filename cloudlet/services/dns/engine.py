"""The hot path: query bytes in, response bytes out, with precomputed answers.

Responses that do not depend on who asks are cached keyed by the query's bytes after the
16-bit id (flags, question with its exact case, EDNS record including payload size and Client
Subnet), so a repeated question costs one dict lookup and a two-part concatenation: patch the
id and send. Everything else goes through wire.py (dnspython parse, answer, render) and, when
cacheable, fills the cache. An answer with several values is kept as a cycle of rotated
responses (a "rotor") instead. A mixed-case question (0x20) is answered from the lower-case
form's response with the asker's case patched in. Swapping in a new View clears everything in
place (the transports hold references to the dicts). Neighbours: server.py (transports), plane.py (swaps).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator

import dns.rcode

from cloudlet.services.dns.authoritative import Client, Selector
from cloudlet.services.dns.view import View
from cloudlet.services.dns.wire import Limits, Reply, answer_query, header_only

log = logging.getLogger("cloudlet.dns")

CACHE_MAX = 100_000  # entries per transport; a full cache is simply emptied


class Engine:
    def __init__(
        self, view: View | None = None, selector: Selector | None = None, limits: Limits | None = None
    ):
        self.view = view or View()
        self.selector = selector
        self.limits = limits or Limits()
        self.udp_cache: dict[bytes, bytes] = {}
        self.tcp_cache: dict[bytes, bytes] = {}
        # answers whose values take turns: query bytes after the id -> cycle of responses
        self.udp_rotors: dict[bytes, Iterator[bytes]] = {}
        self.tcp_rotors: dict[bytes, Iterator[bytes]] = {}

    def swap(self, view: View) -> None:
        self.view = view
        self.udp_cache.clear()
        self.tcp_cache.clear()
        self.udp_rotors.clear()
        self.tcp_rotors.clear()

    def answer(self, data: bytes, addr: tuple[str, int] | None, tcp: bool) -> bytes | None:
        """The response to one query (None: send nothing). Never raises."""
        cache = self.tcp_cache if tcp else self.udp_cache
        key = data[2:]
        hit = cache.get(key)
        if hit is not None:
            return data[:2] + hit
        rotors = self.tcp_rotors if tcp else self.udp_rotors
        rotor = rotors.get(key)
        if rotor is not None:
            return data[:2] + next(rotor)
        if len(cache) >= CACHE_MAX:
            cache.clear()
        if len(rotors) >= CACHE_MAX:
            rotors.clear()
        client = Client(addr[0] if addr else None)
        end = name_end(data)
        if end is not None:
            qname = data[12:end]
            lower = qname.lower()
            if lower != qname:
                # another case of a question we may have answered (0x20 resolvers): answer the
                # lower-case form, then put the asker's case back into the question
                canon = data[2:12] + lower + data[end:]
                tail = cache.get(canon)
                if tail is None and canon not in rotors:  # rotating answers: exact key only
                    tail, _ = self._fill(cache, rotors, canon, data[:2] + canon, client, tcp)
                if tail is not None and tail[10 : end - 2] == lower:
                    tail = tail[:10] + qname + tail[end - 2 :]
                    cache[key] = tail
                    return data[:2] + tail
        tail, uncached = self._fill(cache, rotors, key, data, client, tcp)
        return uncached if tail is None else data[:2] + tail

    def _fill(
        self,
        cache: dict[bytes, bytes],
        rotors: dict[bytes, Iterator[bytes]],
        key: bytes,
        data: bytes,
        client: Client,
        tcp: bool,
    ) -> tuple[bytes | None, bytes | None]:
        """Answer `data`: (the response without its id, now cached, None) when it may be cached,
        else (None, the whole response or None for no response)."""
        try:
            reply = self.reply(data, client, tcp)
        except Exception:
            log.exception("answering a query failed")
            return None, header_only(data, dns.rcode.SERVFAIL) if len(data) >= 12 else None
        if reply is None:
            return None, None
        if not reply.cacheable:
            return None, reply.wire
        if reply.variants:
            turns = itertools.cycle([v[2:] for v in reply.variants])
            next(turns)  # this reply is the first turn
            rotors[key] = turns
            return None, reply.wire
        cache[key] = reply.wire[2:]
        return reply.wire[2:], None

    def reply(self, data: bytes, client: Client, tcp: bool) -> Reply | None:
        return answer_query(data, client, self.view, self.selector, tcp=tcp, limits=self.limits)


def name_end(data: bytes) -> int | None:
    """Offset just past the question name when it is a plain (uncompressed) name, else None."""
    i = 12
    n = len(data)
    while i < n:
        length = data[i]
        if length == 0:
            return i + 1 if i + 5 <= n else None
        if length & 0xC0:
            return None
        i += length + 1
    return None
