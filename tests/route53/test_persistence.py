"""Route 53 state survives a clean restart and a SIGKILL: zones, record sets with every routing
field, changes, delegation sets and tags come back from the same state directory."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from tests.support.server import CloudletProcess


def snapshot(r53: Any) -> dict[str, Any]:
    zones = r53.list_hosted_zones()["HostedZones"]
    out: dict[str, Any] = {"zones": zones}
    for z in zones:
        out[z["Id"]] = {
            "zone": r53.get_hosted_zone(Id=z["Id"]),
            "records": r53.list_resource_record_sets(HostedZoneId=z["Id"])["ResourceRecordSets"],
            "tags": r53.list_tags_for_resource(
                ResourceType="hostedzone", ResourceId=z["Id"].rpartition("/")[2]
            )["ResourceTagSet"],
        }
        for meta in ("ResponseMetadata",):
            out[z["Id"]]["zone"].pop(meta, None)
    out["sets"] = r53.list_reusable_delegation_sets()["DelegationSets"]
    return out


def populate(r53: Any) -> tuple[str, str]:
    dset = r53.create_reusable_delegation_set(CallerReference=uuid.uuid4().hex)["DelegationSet"]["Id"]
    zid = r53.create_hosted_zone(Name="persist.example.com", CallerReference="persist", DelegationSetId=dset)[
        "HostedZone"
    ]["Id"]
    r53.change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=zid.rpartition("/")[2], AddTags=[{"Key": "k", "Value": "v"}]
    )
    recs = [
        {
            "Name": "w.persist.example.com",
            "Type": "A",
            "SetIdentifier": "a",
            "Weight": 10,
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.1"}],
        },
        {
            "Name": "g.persist.example.com",
            "Type": "A",
            "SetIdentifier": "us",
            "GeoLocation": {"CountryCode": "US", "SubdivisionCode": "CA"},
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.2"}],
        },
        {
            "Name": "f.persist.example.com",
            "Type": "A",
            "SetIdentifier": "p",
            "Failover": "PRIMARY",
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.3"}],
        },
        {
            "Name": "p.persist.example.com",
            "Type": "A",
            "SetIdentifier": "x",
            "GeoProximityLocation": {"Coordinates": {"Latitude": "10.5", "Longitude": "-20.25"}, "Bias": 5},
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.4"}],
        },
        {
            "Name": "persist.example.com",
            "Type": "A",
            "AliasTarget": {
                "HostedZoneId": zid.rpartition("/")[2],
                "DNSName": "w.persist.example.com",
                "EvaluateTargetHealth": True,
            },
        },
        {
            "Name": "*.persist.example.com",
            "Type": "TXT",
            "TTL": 0,
            "ResourceRecords": [{"Value": '"a \\"quoted\\" \\344 string"'}],
        },
    ]
    out = r53.change_resource_record_sets(
        HostedZoneId=zid,
        ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": r} for r in recs]},
    )
    return zid, out["ChangeInfo"]["Id"]


def test_restart_keeps_everything(cloudlet_factory: Callable[..., CloudletProcess]) -> None:
    server = cloudlet_factory()
    r53 = server.client("route53")
    _zid, change_id = populate(r53)
    before = snapshot(r53)
    server.restart()
    r53 = server.client("route53")
    assert snapshot(r53) == before
    assert r53.get_change(Id=change_id)["ChangeInfo"]["Id"] == change_id
    # caller references stay taken across restarts
    try:
        r53.create_hosted_zone(Name="again.example.com", CallerReference="persist")
        raise AssertionError("caller reference reused")
    except r53.exceptions.HostedZoneAlreadyExists:
        pass


def test_kill_9_keeps_acknowledged_changes(cloudlet_factory: Callable[..., CloudletProcess]) -> None:
    server = cloudlet_factory()
    r53 = server.client("route53")
    zid = r53.create_hosted_zone(Name="crash.example.com", CallerReference=uuid.uuid4().hex)["HostedZone"][
        "Id"
    ]
    acked = []
    for i in range(20):
        rec = {
            "Name": f"n{i}.crash.example.com",
            "Type": "A",
            "TTL": 60,
            "ResourceRecords": [{"Value": f"192.0.2.{i}"}],
        }
        r53.change_resource_record_sets(
            HostedZoneId=zid, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": rec}]}
        )
        acked.append(f"n{i}.crash.example.com.")
    server.kill()
    server.start()
    r53 = server.client("route53")
    names = [r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]]
    assert set(acked) <= set(names)
    assert r53.get_hosted_zone(Id=zid)["HostedZone"]["ResourceRecordSetCount"] == 22
