"""Geo: address -> Location, and the ClientInfo a DNS query (or HTTP request) is routed by.

Order: the user map (settings.extra["geo_map"], a JSON file; see geo/usermap.py), then a
user-supplied MaxMind .mmdb (settings.extra["geoip_mmdb"]), then the GeoIP data shipped with
geoip2fast (settings.extra["geoip"] = "off" disables it). settings.extra["latency_table"] adds measured
per-Region latencies to each ClientInfo (geo/latency.py). Loopback, private and other
non-global addresses are placed only by the user map and the user's .mmdb, never by the
shipped data (which would call them "private").

DNS calls this per dynamic query, so GeoIP answers are cached per /24 (IPv4) or /48 (IPv6) —
the granularity resolvers send in EDNS Client Subnet anyway — in a bounded table.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Sequence
from pathlib import Path

from cloudlet.config import Settings
from cloudlet.geo.gazetteer import Gazetteer
from cloudlet.geo.geoip import GeoSource, MmdbSource, ShippedSource
from cloudlet.geo.latency import LatencyTable
from cloudlet.geo.model import ClientInfo, IPAddress, IPNetwork, Location
from cloudlet.geo.usermap import GeoConfigError, UserMap

_MISS = Location()  # cached "no GeoIP answer" (a real answer always has a country or continent)


class Geo:
    def __init__(
        self,
        user_map: UserMap | None = None,
        sources: Sequence[GeoSource] = (),
        latency: LatencyTable | None = None,
        cache_size: int = 65536,
    ) -> None:
        self.user_map = user_map or UserMap()
        self.latency = latency or LatencyTable()
        self._sources = tuple(sources)
        self._cache: dict[tuple[int, int], Location] = {}
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Geo:
        gazetteer = Gazetteer()
        extra = settings.extra
        user_map = UserMap()
        if extra.get("geo_map"):
            user_map = UserMap.load(Path(extra["geo_map"]), gazetteer)
        sources: list[GeoSource] = []
        if extra.get("geoip_mmdb"):
            path = Path(extra["geoip_mmdb"])
            try:
                sources.append(MmdbSource(path, gazetteer))
            except (OSError, ValueError) as e:
                raise GeoConfigError(f"geoip_mmdb {path}: {e}") from None
        mode = str(extra.get("geoip", "shipped")).lower()
        if mode not in ("shipped", "off"):
            raise GeoConfigError(f"geoip must be 'shipped' or 'off', not {mode!r}")
        if mode == "shipped":
            sources.append(ShippedSource(gazetteer))
        latency = LatencyTable.load(Path(extra["latency_table"])) if extra.get("latency_table") else None
        return cls(user_map, sources, latency)

    def warm(self) -> None:
        """Load the GeoIP data now (about a second of CPU) rather than on the first query from a
        public address; callers run this on a worker thread at startup."""
        for source in self._sources:
            warm = getattr(source, "warm", None)
            if warm is not None:
                warm()

    def locate(self, address: IPAddress | str) -> Location | None:
        if isinstance(address, str):
            try:
                address = ipaddress.ip_address(address)
            except ValueError:
                return None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        found = self.user_map.lookup(address)
        if found is not None:
            return found
        if not self._sources:
            return None
        key = _cache_key(address)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._lookup_sources(address, address.is_global) or _MISS
            with self._lock:
                if len(self._cache) >= self._cache_size:
                    self._cache.clear()  # cheap bound; refilling costs one lookup per /24
                self._cache[key] = cached
        return None if cached is _MISS else cached

    def _lookup_sources(self, address: IPAddress, is_global: bool) -> Location | None:
        for source in self._sources:
            if not is_global and source.public_only:
                continue
            loc = source.lookup(address)
            if loc is not None:
                return loc
        return None

    def client_info(self, source_ip: IPAddress | str, ecs_network: IPNetwork | None = None) -> ClientInfo:
        """Who is asking: located by the ECS subnet when present (and not /0), else the source."""
        address = ipaddress.ip_address(source_ip) if isinstance(source_ip, str) else source_ip
        if ecs_network is not None and ecs_network.prefixlen == 0:
            ecs_network = None  # RFC 7871 §7.1.2: source prefix 0 means "do not use my address"
        where = ecs_network.network_address if ecs_network is not None else address
        latencies = self.latency.row(ecs_network or ipaddress.ip_network(address)) if self.latency else ()
        return ClientInfo(address, ecs_network, self.locate(where), latencies)


def _cache_key(address: IPAddress) -> tuple[int, int]:
    if address.version == 4:
        return (4, int(address) >> 8)
    return (6, int(address) >> 80)
