"""The Smithy RPC v2 CBOR protocol (`smithy-rpc-v2-cbor`): Route 53 Domains as current botocore speaks it.

POST /service/<targetPrefix>/operation/<Operation>, header `smithy-protocol: rpc-v2-cbor`, CBOR
bodies. Older clients use the service's json 1.1 wire (X-Amz-Target); both are accepted, and the
response is written in the form the request came in (remembered per request in a ContextVar,
since serialize() is called without the request). Neighbours: cborcodec.py, json.py.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from botocore.model import OperationModel, ServiceModel

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import Headers, HttpRequest, HttpResponse
from cloudlet.aws.protocols import cborcodec
from cloudlet.aws.protocols.base import WireProtocol
from cloudlet.aws.protocols.json import JsonProtocol, error_message_key
from cloudlet.aws.protocols.jsonshape import JsonCodec
from cloudlet.aws.protocols.values import ValueFormatError

_json_wire: ContextVar[bool] = ContextVar("cloudlet_cbor_json_wire", default=False)


class CborProtocol(WireProtocol):
    name = "smithy-rpc-v2-cbor"

    def __init__(self, model: ServiceModel, validate: bool = True) -> None:
        super().__init__(model, validate)
        self.codec = JsonCodec(native=True)
        self.target_prefix = model.metadata.get("targetPrefix", "")
        self.json = JsonProtocol(model, validate) if "json" in model.metadata.get("protocols", ()) else None

    def parse(self, req: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        if self.json is not None and req.headers.get("X-Amz-Target"):
            _json_wire.set(True)
            return self.json.parse(req)
        _json_wire.set(False)
        parts = req.path.split("/")
        op = None
        if (
            req.method == "POST"
            and len(parts) == 5
            and (parts[1], parts[2], parts[3]) == ("service", self.target_prefix, "operation")
        ):
            op = self.operation(parts[4])
        if op is None:
            raise AwsError("UnknownOperationException", f"No operation matches {req.method} {req.path}", 404)
        params: dict[str, Any] = {}
        if op.input_shape is not None and req.body:
            try:
                params = self.codec.reader(op.input_shape)(cborcodec.decode(req.body))
            except ValueFormatError as e:
                raise AwsError("SerializationException", str(e), 400) from None
        return op, self.finish(op, params)

    def _response(self, status: int, doc: Any, request_id: str) -> HttpResponse:
        headers = Headers(
            [
                ("Content-Type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
                ("x-amzn-RequestId", request_id),
            ]
        )
        return HttpResponse(status, headers, cborcodec.encode(doc))

    def serialize(self, op: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        if self.json is not None and _json_wire.get():
            return self.json.serialize(op, result, request_id)
        return self._response(200, result or {}, request_id)

    def serialize_error(self, op: OperationModel | None, err: AwsError, request_id: str) -> HttpResponse:
        if self.json is not None and _json_wire.get():
            return self.json.serialize_error(op, err, request_id)
        shape = self.error_shape(err.code)
        doc: dict[str, Any] = {"__type": err.code, error_message_key(shape): err.message}
        doc.update(err.fields)
        resp = self._response(err.status, doc, request_id)
        resp.headers["x-amzn-ErrorType"] = err.code
        return resp
