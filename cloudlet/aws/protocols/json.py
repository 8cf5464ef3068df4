"""The `json` protocol (1.0 and 1.1): POST /, X-Amz-Target: <targetPrefix>.<Operation>, JSON bodies.

Serves DynamoDB, DynamoDB Streams, Cognito, Global Accelerator (and Route 53 Domains' older wire).
The hot path is one JSON parse (jsonshape.loads) + one compiled reader + one compiled validator per operation.
Neighbours: jsonshape.py (readers/writers), base.py (WireProtocol), values.py.
"""

from __future__ import annotations

import zlib
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import Headers, HttpRequest, HttpResponse
from cloudlet.aws.protocols.base import WireProtocol
from cloudlet.aws.protocols.jsonshape import JsonCodec, Reader, Writer, dumps, loads
from cloudlet.aws.protocols.values import ValueFormatError

# services whose error __type carries a namespace (AWS's Coral-generated JSON services do; Cognito
# and Global Accelerator send the bare code)
NAMESPACED_ERRORS = ("dynamodb", "dynamodbstreams")
CORAL_SERVICE_ERRORS = frozenset(
    (
        "SerializationException",
        "UnknownOperationException",
        "MissingAuthenticationTokenException",
        "InvalidSignatureException",
        "IncompleteSignatureException",
        "UnrecognizedClientException",
        "AccessDeniedException",
        "ThrottlingException",
    )
)
CHECKSUMMED = ("dynamodb",)
# DynamoDB answers an empty body with SerializationException; other JSON services read it as {}
EMPTY_BODY_REJECTED = (
    "dynamodb",
    "dynamodbstreams",
)  # DynamoDB sends x-amz-crc32 of every body; botocore checks it


def error_message_key(shape: Shape | None) -> str:
    if shape is not None:
        for key in ("message", "Message"):
            if key in shape.members:
                return key
    return "message"


class JsonProtocol(WireProtocol):
    name = "json"

    def __init__(self, model: ServiceModel, validate: bool = True) -> None:
        super().__init__(model, validate)
        version = model.metadata.get("jsonVersion", "1.0")
        self.content_type = f"application/x-amz-json-{version}"
        self.target_prefix = model.metadata.get("targetPrefix", "")
        self.crc32 = self.service in CHECKSUMMED
        self.empty_body_ok = self.service not in EMPTY_BODY_REJECTED
        self.namespace = ""
        if self.service in NAMESPACED_ERRORS:
            version_tag = "v" + model.api_version.replace("-", "")
            self.namespace = f"com.amazonaws.{model.signing_name}.{version_tag}"
        self.codec = JsonCodec(java_package=self.namespace)
        self._readers: dict[str, Reader | None] = {}
        self._writers: dict[str, Writer | None] = {}

    # -- requests ------------------------------------------------------------------------------
    def operation_from_target(self, req: HttpRequest) -> OperationModel:
        target = req.headers.get("X-Amz-Target") or ""
        prefix, _, name = target.rpartition(".")
        op = self.operation(name) if prefix == self.target_prefix else None
        if op is None or req.method != "POST":
            raise AwsError("UnknownOperationException", "", 404 if req.method != "POST" else 400)
        return op

    def parse(self, req: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        op = self.operation_from_target(req)
        return op, self.parse_body(op, req.body)

    def parse_body(self, op: OperationModel, body: bytes) -> dict[str, Any]:
        if not body and self.empty_body_ok:
            return self.finish(op, {})
        try:
            data = loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise AwsError("SerializationException", "", 400) from None
        reader = self._reader(op)
        try:
            params = reader(data) if reader is not None else {}
        except ValueFormatError as e:
            raise AwsError("SerializationException", str(e), 400) from None
        except RecursionError:
            raise AwsError("SerializationException", "Document nesting too deep", 400) from None
        return self.finish(op, params)

    def warm_operation(self, op: OperationModel) -> None:
        self._reader(op)
        self._writer(op)

    def _reader(self, op: OperationModel) -> Reader | None:
        try:
            return self._readers[op.name]
        except KeyError:
            shape = op.input_shape
            reader = self.codec.reader(shape) if shape is not None else None
            self._readers[op.name] = reader
            return reader

    # -- responses -----------------------------------------------------------------------------
    def _writer(self, op: OperationModel) -> Writer | None:
        try:
            return self._writers[op.name]
        except KeyError:
            shape = op.output_shape
            writer = self.codec.writer(shape) if shape is not None else None
            self._writers[op.name] = writer
            return writer

    def _response(self, status: int, doc: Any, request_id: str, extra: list[tuple[str, str]]) -> HttpResponse:
        return self._reply(status, dumps(doc), request_id, extra)

    def _reply(self, status: int, body: bytes, request_id: str, extra: list[tuple[str, str]]) -> HttpResponse:
        headers = [("Content-Type", self.content_type), ("x-amzn-RequestId", request_id), *extra]
        if self.crc32:
            headers.append(("x-amz-crc32", str(zlib.crc32(body))))
        return HttpResponse(status, Headers(headers), body)

    def serialize(self, op: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        if op.output_shape is None and self.namespace:
            # DynamoDB answers an operation without output (TagResource, UntagResource) with an
            # empty body, not {} (AWS, per alternator's test_manual_requests)
            return self._reply(200, b"", request_id, [])
        writer = self._writer(op)
        doc = writer(result) if writer is not None and result else (result or {})
        return self._response(200, doc, request_id, [])

    def error_type_name(self, code: str) -> str:
        if not self.namespace:
            return code
        if code in CORAL_SERVICE_ERRORS:
            return "com.amazon.coral.service#" + code
        if code == "ValidationException":
            return "com.amazon.coral.validate#" + code
        return f"{self.namespace}#{code}"

    def error_document(self, err: AwsError) -> dict[str, Any]:
        shape = self.error_shape(err.code)
        doc: dict[str, Any] = {}
        if err.message or not (
            err.code == "SerializationException" or err.code == "UnknownOperationException"
        ):
            # Coral writes its own SerializationException text under "Message"
            key = "Message" if err.code == "SerializationException" else error_message_key(shape)
            doc[key] = err.message
        if err.fields:
            fields = dict(err.fields)
            if shape is not None:
                writer = self.codec.writer(shape)
                if writer is not None:
                    fields = writer(fields)
            doc.update(fields)
        return doc

    def serialize_error(self, op: OperationModel | None, err: AwsError, request_id: str) -> HttpResponse:
        if self.namespace and err.code == "UnknownOperationException" and err.status == 404:
            # DynamoDB's answer to a non-POST request is this literal XML-ish body
            headers = Headers([("Content-Type", self.content_type), ("x-amzn-RequestId", request_id)])
            return HttpResponse(404, headers, b"<UnknownOperationException/>\n")
        doc = {"__type": self.error_type_name(err.code), **self.error_document(err)}
        return self._response(err.status, doc, request_id, [("x-amzn-ErrorType", err.code)])
