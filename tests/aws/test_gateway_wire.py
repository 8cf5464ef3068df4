"""The wire layer behind the real gateway: boto3 and raw HTTP against a running `cloudlet up`.

Only behaviour the wire layer owns is asserted (validation texts, malformed bodies, signatures), so
these hold whatever the services implement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support.server import CloudletProcess


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response  # type: ignore[no-any-return]


def test_route53_validation_error_reaches_boto3(cloudlet: CloudletProcess) -> None:
    r53 = cloudlet.client("route53")
    resp = error_of(lambda: r53.get_hosted_zone(Id="Z" * 40))
    assert resp["Error"]["Code"] == "InvalidInput"
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert resp["Error"]["Message"] == (
        f"1 validation error detected: Value '{'Z' * 40}' at 'id' failed to satisfy constraint: "
        "Member must have length less than or equal to 32"
    )


def test_dynamodb_validation_and_serialization_errors(cloudlet: CloudletProcess) -> None:
    ddb = cloudlet.client("dynamodb")
    resp = error_of(lambda: ddb.scan(TableName="t" * 1025))
    assert resp["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 1024" in resp["Error"]["Message"]
    raw = httpx.post(
        cloudlet.endpoint,
        headers={"X-Amz-Target": "DynamoDB_20120810.Scan", "Content-Type": "application/x-amz-json-1.0"},
        content=b'{"TableName": 5}',
    )
    assert raw.status_code == 400
    assert raw.json() == {
        "__type": "com.amazon.coral.service#SerializationException",
        "Message": "NUMBER_VALUE cannot be converted to String",
    }


def test_dynamodb_refuses_bodies_over_16_mb(cloudlet: CloudletProcess) -> None:
    # AWS answers 413 (alternator's test_manual_requests); a body that fits is read as usual
    headers = {"X-Amz-Target": "DynamoDB_20120810.Scan", "Content-Type": "application/x-amz-json-1.0"}
    padded = b'{"TableName": 5' + b" " * (16 * 1024 * 1024) + b"}"
    assert httpx.post(cloudlet.endpoint, headers=headers, content=padded).status_code == 413

    def chunks() -> Any:
        yield padded

    assert httpx.post(cloudlet.endpoint, headers=headers, content=chunks()).status_code == 413
    fits = b'{"TableName": 5' + b" " * (1024 * 1024) + b"}"
    assert httpx.post(cloudlet.endpoint, headers=headers, content=fits).status_code == 400


def test_strict_auth_checks_signatures(cloudlet_factory: Callable[..., CloudletProcess]) -> None:
    server = cloudlet_factory(settings={"auth": "strict"})
    good = server.client("route53")
    # a correctly signed request gets past authentication to validation
    assert error_of(lambda: good.get_hosted_zone(Id="Z" * 40))["Error"]["Code"] == "InvalidInput"
    bad = boto3.client(
        "route53",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="not-the-secret",
        config=Config(retries={"max_attempts": 1}),
    )
    resp = error_of(lambda: bad.get_hosted_zone(Id="Z" * 40))
    assert resp["Error"]["Code"] == "SignatureDoesNotMatch"
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 403
    s3 = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version="s3v4"),
    )
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "no-such-bucket-x", "Key": "k"})
    assert httpx.get(url).status_code != 403
    tampered = url.replace("X-Amz-Expires=3600", "X-Amz-Expires=3601")
    assert httpx.get(tampered).status_code == 403


def test_route53domains_cbor_errors_reach_boto3(cloudlet: CloudletProcess) -> None:
    domains = cloudlet.client("route53domains")
    assert domains.meta.service_model.protocol == "smithy-rpc-v2-cbor"
    resp = error_of(lambda: domains.check_domain_availability(DomainName="a" * 300 + ".com"))
    assert resp["Error"]["Code"] == "InvalidInput"
    assert (
        "at 'domainName' failed to satisfy constraint: Member must have length less than or equal to 255"
        in (resp["Error"]["Message"])
    )
