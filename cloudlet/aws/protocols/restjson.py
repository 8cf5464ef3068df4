"""The `rest-json` protocol: Lambda, API Gateway (v1, v2, management API).

JSON bodies with members also bound to the URI, query string and headers; errors carry
x-amzn-ErrorType and a JSON body. Neighbours: rest.py (routing, non-body members), jsonshape.py.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import Headers, HttpRequest, HttpResponse
from cloudlet.aws.protocols.json import error_message_key
from cloudlet.aws.protocols.jsonshape import JsonCodec, dumps, loads
from cloudlet.aws.protocols.rest import RestProtocol
from cloudlet.aws.protocols.values import ValueFormatError

# how each service names a body it cannot read
MALFORMED_CODES = {
    "lambda": "InvalidRequestContentException",
    "apigateway": "BadRequestException",
    "apigatewayv2": "BadRequestException",
    "apigatewaymanagementapi": "BadRequestException",
}


class RestJsonProtocol(RestProtocol):
    name = "rest-json"
    content_type = "application/json"

    def __init__(self, model: ServiceModel, validate: bool = True) -> None:
        super().__init__(model, validate)
        self.codec = JsonCodec()

    def request_path(self, req: HttpRequest) -> str:
        path = req.path or "/"
        if self.service == "apigatewaymanagementapi":
            # the management API lives under the stage: /{stage}/@connections/{id}
            at = path.find("/@connections")
            if at > 0:
                return path[at:]
        return path

    def malformed(self, message: str) -> AwsError:
        return AwsError(MALFORMED_CODES.get(self.service, "SerializationException"), message, 400)

    def read_body(self, shape: Shape, body: bytes) -> Any:
        try:
            data = loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise ValueFormatError("Could not parse request body into json: malformed JSON") from None
        return self.codec.reader(shape)(data)

    def write_body(self, shape: Shape, value: dict[str, Any], root: str | None) -> bytes:
        writer = self.codec.writer(shape)
        doc = writer(value) if writer is not None else value
        return dumps(doc)

    def always_body(self, shape: Shape) -> bool:
        return any("location" not in m.serialization for m in shape.members.values())

    def serialize_error(self, op: OperationModel | None, err: AwsError, request_id: str) -> HttpResponse:
        shape = self.error_shape(err.code)
        doc: dict[str, Any] = {error_message_key(shape): err.message}
        if shape is not None and "Type" in shape.members and "Type" not in err.fields:
            doc["Type"] = "User" if err.sender_fault else "Service"
        headers = Headers(
            [
                *self.id_headers(request_id),
                ("x-amzn-ErrorType", err.code),
                ("Content-Type", self.content_type),
            ]
        )
        fields = dict(err.fields)
        if shape is not None and fields:
            located = {n: m for n, m in shape.members.items() if m.serialization.get("location") == "header"}
            for name, member in located.items():
                if name in fields:
                    headers[member.serialization.get("name", name)] = str(fields.pop(name))
            writer = self.codec.writer(shape)
            if writer is not None:
                fields = writer(fields)
        doc.update(fields)
        body = dumps(doc)
        return HttpResponse(err.status, headers, body)
