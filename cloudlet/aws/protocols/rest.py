"""What rest-json and rest-xml share: routing, and members bound to the URI, query string, headers
and status code. The body (JSON or XML) is the family's own (restjson.py / restxml.py).

Neighbours: routes.py (operation lookup), values.py (scalar encodings), base.py.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import Headers, HttpRequest, HttpResponse
from cloudlet.aws.protocols import chunked, values
from cloudlet.aws.protocols.base import WireProtocol
from cloudlet.aws.protocols.routes import Router
from cloudlet.aws.protocols.values import ValueFormatError, scalar_from_text, scalar_to_text


def split_header_list(text: str) -> list[str]:
    """A comma-separated header list; items may be double-quoted with \\" escapes."""
    items: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            i += 1
            buf = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(text[i])
                i += 1
            items.append("".join(buf))
            i += 1
            while i < n and text[i] != ",":
                i += 1
        else:
            start = i
            while i < n and text[i] != ",":
                i += 1
            items.append(text[start:i].strip())
        i += 1
    return items


def header_safe(value: str) -> str:
    """A header value HTTP can carry: text outside printable ASCII is sent RFC 2047-encoded, as S3
    does for user metadata (a raw CR/LF would split the header, other bytes would not survive)."""
    if all(" " <= c <= "~" or c == "\t" for c in value):
        return value
    return "=?UTF-8?B?" + values.b64encode(value.encode("utf-8")) + "?="


def _quote_header_item(value: str) -> str:
    if '"' in value or "," in value:
        return '"' + value.replace('"', '\\"') + '"'
    return value


