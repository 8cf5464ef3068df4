"""Route 53 through boto3 against a real `cloudlet up` (the shared `cloudlet` fixture): every
operation of the hosted-zone and record-set API, its wire shapes and its error paths."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.server import CloudletProcess


def ref() -> str:
    return uuid.uuid4().hex


@pytest.fixture(scope="module")
def r53(cloudlet: CloudletProcess) -> Any:
    return cloudlet.client("route53")


def zone(r53: Any, name: str) -> str:
    return str(r53.create_hosted_zone(Name=name, CallerReference=ref())["HostedZone"]["Id"])


def rr(name: str, rtype: str, *values: str, ttl: int = 300, **extra: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "Type": rtype,
        "TTL": ttl,
        "ResourceRecords": [{"Value": v} for v in values],
        **extra,
    }


def change(r53: Any, zid: str, *changes: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    batch = {"Changes": [{"Action": a, "ResourceRecordSet": r} for a, r in changes]}
    return r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch=batch)  # type: ignore[no-any-return]


def error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response  # type: ignore[no-any-return]


def test_zone_lifecycle(r53: Any) -> None:
    out = r53.create_hosted_zone(
        Name="Lifecycle.Example.com", CallerReference="lc-" + ref(), HostedZoneConfig={"Comment": "c1"}
    )
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    zid = out["HostedZone"]["Id"]
    assert out["Location"].endswith(zid.rpartition("/")[2])
    assert (
        out["HostedZone"]["Name"] == "lifecycle.example.com."
        and out["HostedZone"]["ResourceRecordSetCount"] == 2
    )
    assert (
        out["ChangeInfo"]["Status"] in ("PENDING", "INSYNC") and len(out["DelegationSet"]["NameServers"]) == 4
    )
    got = r53.get_hosted_zone(Id=zid)
    assert got["HostedZone"]["Config"] == {"Comment": "c1", "PrivateZone": False}
    assert got["DelegationSet"]["NameServers"] == out["DelegationSet"]["NameServers"]
    assert r53.update_hosted_zone_comment(Id=zid, Comment="c2")["HostedZone"]["Config"]["Comment"] == "c2"
    ids = [
        z["Id"]
        for page in r53.get_paginator("list_hosted_zones").paginate(PaginationConfig={"PageSize": 2})
        for z in page["HostedZones"]
    ]
    assert zid in ids and len(ids) == len(set(ids))
    by_name = r53.list_hosted_zones_by_name(DNSName="lifecycle.example.com", MaxItems="1")
    assert by_name["HostedZones"][0]["Id"] == zid and by_name["DNSName"] == "lifecycle.example.com"
    assert r53.get_hosted_zone_count()["HostedZoneCount"] >= 1
    deleted = r53.delete_hosted_zone(Id=zid)
    assert deleted["ChangeInfo"]["Id"].startswith("/change/")
    e = error(r53.get_hosted_zone, Id=zid)
    assert e["Error"]["Code"] == "NoSuchHostedZone" and e["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert e["Error"]["Message"] == f"No hosted zone found with ID: {zid.rpartition('/')[2]}"


def test_zone_errors(r53: Any) -> None:
    caller = ref()
    r53.create_hosted_zone(Name="dup-ref.example.com", CallerReference=caller)
    e = error(r53.create_hosted_zone, Name="other.example.com", CallerReference=caller)
    assert (e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"]) == ("HostedZoneAlreadyExists", 409)
    assert (
        error(r53.create_hosted_zone, Name="com", CallerReference=ref())["Error"]["Code"]
        == "InvalidDomainName"
    )
    zid = zone(r53, "notempty.example.com")
    change(r53, zid, ("CREATE", rr("www.notempty.example.com", "A", "192.0.2.1")))
    e = error(r53.delete_hosted_zone, Id=zid)
    assert e["Error"] == {
        "Code": "HostedZoneNotEmpty",
        "Message": "The specified hosted zone contains non-required resource record sets and so cannot be deleted.",
        "Type": "Sender",
    }


ALL_TYPES = [
    rr("a.types.example.com", "A", "192.0.2.1", "192.0.2.2"),
    rr("a.types.example.com", "AAAA", "2001:db8::1"),
    rr("a.types.example.com", "CAA", '0 issue "amazon.com"'),
    rr("alias.types.example.com", "CNAME", "a.types.example.com"),
    rr("child.types.example.com", "DS", "12345 13 2 " + "ab" * 32),
    rr("child.types.example.com", "NS", "ns1.example.net."),
    rr("a.types.example.com", "HTTPS", "1 . alpn=h2"),
    rr("a.types.example.com", "MX", "10 mail.example.com"),
    rr("a.types.example.com", "NAPTR", '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .'),
    rr("1.2.0.192.types.example.com", "PTR", "a.types.example.com"),
    rr("a.types.example.com", "SPF", '"v=spf1 -all"'),
    rr("_sip._tcp.types.example.com", "SRV", "10 60 5060 sip.example.com"),
    rr("a.types.example.com", "SSHFP", "1 1 " + "ab" * 20),
    rr("_svc.types.example.com", "SVCB", "1 svc.example.com. alpn=h2"),
    rr("_443._tcp.types.example.com", "TLSA", "3 1 1 " + "ab" * 32),
    rr("a.types.example.com", "TXT", '"hello world" "second"'),
    rr("*.types.example.com", "A", "192.0.2.9", ttl=0),
    rr("max.types.example.com", "A", "192.0.2.9", ttl=2147483647),
]


def test_every_record_type_round_trips(r53: Any) -> None:
    zid = zone(r53, "types.example.com")
    change(r53, zid, *[("CREATE", r) for r in ALL_TYPES])
    soa = rr(
        "types.example.com",
        "SOA",
        "ns1.example.net. hostmaster.example.com. 1 7200 900 1209600 86400",
        ttl=900,
    )
    change(r53, zid, ("UPSERT", soa))
    listed = [
        r
        for page in r53.get_paginator("list_resource_record_sets").paginate(
            HostedZoneId=zid, PaginationConfig={"PageSize": 5}
        )
        for r in page["ResourceRecordSets"]
    ]
    expected = [{**r, "Name": r["Name"].replace("*", "\\052") + "."} for r in ALL_TYPES]
    for r in expected:
        assert r in listed, r
    assert {r["Type"] for r in listed} == {
        "A",
        "AAAA",
        "CAA",
        "CNAME",
        "DS",
        "NS",
        "HTTPS",
        "MX",
        "NAPTR",
        "PTR",
        "SPF",
        "SRV",
        "SSHFP",
        "SVCB",
        "TLSA",
        "TXT",
        "SOA",
    }
    assert (
        r53.get_hosted_zone(Id=zid)["HostedZone"]["ResourceRecordSetCount"]
        == len(listed)
        == len(ALL_TYPES) + 2
    )


def test_change_batch_errors_on_the_wire(r53: Any) -> None:
    zid = zone(r53, "errors.example.com")
    change(r53, zid, ("CREATE", rr("www.errors.example.com", "A", "192.0.2.1")))
    batch = {
        "Changes": [
            {"Action": "CREATE", "ResourceRecordSet": rr("www.errors.example.com", "A", "192.0.2.1")},
            {"Action": "CREATE", "ResourceRecordSet": rr("errors.example.com", "CNAME", "x.example.net")},
        ]
    }
    e = error(r53.change_resource_record_sets, HostedZoneId=zid, ChangeBatch=batch)
    assert e["Error"]["Code"] == "InvalidChangeBatch" and e["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert e["Error"]["Message"] == (
        "[Tried to create resource record set [name='www.errors.example.com.', type='A'] but it already exists, "
        "RRSet of type CNAME with DNS name errors.example.com. is not permitted at apex in zone errors.example.com.]"
    )
    bad = {
        "Changes": [{"Action": "CREATE", "ResourceRecordSet": rr("v.errors.example.com", "A", "999.1.1.1")}]
    }
    e = error(r53.change_resource_record_sets, HostedZoneId=zid, ChangeBatch=bad)
    assert e["Error"]["Message"] == (
        "[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) "
        "encountered with '999.1.1.1'']"
    )
    missing_sid = {
        "Changes": [
            {"Action": "CREATE", "ResourceRecordSet": rr("x.errors.example.com", "A", "192.0.2.1", Weight=1)}
        ]
    }
    e = error(r53.change_resource_record_sets, HostedZoneId=zid, ChangeBatch=missing_sid)
    assert e["Error"]["Code"] == "InvalidInput"
    assert e["Error"]["Message"] == (
        "Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name=x.errors.example.com., "
        "Type=A, SetIdentifier=null]"
    )
    hc = {
        "Changes": [
            {
                "Action": "CREATE",
                "ResourceRecordSet": rr(
                    "h.errors.example.com",
                    "A",
                    "192.0.2.1",
                    HealthCheckId="11111111-2222-3333-4444-555555555555",
                ),
            }
        ]
    }
    e = error(r53.change_resource_record_sets, HostedZoneId=zid, ChangeBatch=hc)
    assert (e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"]) == ("NoSuchHealthCheck", 404)
    e = error(r53.change_resource_record_sets, HostedZoneId="/hostedzone/ZNOSUCHZONE", ChangeBatch=bad)
    assert e["Error"]["Code"] == "NoSuchHostedZone"
    # nothing of the refused batches was applied
    names = [r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]]
    assert names == ["errors.example.com.", "errors.example.com.", "www.errors.example.com."]


def test_change_becomes_insync(r53: Any) -> None:
    zid = zone(r53, "insync.example.com")
    out = change(r53, zid, ("UPSERT", rr("www.insync.example.com", "A", "192.0.2.1")))
    r53.get_waiter("resource_record_sets_changed").wait(
        Id=out["ChangeInfo"]["Id"], WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    assert r53.get_change(Id=out["ChangeInfo"]["Id"])["ChangeInfo"]["Status"] == "INSYNC"
    e = error(r53.get_change, Id="CNOSUCHCHANGE")
    assert (e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"]) == ("NoSuchChange", 404)


def test_list_resource_record_sets_start_and_paging(r53: Any) -> None:
    zid = zone(r53, "paging.example.com")
    change(r53, zid, *[("CREATE", rr(f"h{i:02d}.paging.example.com", "A", "192.0.2.1")) for i in range(7)])
    page = r53.list_resource_record_sets(
        HostedZoneId=zid, StartRecordName="h03.paging.example.com", StartRecordType="A", MaxItems="2"
    )
    assert [r["Name"] for r in page["ResourceRecordSets"]] == [
        "h03.paging.example.com.",
        "h04.paging.example.com.",
    ]
    assert (
        page["IsTruncated"] is True
        and page["NextRecordName"] == "h05.paging.example.com."
        and page["NextRecordType"] == "A"
    )
    assert page["MaxItems"] == "2"
    e = error(r53.list_resource_record_sets, HostedZoneId=zid, StartRecordType="A")
    assert e["Error"]["Code"] == "InvalidInput"


def test_delegation_sets_tags_limits(r53: Any) -> None:
    ds = r53.create_reusable_delegation_set(CallerReference=ref())
    assert ds["ResponseMetadata"]["HTTPStatusCode"] == 201
    sid = ds["DelegationSet"]["Id"]
    zid = r53.create_hosted_zone(Name="shared-ns.example.com", CallerReference=ref(), DelegationSetId=sid)[
        "HostedZone"
    ]["Id"]
    assert r53.get_hosted_zone(Id=zid)["DelegationSet"]["Id"] == sid
    assert sid in [d["Id"] for d in r53.list_reusable_delegation_sets()["DelegationSets"]]
    assert (
        r53.get_reusable_delegation_set(Id=sid)["DelegationSet"]["NameServers"]
        == ds["DelegationSet"]["NameServers"]
    )
    assert (
        r53.get_reusable_delegation_set_limit(
            DelegationSetId=sid, Type="MAX_ZONES_BY_REUSABLE_DELEGATION_SET"
        )["Count"]
        == 1
    )
    assert error(r53.delete_reusable_delegation_set, Id=sid)["Error"]["Code"] == "DelegationSetInUse"
    r53.delete_hosted_zone(Id=zid)
    r53.delete_reusable_delegation_set(Id=sid)
    assert error(r53.get_reusable_delegation_set, Id=sid)["Error"]["Code"] == "NoSuchDelegationSet"

    tz = zone(r53, "tags.example.com").rpartition("/")[2]
    r53.change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=tz, AddTags=[{"Key": "env", "Value": "test"}]
    )
    tags = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=tz)["ResourceTagSet"]
    assert tags == {"ResourceType": "hostedzone", "ResourceId": tz, "Tags": [{"Key": "env", "Value": "test"}]}
    assert r53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=[tz])["ResourceTagSets"] == [
        tags
    ]
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=tz, RemoveTagKeys=["env"])
    assert (
        r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=tz)["ResourceTagSet"]["Tags"] == []
    )

    assert r53.get_hosted_zone_limit(HostedZoneId=tz, Type="MAX_RRSETS_BY_ZONE")["Limit"] == {
        "Type": "MAX_RRSETS_BY_ZONE",
        "Value": 10000,
    }
    assert r53.get_account_limit(Type="MAX_HOSTED_ZONES_BY_OWNER")["Limit"]["Value"] == 500


def test_private_zone_and_vpcs(r53: Any) -> None:
    vpc1 = {"VPCRegion": "us-east-1", "VPCId": "vpc-" + uuid.uuid4().hex[:17]}
    vpc2 = {"VPCRegion": "eu-west-1", "VPCId": "vpc-" + uuid.uuid4().hex[:8]}
    out = r53.create_hosted_zone(
        Name="corp.internal", CallerReference=ref(), VPC=vpc1, HostedZoneConfig={"PrivateZone": True}
    )
    zid = out["HostedZone"]["Id"]
    assert out["VPC"] == vpc1 and out["HostedZone"]["Config"]["PrivateZone"] is True
    r53.associate_vpc_with_hosted_zone(HostedZoneId=zid, VPC=vpc2)
    assert r53.get_hosted_zone(Id=zid)["VPCs"] == [vpc1, vpc2]
    summaries = r53.list_hosted_zones_by_vpc(VPCId=vpc2["VPCId"], VPCRegion="eu-west-1")[
        "HostedZoneSummaries"
    ]
    assert [s["HostedZoneId"] for s in summaries] == [zid.rpartition("/")[2]]
    r53.disassociate_vpc_from_hosted_zone(HostedZoneId=zid, VPC=vpc2)
    assert (
        error(r53.disassociate_vpc_from_hosted_zone, HostedZoneId=zid, VPC=vpc1)["Error"]["Code"]
        == "LastVPCAssociation"
    )


def test_alias_and_test_dns_answer(r53: Any) -> None:
    zid = zone(r53, "answer.example.com")
    bare = zid.rpartition("/")[2]
    out = change(
        r53,
        zid,
        ("CREATE", rr("www.answer.example.com", "A", "192.0.2.10")),
        (
            "CREATE",
            {
                "Name": "answer.example.com",
                "Type": "A",
                "AliasTarget": {
                    "HostedZoneId": bare,
                    "DNSName": "www.answer.example.com",
                    "EvaluateTargetHealth": False,
                },
            },
        ),
    )
    r53.get_waiter("resource_record_sets_changed").wait(
        Id=out["ChangeInfo"]["Id"], WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    ans = r53.test_dns_answer(HostedZoneId=bare, RecordName="www.answer.example.com", RecordType="A")
    assert ans["RecordData"] == ["192.0.2.10"] and ans["ResponseCode"] == "NOERROR"
    alias = r53.test_dns_answer(HostedZoneId=bare, RecordName="answer.example.com", RecordType="A")
    assert alias["RecordData"] == ["192.0.2.10"]


def test_route53_is_global(cloudlet: CloudletProcess, r53: Any) -> None:
    zid = zone(r53, "global.example.com")
    elsewhere = cloudlet.client("route53", region="ap-southeast-2")
    assert elsewhere.get_hosted_zone(Id=zid)["HostedZone"]["Name"] == "global.example.com."


def test_records_with_health_checks_and_cidr_routing(r53: Any) -> None:
    hc = r53.create_health_check(
        CallerReference=ref(),
        HealthCheckConfig={
            "Type": "TCP",
            "IPAddress": "192.0.2.80",
            "Port": 80,
            "RequestInterval": 30,
            "FailureThreshold": 3,
        },
    )["HealthCheck"]["Id"]
    coll = r53.create_cidr_collection(Name="c" + ref()[:10], CallerReference=ref())["Collection"]
    r53.change_cidr_collection(
        Id=coll["Id"], Changes=[{"LocationName": "office", "Action": "PUT", "CidrList": ["198.51.100.0/24"]}]
    )
    zid = zone(r53, "routed.example.com")
    recs = [
        rr(
            "api.routed.example.com",
            "A",
            "192.0.2.1",
            SetIdentifier="p",
            Failover="PRIMARY",
            HealthCheckId=hc,
        ),
        rr("api.routed.example.com", "A", "192.0.2.2", SetIdentifier="s", Failover="SECONDARY"),
        rr(
            "ip.routed.example.com",
            "A",
            "192.0.2.3",
            SetIdentifier="o",
            CidrRoutingConfig={"CollectionId": coll["Id"], "LocationName": "office"},
        ),
        rr(
            "ip.routed.example.com",
            "A",
            "192.0.2.4",
            SetIdentifier="d",
            CidrRoutingConfig={"CollectionId": coll["Id"], "LocationName": "*"},
        ),
    ]
    change(r53, zid, *[("CREATE", r) for r in recs])
    listed = r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]
    for r in recs:
        assert {**r, "Name": r["Name"] + "."} in listed
    bad = rr(
        "ip2.routed.example.com",
        "A",
        "192.0.2.5",
        SetIdentifier="x",
        CidrRoutingConfig={"CollectionId": coll["Id"], "LocationName": "nowhere"},
    )
    e = error(
        r53.change_resource_record_sets,
        HostedZoneId=zid,
        ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": bad}]},
    )
    assert e["Error"]["Message"] == f"[CIDR location nowhere does not exist in CIDR collection {coll['Id']}]"
    r53.change_tags_for_resource(
        ResourceType="healthcheck", ResourceId=hc, AddTags=[{"Key": "team", "Value": "dns"}]
    )
    assert r53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=hc)["ResourceTagSet"][
        "Tags"
    ] == [{"Key": "team", "Value": "dns"}]
    assert r53.get_account_limit(Type="MAX_HEALTH_CHECKS_BY_OWNER")["Count"] >= 1
