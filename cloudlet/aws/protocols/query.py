"""The `query` protocol: STS. Form-encoded `Action=...&Version=...&Member.N=...` requests, XML responses
<OpResponse><OpResult>...</OpResult><ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>.

Request keys are dotted paths (`Tags.member.1.Key`); they are read into a tree first, then the tree
is read by shape. Neighbours: xmlshape.py (response bodies), base.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape, quoteattr

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import Headers, HttpRequest, HttpResponse
from cloudlet.aws.protocols.base import WireProtocol, error_type
from cloudlet.aws.protocols.restxml import XML_DECLARATION, model_namespace
from cloudlet.aws.protocols.values import ValueFormatError, scalar_from_text
from cloudlet.aws.protocols.xmlshape import write_structure, write_value

Tree = dict[str | None, Any]  # child segment -> Tree; None -> the value at this exact key


def _tree(pairs: list[tuple[str, str]]) -> Tree:
    root: Tree = {}
    for key, value in pairs:
        node = root
        for part in key.split("."):
            node = node.setdefault(part, {})
        node[None] = value
    return root


def _indexed(node: Tree) -> list[Tree]:
    items = []
    for k, v in node.items():
        if isinstance(k, str) and k.isdigit():
            items.append((int(k), v))
    return [v for _, v in sorted(items, key=lambda kv: kv[0])]


def _wire_name(member: Shape, name: str) -> str:
    if member.type_name == "list" and member.serialization.get("flattened"):
        inner = member.member.serialization.get("name")
        if inner:
            return inner  # type: ignore[no-any-return]
    return member.serialization.get("name", name)  # type: ignore[no-any-return]


def read_tree(shape: Shape, node: Tree) -> Any:
    kind = shape.type_name
    if kind == "structure":
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            child = node.get(_wire_name(member, name))
            if child is not None:
                out[name] = read_tree(member, child)
        return out
    if kind == "list":
        if shape.serialization.get("flattened"):
            items = _indexed(node)
        else:
            inner = node.get(shape.member.serialization.get("name", "member"))
            items = _indexed(inner) if isinstance(inner, dict) else []
        return [read_tree(shape.member, item) for item in items]
    if kind == "map":
        entries = _indexed(node if shape.serialization.get("flattened") else node.get("entry", {}))
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        result: dict[str, Any] = {}
        for entry in entries:
            key = entry.get(key_name, {}).get(None)
            if key is None:
                raise ValueFormatError("map entry without a key")
            value = entry.get(value_name)
            if value is not None:
                result[key] = read_tree(shape.value, value)
        return result
    text = node.get(None)
    if text is None:
        raise ValueFormatError(f"no value for a {kind} member")
    return scalar_from_text(shape, text)


class QueryProtocol(WireProtocol):
    name = "query"

    def __init__(self, model: ServiceModel, validate: bool = True) -> None:
        super().__init__(model, validate)
        self.namespace = model_namespace(model)

    def parse(self, req: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        try:
            pairs = parse_qsl(req.query_string, keep_blank_values=True)
            if req.body:
                pairs += parse_qsl(req.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            raise AwsError("MalformedQueryString", "The request body is not valid form data", 400) from None
        action = next((v for k, v in pairs if k == "Action"), None)
        if action is None:
            raise AwsError("MissingAction", "Missing Action", 400)
        op = self.operation(action)
        if op is None:
            version = self.model.api_version
            raise AwsError("InvalidAction", f"Could not find operation {action} for version {version}", 400)
        params: dict[str, Any] = {}
        if op.input_shape is not None:
            try:
                params = read_tree(
                    op.input_shape, _tree([(k, v) for k, v in pairs if k not in ("Action", "Version")])
                )
            except ValueFormatError as e:
                raise AwsError("InvalidParameterValue", str(e), 400) from None
            except RecursionError:
                raise AwsError("MalformedQueryString", "Parameter nesting too deep", 400) from None
        return op, self.finish(op, params)

    def serialize(self, op: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        out = [XML_DECLARATION, f"<{op.name}Response xmlns={quoteattr(self.namespace)}>"]
        shape = op.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper", f"{op.name}Result")
            write_structure(out, shape, result or {}, wrapper)
        out.append(f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>")
        out.append(f"</{op.name}Response>")
        headers = Headers([("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)])
        return HttpResponse(200, headers, "".join(out).encode())

    def serialize_error(self, op: OperationModel | None, err: AwsError, request_id: str) -> HttpResponse:
        shape = self.error_shape(err.code)
        code = err.code
        if shape is not None:
            code = shape.metadata.get("error", {}).get("code", code)
        fields: list[str] = []
        for key, value in err.fields.items():
            member = shape.members.get(key) if shape is not None else None
            if value is None or key in ("Code", "Message", "Type"):
                continue
            if member is not None:
                write_value(fields, member, value, member.serialization.get("name", key))
            else:
                fields.append(f"<{key}>{escape(str(value))}</{key}>")
        body = (
            f"{XML_DECLARATION}<ErrorResponse xmlns={quoteattr(self.namespace)}><Error>"
            f"<Type>{error_type(err)}</Type><Code>{escape(code)}</Code><Message>{escape(err.message)}</Message>"
            f"{''.join(fields)}</Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
        )
        headers = Headers([("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)])
        return HttpResponse(err.status, headers, body.encode())
