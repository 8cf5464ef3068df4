"""Health check and CIDR collection APIs through the real gateway with boto3 (contract tests)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.server import CloudletProcess


def err(call: Any, **kw: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as e:
        call(**kw)
    r = e.value.response
    return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"].get("Message", "")


def ref() -> str:
    return uuid.uuid4().hex


HTTP = {"Type": "HTTP", "IPAddress": "127.0.0.1", "Port": 9, "ResourcePath": "health"}


def test_create_get_list_health_check(cloudlet: CloudletProcess) -> None:
    r53 = cloudlet.client("route53")
    out = r53.create_health_check(CallerReference=ref(), HealthCheckConfig=HTTP)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    hc = out["HealthCheck"]
    assert out["Location"].endswith(f"/2013-04-01/healthcheck/{hc['Id']}")
    cfg = hc["HealthCheckConfig"]
    assert cfg["ResourcePath"] == "/health" and cfg["RequestInterval"] == 30 and cfg["FailureThreshold"] == 3
    assert hc["HealthCheckVersion"] == 1
    assert r53.get_health_check(HealthCheckId=hc["Id"])["HealthCheck"] == hc
    ids = []
    marker = None
    while True:
        page = r53.list_health_checks(MaxItems="2", **({"Marker": marker} if marker else {}))
        ids += [h["Id"] for h in page["HealthChecks"]]
        if not page["IsTruncated"]:
            break
        marker = page["NextMarker"]
    everything = [h["Id"] for h in r53.list_health_checks(MaxItems="1000")["HealthChecks"]]
    assert hc["Id"] in ids and ids == everything
    assert r53.get_health_check_count()["HealthCheckCount"] >= 1


def test_caller_reference_semantics(cloudlet: CloudletProcess) -> None:
    r53 = cloudlet.client("route53")
    caller = ref()
    first = r53.create_health_check(CallerReference=caller, HealthCheckConfig=HTTP)["HealthCheck"]
    again = r53.create_health_check(CallerReference=caller, HealthCheckConfig=HTTP)["HealthCheck"]
    assert again["Id"] == first["Id"]  # same reference, same settings: the existing check
    code, status, _ = err(
        r53.create_health_check, CallerReference=caller, HealthCheckConfig={**HTTP, "Port": 10}
    )
    assert (code, status) == ("HealthCheckAlreadyExists", 409)
    other = r53.create_health_check(CallerReference=ref(), HealthCheckConfig=HTTP)["HealthCheck"]
    assert other["Id"] != first["Id"]  # new reference, same settings: a new check
    r53.delete_health_check(HealthCheckId=first["Id"])
    code, status, _ = err(r53.create_health_check, CallerReference=caller, HealthCheckConfig=HTTP)
    assert (code, status) == ("HealthCheckAlreadyExists", 409)  # a deleted check's reference


@pytest.mark.parametrize(
    "cfg",
    [
        {"Type": "HTTP", "IPAddress": "127.0.0.1", "RequestInterval": 20},
        {"Type": "HTTP", "IPAddress": "127.0.0.1", "FailureThreshold": 11},
        {"Type": "HTTP_STR_MATCH", "IPAddress": "127.0.0.1"},
        {"Type": "TCP", "IPAddress": "127.0.0.1"},
        {"Type": "HTTP"},
        {"Type": "HTTP", "IPAddress": "not-an-ip"},
        {"Type": "HTTP", "IPAddress": "127.0.0.1", "Regions": ["us-east-1", "eu-west-1", "mars-east-1"]},
        {"Type": "CALCULATED", "ChildHealthChecks": ["nope"], "HealthThreshold": 1},
        {"Type": "CLOUDWATCH_METRIC", "AlarmIdentifier": {"Region": "us-east-1", "Name": "a"}},
    ],
)
def test_invalid_configs(cloudlet: CloudletProcess, cfg: dict[str, Any]) -> None:
    code, status, _ = err(
        cloudlet.client("route53").create_health_check, CallerReference=ref(), HealthCheckConfig=cfg
    )
    assert (code, status) == ("InvalidInput", 400)


def test_update_versions_and_reset(cloudlet: CloudletProcess) -> None:
    r53 = cloudlet.client("route53")
    hc = r53.create_health_check(
        CallerReference=ref(), HealthCheckConfig={**HTTP, "FullyQualifiedDomainName": "www.example.com"}
    )["HealthCheck"]
    up = r53.update_health_check(HealthCheckId=hc["Id"], HealthCheckVersion=1, Port=8080, Inverted=True)[
        "HealthCheck"
    ]
    assert (
        up["HealthCheckVersion"] == 2
        and up["HealthCheckConfig"]["Port"] == 8080
        and up["HealthCheckConfig"]["Inverted"]
    )
    code, status, _ = err(r53.update_health_check, HealthCheckId=hc["Id"], HealthCheckVersion=1, Port=81)
    assert (code, status) == ("HealthCheckVersionMismatch", 409)
    reset = r53.update_health_check(HealthCheckId=hc["Id"], ResetElements=["FullyQualifiedDomainName"])[
        "HealthCheck"
    ]
    assert "FullyQualifiedDomainName" not in reset["HealthCheckConfig"] and reset["HealthCheckVersion"] == 3
    assert err(r53.update_health_check, HealthCheckId=str(uuid.uuid4()), Port=81)[:2] == (
        "NoSuchHealthCheck",
        404,
    )


def test_delete_refused_while_a_record_uses_it(cloudlet: CloudletProcess) -> None:
    r53 = cloudlet.client("route53")
    hc = r53.create_health_check(CallerReference=ref(), HealthCheckConfig=HTTP)["HealthCheck"]["Id"]
    name = f"hc-{ref()[:8]}.example"
    zone = r53.create_hosted_zone(Name=name, CallerReference=ref())["HostedZone"]["Id"]
    rrset = {
        "Name": f"www.{name}.",
        "Type": "A",
        "TTL": 60,
        "SetIdentifier": "one",
        "Weight": 1,
        "HealthCheckId": hc,
        "ResourceRecords": [{"Value": "192.0.2.1"}],
    }
    r53.change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": rrset}]}
    )
    code, status, message = err(r53.delete_health_check, HealthCheckId=hc)
    assert (code, status) == ("HealthCheckInUse", 400) and f"www.{name}." in message
    r53.change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": rrset}]}
    )
    r53.delete_health_check(HealthCheckId=hc)
    assert err(r53.get_health_check, HealthCheckId=hc)[:2] == ("NoSuchHealthCheck", 404)


def test_status_and_last_failure_reason_per_checker_region(cloudlet: CloudletProcess) -> None:
    r53 = cloudlet.client("route53")
    cfg = {
        **HTTP,
        "RequestInterval": 10,
        "FailureThreshold": 1,
        "Regions": ["us-east-1", "eu-west-1", "sa-east-1"],
    }
    hc = r53.create_health_check(CallerReference=ref(), HealthCheckConfig=cfg)["HealthCheck"]["Id"]
    deadline = time.monotonic() + 30
    obs: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        obs = r53.get_health_check_status(HealthCheckId=hc)["HealthCheckObservations"]
        if len(obs) == 3:
            break
        time.sleep(0.3)
    assert sorted(o["Region"] for o in obs) == ["eu-west-1", "sa-east-1", "us-east-1"]
    assert all(o["StatusReport"]["Status"].startswith("Failure: Connection refused") for o in obs)
    failures = r53.get_health_check_last_failure_reason(HealthCheckId=hc)["HealthCheckObservations"]
    assert len(failures) == 3


def test_health_check_tags(cloudlet: CloudletProcess) -> None:
    r53 = cloudlet.client("route53")
    hc = r53.create_health_check(CallerReference=ref(), HealthCheckConfig=HTTP)["HealthCheck"]["Id"]
    r53.change_tags_for_resource(
        ResourceType="healthcheck", ResourceId=hc, AddTags=[{"Key": "Name", "Value": "web"}]
    )
    tags = r53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=hc)["ResourceTagSet"]["Tags"]
    assert tags == [{"Key": "Name", "Value": "web"}]


# -- CIDR collections ---------------------------------------------------------------------------
def test_cidr_collection_lifecycle(cloudlet: CloudletProcess) -> None:
    r53 = cloudlet.client("route53")
    name, caller = f"c{ref()[:10]}", ref()
    out = r53.create_cidr_collection(Name=name, CallerReference=caller)
    coll = out["Collection"]
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201 and coll["Version"] == 1
    assert coll["Arn"] == f"arn:aws:route53:::cidrcollection/{coll['Id']}"
    assert r53.create_cidr_collection(Name=name, CallerReference=caller)["Collection"]["Id"] == coll["Id"]
    code, _, _ = err(r53.create_cidr_collection, Name=name, CallerReference=ref())
    assert code == "CidrCollectionAlreadyExistsException"
    cid = coll["Id"]
    r53.change_cidr_collection(
        Id=cid,
        CollectionVersion=1,
        Changes=[
            {"LocationName": "office", "Action": "PUT", "CidrList": ["192.0.2.0/24", "2001:db8::/48"]},
            {"LocationName": "home", "Action": "PUT", "CidrList": ["198.51.100.0/24"]},
        ],
    )
    assert err(
        r53.change_cidr_collection,
        Id=cid,
        CollectionVersion=1,
        Changes=[{"LocationName": "x", "Action": "PUT", "CidrList": ["203.0.113.0/24"]}],
    )[:2] == (
        "CidrCollectionVersionMismatchException",
        409,
    )
    code, _, _ = err(
        r53.change_cidr_collection,
        Id=cid,
        Changes=[{"LocationName": "home", "Action": "PUT", "CidrList": ["192.0.2.0/24"]}],
    )
    assert code == "CidrBlockInUseException"
    # moving a block between locations in one request is allowed
    r53.change_cidr_collection(
        Id=cid,
        Changes=[
            {"LocationName": "office", "Action": "DELETE_IF_EXISTS", "CidrList": ["192.0.2.0/24"]},
            {"LocationName": "home", "Action": "PUT", "CidrList": ["192.0.2.0/24"]},
        ],
    )
    for bad in (["192.0.2.1/24"], ["10.0.0.0/25"], ["nonsense"]):
        assert (
            err(
                r53.change_cidr_collection,
                Id=cid,
                Changes=[{"LocationName": "x", "Action": "PUT", "CidrList": bad}],
            )[0]
            == "InvalidInput"
        )
    locations = r53.list_cidr_locations(CollectionId=cid)["CidrLocations"]
    assert [loc["LocationName"] for loc in locations] == ["home", "office"]
    blocks = r53.list_cidr_blocks(CollectionId=cid, LocationName="home")["CidrBlocks"]
    assert sorted(b["CidrBlock"] for b in blocks) == ["192.0.2.0/24", "198.51.100.0/24"]
    paged, token = [], None
    while True:
        page = r53.list_cidr_blocks(
            CollectionId=cid, MaxResults="1", **({"NextToken": token} if token else {})
        )
        paged += [(b["LocationName"], b["CidrBlock"]) for b in page["CidrBlocks"]]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(paged) == [
        ("home", "192.0.2.0/24"),
        ("home", "198.51.100.0/24"),
        ("office", "2001:db8::/48"),
    ]
    assert err(r53.list_cidr_blocks, CollectionId=cid, LocationName="nowhere")[:2] == (
        "NoSuchCidrLocationException",
        404,
    )
    listed = r53.list_cidr_collections()["CidrCollections"]
    assert any(c["Id"] == cid and c["Version"] == 3 for c in listed)
    assert err(r53.delete_cidr_collection, Id=cid)[0] == "CidrCollectionInUseException"
    r53.change_cidr_collection(
        Id=cid,
        Changes=[
            {"LocationName": "office", "Action": "DELETE_IF_EXISTS", "CidrList": ["2001:db8::/48"]},
            {
                "LocationName": "home",
                "Action": "DELETE_IF_EXISTS",
                "CidrList": ["192.0.2.0/24", "198.51.100.0/24"],
            },
        ],
    )
    r53.delete_cidr_collection(Id=cid)
    assert err(r53.list_cidr_locations, CollectionId=cid)[:2] == ("NoSuchCidrCollectionException", 404)


def test_aws_cli_health_check_and_cidr(cloudlet: CloudletProcess) -> None:
    import json

    cfg = json.dumps({"Type": "TCP", "IPAddress": "127.0.0.1", "Port": 9, "RequestInterval": 10})
    out = cloudlet.aws(
        "route53", "create-health-check", "--caller-reference", ref(), "--health-check-config", cfg
    )
    assert out.returncode == 0, out.stderr
    hc = json.loads(out.stdout)["HealthCheck"]
    assert hc["HealthCheckConfig"]["Type"] == "TCP" and hc["HealthCheckConfig"]["FailureThreshold"] == 3
    status = cloudlet.aws("route53", "get-health-check-status", "--health-check-id", hc["Id"])
    assert status.returncode == 0 and "HealthCheckObservations" in json.loads(status.stdout)
    missing = cloudlet.aws("route53", "get-health-check", "--health-check-id", str(uuid.uuid4()))
    assert missing.returncode != 0 and "NoSuchHealthCheck" in missing.stderr
    coll = cloudlet.aws(
        "route53", "create-cidr-collection", "--name", f"cli{ref()[:8]}", "--caller-reference", ref()
    )
    assert coll.returncode == 0, coll.stderr
    cid = json.loads(coll.stdout)["Collection"]["Id"]
    changes = json.dumps([{"LocationName": "lab", "Action": "PUT", "CidrList": ["127.0.0.0/24"]}])
    assert (
        cloudlet.aws("route53", "change-cidr-collection", "--id", cid, "--changes", changes).returncode == 0
    )
    blocks = json.loads(cloudlet.aws("route53", "list-cidr-blocks", "--collection-id", cid).stdout)[
        "CidrBlocks"
    ]
    assert blocks == [{"CidrBlock": "127.0.0.0/24", "LocationName": "lab"}]
