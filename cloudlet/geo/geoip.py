"""GeoIP databases: public address -> Location.

Two sources, tried in this order by geo/locator.py:
- MmdbSource: a user-supplied MaxMind .mmdb (GeoIP2/GeoLite2 City or Country), via the maxminddb
  reader; gives continent, country, subdivision and coordinates.
- ShippedSource: geoip2fast's bundled GeoLite2-Country data (IPv4 and IPv6, offline), completed
  with the country's continent and capital coordinates from geo/gazetteer.py. It knows no
  subdivisions, so a US client without a user map or .mmdb matches the US record, not a state.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol

from cloudlet.geo.gazetteer import Gazetteer
from cloudlet.geo.model import IPAddress, Location


class GeoSource(Protocol):
    public_only: bool  # True: never asked about loopback/private/documentation addresses

    def lookup(self, address: IPAddress) -> Location | None: ...


class ShippedSource:
    """geoip2fast's bundled country database; loaded on first lookup (~0.5 s)."""

    public_only = True

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._gazetteer = gazetteer
        self._lock = threading.Lock()
        self._db: Any = None

    def _open(self) -> Any:
        with self._lock:
            if self._db is None:
                from geoip2fast import GeoIP2Fast

                self._db = GeoIP2Fast(geoip2fast_data_file="geoip2fast-ipv6.dat.gz", verbose=False)
            return self._db

    def warm(self) -> None:
        self._open()
        self._gazetteer.country("US")

    def lookup(self, address: IPAddress) -> Location | None:
        db = self._db if self._db is not None else self._open()
        result = db.lookup(str(address))
        code = getattr(result, "country_code", "") or ""
        # geoip2fast marks private/reserved/unknown with "--" or an empty code
        if len(code) != 2 or not code.isalpha() or getattr(result, "is_private", False):
            return None
        return self._gazetteer.locate_country(code)


class MmdbSource:
    """A MaxMind DB file (GeoIP2/GeoLite2 City or Country layout); the user's own file may
    place private ranges too."""

    public_only = False

    def __init__(self, path: Path, gazetteer: Gazetteer) -> None:
        import maxminddb

        self._reader = maxminddb.open_database(str(path))
        self._gazetteer = gazetteer

    def lookup(self, address: IPAddress) -> Location | None:
        rec = self._reader.get(str(address))
        if not isinstance(rec, dict):
            return None
        country = _code(rec.get("country")) or _code(rec.get("registered_country"))
        continent = _code(rec.get("continent"))
        subs = rec.get("subdivisions")
        subdivision = _code(subs[0]) if isinstance(subs, list) and subs else None
        lat: float | None = None
        lon: float | None = None
        loc = rec.get("location")
        if isinstance(loc, dict):
            lat, lon = _float(loc.get("latitude")), _float(loc.get("longitude"))
        if country is None and continent is None:
            return None
        if lat is None or lon is None or continent is None:
            # Country databases have no coordinates: fall back to the country's point
            filled = self._gazetteer.locate_country(country) if country else Location()
            continent = continent or filled.continent
            if lat is None or lon is None:
                lat, lon = filled.latitude, filled.longitude
        return Location(continent, country, subdivision, lat, lon)

    def close(self) -> None:
        self._reader.close()


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _code(part: Any) -> str | None:
    if isinstance(part, dict):
        code = part.get("iso_code") or part.get("code")
        if isinstance(code, str) and code:
            return code.upper()
    return None
