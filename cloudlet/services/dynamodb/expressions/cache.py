"""A small thread-safe LRU of compiled expressions, keyed by everything that shapes them.

A request's expression text, its ExpressionAttributeNames and the types of its
ExpressionAttributeValues (with the few values validation reads: see __init__.py) determine the
compiled object, which is immutable and gets each request's values bound to it, so every request
of a shape skips tokenizing, validation and compilation, whatever its values. Keys are built with
repr() of the maps (the wire parser gives plain dicts, lists, str, bytes, bool); oversized keys
are simply not cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
MAX_ENTRIES = 2048
MAX_KEY_CHARS = 4096


class CompiledCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get_or_build(self, key_parts: tuple[Any, ...], build: Callable[[], T]) -> T:
        key = tuple(p if isinstance(p, str) or p is None else repr(p) for p in key_parts)
        if sum(len(p) for p in key if p is not None) > MAX_KEY_CHARS:
            return build()
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found  # type: ignore[no-any-return]
        built = build()
        with self._lock:
            self._entries[key] = built
            if len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return built
