"""Prerendered answers for questions a routing policy answers: a decision tree per question.

A routed answer is a deterministic function of the question and of what the selector chose for
each group the answer path consulted (authoritative.materialize), in order: the client reaches
the answer only through those choices, and the EDNS Client Subnet only through them and the
echoed option (its scope is the source prefix for every routed answer). So per question the
engine keeps a tree: a `Step` holds one group and a compiled selection for it (router.py
`Router.compile`: the policy's Choice memoized per health view / CIDR table / client), its
children are keyed by the record sets chosen, and a `Leaf` holds the response rendered for that
path, as a cycle of value rotations. A query runs the selections down the tree (a weighted pick
is one random draw) and sends the leaf's bytes with its id — and, for a mixed-case question or a
query with a Client Subnet, the asker's question case and subnet address patched in. A path not
seen yet goes through the slow path once (wire.answer_query with a `Recorder` that replays the
choices already drawn), and the tree grows a leaf. Health swaps need no invalidation: choices
are made per query against the current view; a zone swap empties the trees (engine.py).

The question key is the query after its id with the question name lower-cased and, when the
only EDNS option is a well-formed Client Subnet (scope 0, no stray address bits), without the
address bytes, which are the last bytes of the query and of the response alike. Anything else
(other EDNS options, compression in the question, extra records) is answered by the slow path.
Neighbours: engine.py (owns the trees), wire.py (renders), router.py (compiled selections).
"""

from __future__ import annotations

import functools
import itertools
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cloudlet.services.dns.authoritative import Client, Selector
from cloudlet.services.route53.model import RecordSet

Records = tuple[RecordSet, ...]
Addr = tuple[str, int] | None
Peer = Addr | Callable[[], Addr]  # the source address, or how to get it (mmsg.py decodes lazily)
Draw = tuple[Records, Records]  # (a group's record sets, the ones chosen)

CHOICES_MAX = 256  # children kept per step (multivalue subsets); least recently used go first
# what walk() returns for a new path under a step that has had to evict: such a step (multivalue
# with many healthy records: C(n, 8) subsets) would thrash, so its misses are answered the slow
# way (one render, as before this cache existed) and not added
SATURATED: list[tuple[Records, Records]] = []
LRU_FROM = 8  # below this many children nothing is ever evicted, so hits skip the reordering
_OPT_HEAD = b"\x00\x00\x29"  # root owner name, type OPT


@dataclass(slots=True)
class Shape:
    """A query in the form the routed cache takes: a plain question, maybe an OPT record whose
    only option is a Client Subnet."""

    end: int  # offset just past the question name
    mixed: bool  # the question name has upper-case letters
    canon: bytes  # the query after its id with the name lower-cased
    key: bytes  # `canon` without the Client Subnet address bytes
    ecs: tuple[int, int, bytes] | None  # (family, source prefix, address bytes)

    def respond(self, data: bytes, body: bytes) -> bytes:
        """A leaf's response for this query: its id, its question case, its subnet address."""
        if self.mixed:
            body = body[:10] + data[12 : self.end] + body[self.end - 2 :]
        if self.ecs is not None and self.ecs[2]:
            return data[:2] + body + self.ecs[2]
        return data[:2] + body


