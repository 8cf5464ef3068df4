"""Where the AWS Regions are: the city each Region serves from, as a Location.

Latency routing (great-circle model), geoproximity (AWSRegion / LocalZoneGroup) and Global
Accelerator's nearest-region choice read this. Coordinates are the metro area AWS names for each
Region (rounded to 0.1 degree: city level is all a distance model can use).
"""

from __future__ import annotations

from cloudlet.geo.model import Location

# Region -> (continent, country, subdivision, latitude, longitude)
_REGIONS: tuple[tuple[str, str, str, str | None, float, float], ...] = (
    ("us-east-1", "NA", "US", "VA", 38.9, -77.5),  # N. Virginia (Ashburn)
    ("us-east-2", "NA", "US", "OH", 40.0, -83.0),  # Ohio (Columbus)
    ("us-west-1", "NA", "US", "CA", 37.4, -121.9),  # N. California (San Jose)
    ("us-west-2", "NA", "US", "OR", 45.8, -119.7),  # Oregon (Boardman)
    ("us-gov-east-1", "NA", "US", "OH", 40.0, -83.0),
    ("us-gov-west-1", "NA", "US", "OR", 45.8, -119.7),
    ("ca-central-1", "NA", "CA", None, 45.5, -73.6),  # Montreal
    ("ca-west-1", "NA", "CA", None, 51.0, -114.1),  # Calgary
    ("mx-central-1", "NA", "MX", None, 20.6, -100.4),  # Queretaro
    ("sa-east-1", "SA", "BR", None, -23.5, -46.6),  # Sao Paulo
    ("eu-central-1", "EU", "DE", None, 50.1, 8.7),  # Frankfurt
    ("eu-central-2", "EU", "CH", None, 47.4, 8.5),  # Zurich
    ("eu-west-1", "EU", "IE", None, 53.3, -6.3),  # Dublin
    ("eu-west-2", "EU", "GB", None, 51.5, -0.1),  # London
    ("eu-west-3", "EU", "FR", None, 48.9, 2.4),  # Paris
    ("eu-south-1", "EU", "IT", None, 45.5, 9.2),  # Milan
    ("eu-south-2", "EU", "ES", None, 41.6, -0.9),  # Aragon
    ("eu-north-1", "EU", "SE", None, 59.3, 18.1),  # Stockholm
    ("il-central-1", "AS", "IL", None, 32.1, 34.8),  # Tel Aviv
    ("me-south-1", "AS", "BH", None, 26.1, 50.6),  # Bahrain
    ("me-central-1", "AS", "AE", None, 25.2, 55.3),  # UAE
    ("af-south-1", "AF", "ZA", None, -33.9, 18.4),  # Cape Town
    ("ap-east-1", "AS", "HK", None, 22.3, 114.2),  # Hong Kong
    ("ap-south-1", "AS", "IN", None, 19.1, 72.9),  # Mumbai
    ("ap-south-2", "AS", "IN", None, 17.4, 78.5),  # Hyderabad
    ("ap-southeast-1", "AS", "SG", None, 1.4, 103.8),  # Singapore
    ("ap-southeast-2", "OC", "AU", None, -33.9, 151.2),  # Sydney
    ("ap-southeast-3", "AS", "ID", None, -6.2, 106.8),  # Jakarta
    ("ap-southeast-4", "OC", "AU", None, -37.8, 145.0),  # Melbourne
    ("ap-southeast-5", "AS", "MY", None, 3.1, 101.7),  # Malaysia
    ("ap-southeast-7", "AS", "TH", None, 13.8, 100.5),  # Thailand
    ("ap-northeast-1", "AS", "JP", None, 35.7, 139.7),  # Tokyo
    ("ap-northeast-2", "AS", "KR", None, 37.6, 127.0),  # Seoul
    ("ap-northeast-3", "AS", "JP", None, 34.7, 135.5),  # Osaka
    ("cn-north-1", "AS", "CN", None, 39.9, 116.4),  # Beijing
    ("cn-northwest-1", "AS", "CN", None, 37.5, 105.2),  # Ningxia
)

REGION_LOCATIONS: dict[str, Location] = {
    name: Location(continent, country, sub, lat, lon) for name, continent, country, sub, lat, lon in _REGIONS
}


def region_location(region: str) -> Location | None:
    """The Location of an AWS Region; a Local Zone group ("us-west-2-lax-1") maps to its parent Region."""
    loc = REGION_LOCATIONS.get(region)
    if loc is not None:
        return loc
    parts = region.split("-")
    # Local Zone groups are "<parent region>-<city>-<n>": strip suffixes until a Region matches
    for cut in range(len(parts) - 1, 2, -1):
        loc = REGION_LOCATIONS.get("-".join(parts[:cut]))
        if loc is not None:
            return loc
    return None
