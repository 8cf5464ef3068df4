"""Test helpers: botocore as the client side of our wire (its serializer builds requests, its parsers
read our responses), so every test compares our protocol layer against botocore itself."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.model import OperationModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from cloudlet.aws.http import Headers, HttpRequest, HttpResponse

ENDPOINT = "http://localhost:4566"


def botocore_request(op: OperationModel, params: dict[str, Any], endpoint: str = ENDPOINT) -> HttpRequest:
    """The HTTP request botocore sends for `op` called with `params`."""
    protocol = op.service_model.protocol
    serializer = create_serializer(protocol, include_validation=False)
    req_dict = serializer.serialize_to_request(params, op)
    prepare_request_dict(req_dict, endpoint_url=endpoint)
    prepared = create_request_object(req_dict).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode()
    elif hasattr(body, "read"):
        body = body.read()
    headers = [(k, v if isinstance(v, str) else v.decode()) for k, v in prepared.headers.items()]
    if not any(k.lower() == "host" for k, _ in headers):
        headers.append(("Host", url.netloc))
    return HttpRequest(prepared.method, url.path or "/", url.query, Headers(headers), bytes(body))


def botocore_parse(op: OperationModel, resp: HttpResponse, error: bool = False) -> dict[str, Any]:
    """What botocore makes of our response (the output shape, or the generic error parse)."""
    parser = create_parser(op.service_model.protocol)
    headers = HeadersDict()
    for k, v in resp.headers.items():
        headers[k] = v
    response = {"status_code": resp.status, "headers": headers, "body": resp.body}
    shape = None if error else op.output_shape
    parsed = parser.parse(response, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed  # type: ignore[no-any-return]


def botocore_error(op: OperationModel, resp: HttpResponse) -> dict[str, Any]:
    """The error a boto3 client raises for our error response: Error + modeled fields."""
    parsed = botocore_parse(op, resp, error=True)
    code = parsed.get("Error", {}).get("Code")
    model = op.service_model
    if code:
        try:
            shape = model.shape_for_error_code(code)
        except Exception:
            shape = None
        if shape is not None:
            parser = create_parser(model.protocol)
            headers = HeadersDict()
            for k, v in resp.headers.items():
                headers[k] = v
            modeled = parser.parse({"status_code": resp.status, "headers": headers, "body": resp.body}, shape)
            modeled.pop("ResponseMetadata", None)
            parsed.update(modeled)
    return parsed
