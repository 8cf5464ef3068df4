"""Route 53 control plane: hosted zones, record sets, changes (handlers named after the operations).

Route53Api is one component assembled from mixins, each a group of operations:
delegation_api.py (reusable delegation sets), account_api.py (tags, limits, counts), vpc_api.py
(private-zone VPC associations), health_api.py / cidr_api.py (health checks, CIDR collections; owned
by the routing helper). This module has the zone lifecycle, ChangeResourceRecordSets,
ListResourceRecordSets, GetChange and TestDNSAnswer. Route 53 is global: state is per account
(ctx.account_id), never per region. Rules live in changes.py/recordsets.py, state in store.py.
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import Any, ClassVar

from cloudlet.aws.errors import AwsError
from cloudlet.services.base import Deps, RequestContext, ServiceApi
from cloudlet.services.route53 import (
    changes,
    cidr_store,
    errors,
    health_store,
    names,
    recordsets,
    store,
    zones,
)
from cloudlet.services.route53.account_api import AccountApi
from cloudlet.services.route53.alias import AliasRegistry
from cloudlet.services.route53.cidr_api import CidrApi
from cloudlet.services.route53.delegation_api import DelegationSetApi
from cloudlet.services.route53.geolocation_api import GeoLocationApi
from cloudlet.services.route53.health_api import HealthCheckApi
from cloudlet.services.route53.model import HostedZone
from cloudlet.services.route53.vpc_api import VpcApi
from cloudlet.store import Txn

MAX_ZONES = 500
MAX_RRSETS = 10000
Params = dict[str, Any]


class Route53Api(DelegationSetApi, AccountApi, VpcApi, HealthCheckApi, CidrApi, GeoLocationApi, ServiceApi):
    service_name: ClassVar[str] = "route53"
    name: ClassVar[str] = "route53"

    def __init__(self, deps: Deps) -> None:
        super().__init__(deps)
        # services that can be alias targets (CloudFront, S3 websites, ...) register here; see alias.py
        self.alias_targets = AliasRegistry()

    # -- hosted zones -------------------------------------------------------------------------------
    def create_hosted_zone(self, ctx: RequestContext, params: Params) -> Params:
        account = ctx.account_id
        raw_name = str(params.get("Name", ""))
        try:
            name = names.normalize(raw_name)
        except names.NameProblem:
            raise errors.invalid_domain_name(raw_name) from None
        labels = names.split(name)
        if len(labels) < 2 or labels[0] == "\\052":
            raise errors.invalid_domain_name(raw_name)
        ref = str(params.get("CallerReference", ""))
        if not 1 <= len(ref) <= 128:
            raise errors.invalid_input("Invalid request: CallerReference must be 1 to 128 characters")
        config = params.get("HostedZoneConfig") or {}
        vpc = params.get("VPC")
        private = vpc is not None
        if config.get("PrivateZone") and not private:
            raise errors.invalid_input("Invalid request: A private hosted zone requires a VPC")
        vpcs: tuple[tuple[str, str], ...] = ()
        if vpc is not None:
            vpcs = (self.parse_vpc(vpc),)
        comment = config.get("Comment")
        dset_id = zones.bare_id(params["DelegationSetId"]) if params.get("DelegationSetId") else None
        with self.deps.store.write() as txn:
            if store.get_caller_ref(txn, account, "zone", ref) is not None:
                raise errors.hosted_zone_already_exists(name, ref)
            owned = store.account_zones(txn, account)
            if len(owned) >= MAX_ZONES:
                raise errors.too_many_hosted_zones(
                    f"Limits Exceeded: MAX_HOSTED_ZONES_BY_OWNER - Cannot create more than {MAX_ZONES} hosted zones."
                )
            if private:
                self.check_private_name_free(owned, name, vpcs[0])
            servers: tuple[str, ...]
            if private:
                if dset_id is not None:
                    raise errors.invalid_input(
                        "Invalid request: A private hosted zone cannot use a delegation set"
                    )
                servers = zones.PRIVATE_NAME_SERVERS
            elif dset_id is not None:
                servers = self.servers_for_new_zone(txn, account, dset_id, name, owned)
            else:
                servers = zones.allocate_name_servers()
            zone = HostedZone(
                id=zones.new_zone_id(),
                name=name,
                caller_reference=ref,
                comment=comment,
                private=private,
                name_servers=servers,
                delegation_set_id=dset_id,
                vpcs=vpcs,
                created=self.deps.clock.now(),
                record_count=2,
                account_id=account,
            )
            store.put_zone(txn, zone)
            for r in zones.default_records(zone):
                store.put_rrset(txn, zone.id, r)
            store.put_caller_ref(txn, account, "zone", ref, zone.id)
            change = zones.record_change(txn, self.deps, account, zone.id)
            dset = store.get_delegation_set(txn, dset_id) if dset_id else None
        out: Params = {
            "HostedZone": zones.zone_out(zone),
            "ChangeInfo": zones.change_info(self.deps, change),
            "Location": f"https://route53.amazonaws.com/2013-04-01/hostedzone/{zone.id}",
        }
        if private:
            out["VPC"] = {"VPCRegion": vpcs[0][0], "VPCId": vpcs[0][1]}
        else:
            out["DelegationSet"] = zones.delegation_set_out(zone, dset)
        return out

    def get_hosted_zone(self, ctx: RequestContext, params: Params) -> Params:
        with self.deps.store.read() as txn:
            zone = zones.require_zone(txn, ctx.account_id, params["Id"])
            dset = store.get_delegation_set(txn, zone.delegation_set_id) if zone.delegation_set_id else None
        out: Params = {"HostedZone": zones.zone_out(zone)}
        if zone.private:
            out["VPCs"] = zones.vpcs_out(zone)
        else:
            out["DelegationSet"] = zones.delegation_set_out(zone, dset)
        return out

    def delete_hosted_zone(self, ctx: RequestContext, params: Params) -> Params:
        with self.deps.store.write() as txn:
            zone = zones.require_zone(txn, ctx.account_id, params["Id"])
            for r in store.iter_rrsets(txn, zone.id):
                if not (r.name == zone.name and r.type in ("SOA", "NS")):
                    raise errors.hosted_zone_not_empty()
            store.delete_zone(txn, zone)
            change = zones.record_change(txn, self.deps, ctx.account_id, zone.id, deleted=True)
        return {"ChangeInfo": zones.change_info(self.deps, change)}

    def update_hosted_zone_comment(self, ctx: RequestContext, params: Params) -> Params:
        with self.deps.store.write() as txn:
            zone = zones.require_zone(txn, ctx.account_id, params["Id"])
            comment = params.get("Comment")
            zone = replace(zone, comment=comment)
            store.put_zone(txn, zone)
        return {"HostedZone": zones.zone_out(zone)}

    def list_hosted_zones(self, ctx: RequestContext, params: Params) -> Params:
        limit = zones.page_size(params.get("MaxItems"), 100, 100)
        marker = params.get("Marker")
        dset_id = zones.bare_id(params["DelegationSetId"]) if params.get("DelegationSetId") else None
        only_private = params.get("HostedZoneType") == "PrivateHostedZone"
        with self.deps.store.read() as txn:
            if dset_id is not None:
                self.require_delegation_set(txn, ctx.account_id, dset_id)
            picked: list[HostedZone] = []
            for zone in store.account_zones(txn, ctx.account_id):
                if marker and zone.id < marker:
                    continue
                if dset_id is not None and zone.delegation_set_id != dset_id:
                    continue
                if only_private and not zone.private:
                    continue
                picked.append(zone)
                if len(picked) > limit:
                    break
        out: Params = {
            "HostedZones": [zones.zone_out(z) for z in picked[:limit]],
            "Marker": marker or "",
            "IsTruncated": len(picked) > limit,
            "MaxItems": str(limit),
        }
        if len(picked) > limit:
            out["NextMarker"] = picked[limit].id
        return out

    def list_hosted_zones_by_name(self, ctx: RequestContext, params: Params) -> Params:
        limit = zones.page_size(params.get("MaxItems"), 100, 100)
        dns_name = params.get("DNSName")
        zone_id = zones.bare_id(params["HostedZoneId"]) if params.get("HostedZoneId") else None
        if zone_id is not None and not dns_name:
            raise errors.invalid_input("Invalid request: HostedZoneId requires DNSName")
        start = None
        if dns_name:
            try:
                start = names.normalize(dns_name)
            except names.NameProblem:
                raise errors.invalid_domain_name(dns_name) from None
        with self.deps.store.read() as txn:
            picked = [
                z
                for z in (
                    store.get_zone(txn, i)
                    for i in store.zones_by_name(txn, ctx.account_id, start, zone_id, limit + 1)
                )
                if z is not None
            ]
        out: Params = {
            "HostedZones": [zones.zone_out(z) for z in picked[:limit]],
            "IsTruncated": len(picked) > limit,
            "MaxItems": str(limit),
        }
        if dns_name:
            out["DNSName"] = dns_name
        if zone_id is not None:
            out["HostedZoneId"] = zone_id
        if len(picked) > limit:
            out["NextDNSName"] = picked[limit].name
            out["NextHostedZoneId"] = picked[limit].id
        return out

    # -- record sets --------------------------------------------------------------------------------
    def change_resource_record_sets(self, ctx: RequestContext, params: Params) -> Params:
        batch = params.get("ChangeBatch") or {}
        with self.deps.store.write() as txn:
            zone = zones.require_zone(txn, ctx.account_id, params["HostedZoneId"])
            lookups = changes.Lookups(
                alias_targets=self.alias_targets,
                health_check_exists=lambda hc: (
                    health_store.get_health_check(txn, hc, ctx.account_id) is not None
                ),
                cidr_problem=lambda c, loc: _cidr_problem(txn, ctx.account_id, c, loc),
            )
            plan = changes.plan_batch(txn, zone, batch, lookups)
            if zone.record_count + plan.count_delta > MAX_RRSETS:
                raise errors.invalid_change_batch(
                    [f"Number of resource record sets limit of {MAX_RRSETS} exceeded in zone {zone.name}"]
                )
            for r in plan.deletes:
                store.delete_rrset(txn, zone.id, r)
            for r in plan.puts:
                store.put_rrset(txn, zone.id, r)
            if plan.count_delta:
                store.put_zone(txn, replace(zone, record_count=zone.record_count + plan.count_delta))
            change = zones.record_change(txn, self.deps, ctx.account_id, zone.id, batch.get("Comment"))
        return {"ChangeInfo": zones.change_info(self.deps, change)}

    def list_resource_record_sets(self, ctx: RequestContext, params: Params) -> Params:
        limit = zones.page_size(params.get("MaxItems"), 300, 300)
        start_name = params.get("StartRecordName")
        start_type = params.get("StartRecordType")
        start_id = params.get("StartRecordIdentifier")
        if start_type and not start_name:
            raise errors.invalid_input("The input is not valid: StartRecordType requires StartRecordName")
        with self.deps.store.read() as txn:
            zone = zones.require_zone(txn, ctx.account_id, params["HostedZoneId"])
            start = None
            if start_name:
                try:
                    name = names.normalize(start_name)
                except names.NameProblem as e:
                    raise errors.invalid_input(
                        f"FATAL problem: {e.kind} ({e.detail}) encountered with '{e.text}'"
                    ) from None
                start = f"{zone.id}/{names.sort_key(name)}\x00{start_type or ''}\x00{start_id or ''}"
            found = store.iter_rrsets(txn, zone.id, start, limit + 1)
        out: Params = {
            "ResourceRecordSets": [recordsets.render(r) for r in found[:limit]],
            "IsTruncated": len(found) > limit,
            "MaxItems": str(limit),
        }
        if len(found) > limit:
            nxt = found[limit]
            out["NextRecordName"] = nxt.name
            out["NextRecordType"] = nxt.type
            if nxt.set_identifier is not None:
                out["NextRecordIdentifier"] = nxt.set_identifier
        return out

    def get_change(self, ctx: RequestContext, params: Params) -> Params:
        change_id = zones.bare_id(params["Id"])
        with self.deps.store.read() as txn:
            change = store.get_change(txn, change_id)
        if change is None or change.account_id != ctx.account_id:
            raise errors.no_such_change(change_id)
        return {"ChangeInfo": zones.change_info(self.deps, change)}

    def test_dns_answer(self, ctx: RequestContext, params: Params) -> Params:
        with self.deps.store.read() as txn:
            zones.require_zone(txn, ctx.account_id, params["HostedZoneId"])
        dns = self.deps.services.get("dns")
        answer = getattr(dns, "test_dns_answer", None)
        if answer is None:
            raise AwsError(
                "ServiceUnavailable", "TestDNSAnswer needs the DNS server, which is not running.", 503, False
            )
        try:
            result = answer(params)
        except LookupError:  # the zone exists but the DNS server has not loaded it yet
            raise errors.no_such_hosted_zone(zones.bare_id(params["HostedZoneId"])) from None
        except ValueError as e:
            raise errors.invalid_input(f"Invalid request: {e}") from None
        if inspect.isawaitable(result):
            raise AwsError(
                "InternalFailure", "The DNS server answered TestDNSAnswer asynchronously.", 500, False
            )
        return dict(result)


def _cidr_problem(txn: Txn, account: str, collection_id: str, location: str) -> str | None:
    coll = cidr_store.get_collection(txn, collection_id, account)
    if coll is None:
        return f"CIDR collection {collection_id} does not exist"
    if location != "*" and location not in coll.locations:
        return f"CIDR location {location} does not exist in CIDR collection {collection_id}"
    return None
