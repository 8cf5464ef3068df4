"""Route 53 persistence: hosted zones, record sets, changes, delegation sets and tags in the store.

Read functions for the data planes (the DNS server codes against these): `list_zones`, `get_zone`,
`zone_snapshot`, `all_snapshots` — they take any Txn (read or write) and return model.py values.
Everything else is used by api.py inside its own transactions.

Namespaces (all "route53.*"; Route 53 is global, so keys carry the account, not a region):
  route53.zones          <zone_id>                                    -> zone doc
  route53.account_zones  <account>/<zone_id>                          -> b""
  route53.zones_by_name  <account>/<reversed name>\\0<zone_id>         -> b""
  route53.rrsets         <zone_id>/<reversed name>\\0<type>\\0<set id>  -> record set doc
  route53.changes        <change_id>                                  -> change doc
  route53.caller_refs    <account>/<kind>/<caller reference>          -> resource id
  route53.delegation_sets <set_id>                                    -> delegation set doc
  route53.tags           <account>/<resource type>/<resource id>      -> [[key, value], ...]
Record-set keys sort exactly as ListResourceRecordSets lists (names.sort_key, then type, then
SetIdentifier), so listing and pagination are range scans.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cloudlet.services.route53 import names
from cloudlet.services.route53.model import (
    AliasTarget,
    CidrRouting,
    GeoLocation,
    GeoProximity,
    HostedZone,
    RecordSet,
    ZoneSnapshot,
)
from cloudlet.store import Txn
from cloudlet.store.base import prefix_end

ZONES = "route53.zones"
ACCOUNT_ZONES = "route53.account_zones"
ZONES_BY_NAME = "route53.zones_by_name"
RRSETS = "route53.rrsets"
CHANGES = "route53.changes"
CALLER_REFS = "route53.caller_refs"
DELEGATION_SETS = "route53.delegation_sets"
TAGS = "route53.tags"

# -- documents <-> model values -------------------------------------------------------------------


def zone_to_doc(z: HostedZone) -> dict[str, Any]:
    return {
        "id": z.id,
        "name": z.name,
        "caller_reference": z.caller_reference,
        "comment": z.comment,
        "private": z.private,
        "name_servers": list(z.name_servers),
        "delegation_set_id": z.delegation_set_id,
        "vpcs": [list(v) for v in z.vpcs],
        "created": z.created,
        "record_count": z.record_count,
        "linked_service": z.linked_service,
        "account_id": z.account_id,
    }


def zone_from_doc(d: dict[str, Any]) -> HostedZone:
    return HostedZone(
        id=d["id"],
        name=d["name"],
        caller_reference=d["caller_reference"],
        comment=d.get("comment"),
        private=bool(d.get("private", False)),
        name_servers=tuple(d.get("name_servers", ())),
        delegation_set_id=d.get("delegation_set_id"),
        vpcs=tuple((v[0], v[1]) for v in d.get("vpcs", ())),
        created=float(d.get("created", 0.0)),
        record_count=int(d.get("record_count", 0)),
        linked_service=d.get("linked_service"),
        account_id=d.get("account_id", ""),
    )


def rrset_to_doc(r: RecordSet) -> dict[str, Any]:
    d: dict[str, Any] = {"name": r.name, "type": r.type}
    if r.ttl is not None:
        d["ttl"] = r.ttl
    if r.values:
        d["values"] = list(r.values)
    if r.alias is not None:
        d["alias"] = [r.alias.hosted_zone_id, r.alias.dns_name, r.alias.evaluate_target_health]
    for key in ("set_identifier", "weight", "region", "failover", "multivalue_answer", "health_check_id"):
        v = getattr(r, key)
        if v is not None:
            d[key] = v
    if r.geolocation is not None:
        g = r.geolocation
        d["geolocation"] = [g.continent_code, g.country_code, g.subdivision_code]
    if r.geoproximity is not None:
        p = r.geoproximity
        d["geoproximity"] = [p.aws_region, p.local_zone_group, p.latitude, p.longitude, p.bias]
    if r.cidr_routing is not None:
        d["cidr_routing"] = [r.cidr_routing.collection_id, r.cidr_routing.location_name]
    return d


def rrset_from_doc(d: dict[str, Any]) -> RecordSet:
    alias = d.get("alias")
    geo = d.get("geolocation")
    prox = d.get("geoproximity")
    cidr = d.get("cidr_routing")
    return RecordSet(
        name=d["name"],
        type=d["type"],
        ttl=d.get("ttl"),
        values=tuple(d.get("values", ())),
        alias=AliasTarget(alias[0], alias[1], bool(alias[2])) if alias else None,
        set_identifier=d.get("set_identifier"),
        weight=d.get("weight"),
        region=d.get("region"),
        failover=d.get("failover"),
        geolocation=GeoLocation(geo[0], geo[1], geo[2]) if geo else None,
        geoproximity=GeoProximity(prox[0], prox[1], prox[2], prox[3], prox[4]) if prox else None,
        multivalue_answer=d.get("multivalue_answer"),
        cidr_routing=CidrRouting(cidr[0], cidr[1]) if cidr else None,
        health_check_id=d.get("health_check_id"),
    )


# -- keys -------------------------------------------------------------------------------------------


def rrset_key(zone_id: str, name: str, rtype: str, set_identifier: str | None) -> str:
    return f"{zone_id}/{names.sort_key(name)}\x00{rtype}\x00{set_identifier or ''}"


def _rrset_prefix(zone_id: str) -> bytes:
    return f"{zone_id}/".encode()


# -- read functions for data planes -----------------------------------------------------------------


def get_zone(txn: Txn, zone_id: str) -> HostedZone | None:
    doc = txn.get_doc(ZONES, zone_id)
    return None if doc is None else zone_from_doc(doc)


def list_zones(txn: Txn) -> list[HostedZone]:
    """Every hosted zone of every account, ordered by zone id."""
    return [zone_from_doc(_json(v)) for _, v in txn.scan(ZONES)]


def zone_snapshot(txn: Txn, zone_id: str) -> ZoneSnapshot | None:
    zone = get_zone(txn, zone_id)
    if zone is None:
        return None
    return ZoneSnapshot(zone=zone, record_sets=tuple(iter_rrsets(txn, zone_id)))


def all_snapshots(txn: Txn) -> list[ZoneSnapshot]:
    out = []
    for zone in list_zones(txn):
        out.append(ZoneSnapshot(zone=zone, record_sets=tuple(iter_rrsets(txn, zone.id))))
    return out


# -- zones ------------------------------------------------------------------------------------------


def put_zone(txn: Txn, zone: HostedZone) -> None:
    old = get_zone(txn, zone.id)
    if old is not None and old.name != zone.name:
        txn.delete(ZONES_BY_NAME, _by_name_key(old))
    txn.put_doc(ZONES, zone.id, zone_to_doc(zone))
    txn.put(ACCOUNT_ZONES, f"{zone.account_id}/{zone.id}", b"")
    txn.put(ZONES_BY_NAME, _by_name_key(zone), b"")


def delete_zone(txn: Txn, zone: HostedZone) -> None:
    txn.delete(ZONES, zone.id)
    txn.delete(ACCOUNT_ZONES, f"{zone.account_id}/{zone.id}")
    txn.delete(ZONES_BY_NAME, _by_name_key(zone))
    start = _rrset_prefix(zone.id)
    txn.delete_range(RRSETS, start, prefix_end(start))
    txn.delete(TAGS, f"{zone.account_id}/hostedzone/{zone.id}")


def _by_name_key(zone: HostedZone) -> str:
    return f"{zone.account_id}/{names.sort_key(zone.name)}\x00{zone.id}"


def account_zone_ids(txn: Txn, account: str, after: str = "", limit: int | None = None) -> list[str]:
    """Zone ids of `account` in id order, strictly after `after` when given."""
    prefix = f"{account}/".encode()
    start = prefix + after.encode() + b"\x00" if after else prefix
    return [
        k[len(prefix) :].decode() for k, _ in txn.scan(ACCOUNT_ZONES, start, prefix_end(prefix), limit=limit)
    ]


def account_zones(txn: Txn, account: str) -> list[HostedZone]:
    out = []
    for zid in account_zone_ids(txn, account):
        z = get_zone(txn, zid)
        if z is not None:
            out.append(z)
    return out


def zones_by_name(
    txn: Txn, account: str, start_name: str | None, start_id: str | None, limit: int
) -> list[str]:
    """Zone ids of `account` in (reversed name, id) order, from (start_name, start_id) on."""
    prefix = f"{account}/".encode()
    start = prefix
    if start_name is not None:
        start = prefix + names.sort_key(start_name).encode() + b"\x00" + (start_id or "").encode()
    out = []
    for k, _ in txn.scan(ZONES_BY_NAME, start, prefix_end(prefix), limit=limit):
        out.append(k.rsplit(b"\x00", 1)[1].decode())
    return out


# -- record sets -----------------------------------------------------------------------------------


def iter_rrsets(
    txn: Txn, zone_id: str, start: str | None = None, limit: int | None = None
) -> list[RecordSet]:
    prefix = _rrset_prefix(zone_id)
    begin = start.encode() if start is not None else prefix
    return [rrset_from_doc(_json(v)) for _, v in txn.scan(RRSETS, begin, prefix_end(prefix), limit=limit)]


def get_rrset(txn: Txn, zone_id: str, name: str, rtype: str, set_identifier: str | None) -> RecordSet | None:
    doc = txn.get_doc(RRSETS, rrset_key(zone_id, name, rtype, set_identifier))
    return None if doc is None else rrset_from_doc(doc)


def rrsets_at(txn: Txn, zone_id: str, name: str) -> list[RecordSet]:
    """Every record set (any type, any set identifier) at one name."""
    prefix = f"{zone_id}/{names.sort_key(name)}\x00".encode()
    return [rrset_from_doc(_json(v)) for _, v in txn.scan(RRSETS, prefix, prefix_end(prefix))]


def put_rrset(txn: Txn, zone_id: str, r: RecordSet) -> None:
    txn.put_doc(RRSETS, rrset_key(zone_id, r.name, r.type, r.set_identifier), rrset_to_doc(r))


def delete_rrset(txn: Txn, zone_id: str, r: RecordSet) -> bool:
    return txn.delete(RRSETS, rrset_key(zone_id, r.name, r.type, r.set_identifier))


# -- changes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    id: str
    account_id: str
    zone_id: str | None
    seq: int
    submitted: float
    comment: str | None = None


def put_change(txn: Txn, c: Change) -> None:
    txn.put_doc(
        CHANGES,
        c.id,
        {"account": c.account_id, "zone": c.zone_id, "seq": c.seq, "at": c.submitted, "comment": c.comment},
    )


def get_change(txn: Txn, change_id: str) -> Change | None:
    d = txn.get_doc(CHANGES, change_id)
    if d is None:
        return None
    return Change(change_id, d["account"], d.get("zone"), int(d["seq"]), float(d["at"]), d.get("comment"))


# -- caller references, delegation sets, tags ---------------------------------------------------------


def get_caller_ref(txn: Txn, account: str, kind: str, ref: str) -> str | None:
    raw = txn.get(CALLER_REFS, f"{account}/{kind}/{ref}")
    return None if raw is None else raw.decode()


def put_caller_ref(txn: Txn, account: str, kind: str, ref: str, resource_id: str) -> None:
    txn.put(CALLER_REFS, f"{account}/{kind}/{ref}", resource_id.encode())


def delete_caller_ref(txn: Txn, account: str, kind: str, ref: str) -> None:
    txn.delete(CALLER_REFS, f"{account}/{kind}/{ref}")


@dataclass(frozen=True)
class DelegationSet:
    id: str
    account_id: str
    caller_reference: str
    name_servers: tuple[str, ...]


def put_delegation_set(txn: Txn, d: DelegationSet) -> None:
    txn.put_doc(
        DELEGATION_SETS,
        d.id,
        {
            "account": d.account_id,
            "caller_reference": d.caller_reference,
            "name_servers": list(d.name_servers),
        },
    )


def get_delegation_set(txn: Txn, set_id: str) -> DelegationSet | None:
    d = txn.get_doc(DELEGATION_SETS, set_id)
    if d is None:
        return None
    return DelegationSet(set_id, d["account"], d["caller_reference"], tuple(d["name_servers"]))


def list_delegation_sets(txn: Txn, account: str) -> list[DelegationSet]:
    out = []
    for k, v in txn.scan(DELEGATION_SETS):
        d = _json(v)
        if d["account"] == account:
            out.append(DelegationSet(k.decode(), account, d["caller_reference"], tuple(d["name_servers"])))
    return out


def delete_delegation_set(txn: Txn, d: DelegationSet) -> None:
    txn.delete(DELEGATION_SETS, d.id)  # its caller reference stays taken, as a hosted zone's does


def get_tags(txn: Txn, account: str, resource_type: str, resource_id: str) -> list[tuple[str, str]]:
    doc = txn.get_doc(TAGS, f"{account}/{resource_type}/{resource_id}")
    return [(k, v) for k, v in (doc or [])]


def put_tags(
    txn: Txn, account: str, resource_type: str, resource_id: str, tags: list[tuple[str, str]]
) -> None:
    key = f"{account}/{resource_type}/{resource_id}"
    if tags:
        txn.put_doc(TAGS, key, [list(t) for t in tags])
    else:
        txn.delete(TAGS, key)


def _json(raw: bytes) -> Any:
    return json.loads(raw)
