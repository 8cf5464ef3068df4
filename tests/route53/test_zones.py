"""Hosted zones, delegation sets, VPC associations, tags, limits and GetChange through Route53Api
over a real store (no server): ids, defaults, pagination and every error path."""

from __future__ import annotations

import asyncio
import re

import pytest

from cloudlet.aws.errors import AwsError
from cloudlet.services.base import Deps
from cloudlet.services.route53 import store
from tests.route53.conftest import Direct, rr

NS_RE = re.compile(r"ns-(\d+)\.awsdns-(\d\d)\.(com|net|org|co\.uk)")


def test_create_hosted_zone_shape(r53: Direct) -> None:
    out = r53(
        "CreateHostedZone", Name="Example.COM", CallerReference="r1", HostedZoneConfig={"Comment": "hi"}
    )
    hz = out["HostedZone"]
    zid = hz["Id"].rpartition("/")[2]
    assert re.fullmatch(r"Z[0-9A-Z]{19}", zid) and len(hz["Id"]) <= 32
    assert hz == {
        "Id": f"/hostedzone/{zid}",
        "Name": "example.com.",
        "CallerReference": "r1",
        "Config": {"Comment": "hi", "PrivateZone": False},
        "ResourceRecordSetCount": 2,
    }
    assert out["Location"].endswith(f"/2013-04-01/hostedzone/{zid}")
    assert re.fullmatch(r"/change/C[0-9A-Z]{19}", out["ChangeInfo"]["Id"])
    servers = out["DelegationSet"]["NameServers"]
    assert [NS_RE.fullmatch(s).group(3) for s in servers] == ["com", "net", "org", "co.uk"]  # type: ignore[union-attr]
    for s, base in zip(servers, (0, 512, 1024, 1536), strict=True):
        m = NS_RE.fullmatch(s)
        assert m is not None
        n, nn = int(m.group(1)), int(m.group(2))
        assert base <= n < base + 512 and nn == (n - base) // 8
    recs = {r["Type"]: r for r in r53.records(zid)}
    assert recs["NS"] == {
        "Name": "example.com.",
        "Type": "NS",
        "TTL": 172800,
        "ResourceRecords": [{"Value": s + "."} for s in servers],
    }
    assert recs["SOA"] == {
        "Name": "example.com.",
        "Type": "SOA",
        "TTL": 900,
        "ResourceRecords": [
            {"Value": f"{servers[0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}
        ],
    }
    got = r53("GetHostedZone", Id=zid)
    assert got == {"HostedZone": hz, "DelegationSet": {"NameServers": servers}}


def test_caller_reference_is_single_use(r53: Direct) -> None:
    zid = r53.zone("example.com", ref="same")
    e = r53.error("CreateHostedZone", Name="example.org", CallerReference="same")
    assert (e.code, e.status, e.message) == (
        "HostedZoneAlreadyExists",
        409,
        "A hosted zone has already been created with the specified caller reference.",
    )
    r53("DeleteHostedZone", Id=zid)
    assert (
        r53.error("CreateHostedZone", Name="example.com", CallerReference="same").code
        == "HostedZoneAlreadyExists"
    )


def test_same_name_twice_gets_other_ids_and_servers(r53: Direct) -> None:
    a = r53("CreateHostedZone", Name="example.com", CallerReference="a")
    b = r53("CreateHostedZone", Name="example.com", CallerReference="b")
    assert a["HostedZone"]["Id"] != b["HostedZone"]["Id"]


@pytest.mark.parametrize("name", ["com", "*.example.com", "a..example.com", "x" * 64 + ".com"])
def test_invalid_zone_names(r53: Direct, name: str) -> None:
    e = r53.error("CreateHostedZone", Name=name, CallerReference="r-" + name[:10])
    assert (e.code, e.status) == ("InvalidDomainName", 400)


def test_unknown_zone_everywhere(r53: Direct) -> None:
    for op, params in [
        ("GetHostedZone", {"Id": "ZNOPE"}),
        ("DeleteHostedZone", {"Id": "ZNOPE"}),
        ("UpdateHostedZoneComment", {"Id": "ZNOPE", "Comment": "x"}),
        ("ListResourceRecordSets", {"HostedZoneId": "ZNOPE"}),
        ("GetHostedZoneLimit", {"HostedZoneId": "ZNOPE", "Type": "MAX_RRSETS_BY_ZONE"}),
        ("ListTagsForResource", {"ResourceType": "hostedzone", "ResourceId": "ZNOPE"}),
        ("TestDNSAnswer", {"HostedZoneId": "ZNOPE", "RecordName": "a.example.com", "RecordType": "A"}),
    ]:
        e = r53.error(op, **params)
        assert (e.code, e.status, e.message) == (
            "NoSuchHostedZone",
            404,
            "No hosted zone found with ID: ZNOPE",
        ), op


def test_other_accounts_zones_are_invisible(r53: Direct) -> None:
    zid = r53.zone("example.com")
    other = Direct(r53.api, account="111111111111")
    assert other.error("GetHostedZone", Id=zid).code == "NoSuchHostedZone"
    assert other("ListHostedZones")["HostedZones"] == []
    assert other("GetHostedZoneCount") == {"HostedZoneCount": 0}


def test_delete_refuses_non_empty_zone(r53: Direct) -> None:
    zid = r53.zone("example.com")
    r53.change(zid, ("CREATE", rr("www.example.com", "A", "192.0.2.1")))
    e = r53.error("DeleteHostedZone", Id=zid)
    assert (e.code, e.status, e.message) == (
        "HostedZoneNotEmpty",
        400,
        "The specified hosted zone contains non-required resource record sets and so cannot be deleted.",
    )
    r53.change(zid, ("DELETE", rr("www.example.com", "A", "192.0.2.1")))
    out = r53("DeleteHostedZone", Id=f"/hostedzone/{zid}")
    assert out["ChangeInfo"]["Id"].startswith("/change/")
    assert r53.error("GetHostedZone", Id=zid).code == "NoSuchHostedZone"
    assert r53("GetHostedZoneCount") == {"HostedZoneCount": 0}


def test_update_comment(r53: Direct) -> None:
    zid = r53.zone("example.com")
    assert r53("UpdateHostedZoneComment", Id=zid, Comment="new")["HostedZone"]["Config"] == {
        "Comment": "new",
        "PrivateZone": False,
    }
    assert r53("UpdateHostedZoneComment", Id=zid)["HostedZone"]["Config"] == {"PrivateZone": False}


def test_list_hosted_zones_pagination(r53: Direct) -> None:
    ids = sorted(r53.zone(f"z{i}.example.com", ref=f"r{i}") for i in range(5))
    page = r53("ListHostedZones", MaxItems="2")
    assert [z["Id"] for z in page["HostedZones"]] == [f"/hostedzone/{i}" for i in ids[:2]]
    assert (page["IsTruncated"], page["NextMarker"], page["Marker"], page["MaxItems"]) == (
        True,
        ids[2],
        "",
        "2",
    )
    seen = []
    marker = None
    while True:
        params = {"MaxItems": "2", **({"Marker": marker} if marker else {})}
        page = r53("ListHostedZones", **params)
        seen += [z["Id"].rpartition("/")[2] for z in page["HostedZones"]]
        if not page["IsTruncated"]:
            assert "NextMarker" not in page
            break
        marker = page["NextMarker"]
    assert seen == ids


def test_list_hosted_zones_by_name(r53: Direct) -> None:
    for name in ["www.example.com", "example.com", "a.example.org", "example.net", "ex-ample.com"]:
        r53.zone(name, ref=name)
    out = r53("ListHostedZonesByName")
    assert [z["Name"] for z in out["HostedZones"]] == [
        "ex-ample.com.",
        "example.com.",
        "www.example.com.",
        "example.net.",
        "a.example.org.",
    ]
    page = r53("ListHostedZonesByName", DNSName="example.com", MaxItems="1")
    assert [z["Name"] for z in page["HostedZones"]] == ["example.com."]
    assert (
        page["IsTruncated"] and page["NextDNSName"] == "www.example.com." and page["DNSName"] == "example.com"
    )
    nxt = r53(
        "ListHostedZonesByName",
        DNSName=page["NextDNSName"],
        HostedZoneId=page["NextHostedZoneId"],
        MaxItems="10",
    )
    assert [z["Name"] for z in nxt["HostedZones"]] == ["www.example.com.", "example.net.", "a.example.org."]
    assert (
        nxt["HostedZoneId"] == page["NextHostedZoneId"]
        and not nxt["IsTruncated"]
        and "NextDNSName" not in nxt
    )
    e = r53.error("ListHostedZonesByName", HostedZoneId="Z123")
    assert e.code == "InvalidInput"


def test_list_resource_record_sets_order_and_pagination(r53: Direct) -> None:
    zid = r53.zone("example.com")
    r53.change(
        zid,
        ("CREATE", rr("www.example.com", "A", "192.0.2.1")),
        ("CREATE", rr("www.example.com", "AAAA", "2001:db8::1")),
        ("CREATE", rr("*.example.com", "TXT", '"w"')),
        ("CREATE", rr("a-b.example.com", "MX", "10 mx.example.com")),
        ("CREATE", rr("w.example.com", "A", "192.0.2.2", SetIdentifier="b", Weight=1)),
        ("CREATE", rr("w.example.com", "A", "192.0.2.3", SetIdentifier="a", Weight=1)),
    )
    allrecs = [(r["Name"], r["Type"], r.get("SetIdentifier")) for r in r53.records(zid)]
    assert allrecs == [
        ("example.com.", "NS", None),
        ("example.com.", "SOA", None),
        ("\\052.example.com.", "TXT", None),
        ("a-b.example.com.", "MX", None),
        ("w.example.com.", "A", "a"),
        ("w.example.com.", "A", "b"),
        ("www.example.com.", "A", None),
        ("www.example.com.", "AAAA", None),
    ]
    page = r53("ListResourceRecordSets", HostedZoneId=zid, MaxItems="4")
    assert page["IsTruncated"] and (
        page["NextRecordName"],
        page["NextRecordType"],
        page["NextRecordIdentifier"],
    ) == ("w.example.com.", "A", "a")
    page2 = r53(
        "ListResourceRecordSets",
        HostedZoneId=zid,
        StartRecordName=page["NextRecordName"],
        StartRecordType="A",
        StartRecordIdentifier="a",
        MaxItems="3",
    )
    assert [(r["Name"], r.get("SetIdentifier")) for r in page2["ResourceRecordSets"]] == [
        ("w.example.com.", "a"),
        ("w.example.com.", "b"),
        ("www.example.com.", None),
    ]
    assert (page2["NextRecordName"], page2["NextRecordType"]) == (
        "www.example.com.",
        "AAAA",
    ) and "NextRecordIdentifier" not in page2
    last = r53(
        "ListResourceRecordSets", HostedZoneId=zid, StartRecordName="www.example.com", StartRecordType="AAAA"
    )
    assert [r["Type"] for r in last["ResourceRecordSets"]] == ["AAAA"] and last["IsTruncated"] is False
    assert "NextRecordName" not in last and last["MaxItems"] == "300"
    e = r53.error("ListResourceRecordSets", HostedZoneId=zid, StartRecordType="A")
    assert e.code == "InvalidInput"


def test_get_change_pending_until_consumers_ack(r53: Direct, deps: Deps) -> None:
    zid = r53.zone("example.com")
    deps.events.register_consumer("route53.zone", "dns-test", deps.store.seq)
    out = r53.change(zid, ("CREATE", rr("www.example.com", "A", "192.0.2.1")))
    cid = out["ChangeInfo"]["Id"]
    assert out["ChangeInfo"]["Status"] == "PENDING"
    assert r53("GetChange", Id=cid)["ChangeInfo"]["Status"] == "PENDING"
    deps.events.ack("route53.zone", "dns-test", deps.store.seq)
    assert r53("GetChange", Id=cid)["ChangeInfo"]["Status"] == "INSYNC"
    assert r53("GetChange", Id=cid.rpartition("/")[2])["ChangeInfo"]["Id"] == cid
    e = r53.error("GetChange", Id="CNOPE")
    assert (e.code, e.status) == ("NoSuchChange", 404)


def test_change_comment_is_echoed(r53: Direct) -> None:
    zid = r53.zone("example.com")
    batch = {
        "Comment": "why",
        "Changes": [{"Action": "CREATE", "ResourceRecordSet": rr("c.example.com", "A", "192.0.2.1")}],
    }
    out = r53("ChangeResourceRecordSets", HostedZoneId=zid, ChangeBatch=batch)
    assert out["ChangeInfo"]["Comment"] == "why"
    assert r53("GetChange", Id=out["ChangeInfo"]["Id"])["ChangeInfo"]["Comment"] == "why"


def test_reusable_delegation_sets(r53: Direct) -> None:
    out = r53("CreateReusableDelegationSet", CallerReference="d1")
    ds = out["DelegationSet"]
    sid = ds["Id"].rpartition("/")[2]
    assert ds["Id"].startswith("/delegationset/N") and len(ds["NameServers"]) == 4
    assert out["Location"].endswith(f"/delegationset/{sid}")
    assert (
        r53.error("CreateReusableDelegationSet", CallerReference="d1").code == "DelegationSetAlreadyCreated"
    )
    z = r53("CreateHostedZone", Name="example.com", CallerReference="z1", DelegationSetId=sid)
    assert z["DelegationSet"] == ds
    assert r53("GetHostedZone", Id=z["HostedZone"]["Id"])["DelegationSet"] == ds
    # a child of a zone on the same set conflicts
    e = r53.error("CreateHostedZone", Name="sub.example.com", CallerReference="z2", DelegationSetId=sid)
    assert e.code == "ConflictingDomainExists"
    assert r53("GetReusableDelegationSet", Id=sid)["DelegationSet"] == ds
    assert r53("ListReusableDelegationSets")["DelegationSets"] == [ds]
    assert r53(
        "GetReusableDelegationSetLimit", DelegationSetId=sid, Type="MAX_ZONES_BY_REUSABLE_DELEGATION_SET"
    ) == {
        "Limit": {"Type": "MAX_ZONES_BY_REUSABLE_DELEGATION_SET", "Value": 100},
        "Count": 1,
    }
    listed = r53("ListHostedZones", DelegationSetId=sid)["HostedZones"]
    assert [h["Id"] for h in listed] == [z["HostedZone"]["Id"]]
    assert r53.error("DeleteReusableDelegationSet", Id=sid).code == "DelegationSetInUse"
    r53("DeleteHostedZone", Id=z["HostedZone"]["Id"])
    assert r53("DeleteReusableDelegationSet", Id=sid) == {}
    for op, params in [
        ("GetReusableDelegationSet", {"Id": sid}),
        ("DeleteReusableDelegationSet", {"Id": sid}),
        ("CreateHostedZone", {"Name": "x.com", "CallerReference": "z9", "DelegationSetId": sid}),
    ]:
        assert r53.error(op, **params).code == "NoSuchDelegationSet", op


def test_delegation_set_from_existing_zone(r53: Direct) -> None:
    z = r53("CreateHostedZone", Name="example.com", CallerReference="z1")
    zid = z["HostedZone"]["Id"]
    ds = r53("CreateReusableDelegationSet", CallerReference="d1", HostedZoneId=zid)["DelegationSet"]
    assert ds["NameServers"] == z["DelegationSet"]["NameServers"]
    assert r53("GetHostedZone", Id=zid)["DelegationSet"]["Id"] == ds["Id"]
    assert (
        r53.error("CreateReusableDelegationSet", CallerReference="d2", HostedZoneId=zid).code
        == "DelegationSetAlreadyReusable"
    )
    assert (
        r53.error("CreateReusableDelegationSet", CallerReference="d3", HostedZoneId="ZNOPE").code
        == "HostedZoneNotFound"
    )


VPC = {"VPCRegion": "us-east-1", "VPCId": "vpc-0123456789abcdef0"}
VPC2 = {"VPCRegion": "eu-west-1", "VPCId": "vpc-01234567"}


def test_private_zones(r53: Direct) -> None:
    out = r53(
        "CreateHostedZone",
        Name="corp.example",
        CallerReference="p1",
        VPC=VPC,
        HostedZoneConfig={"PrivateZone": True},
    )
    zid = out["HostedZone"]["Id"].rpartition("/")[2]
    assert (
        out["HostedZone"]["Config"] == {"PrivateZone": True}
        and out["VPC"] == VPC
        and "DelegationSet" not in out
    )
    recs = {r["Type"]: r for r in r53.records(zid)}
    assert recs["SOA"]["ResourceRecords"][0]["Value"].startswith(
        "ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 "
    )
    assert sorted(v["Value"] for v in recs["NS"]["ResourceRecords"]) == sorted(
        ["ns-0.awsdns-00.com.", "ns-512.awsdns-00.net.", "ns-1024.awsdns-00.org.", "ns-1536.awsdns-00.co.uk."]
    )
    assert r53("GetHostedZone", Id=zid)["VPCs"] == [VPC]
    e = r53.error("CreateHostedZone", Name="corp.example", CallerReference="p2", VPC=VPC)
    assert e.code == "ConflictingDomainExists"
    r53("AssociateVPCWithHostedZone", HostedZoneId=zid, VPC=VPC2)
    assert r53("GetHostedZone", Id=zid)["VPCs"] == [VPC, VPC2]
    assert r53("GetHostedZoneLimit", HostedZoneId=zid, Type="MAX_VPCS_ASSOCIATED_BY_ZONE")["Count"] == 2
    by_vpc = r53("ListHostedZonesByVPC", VPCId=VPC2["VPCId"], VPCRegion="eu-west-1")
    assert by_vpc["HostedZoneSummaries"] == [
        {"HostedZoneId": zid, "Name": "corp.example.", "Owner": {"OwningAccount": r53.account}}
    ]
    r53("DisassociateVPCFromHostedZone", HostedZoneId=zid, VPC=VPC2)
    assert (
        r53.error("DisassociateVPCFromHostedZone", HostedZoneId=zid, VPC=VPC2).code
        == "VPCAssociationNotFound"
    )
    assert r53.error("DisassociateVPCFromHostedZone", HostedZoneId=zid, VPC=VPC).code == "LastVPCAssociation"
    assert (
        r53.error(
            "AssociateVPCWithHostedZone", HostedZoneId=zid, VPC={"VPCRegion": "us-east-1", "VPCId": "vpc-xyz"}
        ).code
        == "InvalidVPCId"
    )
    public = r53.zone("example.com")
    assert (
        r53.error("AssociateVPCWithHostedZone", HostedZoneId=public, VPC=VPC).code
        == "PublicZoneVPCAssociation"
    )
    assert (
        r53.error("GetHostedZoneLimit", HostedZoneId=public, Type="MAX_VPCS_ASSOCIATED_BY_ZONE").code
        == "HostedZoneNotPrivate"
    )
    assert [z["Id"] for z in r53("ListHostedZones", HostedZoneType="PrivateHostedZone")["HostedZones"]] == [
        f"/hostedzone/{zid}"
    ]
    assert (
        r53.error(
            "CreateHostedZone", Name="x.example", CallerReference="p3", HostedZoneConfig={"PrivateZone": True}
        ).code
        == "InvalidInput"
    )


def test_tags(r53: Direct) -> None:
    zid = r53.zone("example.com")
    r53(
        "ChangeTagsForResource",
        ResourceType="hostedzone",
        ResourceId=zid,
        AddTags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}],
    )
    r53(
        "ChangeTagsForResource",
        ResourceType="hostedzone",
        ResourceId=zid,
        AddTags=[{"Key": "c", "Value": "3"}],
        RemoveTagKeys=["b"],
    )
    got = r53("ListTagsForResource", ResourceType="hostedzone", ResourceId=zid)
    assert got == {
        "ResourceTagSet": {
            "ResourceType": "hostedzone",
            "ResourceId": zid,
            "Tags": [{"Key": "a", "Value": "1"}, {"Key": "c", "Value": "3"}],
        }
    }
    many = r53("ListTagsForResources", ResourceType="hostedzone", ResourceIds=[zid])
    assert many["ResourceTagSets"] == [got["ResourceTagSet"]]
    e = r53.error(
        "ChangeTagsForResource",
        ResourceType="healthcheck",
        ResourceId="00000000-0000-0000-0000-000000000000",
        AddTags=[{"Key": "a", "Value": "b"}],
    )
    assert (e.code, e.status) == ("NoSuchHealthCheck", 404)
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    assert (
        r53.error("ChangeTagsForResource", ResourceType="hostedzone", ResourceId=zid, AddTags=too_many).code
        == "InvalidInput"
    )


