"""identify_service: which service a raw request is for (target prefix, SigV4 scope, RPC v2 path, Host)."""

from __future__ import annotations

import pytest

from cloudlet.aws.http import Headers, HttpRequest
from cloudlet.aws.models import SERVICES, service_model
from cloudlet.aws.routing import identify_service


def req(path: str = "/", **headers: str) -> HttpRequest:
    return HttpRequest("POST", path, "", Headers([(k.replace("_", "-"), v) for k, v in headers.items()]))


def auth(service: str) -> str:
    return (
        f"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abcd"
    )


@pytest.mark.parametrize(
    ("target", "service"),
    [
        ("DynamoDB_20120810.PutItem", "dynamodb"),
        ("DynamoDBStreams_20120810.GetRecords", "dynamodbstreams"),
        ("AWSCognitoIdentityProviderService.InitiateAuth", "cognito-idp"),
        ("AWSCognitoIdentityService.GetId", "cognito-identity"),
        ("GlobalAccelerator_V20180706.ListAccelerators", "globalaccelerator"),
        ("Route53Domains_v20140515.CheckDomainAvailability", "route53domains"),
    ],
)
def test_target_prefix(target: str, service: str) -> None:
    assert identify_service(req(X_Amz_Target=target)) == service


@pytest.mark.parametrize(
    ("signing", "path", "service"),
    [
        ("route53", "/2013-04-01/hostedzone", "route53"),
        ("s3", "/bucket/key", "s3"),
        ("lambda", "/2015-03-31/functions", "lambda"),
        ("apigateway", "/restapis", "apigateway"),
        ("apigateway", "/v2/apis", "apigatewayv2"),
        ("execute-api", "/prod/@connections/abc", "apigatewaymanagementapi"),
        ("execute-api", "/prod/pets", None),
        ("sts", "/", "sts"),
        ("cloudfront", "/2020-05-31/distribution", "cloudfront"),
        ("dynamodb", "/", "dynamodb"),
    ],
)
def test_credential_scope(signing: str, path: str, service: str | None) -> None:
    assert identify_service(req(path, Authorization=auth(signing))) == service


def test_presigned_query_credential() -> None:
    r = HttpRequest(
        "GET",
        "/bucket/key",
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20240101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
        Headers([("Host", "localhost:4566")]),
    )
    assert identify_service(r) == "s3"


@pytest.mark.parametrize(
    ("host", "service"),
    [
        ("route53.localhost:4566", "route53"),
        ("mybucket.s3.localhost:4566", "s3"),
        ("lambda.s3.localhost", "s3"),
        ("streams.dynamodb.localhost", "dynamodbstreams"),
        ("dynamodb.us-east-1.localhost", "dynamodb"),
        ("localhost:4566", None),
        ("127.0.0.1:4566", None),
    ],
)
def test_host_header(host: str, service: str | None) -> None:
    assert identify_service(req(Host=host)) == service


def test_rpc_v2_path() -> None:
    assert (
        identify_service(req("/service/Route53Domains_v20140515/operation/ListDomains")) == "route53domains"
    )


def test_every_service_has_a_model() -> None:
    for name in SERVICES:
        assert service_model(name).service_name == name
    assert service_model("dynamodb") is service_model("dynamodb")


def test_unsigned_query_action() -> None:
    body = b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=x"
    r = HttpRequest(
        "POST",
        "/",
        "",
        Headers([("Host", "127.0.0.1:4566"), ("Content-Type", "application/x-www-form-urlencoded")]),
        body,
    )
    assert identify_service(r) == "sts"
    assert (
        identify_service(HttpRequest("GET", "/", "Action=GetCallerIdentity", Headers([("Host", "x")])))
        == "sts"
    )
    assert identify_service(HttpRequest("GET", "/", "Action=Nope", Headers([("Host", "x")]))) is None


def test_management_api_under_a_stage() -> None:
    from cloudlet.aws.protocols import protocol_for
    from tests.aws.wire import botocore_request

    model = service_model("apigatewaymanagementapi")
    op = model.operation_model("PostToConnection")
    r = botocore_request(
        op, {"ConnectionId": "abc=", "Data": b"hi"}, endpoint="http://abc123.execute-api.localhost:4566/prod"
    )
    r.headers["Authorization"] = (
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=0"
    )
    assert r.path.startswith("/prod/@connections/")
    assert identify_service(r) == "apigatewaymanagementapi"
    got_op, params = protocol_for(model).parse(r)
    assert (got_op.name, params) == ("PostToConnection", {"ConnectionId": "abc=", "Data": b"hi"})
