"""One parser/serializer per protocol family, built from a botocore ServiceModel.

`protocol_for(model)` returns the WireProtocol serving that model (cached per model):
json (1.0/1.1), rest-json, rest-xml, query, smithy-rpc-v2-cbor. Neighbours: the family modules in
this package; gateway.py is the caller; validate.py checks constraints after parsing.
"""

from __future__ import annotations

import weakref

from botocore.model import ServiceModel

from cloudlet.aws.protocols.base import WireProtocol

__all__ = ["WireProtocol", "protocol_for", "build_protocol"]

_cache: weakref.WeakKeyDictionary[ServiceModel, WireProtocol] = weakref.WeakKeyDictionary()


def build_protocol(model: ServiceModel, validate: bool = True) -> WireProtocol:
    """A new WireProtocol for `model` (tests build unvalidated ones for round trips)."""
    from cloudlet.aws.protocols.cbor import CborProtocol
    from cloudlet.aws.protocols.json import JsonProtocol
    from cloudlet.aws.protocols.query import QueryProtocol
    from cloudlet.aws.protocols.restjson import RestJsonProtocol
    from cloudlet.aws.protocols.restxml import RestXmlProtocol

    families: dict[str, type[WireProtocol]] = {
        "json": JsonProtocol,
        "rest-json": RestJsonProtocol,
        "rest-xml": RestXmlProtocol,
        "query": QueryProtocol,
        "smithy-rpc-v2-cbor": CborProtocol,
    }
    family = families.get(model.protocol)
    if family is None:
        raise ValueError(f"protocol {model.protocol!r} of {model.service_name} is not served")
    return family(model, validate)


def protocol_for(model: ServiceModel) -> WireProtocol:
    """The (cached) WireProtocol serving `model`."""
    found = _cache.get(model)
    if found is None:
        found = _cache[model] = build_protocol(model)
    return found
