"""Projection expressions (and AttributesToGet): which parts of an item to return.

Paths are merged into a trie; applying it copies only the requested parts, keeping nesting, with
list elements compacted in index order and missing paths left out, as DynamoDB returns them.
Neighbours: scope.py (placeholders, overlap checks), legacy.py (AttributesToGet).
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.dynamodb.expressions.scope import Elements
from cloudlet.services.dynamodb.values import AttributeValue, Item

# A trie node: element -> child node, or None where the whole value is taken.
_Trie = dict[Any, Any]


class Projection:
    __slots__ = ("paths", "_trie", "names_used", "values_used")

    def __init__(self, paths: list[Elements], names_used: frozenset[str] = frozenset()) -> None:
        self.paths = paths
        self.names_used = names_used
        self.values_used: frozenset[str] = frozenset()
        trie: _Trie = {}
        for path in paths:
            node = trie
            for element in path[:-1]:
                child = node.get(element)
                if child is None:
                    child = node[element] = {}
                node = child
            node[path[-1]] = None
        self._trie = trie

    def top_level_names(self) -> set[str]:
        return {str(p[0]) for p in self.paths}

    def apply(self, item: Item) -> Item:
        out: Item = {}
        for name, child in self._trie.items():
            value = item.get(name)
            if value is None:
                continue
            projected = value if child is None else _project(value, child)
            if projected is not None:
                out[name] = projected
        return out


def _project(value: AttributeValue, trie: _Trie) -> AttributeValue | None:
    if "M" in value:
        members = value["M"]
        out: dict[str, AttributeValue] = {}
        for key, child in trie.items():
            if isinstance(key, int) or key not in members:
                continue
            projected = members[key] if child is None else _project(members[key], child)
            if projected is not None:
                out[key] = projected
        return {"M": out} if out else None
    if "L" in value:
        items = value["L"]
        kept: list[AttributeValue] = []
        for index in sorted(k for k in trie if isinstance(k, int)):
            if index < len(items):
                child = trie[index]
                projected = items[index] if child is None else _project(items[index], child)
                if projected is not None:
                    kept.append(projected)
        return {"L": kept} if kept else None
    return None
