"""What every protocol family shares: the WireProtocol interface, operation plans, error helpers.

A protocol instance serves one ServiceModel. Per operation it precomputes a plan (input reader,
validator, output writer) on first use, so the request path never walks the model. Neighbours:
json.py, restjson.py, restxml.py, query.py, cbor.py (the families); validate.py.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import HttpRequest, HttpResponse
from cloudlet.aws.validate import Validator


class WireProtocol(ABC):
    """Parse requests into (operation, params) and write results and errors, for one service."""

    name = ""

    def __init__(self, model: ServiceModel, validate: bool = True) -> None:
        self.model = model
        self.service = model.service_name
        self.validator = Validator(model)
        self.validator.enabled = self.validator.enabled and validate
        self._ops: dict[str, OperationModel] = {n: model.operation_model(n) for n in model.operation_names}
        self._tokens: dict[str, list[str]] = {}
        self._error_shapes: dict[str, Shape] = {}
        for shape in model.error_shapes:
            self._error_shapes[shape.name] = shape
            code = shape.metadata.get("error", {}).get("code")
            if code:
                self._error_shapes.setdefault(code, shape)

    def warm(self) -> None:
        """Build every operation's plan now rather than in its first request (API workers)."""
        for op in self._ops.values():
            if op.input_shape is not None:
                self.validator.compile(op.input_shape)
            self.warm_operation(op)

    def warm_operation(self, op: OperationModel) -> None:  # noqa: B027 (optional, like a hook)
        """A family's own per-operation plans (readers, writers), if it builds them lazily."""

    @abstractmethod
    def parse(self, req: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        raise NotImplementedError

    @abstractmethod
    def serialize(self, op: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        raise NotImplementedError

    @abstractmethod
    def serialize_error(self, op: OperationModel | None, err: AwsError, request_id: str) -> HttpResponse:
        raise NotImplementedError

    # -- shared helpers ------------------------------------------------------------------------
    def operation(self, name: str) -> OperationModel | None:
        return self._ops.get(name)

    def error_shape(self, code: str) -> Shape | None:
        return self._error_shapes.get(code)

    def finish(self, op: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
        """Fill idempotency tokens and check constraints (the last step of every parse)."""
        shape = op.input_shape
        if shape is None:
            return params
        tokens = self._tokens.get(op.name)
        if tokens is None:
            tokens = self._tokens[op.name] = [
                n for n, m in shape.members.items() if m.metadata.get("idempotencyToken")
            ]
        for name in tokens:
            if params.get(name) is None:
                params[name] = str(uuid.uuid4())
        if self.validator.enabled:
            self.validator.check(shape, params)
        return params


def error_type(err: AwsError) -> str:
    return "Sender" if err.sender_fault else "Receiver"
