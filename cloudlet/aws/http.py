"""Plain HTTP request/response values passed between the HTTP server (httpserver.py), the gateway
and the protocol layer."""

from __future__ import annotations

from dataclasses import dataclass, field


class Headers:
    """Case-insensitive multi-dict of HTTP headers, preserving order."""

    __slots__ = ("_items", "_index")

    def __init__(self, items: list[tuple[str, str]] | dict[str, str] | None = None) -> None:
        if items is None:
            items = []
        elif isinstance(items, dict):
            items = list(items.items())
        self._items: list[tuple[str, str]] = list(items)
        # lower-cased name -> first value, built on the first lookup (a request sees several)
        self._index: dict[str, str] | None = None

    def get(self, name: str, default: str | None = None) -> str | None:
        index = self._index
        if index is None:
            index = {}
            for k, v in self._items:
                index.setdefault(k.lower(), v)
            self._index = index
        return index.get(name.lower(), default)

    def get_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self._items if k.lower() == lname]

    def __getitem__(self, name: str) -> str:
        v = self.get(name)
        if v is None:
            raise KeyError(name)
        return v

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __setitem__(self, name: str, value: str) -> None:
        lname = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != lname]
        self._items.append((name, value))
        self._index = None

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))
        self._index = None

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(k for k, _ in self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass
class HttpRequest:
    method: str
    path: str  # raw (still percent-encoded) path, without the query string
    query_string: str = ""  # raw query string, without '?'
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    client: tuple[str, int] | None = None


@dataclass
class HttpResponse:
    status: int = 200
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
