"""Fuzzing every parser: random bytes, mutated real requests and odd paths/headers/query strings never
raise anything but AwsError (with a 4xx/5xx status), and errors always serialize."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import Headers, HttpRequest
from cloudlet.aws.models import SERVICES, service_model
from cloudlet.aws.protocols import protocol_for
from tests.aws import strategies
from tests.aws.test_roundtrip import operations
from tests.aws.wire import botocore_request

FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def parse_or_aws_error(service: str, req: HttpRequest) -> None:
    proto = protocol_for(service_model(service))
    try:
        proto.parse(req)
    except AwsError as e:
        assert 400 <= e.status < 600
        resp = proto.serialize_error(None, e, "req-1")
        assert resp.status == e.status and resp.body


def mutate(body: bytes, data: st.DataObject) -> bytes:
    if not body:
        return data.draw(st.binary(max_size=40))
    action = data.draw(st.sampled_from(["truncate", "flip", "insert", "duplicate", "replace"]))
    i = data.draw(st.integers(0, len(body) - 1))
    if action == "truncate":
        return body[:i]
    if action == "flip":
        return body[:i] + bytes([body[i] ^ data.draw(st.integers(1, 255))]) + body[i + 1 :]
    if action == "insert":
        return (
            body[:i]
            + data.draw(st.sampled_from([b"{", b"}", b"<", b"&", b"\x00", b'"', b"[1e999]", b"<!DOCTYPE x>"]))
            + body[i:]
        )
    if action == "duplicate":
        return body[:i] + body + body[i:]
    return body[:i] + data.draw(st.binary(max_size=8)) + body[i + 1 :]


@pytest.mark.parametrize("service", SERVICES)
def test_mutated_requests_only_raise_aws_errors(service: str) -> None:
    ops = operations(service)

    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        op = data.draw(st.sampled_from(ops))
        params: dict[str, Any] = data.draw(strategies.value(op.input_shape)) if op.input_shape else {}
        req = botocore_request(op, params)
        req.body = mutate(req.body, data)
        if data.draw(st.booleans()):
            req.query_string = data.draw(
                st.sampled_from([req.query_string + "&%zz", "a=%FF%FE", "&&=", req.query_string])
            )
        if data.draw(st.booleans()):
            for name in list(req.headers)[:1]:
                req.headers[name] = data.draw(st.text(max_size=10))
        parse_or_aws_error(service, req)

    check()


@pytest.mark.parametrize("service", SERVICES)
def test_random_requests_only_raise_aws_errors(service: str) -> None:
    target = service_model(service).metadata.get("targetPrefix", "X")

    @FUZZ
    @given(
        st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"]),
        st.text(max_size=30).map(lambda p: "/" + p),
        st.text(max_size=20),
        st.binary(max_size=60),
        st.sampled_from(["", f"{target}.", f"{target}.ListTables", "x.y", "."]),
    )
    def check(method: str, path: str, query: str, body: bytes, amz_target: str) -> None:
        headers = Headers([("Host", "localhost"), ("Content-Type", "application/x-amz-json-1.0")])
        if amz_target:
            headers["X-Amz-Target"] = amz_target
        parse_or_aws_error(service, HttpRequest(method, path, query, headers, body))

    check()


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"null",
        b"1",
        b'"x"',
        b'{"TableName": 5}',
        b'{"TableName": {}}',
        b'{"Limit": "x"}',
        b'{"Item": {"a": {"B": "not base64!"}}}',
        b'{"Item": []}',
        b"\xff\xfe",
        b"{" * 5000 + b"}" * 5000,
        b'{"ExclusiveStartKey": {"k": {"M": ' * 400 + b"{}" + b"}}}" * 400 + b"}",
    ],
)
def test_dynamodb_bad_bodies_are_serialization_or_validation_errors(body: bytes) -> None:
    req = HttpRequest(
        "POST", "/", "", Headers([("X-Amz-Target", "DynamoDB_20120810.Scan"), ("Host", "localhost")]), body
    )
    with pytest.raises(AwsError) as info:
        protocol_for(service_model("dynamodb")).parse(req)
    assert info.value.code in ("SerializationException", "ValidationException")
