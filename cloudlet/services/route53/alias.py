"""Alias targets: the one extension point through which services become Route 53 alias targets.

An alias record's AliasTarget.HostedZoneId says what it points at. Either it is the record's own
hosted zone (a record set in the same zone; built in, checked by changes.py), or it is the fixed
hosted zone id AWS uses for a service's endpoints — CloudFront `Z2FDTNDATAQYW2`, Global
Accelerator `Z2BJ6XQ5FK7U4H`, an S3 website or API Gateway Region's zone id, ... Such a service
registers an `AliasTargetKind` when it starts:

    route53 = deps.services["route53"]            # the Route53Api component
    route53.alias_targets.register(AliasTargetKind(
        service="cloudfront", hosted_zone_ids=frozenset({"Z2FDTNDATAQYW2"}),
        record_types=frozenset({"A", "AAAA"}), private_zones=False, evaluate_target_health=False,
        check=lambda dns_name, rtype: None if known(dns_name) else "not found",
        resolve=lambda dns_name, rtype: ["127.0.0.1"]))

`check` runs when a change batch creates the alias (a problem text refuses it: InvalidChangeBatch);
`resolve` is for the DNS data plane, which reads the same registry (through the Route53Api
component) to answer alias queries with the target's current addresses. No I/O here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AliasTargetKind:
    service: str
    hosted_zone_ids: frozenset[str]
    record_types: frozenset[str]
    private_zones: bool = True  # may private hosted zones alias to it?
    evaluate_target_health: bool = True  # may EvaluateTargetHealth be true?
    # (dns_name, record type) -> None if the target exists, else a short reason
    check: Callable[[str, str], str | None] | None = None
    # (dns_name, record type) -> the values to answer with (DNS data plane), None if unknown
    resolve: Callable[[str, str], list[str] | None] | None = None


class AliasRegistry:
    """hosted zone id -> AliasTargetKind; registered by services at start, read by many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kinds: dict[str, AliasTargetKind] = {}

    def register(self, kind: AliasTargetKind) -> None:
        with self._lock:
            for zone_id in kind.hosted_zone_ids:
                self._kinds[zone_id] = kind

    def unregister(self, kind: AliasTargetKind) -> None:
        with self._lock:
            for zone_id in kind.hosted_zone_ids:
                if self._kinds.get(zone_id) is kind:
                    del self._kinds[zone_id]

    def lookup(self, hosted_zone_id: str) -> AliasTargetKind | None:
        return self._kinds.get(hosted_zone_id)

    def kinds(self) -> list[AliasTargetKind]:
        with self._lock:
            return list({id(k): k for k in self._kinds.values()}.values())
