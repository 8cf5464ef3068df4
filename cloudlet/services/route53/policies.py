"""Routing-policy selection: which record set(s) of one (name, type) group answer a query.

The DNS data plane calls, per query that hits a group of record sets:

    chosen = choose(group, client, health, rng, cidr=cidr_table, resolve_alias=alias_health)

- `group`: every RecordSet of one (name, type) in one zone (one policy per group, AWS enforces).
- `client`: geo.ClientInfo (ECS subnet or source address, its Location, configured latencies).
- `health`: the current HealthView (health check id -> healthy; missing = healthy).
- `rng`: the caller's random.Random (tests seed it).
- `cidr`: CidrTable for IP-based routing (cidr.py; EMPTY_CIDR if the zone has none).
- `resolve_alias(record) -> bool`: only needed for alias records with EvaluateTargetHealth: the
  health of the alias target as the DNS plane sees it. For a same-zone target that is
  `group_healthy(target_group, health, resolve_alias)` (healthy iff >= 1 member healthy); for an
  AWS resource target it is that resource's health. Without it, ETH targets count as healthy.

Returns the chosen record sets; the answer is the union of their values (the DNS plane shuffles
the values of a simple record set). An empty tuple means NOERROR/NODATA (geolocation or IP-based
with no match and no default). Health never empties an answer: when every candidate is
unhealthy, all count as healthy ("if none are healthy, treat all as healthy").

Health of one record (is_healthy): a HealthCheckId must be healthy, and an alias with
EvaluateTargetHealth must have a healthy target; both must pass when both are set. Simple
routing ignores health, as AWS does.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from cloudlet.geo.model import ClientInfo, great_circle_km, latency_ms
from cloudlet.geo.regions import region_location
from cloudlet.services.route53.cidr import EMPTY_CIDR, CidrTable
from cloudlet.services.route53.health_view import HealthView
from cloudlet.services.route53.model import RecordSet

ResolveAlias = Callable[[RecordSet], bool]
Group = tuple[RecordSet, ...]

MULTIVALUE_MAX = 8
_CHINA_REGIONS = ("cn-north-1", "cn-northwest-1")


def is_healthy(record: RecordSet, health: HealthView, resolve_alias: ResolveAlias | None = None) -> bool:
    if record.health_check_id is not None and not health.healthy(record.health_check_id):
        return False
    if record.alias is not None and record.alias.evaluate_target_health and resolve_alias is not None:
        return resolve_alias(record)
    return True


def group_healthy(
    group: Sequence[RecordSet], health: HealthView, resolve_alias: ResolveAlias | None = None
) -> bool:
    """An alias target group with EvaluateTargetHealth is healthy iff at least one member is
    (members without a health check count healthy; a simple record set is always healthy)."""
    if not group:
        return False
    if group[0].policy == "simple":
        return True
    return any(is_healthy(r, health, resolve_alias) for r in group)


class _Health:
    """Per-call memo of record health (resolve_alias may walk an alias tree)."""

    __slots__ = ("_health", "_resolve", "_memo")

    def __init__(self, health: HealthView, resolve: ResolveAlias | None) -> None:
        self._health = health
        self._resolve = resolve
        self._memo: dict[int, bool] = {}

    def __call__(self, record: RecordSet) -> bool:
        key = id(record)
        ok = self._memo.get(key)
        if ok is None:
            ok = is_healthy(record, self._health, self._resolve)
            self._memo[key] = ok
        return ok


def choose(
    group: Group,
    client: ClientInfo,
    health: HealthView,
    rng: random.Random,
    *,
    cidr: CidrTable = EMPTY_CIDR,
    resolve_alias: ResolveAlias | None = None,
) -> Group:
    return prepare(group, client, health, cidr=cidr, resolve_alias=resolve_alias).draw(rng)


# policies whose outcome depends on who asks (the rest depend only on health and chance)
CLIENT_POLICIES = frozenset({"latency", "geolocation", "geoproximity", "ip"})
_FIXED, _WEIGHTED, _UNIFORM, _SHUFFLE = 0, 1, 2, 3


class Choice:
    """A selection with health and the client already applied: a fixed answer, or the pool a
    random draw is made from. `choose` is `prepare(...).draw(rng)`; the DNS plane keeps a
    Choice while the health view, the CIDR table and the client stay the same (router.py), so
    the per-query part is only the draw. A weighted pick returns one of a fixed set of 1-tuples."""

    __slots__ = ("kind", "pool", "total", "bounds", "draw")

    def __init__(self, kind: int, pool: Group) -> None:
        self.kind = kind
        self.pool = pool
        self.total = 0
        self.bounds: tuple[tuple[int, Group], ...] = ()
        # draw(rng) -> the chosen record sets; bound once, so a draw is one call, no dispatch
        self.draw: Callable[[random.Random], Group] = self._fixed
        if kind == _WEIGHTED:
            running = 0
            bounds = []
            for r in pool:
                running += r.weight or 0
                bounds.append((running, (r,)))
            self.total, self.bounds = running, tuple(bounds)
            self.draw = self._weighted
            if running <= 0:  # all weight 0: uniformly
                self.kind = _UNIFORM
                self.draw = self._uniform
        elif kind == _SHUFFLE:
            self.draw = self._shuffled

    def outcomes(self) -> tuple[bool, int, tuple[tuple[int, Group], ...]] | None:
        """The draw as data, for a caller that keeps its own table: (draws, total, ((bound,
        chosen), ...)). With `draws`, a draw is `point = rng.random() * total` and the first
        entry whose bound exceeds it (else the last); without, the one entry. None for the
        draws that are not a single uniform point (multivalue, all-zero weights)."""
        if self.kind == _FIXED:
            return False, 0, ((0, self.pool),)
        if self.kind == _WEIGHTED:
            return True, self.total, self.bounds
        return None

    def _fixed(self, rng: random.Random) -> Group:
        return self.pool

    def _weighted(self, rng: random.Random) -> Group:
        # the first record whose running weight exceeds a uniform point in [0, total)
        point = rng.random() * self.total
        for bound, one in self.bounds:
            if point < bound:
                return one
        return self.bounds[-1][1]

    def _uniform(self, rng: random.Random) -> Group:
        return self.bounds[rng.randrange(len(self.bounds))][1]

    def _shuffled(self, rng: random.Random) -> Group:
        return _draw_multivalue(self.pool, rng)


def prepare(
    group: Group,
    client: ClientInfo | None,
    health: HealthView,
    *,
    cidr: CidrTable = EMPTY_CIDR,
    resolve_alias: ResolveAlias | None = None,
) -> Choice:
    """Everything of `choose` but the random draw. `client` may be None for the policies not in
    CLIENT_POLICIES."""
    if not group:
        return Choice(_FIXED, ())
    policy = group[0].policy
    if policy == "simple":
        return Choice(_FIXED, group)
    ok = _Health(health, resolve_alias)
    if policy == "weighted":
        pool = _weighted_pool(group, ok)
        return Choice(_WEIGHTED, pool) if pool else Choice(_FIXED, ())
    if policy == "failover":
        return Choice(_FIXED, _failover(group, ok))
    if policy == "multivalue":
        healthy = tuple(r for r in group if ok(r))
        return Choice(_SHUFFLE, healthy or group)
    if policy in CLIENT_POLICIES:
        if client is None:
            raise ValueError(f"{policy} routing needs the client")
        if policy == "latency":
            return Choice(_FIXED, _first_healthy(_by_latency(group, client), ok))
        if policy == "geolocation":
            return Choice(_FIXED, _first_healthy(_geolocation_chain(group, client), ok))
        if policy == "geoproximity":
            return Choice(_FIXED, _first_healthy(_by_geoproximity(group, client), ok))
        return Choice(_FIXED, _first_healthy(_cidr_chain(group, client, cidr), ok))
    return Choice(_FIXED, group)


def _first_healthy(candidates: Sequence[RecordSet], ok: _Health) -> Group:
    """The best candidate that is healthy; if none is, the best one (all count as healthy)."""
    for record in candidates:
        if ok(record):
            return (record,)
    return (candidates[0],) if candidates else ()


# -- weighted ----------------------------------------------------------------------------------
def _weighted_pool(group: Group, ok: _Health) -> Group:
    nonzero = [r for r in group if (r.weight or 0) > 0]
    zero = [r for r in group if (r.weight or 0) == 0]
    # AWS: healthy non-zero records first; if all of those are down, healthy zero-weight ones;
    # if everything is down, all count as healthy (non-zero by weight, else zero uniformly)
    for pool in ([r for r in nonzero if ok(r)], [r for r in zero if ok(r)], nonzero, zero):
        if pool:
            return tuple(pool)
    return ()


# -- failover ----------------------------------------------------------------------------------
def _failover(group: Group, ok: _Health) -> Group:
    primary = next((r for r in group if r.failover == "PRIMARY"), None)
    secondary = next((r for r in group if r.failover == "SECONDARY"), None)
    if primary is not None and ok(primary):
        return (primary,)
    if secondary is not None and ok(secondary):
        return (secondary,)
    # both down: AWS answers with the primary
    chosen = primary or secondary
    return (chosen,) if chosen is not None else ()


# -- multivalue --------------------------------------------------------------------------------
def _draw_multivalue(pool: Group, rng: random.Random) -> Group:
    """Up to MULTIVALUE_MAX of the pool (the healthy records, or all when none is), random."""
    if len(pool) <= MULTIVALUE_MAX:
        picked = list(pool)
        rng.shuffle(picked)
        return tuple(picked)
    return tuple(rng.sample(pool, MULTIVALUE_MAX))


# -- latency -----------------------------------------------------------------------------------
def _by_latency(group: Group, client: ClientInfo) -> list[RecordSet]:
    country = client.location.country if client.location is not None else None
    if country == "CN":
        # AWS: cn-north-1 (and Ningxia) always serve clients in China
        china = [r for r in group if r.region in _CHINA_REGIONS]
        if china:
            return sorted(china, key=lambda r: _CHINA_REGIONS.index(r.region or "")) + [
                r for r in group if r not in china
            ]

    def key(r: RecordSet) -> tuple[bool, float, str]:
        loc = region_location(r.region or "")
        ms = latency_ms(client, loc.coordinates if loc is not None else None, r.region or "")
        # unknown client location: every Region ties; fall back to a stable order
        return (ms is None, ms if ms is not None else 0.0, r.region or "")

    return sorted(group, key=key)


# -- geolocation -------------------------------------------------------------------------------
def _geolocation_chain(group: Group, client: ClientInfo) -> list[RecordSet]:
    """Candidates most specific first: subdivision, country, continent, default `*`."""
    loc = client.location
    sub = country = continent = default = None
    for r in group:
        g = r.geolocation
        if g is None:
            continue
        if g.country_code == "*":
            default = r
        elif loc is None:
            continue
        elif g.subdivision_code is not None:
            if g.country_code == loc.country and g.subdivision_code == loc.subdivision:
                sub = r
        elif g.country_code is not None:
            if g.country_code == loc.country:
                country = r
        elif g.continent_code is not None and g.continent_code == loc.continent:
            continent = r
    return [r for r in (sub, country, continent, default) if r is not None]


# -- geoproximity ------------------------------------------------------------------------------
def _by_geoproximity(group: Group, client: ClientInfo) -> list[RecordSet]:
    here = client.location.coordinates if client.location is not None else None

    def key(r: RecordSet) -> tuple[float, str]:
        gp = r.geoproximity
        if gp is None:
            return (float("inf"), r.set_identifier or "")
        point = _geoproximity_point(gp.aws_region, gp.local_zone_group, gp.latitude, gp.longitude)
        if here is None or point is None:
            return (float("inf"), r.set_identifier or "")
        return (biased_distance(great_circle_km(here, point), gp.bias), r.set_identifier or "")

    return sorted(group, key=key)


def _geoproximity_point(
    region: str | None, local_zone_group: str | None, lat: float | None, lon: float | None
) -> tuple[float, float] | None:
    if lat is not None and lon is not None:
        return (lat, lon)
    name = region or local_zone_group
    loc = region_location(name) if name else None
    return loc.coordinates if loc is not None else None


def biased_distance(distance: float, bias: int) -> float:
    """AWS's geoproximity bias: positive shrinks the distance by bias%, negative grows it
    (bias -50 doubles it): d*(1 - b/100) for b > 0, d/(1 + b/100) for b < 0."""
    if bias > 0:
        return distance * (1 - bias / 100)
    if bias < 0:
        return distance / (1 + bias / 100)
    return distance


# -- IP-based ----------------------------------------------------------------------------------
def _cidr_chain(group: Group, client: ClientInfo, cidr: CidrTable) -> list[RecordSet]:
    """The record for the client's CIDR location, then the `*` default."""
    by_location = {r.cidr_routing.location_name: r for r in group if r.cidr_routing is not None}
    chain: list[RecordSet] = []
    first = group[0].cidr_routing
    if first is not None:
        location = cidr.location_for(first.collection_id, client.network)
        if location is not None and location in by_location:
            chain.append(by_location[location])
    default = by_location.get("*")
    if default is not None and default not in chain:
        chain.append(default)
    return chain