def test_limits_and_counts(r53: Direct) -> None:
    zid = r53.zone("example.com")
    r53.change(zid, ("CREATE", rr("www.example.com", "A", "192.0.2.1")))
    assert r53("GetHostedZoneCount") == {"HostedZoneCount": 1}
    assert r53("GetHostedZoneLimit", HostedZoneId=zid, Type="MAX_RRSETS_BY_ZONE") == {
        "Limit": {"Type": "MAX_RRSETS_BY_ZONE", "Value": 10000},
        "Count": 3,
    }
    assert r53("GetAccountLimit", Type="MAX_HOSTED_ZONES_BY_OWNER") == {
        "Limit": {"Type": "MAX_HOSTED_ZONES_BY_OWNER", "Value": 500},
        "Count": 1,
    }
    assert r53("GetAccountLimit", Type="MAX_HEALTH_CHECKS_BY_OWNER")["Limit"]["Value"] == 200
    assert r53("GetAccountLimit", Type="MAX_REUSABLE_DELEGATION_SETS_BY_OWNER")["Count"] == 0
    assert r53.error("GetAccountLimit", Type="NOPE").code == "InvalidInput"


def test_test_dns_answer_without_dns_server(r53: Direct) -> None:
    zid = r53.zone("example.com")
    e = r53.error("TestDNSAnswer", HostedZoneId=zid, RecordName="example.com", RecordType="SOA")
    assert e.code == "ServiceUnavailable"


