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

`router.compile(records)` is the same selection for one group as a reusable callable for the
DNS plane's prerendered-answer path: it keeps the group's policies.Choice while the health view
and CIDR table are the same objects (per client for the client-dependent policies), so a query
costs only the random draw; a swapped view or table is seen on the very next call.
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
from cloudlet.services.route53.policies import CLIENT_POLICIES, Choice, choose, group_healthy, prepare

MAX_DEPTH = 8
CLIENT_CACHE = 65536  # ClientInfo per (source, ECS): Geo is fixed for the process's life
CHOICES_PER_GROUP = 4096  # compiled selections kept per group for the client-dependent policies
FindGroup = Callable[[str, str, str], tuple[RecordSet, ...] | None]
_UNSPECIFIED = ipaddress.ip_address("0.0.0.0")


class DnsClient(Protocol):
    """What the DNS plane knows of the asker (services/dns/authoritative.py Client)."""

    address: str | None
    ecs_address: str | None
    ecs_prefix: int


_GENERATION_OF = frozenset({"health", "cidr", "rng"})


class Router:
    generation = 0  # moves on every assignment of health, cidr or rng (CompiledGroup.table)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name in _GENERATION_OF:  # after the value: a reader seeing the new generation sees it
            object.__setattr__(self, "generation", self.generation + 1)

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

    def compile(self, records: tuple[RecordSet, ...]) -> CompiledGroup:
        """`self(records, client)` as a callable for one group that memoizes its Choice."""
        return CompiledGroup(self, records)

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


class CompiledGroup:
    """One group's selection with its policies.Choice memoized. Valid as long as the DNS view it
    came from (alias targets are looked up in it): the DNS plane drops it with its cache on a
    zone swap. `needs_client` is False when the outcome cannot depend on who asks (the caller
    may then pass None)."""

    __slots__ = ("router", "records", "needs_client", "_health", "_cidr", "_choice", "_by_client")

    def __init__(self, router: Router, records: tuple[RecordSet, ...]) -> None:
        self.router = router
        self.records = records
        self.needs_client = bool(records) and records[0].policy in CLIENT_POLICIES
        self._health: HealthView | None = None
        self._cidr: CidrTable | None = None
        self._choice: Choice | None = None
        self._by_client: dict[tuple[str | None, str | None, int], Choice] = {}

    def __call__(self, client: DnsClient | None) -> tuple[RecordSet, ...]:
        router = self.router
        if router.health is self._health and router.cidr is self._cidr:
            choice = self._choice  # the common case: same views, client-independent policy
            if choice is not None:
                return choice.draw(router.rng)
        else:
            self._health, self._cidr = router.health, router.cidr
            self._choice = None
            self._by_client = {}
        health, cidr = self._health, self._cidr
        assert health is not None and cidr is not None
        if not self.needs_client:
            choice = self._choice = self._prepare(None, health, cidr)
            return choice.draw(router.rng)
        assert client is not None
        key = (client.address, client.ecs_address, client.ecs_prefix)
        choice = self._by_client.get(key)
        if choice is None:
            choice = self._prepare(router.client_info(client), health, cidr)
            if len(self._by_client) >= CHOICES_PER_GROUP:
                self._by_client.clear()
            self._by_client[key] = choice
        return choice.draw(router.rng)

    def table(
        self,
    ) -> tuple[Router, int, random.Random, bool, int, tuple[tuple[int, tuple[RecordSet, ...]], ...]] | None:
        """This group's selection as a table the DNS plane may keep while `router.generation`
        stays the same: (router, generation, rng, draws, total, ((bound, chosen), ...)) as in
        policies.Choice.outcomes; None when the outcome depends on the client or is not one
        uniform draw (services/dns/routed.py)."""
        router = self.router
        generation = router.generation  # first: a swap after this only makes the table stale
        if self.needs_client:
            return None
        health, cidr = router.health, router.cidr
        if health is not self._health or cidr is not self._cidr or self._choice is None:
            self._health, self._cidr, self._by_client = health, cidr, {}
            self._choice = self._prepare(None, health, cidr)
        outcomes = self._choice.outcomes()
        if outcomes is None:
            return None
        return (router, generation, router.rng, *outcomes)

    def _prepare(self, info: ClientInfo | None, health: HealthView, cidr: CidrTable) -> Choice:
        alias = self.router._alias_health(health, 0)
        return prepare(self.records, info, health, cidr=cidr, resolve_alias=alias)


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
