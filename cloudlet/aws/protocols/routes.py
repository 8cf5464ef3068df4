"""REST operation routing: HTTP method + path + query string -> the operation whose requestUri fits.

Each requestUri template ("/2013-04-01/hostedzone/{Id}/rrset", "/{Bucket}/{Key+}?uploads",
"/{Bucket}?list-type=2") compiles to a regex plus required query literals. When several operations
fit (S3's PutObject / UploadPart / CopyObject share a template), the one whose required query-string
and header members are all present and most numerous wins, then the most specific template.
Neighbours: rest.py (reads the members once the operation is known).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from botocore.model import OperationModel

from cloudlet.aws.http import HttpRequest

_LABEL = re.compile(r"\{([^}]+?)(\+?)\}")


@dataclass
class Route:
    op: OperationModel
    regex: re.Pattern[str]
    labels: list[tuple[str, bool]]  # (locationName, greedy)
    query_literals: dict[str, str | None]  # key -> required value (None: present with any value)
    required_query: list[str] = field(default_factory=list)
    required_headers: list[str] = field(default_factory=list)
    rank: tuple[int, int, int, int, str] = (0, 0, 0, 0, "")

    def labels_from(self, match: re.Match[str]) -> dict[str, str]:
        return {name: unquote(match.group(i + 1)) for i, (name, _) in enumerate(self.labels)}


def compile_route(op: OperationModel) -> Route:
    uri = op.http.get("requestUri", "/")
    path, _, query = uri.partition("?")
    pattern = ["^"]
    labels: list[tuple[str, bool]] = []
    literal_chars = 0
    pos = 0
    for m in _LABEL.finditer(path):
        literal = path[pos : m.start()]
        literal_chars += len(literal)
        pattern.append(re.escape(literal))
        greedy = bool(m.group(2))
        pattern.append("(.+)" if greedy else "([^/]+)")
        labels.append((m.group(1), greedy))
        pos = m.end()
    tail = path[pos:]
    literal_chars += len(tail)
    pattern.append(re.escape(tail.rstrip("/")))
    pattern.append("/?$")
    literals: dict[str, str | None] = {}
    for part in query.split("&") if query else []:
        key, sep, value = part.partition("=")
        literals[key] = value if sep else None
    route = Route(op, re.compile("".join(pattern), re.DOTALL), labels, literals)
    shape = op.input_shape
    if shape is not None:
        for name in shape.required_members:
            member = shape.members.get(name)
            if member is None:
                continue
            where = member.serialization.get("location")
            if where == "querystring":
                route.required_query.append(member.serialization.get("name", name))
            elif where == "header":
                route.required_headers.append(member.serialization.get("name", name))
    greedy_count = sum(1 for _, g in labels if g)
    route.rank = (
        len(literals),
        literal_chars,
        -greedy_count,
        0 if op.deprecated else 1,
        op.name,
    )
    return route


class Router:
    """All REST routes of one service, grouped by HTTP method."""

    def __init__(self, ops: list[OperationModel]) -> None:
        self._by_method: dict[str, list[Route]] = {}
        for op in ops:
            route = compile_route(op)
            self._by_method.setdefault(op.http.get("method", "POST").upper(), []).append(route)
        for routes in self._by_method.values():
            # most specific first; ties broken by operation name so routing is deterministic
            routes.sort(key=lambda r: (-r.rank[0], -r.rank[1], -r.rank[2], -r.rank[3], r.rank[4]))

    def match(
        self, req: HttpRequest, path: str, query: dict[str, list[str]]
    ) -> tuple[Route, dict[str, str]] | None:
        best: tuple[int, int, Route, re.Match[str]] | None = None
        # a route whose template fits but whose required query/header members are missing: used when
        # nothing else fits, so validation can name the missing member
        loose: tuple[Route, re.Match[str]] | None = None
        for order, route in enumerate(self._by_method.get(req.method.upper(), ())):
            m = route.regex.match(path)
            if m is None:
                continue
            if not all(k in query and (v is None or v in query[k]) for k, v in route.query_literals.items()):
                continue
            if not all(q in query for q in route.required_query) or not all(
                h in req.headers for h in route.required_headers
            ):
                if loose is None:
                    loose = (route, m)
                continue
            # rank: literal query keys, then how many required members this request satisfies
            score = len(route.query_literals) * 1000 + len(route.required_query) + len(route.required_headers)
            if best is None or score > best[0] or (score == best[0] and order < best[1]):
                best = (score, order, route, m)
        if best is not None:
            return best[2], best[2].labels_from(best[3])
        if loose is not None:
            return loose[0], loose[0].labels_from(loose[1])
        return None
