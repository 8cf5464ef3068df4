"""Compile a Route 53 ZoneSnapshot (model.py) into the in-memory form the answer path walks.

A compiled zone maps each owner name to its groups: one `Group` per (name, type), holding every
record set of that name and type (a simple record set, or the members of one routing policy).
A group is *static* when the answer cannot depend on who asks (one simple, non-alias record set):
its wire answer is cached after the first query. Everything else is answered through the
selector hook at query time (authoritative.py). Neighbours: names.py (value parsing), view.py
(holds the compiled zones), authoritative.py (reads them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype

from cloudlet.services.dns.names import to_name, to_rdata
from cloudlet.services.route53.model import RecordSet, ZoneSnapshot

log = logging.getLogger("cloudlet.dns.compiler")

WILDCARD = b"*"


@dataclass(frozen=True)
class Member:
    """One record set of a group, with its data in wire-ready form."""

    record: RecordSet
    rdataset: dns.rdataset.Rdataset | None  # None for an alias
    alias_target: dns.name.Name | None = None


@dataclass(frozen=True)
class Group:
    rdtype: int
    members: tuple[Member, ...]

    @property
    def static(self) -> bool:
        return (
            len(self.members) == 1
            and self.members[0].rdataset is not None
            and (self.members[0].record.policy == "simple")
        )

    @property
    def records(self) -> tuple[RecordSet, ...]:
        return tuple(m.record for m in self.members)


@dataclass
class CompiledZone:
    zone_id: str
    origin: dns.name.Name
    created: float
    private: bool
    nodes: dict[dns.name.Name, dict[int, Group]] = field(default_factory=dict)
    names: set[dns.name.Name] = field(default_factory=set)  # owner names and empty non-terminals
    cuts: set[dns.name.Name] = field(default_factory=set)  # delegation points (NS below the apex)
    soa: dns.rdataset.Rdataset | None = None
    negative_soa: dns.rdataset.Rdataset | None = None  # the SOA with the RFC 2308 negative TTL
    apex_ns: dns.rdataset.Rdataset | None = None

    def group(self, name: dns.name.Name, rdtype: int) -> Group | None:
        node = self.nodes.get(name)
        return None if node is None else node.get(rdtype)


def compile_zone(snapshot: ZoneSnapshot) -> CompiledZone:
    """Build the compiled form; record sets whose data cannot be parsed are skipped and logged."""
    zone = snapshot.zone
    origin = to_name(zone.name)
    cz = CompiledZone(zone.id, origin, zone.created, zone.private)
    grouped: dict[tuple[dns.name.Name, int], list[Member]] = {}
    for rs in snapshot.record_sets:
        member = _member(rs, origin)
        if member is None:
            continue
        owner = to_name(rs.name)
        grouped.setdefault((owner, dns.rdatatype.from_text(rs.type)), []).append(member)
    for (owner, rdtype), members in grouped.items():
        members.sort(key=lambda m: m.record.set_identifier or "")
        cz.nodes.setdefault(owner, {})[rdtype] = Group(rdtype, tuple(members))
        name = owner
        while name != origin and name.is_subdomain(origin):
            cz.names.add(name)
            name = name.parent()
        cz.names.add(origin)
        if rdtype == dns.rdatatype.NS and owner != origin:
            cz.cuts.add(owner)
    apex = cz.nodes.get(origin, {})
    soa_group = apex.get(dns.rdatatype.SOA)
    if soa_group and soa_group.members[0].rdataset is not None:
        soa = soa_group.members[0].rdataset
        cz.soa = soa
        neg = dns.rdataset.Rdataset(soa.rdclass, soa.rdtype)
        neg.update(soa)
        neg.ttl = min(soa.ttl, soa[0].minimum)  # type: ignore[attr-defined]
        cz.negative_soa = neg
    ns_group = apex.get(dns.rdatatype.NS)
    if ns_group and ns_group.members[0].rdataset is not None:
        cz.apex_ns = ns_group.members[0].rdataset
    return cz


def _member(rs: RecordSet, origin: dns.name.Name) -> Member | None:
    try:
        owner = to_name(rs.name)
        rdtype = dns.rdatatype.from_text(rs.type)
        if not owner.is_subdomain(origin):
            raise ValueError(f"{rs.name} is outside {origin}")
        if rs.alias is not None:
            return Member(rs, None, to_name(rs.alias.dns_name))
        rds = dns.rdataset.Rdataset(dns.rdataclass.IN, rdtype, ttl=rs.ttl or 0)
        for value in rs.values:
            rds.add(to_rdata(rdtype, value))
        rds.ttl = rs.ttl or 0
        return Member(rs, rds)
    except (dns.exception.DNSException, ValueError, UnicodeError) as exc:
        log.warning("skipping record set %s %s: %s", rs.name, rs.type, exc)
        return None
