"""ChangeResourceRecordSets rules: a change batch is validated whole, then applied all or nothing.

`plan_batch` parses every change (recordsets.parse), then simulates the batch in order over the
zone's current record sets (loaded per touched name from store.py), collecting Route 53's
InvalidChangeBatch messages: CREATE of an existing set, DELETE of a missing or different one,
CNAME beside other types, mixed routing policies under one name and type, duplicate failover /
latency / geolocation / CIDR members, then whole-batch rules (apex SOA and NS, alias targets,
CIDR locations). Only a clean batch yields a Plan, which api.py writes in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from cloudlet.services.route53 import errors, names, recordsets, store
from cloudlet.services.route53.alias import AliasRegistry
from cloudlet.services.route53.model import HostedZone, RecordSet
from cloudlet.store import Txn

MAX_BATCH_RECORDS = 1000
MAX_BATCH_CHARS = 32000
MAX_GROUP = 100
MAX_GEOPROXIMITY = 30
ACTIONS = ("CREATE", "DELETE", "UPSERT")

Key = tuple[str, str | None]  # (type, set identifier) within one name


@dataclass
class Lookups:
    """What the rules need to know beyond the zone: other resources and the alias registry."""

    alias_targets: AliasRegistry
    health_check_exists: Callable[[str], bool] = lambda _id: True
    # (collection id, location name) -> None if usable, else a problem text
    cidr_problem: Callable[[str, str], str | None] = lambda _c, _l: None


@dataclass
class Plan:
    puts: list[RecordSet] = field(default_factory=list)
    deletes: list[RecordSet] = field(default_factory=list)
    count_delta: int = 0


def _ident(r: RecordSet) -> str:
    sid = f", set-identifier='{r.set_identifier}'" if r.set_identifier is not None else ""
    return f"[name='{r.name}', type='{r.type}'{sid}]"


def _same(a: RecordSet, b: RecordSet) -> bool:
    """DELETE must match every field; the order of values does not matter."""
    return replace(a, values=tuple(sorted(a.values))) == replace(b, values=tuple(sorted(b.values)))


class _Batch:
    def __init__(self, txn: Txn, zone: HostedZone, lookups: Lookups) -> None:
        self.txn = txn
        self.zone = zone
        self.lookups = lookups
        self.original: dict[str, dict[Key, RecordSet]] = {}
        self.state: dict[str, dict[Key, RecordSet]] = {}
        self.messages: list[str] = []
        self.written: dict[tuple[str, str, str | None], None] = {}  # keys created/upserted, in order

    def at(self, name: str) -> dict[Key, RecordSet]:
        if name not in self.state:
            current = {(r.type, r.set_identifier): r for r in store.rrsets_at(self.txn, self.zone.id, name)}
            self.original[name] = dict(current)
            self.state[name] = current
        return self.state[name]

    # -- one change ---------------------------------------------------------------------------
    def apply(self, action: str, r: RecordSet) -> None:
        here = self.at(r.name)
        key = (r.type, r.set_identifier)
        if action == "DELETE":
            cur = here.get(key)
            if cur is None:
                self.messages.append(f"Tried to delete resource record set {_ident(r)} but it was not found")
            elif not _same(cur, r):
                self.messages.append(
                    f"Tried to delete resource record set {_ident(r)} but the values provided do not match the current values"
                )
            else:
                del here[key]
            return
        if action == "CREATE" and key in here:
            self.messages.append(f"Tried to create resource record set {_ident(r)} but it already exists")
            return
        problem = self._conflict(here, r)
        if problem:
            self.messages.append(problem)
            return
        here[key] = r
        self.written[(r.name, r.type, r.set_identifier)] = None
        if r.weight is not None and r.ttl is not None:
            # Route 53 gives every non-alias record of a weighted group the TTL given last
            for k, other in list(here.items()):
                if (
                    k[0] == r.type
                    and other.weight is not None
                    and other.ttl is not None
                    and other.ttl != r.ttl
                ):
                    here[k] = replace(other, ttl=r.ttl)

    def _conflict(self, here: dict[Key, RecordSet], r: RecordSet) -> str | None:
        z = self.zone.name
        others = [o for k, o in here.items() if k != (r.type, r.set_identifier)]
        if r.type == "CNAME" and any(o.type != "CNAME" for o in others):
            return (
                f"RRSet of type CNAME with DNS name {r.name} is not permitted as it conflicts with other records "
                f"with the same DNS name in zone {z}"
            )
        if r.type != "CNAME" and any(o.type == "CNAME" for o in others):
            return (
                f"RRSet of type {r.type} with DNS name {r.name} is not permitted because a conflicting RRSet of "
                f"type CNAME with the same DNS name already exists in zone {z}"
            )
        group = [o for o in others if o.type == r.type]
        if not group:
            return None
        if r.set_identifier is None:
            return (
                f"RRSet with DNS name {r.name}, type {r.type} cannot be created as other RRSets exist with the same "
                "name and type."
            )
        head = f"RRSet with DNS name {r.name}, type {r.type}, SetIdentifier {r.set_identifier}"
        policy = r.policy
        if any(o.policy != policy for o in group):
            return f"{head} cannot be created as a non-{policy} set exists with the same name and type."
        cap = MAX_GEOPROXIMITY if policy == "geoproximity" else MAX_GROUP
        if len(group) >= cap:
            return f"{head} cannot be created as the limit of {cap} RRSets with the same name and type has been reached."
        dup = _duplicate_member(r, group)
        if dup:
            return f"{head} cannot be created because another RRSet with the same name and type already has {dup}."
        return None

    # -- whole batch ----------------------------------------------------------------------------
    def finish(self) -> None:
        z = self.zone
        if z.name in self.state:
            apex = self.state[z.name]
            if sum(1 for (t, _s) in apex if t == "SOA") != 1:
                self.messages.append("A HostedZone must contain exactly one SOA record.")
            if not any(t == "NS" for (t, _s) in apex):
                self.messages.append("A HostedZone must contain at least one NS record for the zone itself.")
        for name, rtype, sid in self.written:
            final = self.state[name].get((rtype, sid))
            if final is None:
                continue  # deleted later in the batch
            r = final
            if r.alias is not None:
                problem = self._alias_problem(r)
                if problem:
                    self.messages.append(problem)
            if r.cidr_routing is not None:
                problem = self.lookups.cidr_problem(
                    r.cidr_routing.collection_id, r.cidr_routing.location_name
                )
                if problem:
                    self.messages.append(problem)

    def _alias_problem(self, r: RecordSet) -> str | None:
        assert r.alias is not None
        a = r.alias
        not_found = (
            f"Tried to create an alias that targets {a.dns_name}, type {r.type} in zone {a.hosted_zone_id}, "
            "but that target was not found"
        )
        if a.hosted_zone_id == self.zone.id:
            if not names.is_within(a.dns_name, self.zone.name):
                return not_found
            if a.dns_name == r.name:
                return (
                    f"Tried to create an alias that targets {a.dns_name}, type {r.type} in zone {a.hosted_zone_id}, "
                    "but an alias cannot target itself"
                )
            if not any(t == r.type for (t, _s) in self.at(a.dns_name)):
                return not_found
            return None
        kind = self.lookups.alias_targets.lookup(a.hosted_zone_id)
        if kind is None or r.type not in kind.record_types:
            return not_found
        if self.zone.private and not kind.private_zones:
            return f"RRSet with DNS name {r.name}, type {r.type}: {kind.service} alias targets are not permitted in private hosted zones"
        if a.evaluate_target_health and not kind.evaluate_target_health:
            return f"RRSet with DNS name {r.name}, type {r.type}: EvaluateTargetHealth cannot be true for {kind.service} alias targets"
        if kind.check is not None and kind.check(a.dns_name, r.type) is not None:
            return not_found
        return None

    def plan(self) -> Plan:
        p = Plan()
        for name, final in self.state.items():
            before = self.original[name]
            for key, r in final.items():
                if before.get(key) != r:
                    p.puts.append(r)
            for key, r in before.items():
                if key not in final:
                    p.deletes.append(r)
            p.count_delta += len(final) - len(before)
        return p


def _duplicate_member(r: RecordSet, group: list[RecordSet]) -> str | None:
    for o in group:
        if r.failover is not None and o.failover == r.failover:
            return f"failover type {r.failover}"
        if r.region is not None and o.region == r.region:
            return f"region {r.region}"
        if r.geolocation is not None and o.geolocation == r.geolocation:
            return "the same geolocation"
        if r.cidr_routing is not None and o.cidr_routing is not None:
            if o.cidr_routing.collection_id != r.cidr_routing.collection_id:
                return f"a different CIDR collection {o.cidr_routing.collection_id}"
            if o.cidr_routing.location_name == r.cidr_routing.location_name:
                return f"CIDR location {r.cidr_routing.location_name}"
        if r.geoproximity is not None and o.geoproximity == r.geoproximity:
            return "the same geoproximity location"
    return None


def plan_batch(txn: Txn, zone: HostedZone, batch: dict[str, Any], lookups: Lookups) -> Plan:
    """Validate a ChangeBatch against the zone; raise AwsError, or return what to write."""
    raw_changes = batch.get("Changes") or []
    if not raw_changes:
        raise errors.invalid_input("Invalid request: ChangeBatch must contain at least one Change")
    parsed: list[tuple[str, RecordSet, list[str]]] = []
    n_records = n_chars = 0
    for ch in raw_changes:
        action = ch.get("Action") if isinstance(ch, dict) else None
        raw = (ch.get("ResourceRecordSet") if isinstance(ch, dict) else None) or {}
        if not isinstance(raw, dict):
            raise errors.invalid_input("Invalid request: ResourceRecordSet must be a structure")
        if action not in ACTIONS:
            where = recordsets.describe(
                str(action), str(raw.get("Name")), str(raw.get("Type")), raw.get("SetIdentifier")
            )
            raise errors.invalid_input(f"Invalid request: Unknown action '{action}' in Change with {where}")
        r, found = recordsets.parse(action, raw, zone)
        weight = 2 if action == "UPSERT" else 1
        n_records += weight * len(r.values)
        n_chars += weight * sum(len(v) for v in r.values)
        if r.health_check_id is not None and not lookups.health_check_exists(r.health_check_id):
            raise errors.no_such_health_check(r.health_check_id)
        parsed.append((action, r, found))
    if n_records > MAX_BATCH_RECORDS:
        raise errors.invalid_change_batch([f"Number of records limit of {MAX_BATCH_RECORDS} exceeded."])
    if n_chars > MAX_BATCH_CHARS:
        raise errors.invalid_change_batch(
            [f"Number of characters in record values limit of {MAX_BATCH_CHARS} exceeded."]
        )
    b = _Batch(txn, zone, lookups)
    for action, r, found in parsed:
        if found:  # a malformed record set is reported, and leaves the simulated zone as it was
            b.messages.extend(found)
        else:
            b.apply(action, r)
    b.finish()
    if b.messages:
        raise errors.invalid_change_batch(b.messages)
    return b.plan()
