"""Answering one question from the compiled zones: RFC 1034 §4.3.2 as a value-returning function.

`resolve(view, qname, qtype, client, selector)` returns an `Answer` — the outcome (SUCCESS /
NXDOMAIN / NODATA / DELEGATION / REFUSED), the AA bit and the three sections as (owner, rdataset)
pairs — and never raises for protocol outcomes. Wire concerns (EDNS, truncation, caching) live in
wire.py; the zones come from view.py / compiler.py. Routing policies enter only through
`selector`, called for groups that are not static; any answer that consulted one is marked
not cacheable.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype

from cloudlet.services.dns.compiler import WILDCARD, CompiledZone, Group
from cloudlet.services.route53.model import RecordSet

MAX_CHAIN = 8  # CNAME hops followed, and alias levels resolved, before giving up
RRs = list[tuple[dns.name.Name, dns.rdataset.Rdataset]]


class Outcome(enum.Enum):
    SUCCESS = "SUCCESS"
    NXDOMAIN = "NXDOMAIN"
    NODATA = "NODATA"
    DELEGATION = "DELEGATION"
    REFUSED = "REFUSED"


class Client(NamedTuple):
    """Who asks: the source address, and the EDNS Client Subnet when the query carried one.
    (A tuple: built per routed query on the fast path, where a frozen dataclass costs ~1 us.)"""

    address: str | None = None
    ecs_address: str | None = None
    ecs_prefix: int = 0


# (group members, client) -> the members to answer with. The routing-policy module plugs in here.
Selector = Callable[[tuple[RecordSet, ...], Client], tuple[RecordSet, ...]]


class ZoneIndex(Protocol):
    def find_zone(self, qname: dns.name.Name) -> CompiledZone | None: ...


@dataclass
class Answer:
    outcome: Outcome
    rcode: int = dns.rcode.NOERROR
    aa: bool = True
    answer: RRs = field(default_factory=list)
    authority: RRs = field(default_factory=list)
    additional: RRs = field(default_factory=list)
    zone: CompiledZone | None = None
    cacheable: bool = True  # False when a routing selector took part


@dataclass
class _Ctx:
    view: ZoneIndex
    client: Client
    selector: Selector | None
    cacheable: bool = True


def resolve(
    view: ZoneIndex,
    qname: dns.name.Name,
    qtype: int,
    client: Client | None = None,
    selector: Selector | None = None,
) -> Answer:
    ctx = _Ctx(view, client or Client(), selector)
    zone = _zone_for(view, qname, qtype)
    if zone is None:
        return Answer(Outcome.REFUSED, dns.rcode.REFUSED, aa=False)
    result = _lookup(ctx, zone, qname, qtype)
    result.zone = zone
    seen = {qname}
    target = _cname_target(result, qtype)
    hops = 0
    while target is not None and target not in seen and hops < MAX_CHAIN:
        hops += 1
        seen.add(target)
        next_zone = _zone_for(view, target, qtype)
        if next_zone is None:
            break  # outside what we serve: the resolver follows it
        step = _lookup(ctx, next_zone, target, qtype)
        if step.outcome is Outcome.DELEGATION:
            break
        result.answer.extend(step.answer)
        result.outcome, result.rcode = step.outcome, step.rcode
        result.authority = step.authority
        result.additional = step.additional
        target = _cname_target(step, qtype)
    if result.outcome is Outcome.NODATA and result.answer:
        result.outcome = Outcome.SUCCESS  # a CNAME chain ending in NODATA is still an answer
    apex_ns_question = qtype == dns.rdatatype.NS and qname == zone.origin
    if result.outcome is Outcome.SUCCESS and not result.authority and zone.apex_ns and not apex_ns_question:
        result.authority.append((zone.origin, zone.apex_ns))
    _add_additional(ctx, result)
    result.cacheable = ctx.cacheable
    return result


def _zone_for(view: ZoneIndex, qname: dns.name.Name, qtype: int) -> CompiledZone | None:
    zone = view.find_zone(qname)
    # DS lives on the parent side of a cut (RFC 4035 §3.1.4.1)
    if zone is not None and qtype == dns.rdatatype.DS and qname == zone.origin and len(qname) > 1:
        parent = view.find_zone(qname.parent())
        if parent is not None:
            return parent
    return zone


def _cname_target(ans: Answer, qtype: int) -> dns.name.Name | None:
    if qtype in (dns.rdatatype.CNAME, dns.rdatatype.ANY) or not ans.answer:
        return None
    owner, rds = ans.answer[-1]
    if rds.rdtype != dns.rdatatype.CNAME or not rds:
        return None
    return rds[0].target  # type: ignore[no-any-return,attr-defined]


def _negative(zone: CompiledZone, outcome: Outcome) -> Answer:
    rcode = dns.rcode.NXDOMAIN if outcome is Outcome.NXDOMAIN else dns.rcode.NOERROR
    ans = Answer(outcome, rcode)
    if zone.negative_soa is not None:
        ans.authority.append((zone.origin, zone.negative_soa))
    return ans


def _lookup(ctx: _Ctx, zone: CompiledZone, qname: dns.name.Name, qtype: int) -> Answer:
    if zone.cuts:
        referral = _referral(ctx, zone, qname, qtype)
        if referral is not None:
            return referral
    node = zone.nodes.get(qname)
    if node is None:
        if qname in zone.names:
            return _negative(zone, Outcome.NODATA)  # empty non-terminal
        encloser = qname.parent()
        while encloser not in zone.names and len(encloser) > len(zone.origin):
            encloser = encloser.parent()
        wildcard = dns.name.Name((WILDCARD, *encloser.labels))
        node = zone.nodes.get(wildcard)
        if node is None:
            # an empty non-terminal wildcard still exists: NODATA (RFC 4592 §2.2.2)
            return _negative(zone, Outcome.NODATA if wildcard in zone.names else Outcome.NXDOMAIN)
    if qtype == dns.rdatatype.ANY:  # RFC 8482: one RRset is enough
        qtype = min(node)
    group = node.get(qtype)
    if group is None and qtype != dns.rdatatype.CNAME:
        group = node.get(dns.rdatatype.CNAME)
    if group is not None:
        rds = materialize(ctx, group, 0)
        if rds is not None:
            return Answer(Outcome.SUCCESS, answer=[(qname, rds)])
    return _negative(zone, Outcome.NODATA)


def _referral(ctx: _Ctx, zone: CompiledZone, qname: dns.name.Name, qtype: int) -> Answer | None:
    for k in range(len(zone.origin) + 1, len(qname) + 1):
        cut = qname.split(k)[1] if k < len(qname) else qname
        if cut not in zone.cuts:
            continue
        if cut == qname and qtype == dns.rdatatype.DS:
            return None  # the parent answers DS at the cut
        group = zone.group(cut, dns.rdatatype.NS)
        if group is None or group.members[0].rdataset is None:
            return None
        ns = group.members[0].rdataset
        ans = Answer(Outcome.DELEGATION, aa=False, authority=[(cut, ns)])
        for rd in ns:
            target = rd.target  # type: ignore[attr-defined]
            if target.is_subdomain(cut):  # in-bailiwick glue only
                for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                    g = zone.group(target, rdtype)
                    if g is not None:
                        rds = materialize(ctx, g, 0)
                        if rds is not None:
                            ans.additional.append((target, rds))
        return ans
    return None


def materialize(ctx: _Ctx, group: Group, depth: int) -> dns.rdataset.Rdataset | None:
    """The data a group answers with for this client: selected members, aliases resolved."""
    if group.static:
        return group.members[0].rdataset
    members = group.members
    if len(members) > 1 or members[0].record.policy != "simple":
        ctx.cacheable = False
        if ctx.selector is not None:
            chosen = set(ctx.selector(group.records, ctx.client))
            members = tuple(m for m in members if m.record in chosen)
    out: dns.rdataset.Rdataset | None = None
    for m in members:
        rds = m.rdataset if m.alias_target is None else _alias(ctx, m.alias_target, group.rdtype, depth)
        if rds is None:
            continue
        if out is None:
            out = dns.rdataset.Rdataset(dns.rdataclass.IN, rds.rdtype, ttl=rds.ttl)
            out.update(rds)
            out.ttl = rds.ttl
        else:
            out.update(rds)
    return out


def _alias(ctx: _Ctx, target: dns.name.Name, rdtype: int, depth: int) -> dns.rdataset.Rdataset | None:
    """An alias answers as if its target were queried (same name and type), with its TTL."""
    if depth >= MAX_CHAIN:
        return None
    zone = ctx.view.find_zone(target)
    if zone is None:
        return None
    group = zone.group(target, rdtype)
    return None if group is None else materialize(ctx, group, depth + 1)


_ADDITIONAL_TARGET = {
    dns.rdatatype.MX: "exchange",
    dns.rdatatype.NS: "target",
    dns.rdatatype.SRV: "target",
}


def _add_additional(ctx: _Ctx, ans: Answer) -> None:
    if ans.outcome is not Outcome.SUCCESS:
        return
    have = {(n, r.rdtype) for n, r in ans.answer}
    for _, rds in ans.answer + ans.authority:
        attr = _ADDITIONAL_TARGET.get(rds.rdtype)
        if attr is None:
            continue
        for rd in rds:
            target = getattr(rd, attr)
            zone = ctx.view.find_zone(target)
            if zone is None:
                continue
            for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                g = zone.group(target, rdtype)
                if g is None or (target, rdtype) in have:
                    continue
                data = materialize(ctx, g, 0)
                if data is not None:
                    have.add((target, rdtype))
                    ans.additional.append((target, data))
