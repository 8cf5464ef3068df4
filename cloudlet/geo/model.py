"""Where a client is, as values: Location, ClientInfo, and great-circle distance.

Neighbours: geo/locator.py builds these from addresses (user map, GeoIP); Route 53's routing
policies (services/route53/policies.py), CloudFront geo restriction and Global Accelerator read them.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

EARTH_RADIUS_KM = 6371.0088

# Route 53's continent codes (GeoLocation.ContinentCode)
CONTINENTS = ("AF", "AN", "AS", "EU", "NA", "OC", "SA")


@dataclass(frozen=True)
class Location:
    """A place: any part may be unknown. Codes are upper-case (ISO 3166-1 alpha-2 country,
    Route 53 continent code, ISO 3166-2 subdivision without the country prefix, e.g. "CA")."""

    continent: str | None = None
    country: str | None = None
    subdivision: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def coordinates(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


@dataclass(frozen=True)
class ClientInfo:
    """Who asked: the query's source address, its EDNS Client Subnet (if any), and where that is.

    `location` is derived from the ECS network when present, else from the source address.
    `latencies` are measured/configured (Region, milliseconds) pairs for this client's network
    (settings.extra["latency_table"]); Regions not listed fall back to the great-circle model."""

    address: IPAddress
    ecs: IPNetwork | None
    location: Location | None
    latencies: tuple[tuple[str, float], ...] = ()

    @property
    def network(self) -> IPNetwork:
        """The network that routing matches against: the ECS subnet, else the host address."""
        if self.ecs is not None:
            return self.ecs
        return ipaddress.ip_network(self.address)


def latency_ms(client: ClientInfo, region_point: tuple[float, float] | None, region: str) -> float | None:
    """The client's latency to a Region: the configured value, else a model of the great-circle
    distance (light in fibre covers ~100 km per millisecond of round trip, plus 5 ms of access)."""
    for name, ms in client.latencies:
        if name == region:
            return ms
    here = client.location.coordinates if client.location is not None else None
    if here is None or region_point is None:
        return None
    return 5.0 + great_circle_km(here, region_point) / 100.0


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance in kilometres between two (latitude, longitude) points in degrees."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
