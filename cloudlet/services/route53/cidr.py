"""CIDR collections (IP-based routing) as values, and CidrTable: the immutable lookup the routing
selector uses (collection id -> longest matching block -> location name).

Neighbours: cidr_api.py stores collections (namespace NS below) and publishes "route53.cidr";
the DNS plane rebuilds a CidrTable with `load_cidr_table(store)` on that event and passes it to
policies.choose(). No I/O here except load_cidr_table's one read transaction.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudlet.geo.model import IPNetwork

NS = "route53.cidr"  # key: collection id -> CidrCollection.to_doc()
EVENT = "route53.cidr"  # payload: {"collection_id": id, "seq": txn.seq}


@dataclass(frozen=True)
class CidrCollection:
    id: str
    name: str
    arn: str
    version: int
    caller_reference: str
    # location name -> CIDR blocks (normalized text, e.g. "192.0.2.0/24")
    locations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_doc(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "arn": self.arn,
            "version": self.version,
            "caller_reference": self.caller_reference,
            "locations": {k: list(v) for k, v in self.locations.items()},
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> CidrCollection:
        return cls(
            doc["id"],
            doc["name"],
            doc["arn"],
            int(doc["version"]),
            doc["caller_reference"],
            {k: tuple(v) for k, v in doc["locations"].items()},
        )


class CidrTable:
    """collection id -> blocks, probed longest prefix first with one dict lookup per length."""

    def __init__(self, collections: Iterable[CidrCollection] = ()) -> None:
        # collection id -> ip version -> prefix length -> {network int: location}
        self._tables: dict[str, dict[int, dict[int, dict[int, str]]]] = {}
        self._lengths: dict[str, dict[int, list[int]]] = {}
        for coll in collections:
            per_version: dict[int, dict[int, dict[int, str]]] = {4: {}, 6: {}}
            for location, blocks in coll.locations.items():
                for block in blocks:
                    net = ipaddress.ip_network(block, strict=False)
                    per_version[net.version].setdefault(net.prefixlen, {})[int(net.network_address)] = (
                        location
                    )
            self._tables[coll.id] = per_version
            self._lengths[coll.id] = {v: sorted(t, reverse=True) for v, t in per_version.items()}

    def __contains__(self, collection_id: object) -> bool:
        return collection_id in self._tables

    def location_for(self, collection_id: str, network: IPNetwork) -> str | None:
        """The location whose longest block contains `network` (a host is a /32 or /128).
        A block longer than the query's prefix does not match (AWS: the query prefix must be
        at least as long as the block)."""
        tables = self._tables.get(collection_id)
        if tables is None:
            return None
        v = network.version
        bits = 32 if v == 4 else 128
        n = int(network.network_address)
        for length in self._lengths[collection_id][v]:
            if length > network.prefixlen:
                continue
            mask = ((1 << length) - 1) << (bits - length) if length else 0
            loc = tables[v][length].get(n & mask)
            if loc is not None:
                return loc
        return None


EMPTY_CIDR = CidrTable()


def load_cidr_table(store: Any) -> CidrTable:
    """Build the table from every stored collection (one read transaction)."""
    with store.read() as txn:
        docs = [CidrCollection.from_doc(json.loads(v)) for _, v in txn.scan(NS)]
    return CidrTable(docs)
