"""The `rest-xml` protocol: Route 53, CloudFront, S3.

Bodies are XML in the service's namespace; errors are <ErrorResponse><Error>...</Error><RequestId>
(Route 53, CloudFront) or S3's bare <Error>. S3 virtual-hosted requests (bucket.s3.<host>) are routed
as path-style. Neighbours: rest.py (routing and non-body members), xmlshape.py (XML <-> params).
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import Headers, HttpRequest, HttpResponse
from cloudlet.aws.protocols.base import error_type
from cloudlet.aws.protocols.rest import RestProtocol
from cloudlet.aws.protocols.xmlshape import parse_document, read_structure, write_structure, write_value

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
MALFORMED_CODES = {"s3": "MalformedXML"}
BARE_ERROR_ROOT = ("s3",)  # S3 errors are <Error> without a namespace, not <ErrorResponse>


def model_namespace(model: ServiceModel) -> str:
    """The service's XML namespace: metadata xmlNamespace, else the one its input shapes declare."""
    ns = model.metadata.get("xmlNamespace")
    if isinstance(ns, str) and ns:
        return ns
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        if shape is None:
            continue
        candidates = [shape, *shape.members.values()]
        for s in candidates:
            found = s.serialization.get("xmlNamespace")
            if isinstance(found, dict) and found.get("uri") and not found.get("prefix"):
                return str(found["uri"])
            if isinstance(found, str):
                return found
    return f"https://{model.endpoint_prefix}.amazonaws.com/doc/{model.api_version}/"


class RestXmlProtocol(RestProtocol):
    name = "rest-xml"
    content_type = "text/xml"

    def __init__(self, model: ServiceModel, validate: bool = True) -> None:
        super().__init__(model, validate)
        self.namespace = model_namespace(model)
        self.malformed_code = MALFORMED_CODES.get(self.service, self.validator.code)
        self.bare_errors = self.service in BARE_ERROR_ROOT
        if self.service in BARE_ERROR_ROOT:
            self.content_type = "application/xml"  # S3 says application/xml; Route 53 and CloudFront text/xml

    def request_path(self, req: HttpRequest) -> str:
        path = req.path or "/"
        if self.service == "s3":
            host = (req.headers.get("Host") or "").rsplit(":", 1)[0].lower()
            bucket, sep, rest = host.partition(".s3.")
            if sep and bucket and rest:
                return "/" + bucket + (path if path.startswith("/") else "/" + path)
        return path

    def malformed(self, message: str) -> AwsError:
        return AwsError(self.malformed_code, message, 400)

    def read_body(self, shape: Shape, body: bytes) -> dict[str, Any]:
        return read_structure(shape, parse_document(body))

    def write_body(self, shape: Shape, value: dict[str, Any], root: str | None) -> bytes:
        name = root or shape.serialization.get("name") or shape.name
        out = [XML_DECLARATION]
        extra = "" if shape.serialization.get("xmlNamespace") else f" xmlns={quoteattr(self.namespace)}"
        write_structure(out, shape, value, name, extra)
        return "".join(out).encode()

    def id_headers(self, request_id: str) -> list[tuple[str, str]]:
        return [("x-amz-request-id", request_id), ("x-amzn-RequestId", request_id)]

    def serialize_error(self, op: OperationModel | None, err: AwsError, request_id: str) -> HttpResponse:
        fields: list[str] = []
        shape = self.error_shape(err.code)
        for key, value in err.fields.items():
            if value is None or key in ("Code", "Message", "Type", "message"):
                continue
            member = shape.members.get(key) if shape is not None else None
            if member is not None:
                write_value(fields, member, value, member.serialization.get("name", key))
            else:
                fields.append(f"<{key}>{escape(str(value))}</{key}>")
        code = f"<Code>{escape(err.code)}</Code>"
        message = f"<Message>{escape(err.message)}</Message>"
        if self.bare_errors:
            body = (
                f"<Error>{code}{message}{''.join(fields)}<RequestId>{escape(request_id)}</RequestId></Error>"
            )
        else:
            body = (
                f"<ErrorResponse xmlns={quoteattr(self.namespace)}><Error><Type>{error_type(err)}</Type>"
                f"{code}{message}{''.join(fields)}</Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
            )
        headers = Headers(
            [
                *self.id_headers(request_id),
                ("Content-Type", self.content_type),
            ]
        )
        return HttpResponse(err.status, headers, (XML_DECLARATION + body).encode())
