"""Every modeled error of every service, with random field values, serialized by us and read by
botocore as a boto3 client would: code, message and each modeled field come back."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cloudlet.aws.errors import AwsError
from cloudlet.aws.models import SERVICES, service_model
from cloudlet.aws.protocols import build_protocol
from tests.aws import strategies
from tests.aws.test_roundtrip import prune
from tests.aws.wire import botocore_error

MESSAGE_KEYS = ("message", "Message")


@pytest.mark.parametrize("service", SERVICES)
def test_modeled_errors_parse_back(service: str) -> None:
    model = service_model(service)
    proto = build_protocol(model, validate=False)
    op = model.operation_model(model.operation_names[0])
    shapes = list(model.error_shapes)
    strategy = st.fixed_dictionaries({s.name: strategies.value(s, output=True) for s in shapes})

    @settings(
        max_examples=3,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),
    )
    @given(strategy)
    def check(all_fields: dict[str, dict[str, Any]]) -> None:
        for shape in shapes:
            code = shape.metadata.get("error", {}).get("code", shape.name)
            status = shape.metadata.get("error", {}).get("httpStatusCode", 400)
            fields = {k: v for k, v in all_fields[shape.name].items() if k not in MESSAGE_KEYS}
            err = AwsError(code, "something went wrong", status, fields=fields)
            resp = proto.serialize_error(op, err, "req-1")
            assert resp.status == status
            parsed = botocore_error(op, resp)
            assert parsed["Error"]["Code"] == code, resp.body
            assert parsed["Error"]["Message"] == "something went wrong", resp.body
            for k, v in fields.items():
                if shape.members[k].serialization.get("location") == "statusCode":
                    continue
                assert prune(parsed.get(k)) == prune(v), f"{service} {code}.{k}: {resp.body!r}"

    check()


@pytest.mark.parametrize("service", SERVICES)
def test_unmodeled_errors_parse_back(service: str) -> None:
    model = service_model(service)
    proto = build_protocol(model)
    op = model.operation_model(model.operation_names[0])
    for err in (
        AwsError("ValidationException", "1 validation error detected: <&'\">", 400),
        AwsError("InternalFailure", "boom", 500, False),
        AwsError("NotImplemented", "not yet", 501, False),
    ):
        resp = proto.serialize_error(op, err, "req-1")
        parsed = botocore_error(op, resp)
        assert resp.status == err.status
        assert parsed["Error"]["Code"] == err.code
        assert parsed["Error"]["Message"] == err.message
        ids = [v for k, v in resp.headers.items() if k.lower() in ("x-amzn-requestid", "x-amz-request-id")]
        assert ids and ids[0] == "req-1"
    none_op = proto.serialize_error(None, AwsError("UnknownOperationException", "x", 404), "r")
    assert none_op.status == 404


def test_non_ascii_header_values_are_rfc2047_encoded() -> None:
    from tests.aws.wire import botocore_parse

    model = service_model("s3")
    op = model.operation_model("HeadObject")
    resp = build_protocol(model).serialize(
        op, {"Metadata": {"name": "café\r\nx"}, "ContentType": "text/plain"}, "r"
    )
    value = resp.headers.get("x-amz-meta-name")
    assert value == "=?UTF-8?B?Y2Fmw6kNCng=?="
    assert botocore_parse(op, resp)["Metadata"] == {"name": value}
