"""cloudlet.geo: the user map, the shipped GeoIP data, ECS handling, the latency table."""

from __future__ import annotations

import ipaddress
import json
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudlet.config import Settings
from cloudlet.geo import Geo, GeoConfigError, Location, UserMap, great_circle_km, region_location
from cloudlet.geo.latency import LatencyTable

from .helpers import GAZETTEER, geo


def test_user_map_longest_prefix_and_fill_in() -> None:
    m = UserMap.parse(
        {
            "10.0.0.0/8": {"country": "US"},
            "10.1.0.0/16": {"country": "US", "subdivision": "ca"},
            "10.1.2.3/32": {"region": "eu-central-1"},
            "fd00::/8": {"continent": "oc", "latitude": -33.9, "longitude": 151.2},
        },
        GAZETTEER,
    )
    us = m.lookup(ipaddress.ip_address("10.9.9.9"))
    assert us is not None and us.country == "US" and us.continent == "NA" and us.subdivision is None
    assert us.coordinates is not None  # the country's capital
    ca = m.lookup(ipaddress.ip_address("10.1.9.9"))
    assert ca is not None and ca.subdivision == "CA"
    fra = m.lookup(ipaddress.ip_address("10.1.2.3"))
    assert fra == region_location("eu-central-1")
    oc = m.lookup(ipaddress.ip_address("fd00::1"))
    assert oc == Location("OC", None, None, -33.9, 151.2)
    assert m.lookup(ipaddress.ip_address("11.0.0.1")) is None


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"nonsense": {"country": "DE"}},
        {"10.0.0.0/8": {"country": "Germany"}},
        {"10.0.0.0/8": {"continent": "XX"}},
        {"10.0.0.0/8": {"latitude": 1}},
        {"10.0.0.0/8": {"latitude": 91, "longitude": 0}},
        {"10.0.0.0/8": {"region": "moon-1"}},
        {"10.0.0.0/8": {"city": "Paris"}},
        {"10.0.0.0/8": {}},
    ],
)
def test_user_map_rejects_bad_entries(raw: object) -> None:
    with pytest.raises(GeoConfigError):
        UserMap.parse(raw, GAZETTEER)


def test_settings_fail_loudly_on_a_bad_map(tmp_path: Path) -> None:
    bad = tmp_path / "map.json"
    bad.write_text("{not json")
    with pytest.raises(GeoConfigError):
        Geo.from_settings(Settings(extra={"geo_map": str(bad)}))
    with pytest.raises(GeoConfigError):
        Geo.from_settings(Settings(extra={"geoip": "maybe"}))


def test_shipped_geoip_places_public_addresses_and_never_private_ones() -> None:
    g = geo()
    de = g.locate("85.214.132.117")
    assert de is not None and (de.country, de.continent) == ("DE", "EU") and de.coordinates is not None
    assert g.locate("2a00:1450:4001:80b::200e") is not None
    assert g.locate("10.20.30.40") is None  # private, not in the user map
    assert g.locate("::ffff:127.0.0.2") == g.locate("127.0.0.2")  # IPv4-mapped
    assert g.locate("not an address") is None


def test_lookups_are_cached_and_fast() -> None:
    g = geo()
    g.locate("85.214.132.117")
    start = time.perf_counter()
    for i in range(20000):
        g.locate(f"85.214.132.{i % 250}")
    per_lookup = (time.perf_counter() - start) / 20000
    assert per_lookup < 100e-6, per_lookup  # ~5 us on an idle machine


def test_client_info_uses_ecs_unless_prefix_zero() -> None:
    g = geo()
    c = g.client_info("127.0.0.1", ipaddress.ip_network("127.0.0.2/32"))
    assert c.location == region_location("eu-central-1") and c.network == ipaddress.ip_network("127.0.0.2/32")
    c0 = g.client_info("127.0.0.2", ipaddress.ip_network("0.0.0.0/0"))
    assert c0.ecs is None and c0.location == region_location("eu-central-1")
    assert g.client_info("127.0.0.1").network == ipaddress.ip_network("127.0.0.1/32")


def test_latency_table_rows_attach_to_clients(tmp_path: Path) -> None:
    path = tmp_path / "lat.json"
    path.write_text(json.dumps({"127.0.0.0/8": {"us-east-1": 80}, "127.0.0.0/24": {"us-east-1": 5}}))
    g = Geo(latency=LatencyTable.load(path))
    assert g.client_info("127.0.0.9").latencies == (("us-east-1", 5.0),)
    assert g.client_info("127.1.0.9").latencies == (("us-east-1", 80.0),)
    with pytest.raises(GeoConfigError):
        LatencyTable.parse({"127.0.0.0/8": {"us-east-1": -1}})


def test_great_circle_known_distance() -> None:
    fra = region_location("eu-central-1")
    dub = region_location("eu-west-1")
    assert fra is not None and dub is not None
    assert 1050 < great_circle_km(fra.coordinates, dub.coordinates) < 1130  # type: ignore[arg-type]
    assert region_location("us-west-2-lax-1") == region_location("us-west-2")


@given(st.ip_addresses())
def test_locate_never_raises(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    loc = GEO.locate(address)
    assert loc is None or isinstance(loc, Location)


GEO = geo()


def test_user_mmdb_gives_subdivisions_and_city_coordinates(tmp_path: Path) -> None:
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, database_type="GeoIP2-City", ipv4_compatible=True)
    writer.insert_network(
        IPSet(["203.0.113.0/24"]),
        {
            "continent": {"code": "NA"},
            "country": {"iso_code": "US"},
            "subdivisions": [{"iso_code": "WA"}],
            "location": {"latitude": 47.61, "longitude": -122.33},
        },
    )
    writer.insert_network(
        IPSet(["198.51.100.0/24"]), {"country": {"iso_code": "FR"}}
    )  # a Country database row
    path = tmp_path / "city.mmdb"
    writer.to_db_file(str(path))
    g = Geo.from_settings(Settings(extra={"geoip_mmdb": str(path), "geoip": "off"}))
    assert g.locate("203.0.113.7") == Location("NA", "US", "WA", 47.61, -122.33)
    fr = g.locate("198.51.100.1")
    assert fr is not None and (fr.continent, fr.country) == ("EU", "FR") and fr.coordinates is not None
    assert g.locate("192.0.2.1") is None
    with pytest.raises(GeoConfigError):
        Geo.from_settings(Settings(extra={"geoip_mmdb": str(tmp_path / "missing.mmdb")}))
