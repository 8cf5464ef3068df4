"""The user's CIDR -> location map: places loopback and private ranges (and overrides public ones).

A JSON object whose keys are CIDRs and whose values give a place, any of:
    {"continent": "EU", "country": "DE", "subdivision": null, "latitude": 50.1, "longitude": 8.7}
    {"country": "US", "subdivision": "CA"}      (continent and coordinates filled from the country)
    {"region": "eu-central-1"}                  (the AWS Region's city)
Longest prefix wins. Loaded by geo/locator.py from settings.extra["geo_map"].
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cloudlet.geo.gazetteer import Gazetteer
from cloudlet.geo.model import CONTINENTS, IPAddress, IPNetwork, Location
from cloudlet.geo.regions import region_location

_KEYS = {"continent", "country", "subdivision", "latitude", "longitude", "region"}


class GeoConfigError(ValueError):
    """The user map (or another geo setting) is invalid; raised at startup."""


class UserMap:
    """Longest-prefix CIDR -> Location table."""

    def __init__(self, entries: Mapping[IPNetwork, Location] | None = None) -> None:
        # per family: prefix length -> {network int: Location}, lengths probed longest first
        self._tables: dict[int, dict[int, dict[int, Location]]] = {4: {}, 6: {}}
        for net, loc in (entries or {}).items():
            self._tables[net.version].setdefault(net.prefixlen, {})[int(net.network_address)] = loc
        self._lengths = {v: sorted(t, reverse=True) for v, t in self._tables.items()}

    def __len__(self) -> int:
        return sum(len(t) for tables in self._tables.values() for t in tables.values())

    def lookup(self, address: IPAddress) -> Location | None:
        v = address.version
        bits = 32 if v == 4 else 128
        n = int(address)
        tables = self._tables[v]
        for length in self._lengths[v]:
            mask = ((1 << length) - 1) << (bits - length) if length else 0
            loc = tables[length].get(n & mask)
            if loc is not None:
                return loc
        return None

    @classmethod
    def load(cls, path: Path, gazetteer: Gazetteer) -> UserMap:
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise GeoConfigError(f"geo_map {path}: {e}") from None
        return cls.parse(raw, gazetteer, source=str(path))

    @classmethod
    def parse(cls, raw: Any, gazetteer: Gazetteer, source: str = "geo_map") -> UserMap:
        if not isinstance(raw, dict):
            raise GeoConfigError(f"{source}: expected a JSON object of CIDR -> location")
        entries: dict[IPNetwork, Location] = {}
        for cidr, spec in raw.items():
            try:
                net = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise GeoConfigError(f"{source}: {cidr!r} is not a CIDR") from None
            entries[net] = _location(spec, gazetteer, f"{source}[{cidr}]")
        return cls(entries)


def _location(spec: Any, gazetteer: Gazetteer, where: str) -> Location:
    if not isinstance(spec, dict) or not spec:
        raise GeoConfigError(f"{where}: expected an object with some of {sorted(_KEYS)}")
    unknown = set(spec) - _KEYS
    if unknown:
        raise GeoConfigError(f"{where}: unknown keys {sorted(unknown)}")
    base = Location()
    if spec.get("region") is not None:
        found = region_location(str(spec["region"]))
        if found is None:
            raise GeoConfigError(f"{where}: unknown AWS Region {spec['region']!r}")
        base = found
    country = _upper(spec.get("country")) or base.country
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise GeoConfigError(f"{where}: country must be an ISO 3166-1 alpha-2 code")
    if country is not None and country != base.country:
        base = gazetteer.locate_country(country)
    continent = _upper(spec.get("continent")) or base.continent
    if continent is not None and continent not in CONTINENTS:
        raise GeoConfigError(f"{where}: continent must be one of {', '.join(CONTINENTS)}")
    lat, lon = spec.get("latitude"), spec.get("longitude")
    if (lat is None) != (lon is None):
        raise GeoConfigError(f"{where}: give both latitude and longitude, or neither")
    if lat is not None:
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            raise GeoConfigError(f"{where}: latitude/longitude must be numbers")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GeoConfigError(f"{where}: latitude must be within ±90 and longitude within ±180")
    else:
        lat, lon = base.latitude, base.longitude
    subdivision = _upper(spec.get("subdivision")) if "subdivision" in spec else base.subdivision
    return Location(
        continent,
        country,
        subdivision,
        float(lat) if lat is not None else None,
        float(lon) if lon is not None else None,
    )


def _upper(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise GeoConfigError(f"expected a string code, got {value!r}")
    return value.strip().upper() or None