class RestProtocol(WireProtocol):
    """Base of rest-json and rest-xml; subclasses supply the body codec."""

    content_type = ""

    def __init__(self, model: ServiceModel, validate: bool = True) -> None:
        super().__init__(model, validate)
        self.router = Router(list(self._ops.values()))

    # -- body hooks (per family) ---------------------------------------------------------------
    @abstractmethod
    def read_body(self, shape: Shape, body: bytes) -> Any:
        raise NotImplementedError

    @abstractmethod
    def write_body(self, shape: Shape, value: dict[str, Any], root: str | None) -> bytes:
        raise NotImplementedError

    @abstractmethod
    def malformed(self, message: str) -> AwsError:
        raise NotImplementedError

    def request_path(self, req: HttpRequest) -> str:
        return req.path or "/"

    def no_route(self, req: HttpRequest) -> AwsError:
        return AwsError(
            "UnknownOperationException",
            f"No operation of {self.service} matches {req.method} {req.path}",
            404,
        )

    # -- requests ------------------------------------------------------------------------------
    def parse(self, req: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        if req.body and chunked.is_chunked(req):
            try:
                req = chunked.unwrap(req)
            except ValueFormatError as e:
                raise self.malformed(str(e)) from None
        pairs = parse_qsl(req.query_string, keep_blank_values=True)
        query: dict[str, list[str]] = {}
        for k, v in pairs:
            query.setdefault(k, []).append(v)
        found = self.router.match(req, self.request_path(req), query)
        if found is None:
            raise self.no_route(req)
        route, labels = found
        op = route.op
        shape = op.input_shape
        params: dict[str, Any] = {}
        if shape is not None:
            try:
                self._read_members(shape, req, labels, query, params, set(route.query_literals))
            except ValueFormatError as e:
                raise self.malformed(str(e)) from None
            except RecursionError:
                raise self.malformed("Document nesting too deep") from None
        return op, self.finish(op, params)

    def _read_members(
        self,
        shape: Shape,
        req: HttpRequest,
        labels: dict[str, str],
        query: dict[str, list[str]],
        params: dict[str, Any],
        claimed_query: set[str],
    ) -> None:
        """Read every member from where the model puts it; `claimed_query` starts with the
        route's literal query keys, which are not parameters."""
        query_maps: list[tuple[str, Shape]] = []
        payload = shape.serialization.get("payload")
        body_members = False
        for name, member in shape.members.items():
            where = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if where == "uri":
                if wire in labels:
                    params[name] = scalar_from_text(member, labels[wire])
            elif where == "querystring":
                if member.type_name == "map":
                    query_maps.append((name, member))
                    continue
                claimed_query.add(wire)
                if wire not in query:
                    continue
                if member.type_name == "list":
                    params[name] = [scalar_from_text(member.member, v) for v in query[wire]]
                else:
                    params[name] = scalar_from_text(member, query[wire][0])
            elif where == "header":
                raw = req.headers.get(wire)
                if raw is None:
                    continue
                params[name] = self._header_value(member, raw)
            elif where == "headers":
                prefix = wire.lower()
                found = {k[len(prefix) :]: v for k, v in req.headers.items() if k.lower().startswith(prefix)}
                if found:
                    params[name] = found
            elif name != payload:
                body_members = True
        for name, member in query_maps:
            # a query-params map gets the parameters no named member claims
            rest = {k: v for k, v in query.items() if k not in claimed_query}
            if not rest:
                continue
            if member.value.type_name == "list":
                params[name] = rest
            else:
                params[name] = {k: v[0] for k, v in rest.items()}
        if payload is not None:
            member = shape.members[payload]
            if member.type_name == "blob":
                if req.body or member.metadata.get("streaming") or payload in shape.required_members:
                    params[payload] = req.body
            elif member.type_name == "string":
                if req.body or payload in shape.required_members:
                    params[payload] = req.body.decode("utf-8", "replace")
            elif req.body:
                value = self.read_body(member, req.body)
                # clients send an absent payload structure as an empty document: the same thing
                if value != {} or member.type_name != "structure":
                    params[payload] = value
        elif body_members and req.body:
            params.update(self.read_body(shape, req.body))

    def _header_value(self, member: Shape, raw: str) -> Any:
        if member.type_name == "list":
            items = split_header_list(raw)
            if member.member.type_name == "timestamp" and not member.member.serialization.get(
                "timestampFormat"
            ):
                # rfc822 dates contain a comma themselves: "Mon, 16 Dec 2019 23:48:18 GMT, Tue, ..."
                items = [f"{a},{b}" for a, b in zip(items[::2], items[1::2], strict=False)]
            return [scalar_from_text(member.member, v) for v in items]
        if member.serialization.get("jsonvalue"):
            try:
                return json.loads(values.b64decode(raw))
            except ValueError:
                raise ValueFormatError(f"header value '{raw}' is not base64-encoded JSON") from None
        if member.type_name == "timestamp":
            return values.parse_timestamp(raw)
        return scalar_from_text(member, raw)

    # -- responses -----------------------------------------------------------------------------
    def serialize(self, op: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        status = int(op.http.get("responseCode", 200))
        headers = Headers(self.id_headers(request_id))
        body = b""
        shape = op.output_shape
        if shape is not None and result:
            status, body = self._write_members(shape, result, headers, status)
        if body and "Content-Type" not in headers:
            headers["Content-Type"] = self.content_type
        return HttpResponse(status, headers, body)

    def id_headers(self, request_id: str) -> list[tuple[str, str]]:
        return [("x-amzn-RequestId", request_id)]

    def _write_members(
        self, shape: Shape, result: dict[str, Any], headers: Headers, status: int
    ) -> tuple[int, bytes]:
        payload = shape.serialization.get("payload")
        body_values: dict[str, Any] = {}
        body = b""
        for name, value in result.items():
            member = shape.members.get(name)
            if member is None or value is None:
                continue
            where = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if where == "statusCode":
                status = int(value)
            elif where == "header":
                if member.type_name == "list":
                    if value:
                        headers[wire] = ",".join(
                            _quote_header_item(str(v))
                            if member.member.type_name == "string"
                            else scalar_to_text(member.member, v, values.RFC822)
                            for v in value
                        )
                elif member.serialization.get("jsonvalue"):
                    headers[wire] = values.b64encode(json.dumps(value, separators=(",", ":")))
                else:
                    headers[wire] = header_safe(scalar_to_text(member, value, values.RFC822))
            elif where == "headers":
                for k, v in value.items():
                    headers[wire + k] = header_safe(str(v))
            elif name == payload:
                if member.type_name == "blob":
                    body = values.as_bytes(value)
                    if "Content-Type" not in headers:
                        headers["Content-Type"] = "application/octet-stream"
                elif member.type_name == "string":
                    body = str(value).encode()
                else:
                    body = self.write_body(member, value, member.serialization.get("name", member.name))
            else:
                body_values[name] = value
        if payload is None and (body_values or self.always_body(shape)):
            body = self.write_body(shape, body_values, None)
        return status, body

    def always_body(self, shape: Shape) -> bool:
        return False
