"""One ResourceRecordSet between the wire and the model: `parse` turns the botocore-shaped dict of a
Change into a RecordSet (refusing malformed structure with InvalidInput, returning per-record
problems for InvalidChangeBatch), `render` turns a RecordSet back into the ListResourceRecordSets
shape. Batch-level rules (existence, conflicts, policy groups, aliases) live in changes.py.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.route53 import errors, names, rdata
from cloudlet.services.route53.model import (
    AliasTarget,
    HostedZone,
    RecordSet,
)
from cloudlet.services.route53.routing_fields import bounded_int, cidr, geo, proximity

MAX_TTL = 2147483647
POLICY_FIELDS = (
    "Weight",
    "Region",
    "Failover",
    "GeoLocation",
    "GeoProximityLocation",
    "MultiValueAnswer",
    "CidrRoutingConfig",
)
NO_POLICY_TYPES = ("SOA", "NS", "DS")
MULTIVALUE_TYPES = (
    "A",
    "AAAA",
    "MX",
    "NAPTR",
    "PTR",
    "SPF",
    "SRV",
    "TXT",
    "CAA",
    "TLSA",
    "SSHFP",
    "SVCB",
    "HTTPS",
)


def describe(action: str, name: str, rtype: str, set_identifier: str | None) -> str:
    """How Route 53 names a change inside InvalidInput messages."""
    return f"[Action={action}, Name={name}, Type={rtype}, SetIdentifier={set_identifier if set_identifier is not None else 'null'}]"


def parse(action: str, raw: dict[str, Any], zone: HostedZone) -> tuple[RecordSet, list[str]]:
    raw_name = str(raw.get("Name", ""))
    rtype = str(raw.get("Type", ""))
    try:
        name = names.normalize(raw_name)
    except names.NameProblem as e:
        raise errors.invalid_name_in_batch(
            f"FATAL problem: {e.kind} ({e.detail}) encountered with '{e.text}'"
        ) from None
    sid = raw.get("SetIdentifier")
    where = describe(action, name, rtype, sid)
    if rtype not in rdata.TYPES:
        raise errors.invalid_input(f"Invalid request: Unknown record type '{rtype}' in Change with {where}")
    if sid is not None and not 1 <= len(sid) <= 128:
        raise errors.invalid_input(
            f"Invalid request: SetIdentifier must be 1 to 128 characters in Change with {where}"
        )

    has_alias = raw.get("AliasTarget") is not None
    has_ttl = raw.get("TTL") is not None
    has_rrs = raw.get("ResourceRecords") is not None
    has_tpi = raw.get("TrafficPolicyInstanceId") is not None
    found = int(has_alias) + int(has_ttl and has_rrs) + int(has_tpi)
    if has_alias and (has_ttl or has_rrs):
        found = 2
    if found != 1:
        which = "none" if found == 0 else "more than one"
        raise errors.invalid_input(
            "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or "
            f"TrafficPolicyInstanceId], but found {which} in Change with {where}"
        )
    if has_tpi:
        raise errors.invalid_input(
            "Invalid request: TrafficPolicyInstanceId is set by Route 53 for traffic policy records and cannot be "
            f"changed with ChangeResourceRecordSets in Change with {where}"
        )

    policies = [f for f in POLICY_FIELDS if raw.get(f) is not None]
    if len(policies) > 1:
        raise errors.invalid_input(
            f"Invalid request: Expected at most one of [{', '.join(POLICY_FIELDS)}], but found more than one in "
            f"Change with {where}"
        )
    if policies and sid is None:
        raise errors.invalid_input(f"Invalid request: Missing field 'SetIdentifier' in Change with {where}")
    if sid is not None and not policies:
        raise errors.invalid_input(
            f"Invalid request: Expected exactly one of [{', '.join(POLICY_FIELDS)}], but found none in Change "
            f"with {where}"
        )

    ttl: int | None = None
    values: tuple[str, ...] = ()
    alias: AliasTarget | None = None
    problems: list[str] = []
    if has_alias:
        alias = _alias(raw["AliasTarget"], where)
    else:
        ttl = bounded_int(raw["TTL"], "TTL", 0, MAX_TTL, where)
        rrs = raw["ResourceRecords"]
        if not isinstance(rrs, list) or not rrs:
            raise errors.invalid_input(
                f"Invalid request: ResourceRecords must not be empty in Change with {where}"
            )
        values = tuple(str((rr or {}).get("Value", "")) for rr in rrs)
        problems.extend(rdata.check_values(rtype, list(values)))

    rs = RecordSet(
        name=name,
        type=rtype,
        ttl=ttl,
        values=values,
        alias=alias,
        set_identifier=sid,
        weight=bounded_int(raw["Weight"], "Weight", 0, 255, where) if raw.get("Weight") is not None else None,
        region=_region(raw.get("Region"), where),
        failover=_failover(raw.get("Failover"), where),
        geolocation=geo(raw.get("GeoLocation"), where),
        geoproximity=proximity(raw.get("GeoProximityLocation"), where),
        multivalue_answer=bool(raw["MultiValueAnswer"]) if raw.get("MultiValueAnswer") is not None else None,
        cidr_routing=cidr(raw.get("CidrRoutingConfig"), where),
        health_check_id=raw.get("HealthCheckId") or None,
    )
    problems.extend(_placement(rs, zone))
    return rs, problems


def _placement(rs: RecordSet, zone: HostedZone) -> list[str]:
    """Rules about where a record set may be and which policy its type allows."""
    out: list[str] = []
    z = zone.name
    if not names.is_within(rs.name, z):
        return [f"RRSet with DNS name {rs.name} is not permitted in zone {z}"]
    apex = rs.name == z
    if rs.type == "CNAME" and apex:
        out.append(f"RRSet of type CNAME with DNS name {rs.name} is not permitted at apex in zone {z}")
    if rs.type == "SOA" and not apex:
        out.append(
            f"RRSet of type SOA with DNS name {rs.name} is not permitted because SOA is only permitted at apex in zone {z}"
        )
    if rs.type == "DS" and apex:
        out.append(f"RRSet of type DS with DNS name {rs.name} is not permitted at apex in zone {z}")
    if rs.type == "NS" and names.is_wildcard(rs.name):
        out.append(
            f"RRSet of type NS with DNS name {rs.name} is not permitted because wildcard NS records are not supported in zone {z}"
        )
    if rs.type in ("SOA", "NS") and rs.alias is not None:
        out.append(f"RRSet of type {rs.type} with DNS name {rs.name} cannot be an alias")
    policy = rs.policy
    if rs.type in NO_POLICY_TYPES and rs.set_identifier is not None:
        out.append(
            f"RRSet of type {rs.type} with DNS name {rs.name} cannot use a {policy} routing policy; only simple routing is permitted"
        )
    if policy == "multivalue":
        if rs.type not in MULTIVALUE_TYPES:
            out.append(
                f"RRSet of type {rs.type} with DNS name {rs.name} cannot use multivalue answer routing"
            )
        if rs.alias is not None:
            out.append(f"RRSet with DNS name {rs.name}, type {rs.type} cannot be a multivalue answer alias")
    if zone.private and policy in ("geoproximity", "ip"):
        what = "geoproximity" if policy == "geoproximity" else "IP-based"
        out.append(
            f"RRSet with DNS name {rs.name}, type {rs.type}: {what} routing is not supported in private hosted zones"
        )
    return out


def _region(v: Any, where: str) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str) or not v or len(v) > 64:
        raise errors.invalid_input(f"Invalid request: Region is not valid in Change with {where}")
    return v


def _failover(v: Any, where: str) -> str | None:
    if v is None:
        return None
    if v not in ("PRIMARY", "SECONDARY"):
        raise errors.invalid_input(
            f"Invalid request: Failover must be PRIMARY or SECONDARY in Change with {where}"
        )
    return str(v)


def _alias(v: Any, where: str) -> AliasTarget:
    zid, dns_name, eth = v.get("HostedZoneId"), v.get("DNSName"), v.get("EvaluateTargetHealth")
    if not zid or not dns_name or eth is None:
        raise errors.invalid_input(
            f"Invalid request: AliasTarget needs HostedZoneId, DNSName and EvaluateTargetHealth in Change with {where}"
        )
    try:
        target = names.normalize(str(dns_name))
    except names.NameProblem as e:
        raise errors.invalid_name_in_batch(
            f"FATAL problem: {e.kind} ({e.detail}) encountered with '{e.text}'"
        ) from None
    return AliasTarget(str(zid).rpartition("/")[2], target, bool(eth))


def render(r: RecordSet) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": r.name, "Type": r.type}
    if r.set_identifier is not None:
        out["SetIdentifier"] = r.set_identifier
    if r.weight is not None:
        out["Weight"] = r.weight
    if r.region is not None:
        out["Region"] = r.region
    if r.geolocation is not None:
        g = r.geolocation
        out["GeoLocation"] = {
            k: v
            for k, v in (
                ("ContinentCode", g.continent_code),
                ("CountryCode", g.country_code),
                ("SubdivisionCode", g.subdivision_code),
            )
            if v is not None
        }
    if r.failover is not None:
        out["Failover"] = r.failover
    if r.multivalue_answer is not None:
        out["MultiValueAnswer"] = r.multivalue_answer
    if r.ttl is not None:
        out["TTL"] = r.ttl
    if r.values:
        out["ResourceRecords"] = [{"Value": v} for v in r.values]
    if r.alias is not None:
        out["AliasTarget"] = {
            "HostedZoneId": r.alias.hosted_zone_id,
            "DNSName": r.alias.dns_name,
            "EvaluateTargetHealth": r.alias.evaluate_target_health,
        }
    if r.health_check_id is not None:
        out["HealthCheckId"] = r.health_check_id
    if r.cidr_routing is not None:
        out["CidrRoutingConfig"] = {
            "CollectionId": r.cidr_routing.collection_id,
            "LocationName": r.cidr_routing.location_name,
        }
    if r.geoproximity is not None:
        p = r.geoproximity
        loc: dict[str, Any] = {}
        if p.aws_region is not None:
            loc["AWSRegion"] = p.aws_region
        if p.local_zone_group is not None:
            loc["LocalZoneGroup"] = p.local_zone_group
        if p.latitude is not None and p.longitude is not None:
            loc["Coordinates"] = {"Latitude": _coord_text(p.latitude), "Longitude": _coord_text(p.longitude)}
        loc["Bias"] = p.bias
        out["GeoProximityLocation"] = loc
    return out


def _coord_text(f: float) -> str:
    return f"{f:.2f}".rstrip("0").rstrip(".") if f != int(f) else str(int(f))