def query_shape(data: bytes) -> Shape | None:
    end = name_end(data)
    if end is None or data[4:10] != b"\x00\x01\x00\x00\x00\x00":
        return None
    qname = data[12:end]
    lower = qname.lower()
    canon = data[2:12] + lower + data[end:]
    qend = end + 4
    ar = data[10:12]
    if ar == b"\x00\x00":
        return Shape(end, lower != qname, canon, canon, None) if len(data) == qend else None
    if ar != b"\x00\x01" or data[qend : qend + 3] != _OPT_HEAD or len(data) < qend + 11:
        return None
    rdlen = int.from_bytes(data[qend + 9 : qend + 11], "big")
    if qend + 11 + rdlen != len(data):
        return None
    if rdlen == 0:
        return Shape(end, lower != qname, canon, canon, None)
    o = qend + 11  # the one option must be ECS: code 8, length, family, source, scope, address
    if rdlen < 8 or data[o : o + 2] != b"\x00\x08" or int.from_bytes(data[o + 2 : o + 4], "big") != rdlen - 4:
        return None
    family = int.from_bytes(data[o + 4 : o + 6], "big")
    source, scope = data[o + 6], data[o + 7]
    n = rdlen - 8
    if scope != 0 or n != (source + 7) // 8 or source > (32 if family == 1 else 128 if family == 2 else -1):
        return None
    address = data[len(data) - n :] if n else b""
    if source % 8 and address[-1] & (0xFF >> (source % 8)):
        return None  # bits beyond the prefix: the slow path masks them; not worth a key
    return Shape(end, lower != qname, canon, canon[: len(canon) - n], (family, source, address))


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


def make_client(peer: Peer, ecs: tuple[int, int, bytes] | None) -> Client:
    addr = peer() if callable(peer) else peer
    source = addr[0] if addr else None
    if ecs is None:
        return Client(source)
    return Client(source, ecs_text(ecs), ecs[1])


@functools.lru_cache(maxsize=4096)
def ecs_text(ecs: tuple[int, int, bytes]) -> str:
    """The Client Subnet address as text (the Router's cache is keyed by it)."""
    family, _, raw = ecs
    if family == 1:
        return socket.inet_ntop(socket.AF_INET, raw.ljust(4, b"\x00"))
    return socket.inet_ntop(socket.AF_INET6, raw.ljust(16, b"\x00"))


class Leaf:
    __slots__ = ("turns",)

    def __init__(self, bodies: list[bytes]) -> None:
        self.turns: Iterator[bytes] = itertools.cycle(bodies)


class Step:
    """One group's selection; children by what it chose. `exact`: the selection returns the
    group's own RecordSet objects (a compiled Router), so their ids are a key.

    When the selection can state itself as a table (router.py `CompiledGroup.table`: a fixed
    answer or one weighted draw, valid while its source's `generation` stays put) and every
    outcome has a child, `dist` maps the draw straight to the child: the per-query work is then
    one random number and a comparison or two, with no call into the selection."""

    __slots__ = (
        "records",
        "select",
        "needs_client",
        "exact",
        "children",
        "lru",
        "saturated",
        "tabled",
        "owner",
        "gen",
        "dist",
        "rng",
        "draws",
        "total",
    )

    def __init__(self, records: Records, select: Callable[[Any], Records], needs_client: bool, exact: bool):
        self.records = records
        self.select = select
        self.needs_client = needs_client
        self.exact = exact
        self.children: dict[object, Node] = {}
        self.lru = False  # more than LRU_FROM children: hits move to the end (eviction order)
        self.saturated = False  # has evicted a child (see SATURATED)
        # the table form (see the class doc): `tabled` is None when the selection has none;
        # `owner` is whose `generation` the table holds for
        self.tabled: Any = select if exact and not needs_client and hasattr(select, "table") else None
        self.owner: Any = None
        self.gen = -1  # the generation `dist` was built for; -1: build on the next walk
        self.dist: tuple[tuple[int, Records, Node], ...] | None = None
        self.rng: Any = None
        self.draws = False
        self.total = 0

    def key(self, chosen: Records) -> object:
        if self.exact:
            return id(chosen[0]) if len(chosen) == 1 else frozenset(map(id, chosen))
        # any other selector: which of the group's members it chose (by position)
        return tuple(i for i, r in enumerate(self.records) if r in chosen)

    def put(self, key: object, node: Node) -> None:
        children = self.children
        if key not in children and len(children) >= CHOICES_MAX:
            del children[next(iter(children))]
            self.saturated = True
        children[key] = node
        self.lru = len(children) > LRU_FROM
        self.gen = -1  # a new child may complete the table

    def rebuild(self) -> None:
        """Refresh `dist` from the selection's current table (None if a child is missing)."""
        self.dist = None
        table = self.tabled.table()
        if table is None:
            self.tabled = None  # no table form for this group: never ask again
            return
        self.owner, self.gen, self.rng, self.draws, self.total, outcomes = table
        dist = []
        for bound, chosen in outcomes:
            child = self.children.get(self.key(chosen))
            if child is None:
                return
            dist.append((bound, chosen, child))
        self.dist = tuple(dist)


