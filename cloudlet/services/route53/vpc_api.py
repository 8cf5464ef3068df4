"""Private hosted zones' VPC associations (AssociateVPCWithHostedZone, DisassociateVPCFromHostedZone,
ListHostedZonesByVPC): a mixin of Route53Api (api.py). VPCs are recorded, not verified against an
EC2 service (cloudlet has none): any well-formed `vpc-` id in a known Region is accepted.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.services.base import Deps, RequestContext
from cloudlet.services.route53 import errors, store, zones
from cloudlet.services.route53.model import HostedZone

MAX_VPCS_PER_ZONE = 300
Params = dict[str, Any]


class VpcApi:
    deps: Deps

    def parse_vpc(self, vpc: Params) -> tuple[str, str]:
        vpc_id, region = vpc.get("VPCId"), vpc.get("VPCRegion")
        if not vpc_id or not zones.valid_vpc_id(str(vpc_id)):
            raise errors.invalid_vpc_id()
        if not region:
            raise errors.invalid_input("Invalid request: VPCRegion is required with VPCId")
        return (str(region), str(vpc_id))

    def check_private_name_free(self, owned: list[HostedZone], name: str, vpc: tuple[str, str]) -> None:
        for z in owned:
            if z.private and z.name == name and vpc in z.vpcs:
                raise errors.conflicting_domain_exists(
                    f"A conflicting domain {name} is already associated with VPC {vpc[1]} in {vpc[0]}"
                )

    def associate_vpc_with_hosted_zone(self, ctx: RequestContext, params: Params) -> Params:
        vpc = self.parse_vpc(params.get("VPC") or {})
        with self.deps.store.write() as txn:
            zone = zones.require_zone(txn, ctx.account_id, params["HostedZoneId"])
            if not zone.private:
                raise errors.public_zone_vpc_association()
            if vpc in zone.vpcs:
                raise errors.conflicting_domain_exists(
                    f"The VPC {vpc[1]} is already associated with hosted zone {zone.id}"
                )
            self.check_private_name_free(store.account_zones(txn, ctx.account_id), zone.name, vpc)
            if len(zone.vpcs) >= MAX_VPCS_PER_ZONE:
                raise AwsError(
                    "LimitsExceeded",
                    f"Limits Exceeded: MAX_VPCS_ASSOCIATED_BY_ZONE - Cannot associate more than {MAX_VPCS_PER_ZONE} VPCs.",
                    400,
                )
            store.put_zone(txn, replace(zone, vpcs=zone.vpcs + (vpc,)))
            change = zones.record_change(txn, self.deps, ctx.account_id, zone.id, params.get("Comment"))
        return {"ChangeInfo": zones.change_info(self.deps, change)}

    def disassociate_vpc_from_hosted_zone(self, ctx: RequestContext, params: Params) -> Params:
        vpc = self.parse_vpc(params.get("VPC") or {})
        with self.deps.store.write() as txn:
            zone = zones.require_zone(txn, ctx.account_id, params["HostedZoneId"])
            if vpc not in zone.vpcs:
                raise errors.vpc_association_not_found(vpc[1])
            if len(zone.vpcs) == 1:
                raise errors.last_vpc_association()
            store.put_zone(txn, replace(zone, vpcs=tuple(v for v in zone.vpcs if v != vpc)))
            change = zones.record_change(txn, self.deps, ctx.account_id, zone.id, params.get("Comment"))
        return {"ChangeInfo": zones.change_info(self.deps, change)}

    def list_hosted_zones_by_vpc(self, ctx: RequestContext, params: Params) -> Params:
        vpc = self.parse_vpc({"VPCId": params.get("VPCId"), "VPCRegion": params.get("VPCRegion")})
        limit = zones.page_size(params.get("MaxItems"), 100, 100)
        token = params.get("NextToken")
        with self.deps.store.read() as txn:
            if token and store.get_zone(txn, token) is None:
                raise AwsError(
                    "InvalidPaginationToken",
                    "The value that you specified to get the second or subsequent page of results is invalid.",
                    400,
                )
            found = [z for z in store.list_zones(txn) if vpc in z.vpcs and (not token or z.id >= token)]
        out: Params = {
            "HostedZoneSummaries": [
                {"HostedZoneId": z.id, "Name": z.name, "Owner": {"OwningAccount": z.account_id}}
                for z in found[:limit]
            ],
            "MaxItems": str(limit),
        }
        if len(found) > limit:
            out["NextToken"] = found[limit].id
        return out
