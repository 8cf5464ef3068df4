"""botocore's protocol test vectors, read backwards: parsing each serialized request gives back the
case's params; serializing each case's result gives a response botocore parses back to it."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from botocore.awsrequest import HeadersDict
from botocore.model import Shape
from botocore.parsers import create_parser

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import Headers, HttpRequest
from cloudlet.aws.protocols import build_protocol
from cloudlet.aws.protocols.values import parse_timestamp
from tests.aws.vectors import Case, load
from tests.aws.wire import botocore_error, botocore_parse

# cases we cannot pass, with the reason (also listed in tests/aws/README.md)
SKIPS: dict[str, str] = {
    "json_1_0:AwsJson10EndpointTrait": "the vector omits X-Amz-Target (it tests only the host prefix)",
    "json_1_0:AwsJson10EndpointTraitWithHostLabel": "the vector omits X-Amz-Target (it tests only the host prefix)",
    **{
        f"rest-json:{name}": "the client passed the same parameters both as named members and in the "
        "query-params map; the request carries each once, so a server cannot tell (cloudlet's map gets "
        "the unclaimed parameters, as rest-xml:RestXmlQueryParamsStringListMap expects)"
        for name in (
            "RestJsonAllQueryStringTypes",
            "RestJsonQueryStringEscaping",
            "RestJsonSupportsNaNFloatQueryValues",
            "RestJsonSupportsInfinityFloatQueryValues",
            "RestJsonSupportsNegativeInfinityFloatQueryValues",
            "RestJsonZeroAndFalseQueryValues",
        )
    },
}
ID_HEADERS = ("x-amzn-requestid", "x-amz-request-id")


SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _unsendable(member: Shape | None, value: Any, protocol: str) -> bool:
    """Empty containers the wire cannot carry (nothing is sent for them): absent and empty are one."""
    if member is None or value not in ({}, []):
        return False
    where = member.serialization.get("location")
    return where in ("header", "headers", "querystring") or (
        protocol == "query" and member.type_name == "map"
    )


def expected(shape: Shape | None, value: Any, protocol: str = "", top: bool = True) -> Any:
    """A case's params as a server hands them to handlers: timestamps as datetime, blobs as bytes."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and not shape.metadata.get("document"):
        payload = shape.serialization.get("payload") if top else None
        out = {}
        for k, v in value.items():
            member = shape.members.get(k)
            if v is None or (top and _unsendable(member, v, protocol)):
                continue
            if k == payload and v == {} and member is not None and member.type_name == "structure":
                continue
            out[k] = expected(member, v, protocol, False)
        return out
    if kind == "list":
        return [expected(shape.member, v, protocol, False) for v in value]
    if kind == "map":
        return {k: expected(shape.value, v, protocol, False) for k, v in value.items()}
    if kind in ("float", "double") and isinstance(value, str):
        return SPECIAL_FLOATS[value]
    if kind == "timestamp" and not isinstance(value, datetime):
        return parse_timestamp(value)
    if kind == "blob" and isinstance(value, str):
        return value.encode()
    return value


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def request_of(case: Case) -> HttpRequest:
    s = case.data["serialized"]
    path, _, query = s.get("uri", "/").partition("?")
    headers = Headers(list(s.get("headers", {}).items()))
    if "Host" not in headers:
        headers["Host"] = s.get("host", "example.com")
    body = s.get("body", "")
    return HttpRequest(
        s.get("method", "POST"), path, query, headers, body.encode() if isinstance(body, str) else body
    )


def run_input(case: Case) -> None:
    proto = build_protocol(case.op.service_model, validate=False)
    op, params = proto.parse(request_of(case))
    assert op.name == case.op.name
    want = expected(case.op.input_shape, case.data["params"], case.op.service_model.protocol)
    assert same(params, want), f"{case.id}: got {params!r}, want {want!r}"


def botocore_view(case: Case, resp: dict[str, Any]) -> dict[str, Any]:
    headers = HeadersDict()
    for k, v in resp.get("headers", {}).items():
        headers[k] = v
    body = resp.get("body", "")
    if not body and case.op.service_model.protocol == "query":
        return {}  # botocore's query parser needs a document; its own tests do not parse these
    raw = {
        "status_code": resp.get("status_code", 200),
        "headers": headers,
        "body": body.encode() if isinstance(body, str) else body,
    }
    parsed = create_parser(case.op.service_model.protocol).parse(raw, case.op.output_shape)
    parsed.pop("ResponseMetadata", None)
    return parsed  # type: ignore[no-any-return]


def run_output(case: Case) -> None:
    proto = build_protocol(case.op.service_model, validate=False)
    if "errorCode" in case.data:
        fields = {k: v for k, v in case.data.get("error", {}).items() if k not in ("Message", "message")}
        err = AwsError(
            case.data["errorCode"],
            case.data.get("errorMessage", ""),
            case.data["response"]["status_code"],
            fields=fields,
        )
        resp = proto.serialize_error(case.op, err, "request-id")
        parsed = botocore_error(case.op, resp)
        assert parsed["Error"]["Code"] == case.data["errorCode"], resp.body
        for k, v in case.data.get("error", {}).items():
            assert same(parsed.get(k), v), f"{case.id}: {k}: {parsed.get(k)!r} != {v!r} in {resp.body!r}"
        return
    # handlers return blobs as bytes (the vectors write them as text)
    result = expected(case.op.output_shape, case.data.get("result", {}))
    resp = proto.serialize(case.op, result, "request-id")
    got = botocore_parse(case.op, resp)
    for name, member in case.op.output_shape.members.items() if case.op.output_shape else ():
        if member.serialization.get("location") == "headers" and name in got:
            # a header map with an empty prefix also sees our request-id headers
            got[name] = {k: v for k, v in got[name].items() if k.lower() not in ID_HEADERS}
    want = botocore_view(case, case.data["response"])
    assert same(got, want), (
        f"{case.id}: got {got!r}, want {want!r}; body {resp.body!r} headers {resp.headers!r}"
    )


INPUT = [(c, s) for c, s in load("input")]
OUTPUT = [(c, s) for c, s in load("output")]


def _run(cases: list[tuple[Case, bool]], runner: Any) -> tuple[int, list[str]]:
    passed, failures = 0, []
    for case, ignored in cases:
        if ignored or case.id in SKIPS:
            continue
        try:
            runner(case)
            passed += 1
        except Exception as e:  # collect every failure, then report them together
            failures.append(f"{case.id} [{case.suite}]: {type(e).__name__}: {str(e)[:600]}")
    return passed, failures


def test_input_vectors_parse_back_to_params() -> None:
    passed, failures = _run(INPUT, run_input)
    print(f"input vectors: {passed} passed, {len(failures)} failed")
    assert not failures, "\n".join(failures)
    assert passed >= 275


def test_output_vectors_parse_back_in_botocore() -> None:
    passed, failures = _run(OUTPUT, run_output)
    print(f"output vectors: {passed} passed, {len(failures)} failed")
    assert not failures, "\n".join(failures)
    assert passed >= 268
