"""Where a client is: shared by Route 53 routing, CloudFront geo restriction and Global Accelerator.

    geo = Geo.from_settings(settings)
    client = geo.client_info(source_ip, ecs_network)   # ClientInfo(address, ecs, location)

Modules: model.py (values, distance) · locator.py (Geo) · usermap.py (CIDR -> place JSON) ·
geoip.py (GeoIP databases) · gazetteer.py (country facts) · regions.py (AWS Region cities) ·
latency.py (client network -> per-Region latency).
"""

from cloudlet.geo.locator import Geo
from cloudlet.geo.model import ClientInfo, IPAddress, IPNetwork, Location, great_circle_km
from cloudlet.geo.regions import region_location
from cloudlet.geo.usermap import GeoConfigError, UserMap

__all__ = [
    "ClientInfo",
    "Geo",
    "GeoConfigError",
    "IPAddress",
    "IPNetwork",
    "Location",
    "UserMap",
    "great_circle_km",
    "region_location",
]
