"""Builders shared by the routing tests: record sets and clients placed by a user map."""

from __future__ import annotations

import ipaddress

from cloudlet.geo import ClientInfo, Geo, UserMap
from cloudlet.geo.gazetteer import Gazetteer
from cloudlet.geo.geoip import ShippedSource
from cloudlet.services.route53.model import RecordSet

GAZETTEER = Gazetteer()

# where the test clients are (RFC 5737 / loopback ranges placed by the user map)
USER_MAP = {
    "127.0.0.2/32": {"region": "eu-central-1"},  # Frankfurt
    "127.0.0.3/32": {"country": "US", "subdivision": "CA", "latitude": 37.77, "longitude": -122.42},
    "127.0.0.4/32": {"country": "US"},  # a US client without a state
    "127.0.0.5/32": {"country": "JP"},
    "127.0.0.6/32": {"continent": "AF"},
    "127.0.0.7/32": {"country": "BR"},
    "127.0.10.0/24": {"country": "AU"},
}


_SHIPPED = ShippedSource(GAZETTEER)  # loading the shipped database takes ~0.5 s: once per session


def geo() -> Geo:
    return Geo(UserMap.parse(USER_MAP, GAZETTEER), [_SHIPPED])


def client(source: str, ecs: str | None = None, g: Geo | None = None) -> ClientInfo:
    return (g or geo()).client_info(source, ipaddress.ip_network(ecs) if ecs else None)


def rs(set_id: str, value: str, **kw: object) -> RecordSet:
    return RecordSet(
        name="www.example.com.",
        type="A",
        ttl=60,
        values=(value,),
        set_identifier=set_id,
        **kw,  # type: ignore[arg-type]
    )
