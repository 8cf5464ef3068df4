"""GetGeoLocation and ListGeoLocations through boto3 and the AWS CLI."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def test_get_geo_location(cloudlet) -> None:  # type: ignore[no-untyped-def]
    r53 = cloudlet.client("route53")
    assert r53.get_geo_location(ContinentCode="EU")["GeoLocationDetails"] == {
        "ContinentCode": "EU",
        "ContinentName": "Europe",
    }
    assert r53.get_geo_location(CountryCode="DE")["GeoLocationDetails"] == {
        "CountryCode": "DE",
        "CountryName": "Germany",
    }
    assert r53.get_geo_location(CountryCode="US", SubdivisionCode="WA")["GeoLocationDetails"] == {
        "CountryCode": "US",
        "CountryName": "United States",
        "SubdivisionCode": "WA",
        "SubdivisionName": "Washington",
    }
    assert r53.get_geo_location(CountryCode="*")["GeoLocationDetails"] == {"CountryCode": "*"}
    with pytest.raises(ClientError) as e:
        r53.get_geo_location(CountryCode="QQ")
    assert e.value.response["Error"]["Code"] == "NoSuchGeoLocation"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        r53.get_geo_location(ContinentCode="EU", CountryCode="DE")
    assert e.value.response["Error"]["Code"] == "InvalidInput"


def test_list_geo_locations_order_and_pages(cloudlet) -> None:  # type: ignore[no-untyped-def]
    r53 = cloudlet.client("route53")
    entries: list[dict[str, str]] = []
    kwargs: dict[str, str] = {"MaxItems": "37"}
    pages = 0
    while True:
        page = r53.list_geo_locations(**kwargs)
        pages += 1
        assert len(page["GeoLocationDetailsList"]) <= 37
        entries += page["GeoLocationDetailsList"]
        if not page["IsTruncated"]:
            break
        kwargs = {"MaxItems": "37"}
        for src, dst in (
            ("NextContinentCode", "StartContinentCode"),
            ("NextCountryCode", "StartCountryCode"),
            ("NextSubdivisionCode", "StartSubdivisionCode"),
        ):
            if src in page:
                kwargs[dst] = page[src]
    assert pages > 5
    whole = r53.list_geo_locations(MaxItems="1000")["GeoLocationDetailsList"]
    assert entries == whole  # paging neither skips nor repeats
    assert whole[0] == {"CountryCode": "*"}
    countries = [e["CountryCode"] for e in whole if "CountryCode" in e and "SubdivisionCode" not in e]
    assert countries == sorted(countries) and len(countries) > 240
    us = [i for i, e in enumerate(whole) if e.get("CountryCode") == "US"]
    subs = [whole[i]["SubdivisionCode"] for i in us[1:]]
    assert subs == sorted(subs) and len(subs) == 51 and us == list(range(us[0], us[0] + 52))
    assert [e["ContinentCode"] for e in whole if "ContinentCode" in e] == [
        "AF",
        "AN",
        "AS",
        "EU",
        "NA",
        "OC",
        "SA",
    ]
    assert "ContinentCode" in whole[-1]
    # every listed location is one that geolocation routing accepts (one name each: <= 100 per name)
    zone = r53.create_hosted_zone(Name="geolist.example.com", CallerReference="geolist")["HostedZone"]["Id"]
    changes = [
        {
            "Action": "CREATE",
            "ResourceRecordSet": {
                "Name": f"g{i}.geolist.example.com",
                "Type": "A",
                "TTL": 60,
                "SetIdentifier": f"s{i}",
                "GeoLocation": {
                    k: v for k, v in e.items() if k in ("ContinentCode", "CountryCode", "SubdivisionCode")
                },
                "ResourceRecords": [{"Value": "192.0.2.1"}],
            },
        }
        for i, e in enumerate(whole)
    ]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})


def test_list_geo_locations_from_the_cli(cloudlet) -> None:  # type: ignore[no-untyped-def]
    out = cloudlet.aws("route53", "list-geo-locations", "--start-continent-code", "NA", check=True)
    body = json.loads(out.stdout)
    assert [e["ContinentCode"] for e in body["GeoLocationDetailsList"]] == ["NA", "OC", "SA"]
    assert body["IsTruncated"] is False
