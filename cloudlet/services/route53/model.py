"""Route 53 resources as immutable values, shared by the control plane (api.py) and the data
planes (dns/, health checks). No I/O here; persistence is in store.py.

Names are absolute, lower-case, with a trailing dot, in Route 53's presentation form: characters
outside [a-z0-9-_.] are escaped as \\NNN octal (a leading wildcard label is `*` in input and is
listed back as `\\052`). Record values are in DNS presentation format as Route 53 takes them in
ResourceRecords[].Value.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AliasTarget:
    hosted_zone_id: str
    dns_name: str  # absolute, lower-case, trailing dot
    evaluate_target_health: bool


@dataclass(frozen=True)
class GeoLocation:
    continent_code: str | None = None
    country_code: str | None = None  # "*" is the default location
    subdivision_code: str | None = None


@dataclass(frozen=True)
class GeoProximity:
    aws_region: str | None = None
    local_zone_group: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    bias: int = 0


@dataclass(frozen=True)
class CidrRouting:
    collection_id: str
    location_name: str  # "*" is the default location


@dataclass(frozen=True)
class RecordSet:
    name: str
    type: str
    ttl: int | None = None  # None for alias records
    values: tuple[str, ...] = ()
    alias: AliasTarget | None = None
    set_identifier: str | None = None
    weight: int | None = None
    region: str | None = None  # latency routing
    failover: str | None = None  # "PRIMARY" | "SECONDARY"
    geolocation: GeoLocation | None = None
    geoproximity: GeoProximity | None = None
    multivalue_answer: bool | None = None
    cidr_routing: CidrRouting | None = None
    health_check_id: str | None = None

    @property
    def policy(self) -> str:
        """The routing policy this record set uses."""
        if self.weight is not None:
            return "weighted"
        if self.region is not None:
            return "latency"
        if self.failover is not None:
            return "failover"
        if self.geolocation is not None:
            return "geolocation"
        if self.geoproximity is not None:
            return "geoproximity"
        if self.multivalue_answer is not None:
            return "multivalue"
        if self.cidr_routing is not None:
            return "ip"
        return "simple"


@dataclass(frozen=True)
class HostedZone:
    id: str  # bare id, e.g. "Z0123456789ABCDEFGHIJ" (the API shows "/hostedzone/<id>")
    name: str  # absolute, lower-case, trailing dot
    caller_reference: str
    comment: str | None = None
    private: bool = False
    name_servers: tuple[str, ...] = ()
    delegation_set_id: str | None = None
    vpcs: tuple[tuple[str, str], ...] = ()  # (VPCRegion, VPCId)
    created: float = 0.0
    record_count: int = 0
    linked_service: str | None = None
    account_id: str = ""  # the owning account (Route 53 is global: zones are per account, not region)


@dataclass(frozen=True)
class ZoneSnapshot:
    """One zone and all its record sets, as a data plane compiles it."""

    zone: HostedZone
    record_sets: tuple[RecordSet, ...] = field(default_factory=tuple)
