"""XML documents <-> params, driven by shapes (rest-xml bodies, query responses).

Reading mirrors botocore's RestXMLSerializer (what clients send): member names from locationName,
flattened lists and maps, xmlAttribute members, namespaces ignored. Writing mirrors what botocore's
XML parsers read: the same names (a flattened list named by its member's locationName), iso8601
timestamps, base64 blobs, xmlNamespace declarations. Neighbours: restxml.py, query.py, values.py.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from botocore.model import Shape

from cloudlet.aws.protocols import values
from cloudlet.aws.protocols.values import ValueFormatError, scalar_from_text, scalar_to_text

_ENTITIES = {"\r": "&#xD;"}  # a raw CR would be normalized away by XML parsers
_NS = re.compile(r"^\{[^}]*\}")
_FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_document(body: bytes) -> ET.Element:
    """The root element of an XML body; DTDs (entity expansion attacks) are refused."""
    if _FORBIDDEN.search(body):
        raise ValueFormatError("DTDs are not allowed in request bodies")
    try:
        return ET.fromstring(body)
    except ET.ParseError as e:
        raise ValueFormatError(f"The XML you provided was not well-formed: {e}") from None


def local(tag: str) -> str:
    return _NS.sub("", tag)


def _children(node: ET.Element) -> dict[str, list[ET.Element]]:
    out: dict[str, list[ET.Element]] = {}
    for child in node:
        out.setdefault(local(child.tag), []).append(child)
    return out


def _text(node: ET.Element) -> str:
    return node.text or ""


def member_wire_name(member: Shape, name: str, reading: bool) -> str:
    """The element name of a structure member. botocore's parser (reading responses) names a
    flattened list by its member's locationName; its serializer (writing requests) does not."""
    if not reading and member.type_name == "list" and member.serialization.get("flattened"):
        inner = member.member.serialization.get("name")
        if inner is not None:
            return inner
    return member.serialization.get("name", name)  # type: ignore[no-any-return]


# -- reading ---------------------------------------------------------------------------------------
def read_value(shape: Shape, nodes: list[ET.Element]) -> Any:
    """Value of `shape` from its element(s): several only for a flattened list or map."""
    kind = shape.type_name
    if kind == "list":
        items = nodes if shape.serialization.get("flattened") else [c for n in nodes for c in n]
        return [read_value(shape.member, [item]) for item in items]
    if kind == "map":
        return _read_map(shape, nodes)
    node = nodes[-1]
    if kind == "structure":
        return read_structure(shape, node)
    return scalar_from_text(shape, _text(node))


def _read_map(shape: Shape, nodes: list[ET.Element]) -> dict[str, Any]:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    entries = nodes if shape.serialization.get("flattened") else [c for n in nodes for c in n]
    out: dict[str, Any] = {}
    for entry in entries:
        parts = _children(entry)
        if key_name not in parts:
            raise ValueFormatError(f"map entry without <{key_name}>")
        key = _text(parts[key_name][-1])
        value_nodes = parts.get(value_name)
        if value_nodes is not None:
            out[key] = read_value(shape.value, value_nodes)
        elif shape.value.type_name == "string":
            out[key] = ""  # an omitted <value/> of a string map is the empty string
    return out


def read_structure(shape: Shape, node: ET.Element) -> dict[str, Any]:
    parts = _children(node)
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        ser = member.serialization
        if ser.get("location"):
            continue
        if ser.get("xmlAttribute"):
            wanted = local_attr(ser.get("name", name))
            for key, value in node.attrib.items():
                if local(key) == wanted:
                    out[name] = scalar_from_text(member, value)
            continue
        wire = member_wire_name(member, name, reading=True)
        found = parts.get(wire)
        if found:
            out[name] = read_value(member, found)
    return out


def local_attr(name: str) -> str:
    return name.split(":", 1)[1] if ":" in name else name


# -- writing ---------------------------------------------------------------------------------------
def namespace_attr(shape: Shape) -> str:
    ns = shape.serialization.get("xmlNamespace")
    if not ns:
        return ""
    if isinstance(ns, str):
        return f" xmlns={quoteattr(ns)}"
    attr = "xmlns" + (f":{ns['prefix']}" if ns.get("prefix") else "")
    return f" {attr}={quoteattr(ns['uri'])}"


def scalar_text(shape: Shape, value: Any) -> str:
    return scalar_to_text(shape, value, values.ISO8601)


def write_value(out: list[str], shape: Shape, value: Any, name: str, extra_attrs: str = "") -> None:
    kind = shape.type_name
    if kind == "structure":
        write_structure(out, shape, value, name, extra_attrs)
    elif kind == "list":
        member = shape.member
        if shape.serialization.get("flattened"):
            for item in value:
                write_value(out, member, item, name)
        else:
            inner = member.serialization.get("name", "member")
            out.append(f"<{name}{namespace_attr(shape)}{extra_attrs}>")
            for item in value:
                write_value(out, member, item, inner)
            out.append(f"</{name}>")
    elif kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        flat = shape.serialization.get("flattened")
        if not flat:
            out.append(f"<{name}{namespace_attr(shape)}{extra_attrs}>")
        for k, v in value.items():
            out.append(f"<{name}>" if flat else "<entry>")
            write_value(out, shape.key, k, key_name)
            write_value(out, shape.value, v, value_name)
            out.append(f"</{name}>" if flat else "</entry>")
        if not flat:
            out.append(f"</{name}>")
    else:
        text = escape(scalar_text(shape, value), _ENTITIES)
        out.append(f"<{name}{namespace_attr(shape)}{extra_attrs}>{text}</{name}>")


def write_structure(
    out: list[str], shape: Shape, value: dict[str, Any], name: str, extra_attrs: str = ""
) -> None:
    attrs = [namespace_attr(shape), extra_attrs]
    body: list[str] = []
    for key, item in value.items():
        member = shape.members.get(key)
        if member is None or item is None:
            continue
        ser = member.serialization
        if ser.get("location") in ("header", "headers", "statusCode"):
            continue  # written outside the body; uri/querystring members of a response live in it
        if ser.get("xmlAttribute"):
            attr_name = ser.get("name", key)
            attrs.append(f" {attr_name}={quoteattr(scalar_text(member, item))}")
            ns = member.serialization.get("xmlNamespace")
            if isinstance(ns, dict) and ns.get("prefix") and f"xmlns:{ns['prefix']}" not in "".join(attrs):
                attrs.append(f" xmlns:{ns['prefix']}={quoteattr(ns['uri'])}")
            continue
        write_value(body, member, item, member_wire_name(member, key, reading=False))
    out.append(f"<{name}{''.join(attrs)}>")
    out.extend(body)
    out.append(f"</{name}>")
