"""SigV4 against botocore's own signer: requests signed by real clients (header and presigned forms,
S3's unsigned and streaming payloads) verify with the right secret and fail with a wrong one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import Headers, HttpRequest
from cloudlet.aws.routing import identify_service
from cloudlet.aws.sigv4 import parse_credential, verify

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ENDPOINT = "http://127.0.0.1:4566"


class Captured(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        self.request = request


def _capture(request: AWSPreparedRequest, **_: Any) -> None:
    raise Captured(request)


def client(service: str, **config: Any) -> Any:
    c = boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        config=Config(retries={"max_attempts": 0}, **config),
    )
    c.meta.events.register("before-send", _capture)
    return c


def to_http(prepared: AWSPreparedRequest) -> HttpRequest:
    url = urlsplit(prepared.url)
    headers = [(k, v.decode() if isinstance(v, bytes) else v) for k, v in prepared.headers.items()]
    if not any(k.lower() == "host" for k, _ in headers):
        headers.append(("Host", url.netloc))
    body = prepared.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    return HttpRequest(prepared.method, url.path or "/", url.query, Headers(headers), bytes(body))


def sent(c: Any, method: str, **params: Any) -> HttpRequest:
    with pytest.raises(Captured) as info:
        getattr(c, method)(**params)
    return to_http(info.value.request)


CALLS = [
    ("dynamodb", "list_tables", {}),
    ("dynamodb", "put_item", {"TableName": "t", "Item": {"k": {"S": "v w/x"}}}),
    ("route53", "list_hosted_zones", {}),
    ("route53", "get_hosted_zone", {"Id": "Z1D633PJN98FT9"}),
    ("route53", "list_resource_record_sets", {"HostedZoneId": "Z1", "StartRecordName": "a b.example.com."}),
    ("sts", "get_caller_identity", {}),
    ("lambda", "get_function", {"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:f"}),
    ("s3", "put_object", {"Bucket": "bucket", "Key": "a key/with ~ odd+chars", "Body": b"hello"}),
    ("s3", "list_objects_v2", {"Bucket": "bucket", "Prefix": "p q"}),
    ("cognito-idp", "list_user_pools", {"MaxResults": 5}),
    ("apigatewayv2", "get_apis", {}),
]


@pytest.mark.parametrize(("service", "method", "params"), CALLS, ids=[f"{s}.{m}" for s, m, _ in CALLS])
def test_signed_requests_verify(service: str, method: str, params: dict[str, Any]) -> None:
    req = sent(client(service), method, **params)
    cred = parse_credential(req)
    assert cred is not None
    assert cred.access_key == "AKIDEXAMPLE" and cred.region == "us-east-1"
    assert identify_service(req) == service
    assert verify(req, cred, SECRET)
    assert not verify(req, cred, SECRET + "x")
    tampered = HttpRequest(req.method, req.path, req.query_string, req.headers, req.body + b" ")
    if req.body and req.headers.get("X-Amz-Content-SHA256") in (None,) or service != "s3":
        assert not verify(tampered, cred, SECRET) or not req.body


def test_s3_virtual_host_and_unsigned_payload() -> None:
    c = client("s3", s3={"addressing_style": "virtual", "payload_signing_enabled": False})
    req = sent(c, "put_object", Bucket="mybucket", Key="k", Body=b"data")
    assert req.headers.get("X-Amz-Content-SHA256") in (
        "UNSIGNED-PAYLOAD",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    )
    cred = parse_credential(req)
    assert cred is not None and cred.service == "s3"
    assert verify(req, cred, SECRET)


@pytest.mark.parametrize(
    ("service", "method", "params"),
    [
        ("s3", "get_object", {"Bucket": "bucket", "Key": "some key/x.txt"}),
        ("s3", "put_object", {"Bucket": "bucket", "Key": "k"}),
        ("sts", "get_caller_identity", {}),
    ],
)
def test_presigned_urls_verify(service: str, method: str, params: dict[str, Any]) -> None:
    c = boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        config=Config(signature_version="s3v4" if service == "s3" else "v4"),
    )
    url = urlsplit(c.generate_presigned_url(method, Params=params, ExpiresIn=300))
    # a query-protocol presign keeps the operation's POST; its parameters move into the URL
    http_method = {"put_object": "PUT", "get_caller_identity": "POST"}.get(method, "GET")
    req = HttpRequest(http_method, url.path, url.query, Headers([("Host", url.netloc)]))
    cred = parse_credential(req)
    assert cred is not None and cred.presigned and cred.expires == 300
    assert verify(req, cred, SECRET)
    assert not verify(req, cred, "wrong")


@pytest.mark.parametrize(
    "auth",
    [
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 garbage",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
    ],
)
def test_malformed_authorization_is_an_aws_error(auth: str) -> None:
    req = HttpRequest("POST", "/", "", Headers([("Authorization", auth), ("Host", "localhost")]))
    with pytest.raises(AwsError) as info:
        parse_credential(req)
    assert info.value.code == "IncompleteSignature"


def test_unsigned_request_has_no_credential() -> None:
    assert parse_credential(HttpRequest("GET", "/", "", Headers([("Host", "localhost")]))) is None


def test_aws_sigv4_suite_get_vanilla() -> None:
    """The `get-vanilla` case of AWS's published SigV4 test suite."""
    req = HttpRequest(
        "GET",
        "/",
        "",
        Headers(
            [
                ("Host", "example.amazonaws.com"),
                ("X-Amz-Date", "20150830T123600Z"),
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                    "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
                ),
            ]
        ),
    )
    cred = parse_credential(req)
    assert cred is not None
    assert verify(req, cred, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


def test_s3_virtual_hosted_request_parses_path_style() -> None:
    c = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url="http://s3.localhost:4566",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        config=Config(s3={"addressing_style": "virtual"}),
    )
    c.meta.events.register("before-send", _capture)
    req = sent(c, "get_object", Bucket="my-bucket", Key="dir/file name.txt")
    assert req.headers.get("Host") == "my-bucket.s3.localhost:4566"
    assert identify_service(req) == "s3"
    cred = parse_credential(req)
    assert cred is not None and verify(req, cred, SECRET)
    from cloudlet.aws.models import service_model
    from cloudlet.aws.protocols import protocol_for

    op, params = protocol_for(service_model("s3")).parse(req)
    assert (op.name, params["Bucket"], params["Key"]) == ("GetObject", "my-bucket", "dir/file name.txt")


def test_expiry_and_skew() -> None:
    from datetime import UTC, datetime, timedelta

    from cloudlet.aws.sigv4 import check_time

    c = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        config=Config(signature_version="s3v4"),
    )
    url = urlsplit(c.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=60))
    cred = parse_credential(HttpRequest("GET", url.path, url.query, Headers([("Host", url.netloc)])))
    assert cred is not None
    now = datetime.now(UTC)
    check_time(cred, now)
    with pytest.raises(AwsError) as info:
        check_time(cred, now + timedelta(seconds=120))
    assert (info.value.code, info.value.status) == ("AccessDenied", 403)
    signed = sent(client("dynamodb"), "list_tables")
    header_cred = parse_credential(signed)
    assert header_cred is not None
    check_time(header_cred, now)
    with pytest.raises(AwsError) as info:
        check_time(header_cred, now + timedelta(minutes=20))
    assert info.value.code == "RequestTimeTooSkewed"
