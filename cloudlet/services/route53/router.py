"""Router: the DNS plane's routing-policy selector, built on policies.choose.

The DNS server (services/dns) calls `router(records, client)` for every group that is not a
single simple record set. The router turns the DNS client (source address, EDNS Client Subnet)
into a geo.ClientInfo, and answers from the current HealthView and CidrTable — both immutable
values that the health plane (health.py) swaps in whole when a status or a CIDR collection
changes, so a query never waits on a lock, the store or a prober.

Alias records with EvaluateTargetHealth look up their same-zone target group through
`find_group(zone_id, name, type)` (the DNS plane's current compiled view: None when the zone is
not one we serve, () when it is but the name/type is absent) and walk it to at most MAX_DEPTH
levels; targets outside our zones (CloudFront, ELB, ...) count as healthy.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable
from typing import Any, Protocol

import dns.exception
import dns.name
import dns.rdatatype

from cloudlet.geo import ClientInfo, Geo
from cloudlet.geo.model import IPNetwork
from cloudlet.services.route53 import health_store
from cloudlet.services.route53.cidr import EMPTY_CIDR, CidrTable, load_cidr_table
from cloudlet.services.route53.health_view import EMPTY_HEALTH, HealthView
from cloudlet.services.route53.model import RecordSet
from cloudlet.services.route53.policies import choose, group_healthy

MAX_DEPTH = 8
CLIENT_CACHE = 65536  # ClientInfo per (source, ECS): Geo is fixed for the process's life
FindGroup = Callable[[str, str, str], tuple[RecordSet, ...] | None]
_UNSPECIFIED = ipaddress.ip_address("0.0.0.0")


class DnsClient(Protocol):
    """What the DNS plane knows of the asker (services/dns/authoritative.py Client)."""

    address: str | None
    ecs_address: str | None
    ecs_prefix: int


class Router:
    def __init__(
        self,
        geo: Geo,
        find_group: FindGroup | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.geo = geo
        self.find_group = find_group
        self.rng = rng or random.Random()
        self.health: HealthView = EMPTY_HEALTH  # swapped whole by the health plane
        self.cidr: CidrTable = EMPTY_CIDR  # swapped whole when a CIDR collection changes
        self._clients: dict[tuple[str | None, str | None, int], ClientInfo] = {}

    def __call__(self, records: tuple[RecordSet, ...], client: Any) -> tuple[RecordSet, ...]:
        info = self.client_info(client)
        health = self.health
        return choose(
            records, info, health, self.rng, cidr=self.cidr, resolve_alias=self._alias_health(health, 0)
        )

    def client_info(self, client: DnsClient) -> ClientInfo:
        key = (client.address, client.ecs_address, client.ecs_prefix)
        info = self._clients.get(key)
        if info is None:
            info = self._client_info(client)
            if len(self._clients) >= CLIENT_CACHE:
                self._clients.clear()
            self._clients[key] = info
        return info

    def _client_info(self, client: DnsClient) -> ClientInfo:
        ecs: IPNetwork | None = None
        if client.ecs_address:
            try:
                ecs = ipaddress.ip_network(f"{client.ecs_address}/{client.ecs_prefix}", strict=False)
            except ValueError:
                ecs = None
        try:
            address = ipaddress.ip_address(client.address) if client.address else _UNSPECIFIED
        except ValueError:
            address = _UNSPECIFIED
        return self.geo.client_info(address, ecs)

    def _alias_health(self, health: HealthView, depth: int) -> Callable[[RecordSet], bool]:
        def resolve(record: RecordSet) -> bool:
            alias = record.alias
            if alias is None or self.find_group is None or depth >= MAX_DEPTH:
                return True
            target = self.find_group(alias.hosted_zone_id, alias.dns_name, record.type)
            if target is None:
                return True  # not a zone we serve (an AWS resource): outside our health view
            # () = our zone but no such group: the target cannot answer, so it is unhealthy
            return group_healthy(target, health, self._alias_health(health, depth + 1))

        return resolve

    def refresh_from_store(self, store: Any) -> None:
        """Reload health verdicts and CIDR collections from the store: how a DNS worker process
        or a replica on another host follows the health plane (call it when the store's change
        sequence moves; the single-process path gets swapped values from health.py instead)."""
        with store.read() as txn:
            statuses = health_store.load_statuses(txn)
        self.cidr = load_cidr_table(store)
        self.health = HealthView(statuses, self.health.version + 1)


def groups_in(view: Callable[[], Any]) -> FindGroup:
    """A FindGroup over the DNS plane's current compiled view (`view()` returns an object with
    `by_id: {zone id: compiled zone}`, each with `group(name, rdtype)`; see services/dns)."""

    def find(zone_id: str, name: str, rtype: str) -> tuple[RecordSet, ...] | None:
        current = view()
        zone = current.by_id.get(zone_id) if current is not None else None
        if zone is None:
            return None
        try:
            group = zone.group(dns.name.from_text(name), dns.rdatatype.from_text(rtype))
        except (dns.exception.DNSException, ValueError):
            return ()  # a name or type no compiled zone can hold: no such group
        return () if group is None else tuple(group.records)

    return find
