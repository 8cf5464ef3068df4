"""Account-wide Route 53 operations: tags (ChangeTagsForResource, ListTagsForResource(s)), limits
(GetHostedZoneLimit, GetAccountLimit) and GetHostedZoneCount — a mixin of Route53Api (api.py).
Tags of hosted zones and health checks share store.py's tag table (health_store.py deletes a
check's tags with the check).
"""

from __future__ import annotations

from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.services.base import Deps, RequestContext
from cloudlet.services.route53 import errors, health_store, store, zones
from cloudlet.store import Txn

MAX_TAGS = 50
ACCOUNT_LIMITS = {
    "MAX_HEALTH_CHECKS_BY_OWNER": 200,
    "MAX_HOSTED_ZONES_BY_OWNER": 500,
    "MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER": 5,
    "MAX_REUSABLE_DELEGATION_SETS_BY_OWNER": 100,
    "MAX_TRAFFIC_POLICIES_BY_OWNER": 50,
    "MAX_HEALTH_CHECK_SOURCES_BY_OWNER": 50,
}
ZONE_LIMITS = {"MAX_RRSETS_BY_ZONE": 10000, "MAX_VPCS_ASSOCIATED_BY_ZONE": 300}
Params = dict[str, Any]


class AccountApi:
    deps: Deps

    def _require_taggable(self, txn: Txn, account: str, rtype: str, rid: str) -> str:
        rid = zones.bare_id(rid)
        if rtype == "hostedzone":
            zones.require_zone(txn, account, rid)
        elif rtype == "healthcheck":
            if health_store.get_health_check(txn, rid, account) is None:
                raise errors.no_such_health_check(rid)
        else:
            raise errors.invalid_input(f"Invalid request: Unsupported resource type {rtype}")
        return rid

    def change_tags_for_resource(self, ctx: RequestContext, params: Params) -> Params:
        rtype = str(params.get("ResourceType"))
        add = [(str(t.get("Key", "")), str(t.get("Value", ""))) for t in params.get("AddTags") or []]
        remove = set(params.get("RemoveTagKeys") or [])
        if not add and not remove:
            raise errors.invalid_input("Invalid request: Expected AddTags or RemoveTagKeys")
        with self.deps.store.write() as txn:
            rid = self._require_taggable(txn, ctx.account_id, rtype, str(params.get("ResourceId")))
            tags = dict(store.get_tags(txn, ctx.account_id, rtype, rid))
            for k in remove:
                tags.pop(k, None)
            for k, v in add:
                tags[k] = v
            if len(tags) > MAX_TAGS:
                raise errors.invalid_input(f"Invalid request: A resource can have at most {MAX_TAGS} tags")
            store.put_tags(txn, ctx.account_id, rtype, rid, sorted(tags.items()))
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Params:
        rtype = str(params.get("ResourceType"))
        with self.deps.store.read() as txn:
            rid = self._require_taggable(txn, ctx.account_id, rtype, str(params.get("ResourceId")))
            tags = store.get_tags(txn, ctx.account_id, rtype, rid)
        return {"ResourceTagSet": _tag_set(rtype, rid, tags)}

    def list_tags_for_resources(self, ctx: RequestContext, params: Params) -> Params:
        rtype = str(params.get("ResourceType"))
        out = []
        with self.deps.store.read() as txn:
            for raw in params.get("ResourceIds") or []:
                rid = self._require_taggable(txn, ctx.account_id, rtype, str(raw))
                out.append(_tag_set(rtype, rid, store.get_tags(txn, ctx.account_id, rtype, rid)))
        return {"ResourceTagSets": out}

    def get_hosted_zone_count(self, ctx: RequestContext, params: Params) -> Params:
        with self.deps.store.read() as txn:
            return {"HostedZoneCount": len(store.account_zone_ids(txn, ctx.account_id))}

    def get_hosted_zone_limit(self, ctx: RequestContext, params: Params) -> Params:
        ltype = params.get("Type")
        if ltype not in ZONE_LIMITS:
            raise errors.invalid_input(f"Invalid request: Unknown limit type {ltype}")
        with self.deps.store.read() as txn:
            zone = zones.require_zone(txn, ctx.account_id, params["HostedZoneId"])
        if ltype == "MAX_VPCS_ASSOCIATED_BY_ZONE":
            if not zone.private:
                raise AwsError(
                    "HostedZoneNotPrivate",
                    "The specified hosted zone is a public hosted zone, not a private hosted zone.",
                    400,
                )
            count = len(zone.vpcs)
        else:
            count = zone.record_count
        return {"Limit": {"Type": ltype, "Value": ZONE_LIMITS[ltype]}, "Count": count}

    def get_account_limit(self, ctx: RequestContext, params: Params) -> Params:
        ltype = params.get("Type")
        if ltype not in ACCOUNT_LIMITS:
            raise errors.invalid_input(f"Invalid request: Unknown limit type {ltype}")
        account = ctx.account_id
        with self.deps.store.read() as txn:
            if ltype == "MAX_HOSTED_ZONES_BY_OWNER":
                count = len(store.account_zone_ids(txn, account))
            elif ltype == "MAX_HEALTH_CHECKS_BY_OWNER":
                count = len(health_store.account_health_checks(txn, account))
            elif ltype == "MAX_REUSABLE_DELEGATION_SETS_BY_OWNER":
                count = len(store.list_delegation_sets(txn, account))
            else:
                count = 0  # traffic policies and health-check sources are not implemented: none exist
        return {"Limit": {"Type": ltype, "Value": ACCOUNT_LIMITS[ltype]}, "Count": count}


def _tag_set(rtype: str, rid: str, tags: list[tuple[str, str]]) -> Params:
    return {"ResourceType": rtype, "ResourceId": rid, "Tags": [{"Key": k, "Value": v} for k, v in tags]}
