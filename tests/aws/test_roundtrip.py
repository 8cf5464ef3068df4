"""Round trips over every operation of every service cloudlet serves.

Input: hypothesis draws a valid-shaped params dict, botocore serializes it into an HTTP request,
our parser must give back the same params. Output: hypothesis draws a result, our serializer writes
it, botocore's parser must read back the same result.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from botocore.model import OperationModel, Shape
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cloudlet.aws.models import SERVICES, service_model
from cloudlet.aws.protocols import build_protocol
from tests.aws import strategies
from tests.aws.wire import botocore_parse, botocore_request

EXAMPLES = 3  # per operation; each example exercises every operation of the service
# no shrinking: one example spans every operation of a service, and the assertion names the failing one
PHASES = (Phase.explicit, Phase.generate)
AUTO_HEADERS = ("content-type", "content-length", "content-md5")


# operations a round trip cannot carry, with the reason (also in tests/aws/README.md)
SKIP_OUTPUT = {
    ("s3", "GetBucketNotification"): "deprecated shape whose Event and Events members share the <Event> "
    "element: botocore reads every <Event> into both",
}


def operations(service: str) -> list[OperationModel]:
    model = service_model(service)
    ops = []
    for name in model.operation_names:
        op = model.operation_model(name)
        # event streams are a framing of their own (S3 SelectObjectContent, Lambda response streams)
        if op.has_event_stream_input or op.has_event_stream_output:
            continue
        ops.append(op)
    return ops


def prune(v: Any) -> Any:
    """Empty containers are absent on several wires (query maps, XML wrappers): compare without them."""
    if isinstance(v, dict):
        out = {k: prune(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x not in ({}, [], None)}
    if isinstance(v, list):
        return [x for x in (prune(x) for x in v) if x not in ({}, [], None)]
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return v


def input_strategy(op: OperationModel) -> st.SearchStrategy[dict[str, Any]]:
    shape = op.input_shape
    return strategies.value(shape) if shape is not None else st.just({})


def output_strategy(op: OperationModel) -> st.SearchStrategy[dict[str, Any]]:
    shape = op.output_shape
    return strategies.value(shape, output=True) if shape is not None else st.just({})


def same_route(a: OperationModel, b: OperationModel) -> bool:
    """Two operations a request cannot tell apart (S3's deprecated twins, ListBuckets/ListDirectoryBuckets)."""
    return a.http.get("method") == b.http.get("method") and a.http.get("requestUri") == b.http.get(
        "requestUri"
    )


def normalize_parsed(op: OperationModel, sent: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    shape = op.input_shape
    if shape is None:
        return got
    got = dict(got)
    payload = shape.serialization.get("payload")
    if payload and payload not in got and sent.get(payload) in (b"", ""):
        got[payload] = sent[payload]  # an empty optional payload is no body at all
    for name, member in shape.members.items():
        if name in sent or name not in got:
            continue
        header = member.serialization.get("name", "").lower()
        if member.metadata.get("idempotencyToken"):
            got.pop(name)  # filled by the server when the client sends none
        elif member.serialization.get("location") == "header" and header in AUTO_HEADERS:
            got.pop(name)  # set by the HTTP layer (Content-Type of a JSON body, Content-Length)
    return got


def normalize_output(op: OperationModel, sent: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    shape = op.output_shape
    if shape is None:
        return got
    got = dict(got)
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        if name == payload and name not in got and sent.get(name) in ("", b""):
            got[name] = sent[name]  # an empty payload is an empty body: nothing to read back
        if name == payload and name not in sent and got.get(name) in ("", b""):
            got.pop(name)  # ... and botocore reports an empty body as an empty payload
        if name not in got:
            continue
        if name not in sent and member.serialization.get("location") == "statusCode":
            got.pop(name)  # botocore always reports the status code
            continue
        if name == payload and member.type_name == "blob" and isinstance(got[name], str):
            got[name] = got[name].encode()  # botocore hands a non-streaming blob payload back as text
        if member.serialization.get("location") == "headers":
            got[name] = {
                k: v
                for k, v in got[name].items()
                if k.lower() not in ("x-amzn-requestid", "x-amz-request-id")
            }
        if name not in sent and member.serialization.get("location") == "header":
            got.pop(name)  # e.g. Content-Type / Content-Length we set for the body
    return got


def expected_output(op: OperationModel, result: dict[str, Any]) -> dict[str, Any]:
    shape = op.output_shape
    if shape is None:
        return {}
    want = dict(result)
    payload = shape.serialization.get("payload")
    if payload and payload in want and shape.members[payload].type_name == "string":
        want[payload] = str(want[payload])
    return want


@pytest.mark.parametrize("service", SERVICES)
def test_requests_botocore_serializes_parse_back(service: str) -> None:
    proto = build_protocol(service_model(service), validate=False)
    ops = operations(service)
    strategy = st.fixed_dictionaries({op.name: input_strategy(op) for op in ops})

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=PHASES,
    )
    @given(strategy)
    def check(all_params: dict[str, dict[str, Any]]) -> None:
        for op in ops:
            params = all_params[op.name]
            req = botocore_request(op, params)
            got_op, got = proto.parse(req)
            if got_op.name != op.name:
                assert same_route(got_op, op), f"{op.name} routed to {got_op.name}: {req}"
                continue
            got = normalize_parsed(op, params, got)
            assert prune(got) == prune(params), f"{service}.{op.name}: {req}"

    check()


@pytest.mark.parametrize("service", SERVICES)
def test_results_botocore_parses_back(service: str) -> None:
    proto = build_protocol(service_model(service), validate=False)
    ops = operations(service)
    strategy = st.fixed_dictionaries({op.name: output_strategy(op) for op in ops})

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=PHASES,
    )
    @given(strategy)
    def check(all_results: dict[str, dict[str, Any]]) -> None:
        for op in ops:
            if (service, op.name) in SKIP_OUTPUT:
                continue
            result = all_results[op.name]
            resp = proto.serialize(op, result, "req-1")
            got = normalize_output(op, result, botocore_parse(op, resp))
            assert prune(got) == prune(expected_output(op, result)), (
                f"{service}.{op.name}: {resp.body[:2000]!r}"
            )

    check()


def _unused(shape: Shape) -> None:  # keep the import used for type checkers
    del shape
