"""The set of compiled zones one DNS server answers from, replaced whole on every change.

A `View` is never mutated after it is built: a change produces a new View (sharing the compiled
zones that did not change) and the engine swaps it in with one assignment, so a query sees
either the old zones or the new ones, never a mix. Same-name hosted zones: the listener answers
from a public zone before a private one, then from the one created first (ties broken by zone
id); the others are kept (TestDNSAnswer can still ask them) and take over when it is deleted. Neighbours: compiler.py builds the zones, engine.py holds the current View.
"""

from __future__ import annotations

from collections.abc import Iterable

import dns.name

from cloudlet.services.dns.compiler import CompiledZone


class View:
    def __init__(self, zones: Iterable[CompiledZone] = ()) -> None:
        self.by_id: dict[str, CompiledZone] = {z.zone_id: z for z in zones}
        self.by_name: dict[dns.name.Name, CompiledZone] = {}
        for z in sorted(self.by_id.values(), key=lambda z: (z.private, z.created, z.zone_id)):
            self.by_name.setdefault(z.origin, z)

    def find_zone(self, qname: dns.name.Name) -> CompiledZone | None:
        """The most specific served zone containing qname."""
        by_name = self.by_name
        name = qname
        while True:
            zone = by_name.get(name)
            if zone is not None:
                return zone
            if len(name) <= 1:
                return None
            name = name.parent()

    def replace(self, zone_id: str, zone: CompiledZone | None) -> View:
        """A new View with `zone_id` replaced by `zone` (or removed when None)."""
        zones = [z for zid, z in self.by_id.items() if zid != zone_id]
        if zone is not None:
            zones.append(zone)
        return View(zones)

    def __len__(self) -> int:
        return len(self.by_id)
