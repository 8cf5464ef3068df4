"""Reusable delegation sets (Create/Get/List/DeleteReusableDelegationSet, GetReusableDelegationSetLimit):
a mixin of Route53Api (api.py). A reusable set is four name servers that several public hosted
zones share; CreateHostedZone(DelegationSetId=...) draws on it through `servers_for_new_zone`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.services.base import Deps, RequestContext
from cloudlet.services.route53 import errors, names, store, zones
from cloudlet.services.route53.model import HostedZone
from cloudlet.store import Txn

MAX_SETS = 100
MAX_ZONES_PER_SET = 100
Params = dict[str, Any]


def _set_out(d: store.DelegationSet) -> Params:
    return {
        "Id": f"/delegationset/{d.id}",
        "CallerReference": d.caller_reference,
        "NameServers": list(d.name_servers),
    }


def _zones_in_set(txn: Txn, account: str, set_id: str) -> list[HostedZone]:
    return [z for z in store.account_zones(txn, account) if z.delegation_set_id == set_id]


class DelegationSetApi:
    deps: Deps

    def require_delegation_set(self, txn: Txn, account: str, set_id: str) -> store.DelegationSet:
        d = store.get_delegation_set(txn, zones.bare_id(set_id))
        if d is None or d.account_id != account:
            raise errors.no_such_delegation_set(zones.bare_id(set_id))
        return d

    def servers_for_new_zone(
        self, txn: Txn, account: str, set_id: str, name: str, owned: list[HostedZone]
    ) -> tuple[str, ...]:
        d = self.require_delegation_set(txn, account, set_id)
        members = [z for z in owned if z.delegation_set_id == d.id]
        if len(members) >= MAX_ZONES_PER_SET:
            raise errors.too_many_hosted_zones(
                f"Limits Exceeded: MAX_ZONES_BY_REUSABLE_DELEGATION_SET - Cannot create more than "
                f"{MAX_ZONES_PER_SET} hosted zones with delegation set {d.id}."
            )
        for z in members:
            if z.name == name or names.is_within(z.name, name) or names.is_within(name, z.name):
                raise errors.conflicting_domain_exists(
                    f"Cannot create hosted zone with DelegationSetId {d.id} as the DNSName {name} conflicts with "
                    f"existing ones sharing the delegation set"
                )
        return d.name_servers

    def create_reusable_delegation_set(self, ctx: RequestContext, params: Params) -> Params:
        account = ctx.account_id
        ref = str(params.get("CallerReference", ""))
        if not 1 <= len(ref) <= 128:
            raise errors.invalid_input("Invalid request: CallerReference must be 1 to 128 characters")
        with self.deps.store.write() as txn:
            if store.get_caller_ref(txn, account, "dset", ref) is not None:
                raise errors.delegation_set_already_created()
            if len(store.list_delegation_sets(txn, account)) >= MAX_SETS:
                raise AwsError(
                    "LimitsExceeded",
                    f"Limits Exceeded: MAX_REUSABLE_DELEGATION_SETS_BY_OWNER - Cannot create more than {MAX_SETS} "
                    "reusable delegation sets.",
                    400,
                )
            set_id = zones.new_delegation_set_id()
            zone_id = params.get("HostedZoneId")
            if zone_id:
                zone = store.get_zone(txn, zones.bare_id(zone_id))
                if zone is None or zone.account_id != account:
                    raise AwsError(
                        "HostedZoneNotFound", f"The specified HostedZone can't be found: {zone_id}", 400
                    )
                if zone.private:
                    raise AwsError(
                        "InvalidArgument", "A private hosted zone has no delegation set to reuse.", 400
                    )
                if zone.delegation_set_id is not None:
                    raise AwsError(
                        "DelegationSetAlreadyReusable",
                        f"The delegation set of hosted zone {zone.id} has already been marked as reusable.",
                        400,
                    )
                servers = zone.name_servers
                store.put_zone(txn, replace(zone, delegation_set_id=set_id))
            else:
                servers = zones.allocate_name_servers()
            d = store.DelegationSet(set_id, account, ref, servers)
            store.put_delegation_set(txn, d)
            store.put_caller_ref(txn, account, "dset", ref, set_id)
        return {
            "DelegationSet": _set_out(d),
            "Location": f"https://route53.amazonaws.com/2013-04-01/delegationset/{set_id}",
        }

    def get_reusable_delegation_set(self, ctx: RequestContext, params: Params) -> Params:
        with self.deps.store.read() as txn:
            d = self.require_delegation_set(txn, ctx.account_id, params["Id"])
        return {"DelegationSet": _set_out(d)}

    def list_reusable_delegation_sets(self, ctx: RequestContext, params: Params) -> Params:
        limit = zones.page_size(params.get("MaxItems"), 100, 100)
        marker = params.get("Marker")
        with self.deps.store.read() as txn:
            sets = [
                d for d in store.list_delegation_sets(txn, ctx.account_id) if not marker or d.id >= marker
            ]
        out: Params = {
            "DelegationSets": [_set_out(d) for d in sets[:limit]],
            "Marker": marker or "",
            "IsTruncated": len(sets) > limit,
            "MaxItems": str(limit),
        }
        if len(sets) > limit:
            out["NextMarker"] = sets[limit].id
        return out

    def delete_reusable_delegation_set(self, ctx: RequestContext, params: Params) -> Params:
        with self.deps.store.write() as txn:
            d = self.require_delegation_set(txn, ctx.account_id, params["Id"])
            if _zones_in_set(txn, ctx.account_id, d.id):
                raise errors.delegation_set_in_use(d.id)
            store.delete_delegation_set(txn, d)
        return {}

    def get_reusable_delegation_set_limit(self, ctx: RequestContext, params: Params) -> Params:
        if params.get("Type") != "MAX_ZONES_BY_REUSABLE_DELEGATION_SET":
            raise errors.invalid_input(f"Invalid request: Unknown limit type {params.get('Type')}")
        with self.deps.store.read() as txn:
            d = self.require_delegation_set(txn, ctx.account_id, params["DelegationSetId"])
            count = len(_zones_in_set(txn, ctx.account_id, d.id))
        return {
            "Limit": {"Type": "MAX_ZONES_BY_REUSABLE_DELEGATION_SET", "Value": MAX_ZONES_PER_SET},
            "Count": count,
        }