def test_store_read_functions_for_data_planes(r53: Direct, deps: Deps) -> None:
    zid = r53.zone("example.com")
    r53.change(
        zid,
        (
            "CREATE",
            rr(
                "www.example.com",
                "A",
                "192.0.2.1",
                SetIdentifier="x",
                GeoLocation={"CountryCode": "US", "SubdivisionCode": "WA"},
                HealthCheckId=None,
            ),
        ),
    )
    with deps.store.read() as txn:
        zones = store.list_zones(txn)
        assert [z.id for z in zones] == [zid]
        zone = store.get_zone(txn, zid)
        assert zone is not None and zone.account_id == r53.account and zone.record_count == 3
        snap = store.zone_snapshot(txn, zid)
        assert snap is not None and [(r.name, r.type) for r in snap.record_sets] == [
            ("example.com.", "NS"),
            ("example.com.", "SOA"),
            ("www.example.com.", "A"),
        ]
        assert (
            snap.record_sets[2].geolocation is not None
            and snap.record_sets[2].geolocation.subdivision_code == "WA"
        )
        assert store.all_snapshots(txn) == [snap]
        assert store.zone_snapshot(txn, "ZNOPE") is None


def test_changes_are_announced_after_commit(r53: Direct, deps: Deps) -> None:
    async def scenario() -> tuple[str, list[dict[str, object]]]:
        deps.events.bind_loop(asyncio.get_running_loop())
        got: list[dict[str, object]] = []
        deps.events.subscribe("route53.zone", lambda _t, p: got.append(p))
        zid = await asyncio.to_thread(r53.zone, "example.com")
        await asyncio.to_thread(r53.change, zid, ("CREATE", rr("www.example.com", "A", "192.0.2.1")))
        with pytest.raises(AwsError):  # a refused batch announces nothing
            await asyncio.to_thread(r53.change, zid, ("CREATE", rr("www.example.com", "A", "192.0.2.1")))
        await asyncio.to_thread(r53.change, zid, ("DELETE", rr("www.example.com", "A", "192.0.2.1")))
        await asyncio.to_thread(r53, "DeleteHostedZone", Id=zid)
        for _ in range(50):
            if len(got) >= 4:
                break
            await asyncio.sleep(0.01)
        return zid, got

    zid, got = asyncio.run(scenario())
    assert [(p["zone_id"], p["deleted"]) for p in got] == [(zid, False)] * 3 + [(zid, True)]
    seqs = [p["seq"] for p in got]
    assert seqs == sorted(seqs) and seqs[-1] == deps.store.seq