Node = Step | Leaf


def make_step(selector: Selector, records: Records) -> Step:
    compile_ = getattr(selector, "compile", None)
    if compile_ is not None:
        select = compile_(records)
        return Step(records, select, bool(getattr(select, "needs_client", True)), True)
    return Step(records, functools.partial(selector, records), True, False)


def walk(node: Node, peer: Peer, ecs: tuple[int, int, bytes] | None) -> bytes | list[Draw]:
    """The leaf's next response body for this query's choices; or, when the path is new, the
    choices made on it (for the slow path to reuse). A hit allocates no container (no GC work)."""
    if type(node) is Leaf:
        return next(node.turns)
    assert type(node) is Step
    client: Client | None = None
    path: list[Draw] | None = None
    while True:
        dist = node.dist
        if dist is not None and node.owner.generation == node.gen:
            entry = dist[0]
            if node.draws:  # policies.Choice.outcomes: the first bound above a uniform point
                point = node.rng.random() * node.total
                for entry in dist:
                    if point < entry[0]:
                        break  # (no break: the last entry, as the loop leaves it)
            _, chosen, child = entry
        else:
            if node.needs_client:
                if client is None:
                    client = make_client(peer, ecs)
                chosen = node.select(client)
            else:
                chosen = node.select(None)
            children = node.children
            k = id(chosen[0]) if node.exact and len(chosen) == 1 else node.key(chosen)
            found = children.get(k)
            if found is None:
                return SATURATED if node.saturated else [*(path or ()), (node.records, chosen)]
            child = found
            if node.lru:
                del children[k]
                children[k] = child
            if node.tabled is not None and (node.gen < 0 or node.gen != node.owner.generation):
                node.rebuild()
        if type(child) is Leaf:
            return next(child.turns)
        assert type(child) is Step
        if path is None:
            path = []
        path.append((node.records, chosen))
        node = child


class Recorder:
    """The selector as the slow path sees it: replays the choices the tree walk already drew
    (same group, same position), asks the real selector for the rest, and records every call."""

    def __init__(self, selector: Selector, script: list[Draw]) -> None:
        self.selector = selector
        self.script = script
        self.calls: list[Draw] = []

    def __call__(self, records: Records, client: Client) -> Records:
        i = len(self.calls)
        if i < len(self.script) and self.script[i][0] == records:
            chosen = self.script[i][1]
        else:
            chosen = self.selector(records, client)
        self.calls.append((self.script[i][0] if i < len(self.script) else records, chosen))
        return chosen


def insert(
    tree: dict[bytes, Node], key: bytes, calls: list[Draw], leaf: Leaf, selector: Selector | None
) -> bool:
    """Hang `leaf` under the path `calls` took; False when the tree disagrees (nothing stored)."""
    if not calls:
        if isinstance(tree.get(key), Step):
            return False
        tree[key] = leaf
        return True
    if selector is None:
        return False
    node = tree.get(key)
    if node is None:
        node = tree[key] = make_step(selector, calls[0][0])
    for i, (records, chosen) in enumerate(calls):
        if not isinstance(node, Step) or node.records != records:
            return False
        k = node.key(chosen)
        if i + 1 == len(calls):
            if isinstance(node.children.get(k), Step):
                return False
            node.put(k, leaf)
            return True
        child = node.children.get(k)
        if child is None:
            child = make_step(selector, calls[i + 1][0])
            node.put(k, child)
        node = child
    return False
