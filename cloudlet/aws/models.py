"""botocore service models for the services cloudlet serves; everything on the wire is derived from them.

Neighbours: routing.py (which service a request is for), protocols/ (parsers and serializers built
from a ServiceModel), validate.py (constraint checks compiled from shapes).
"""

from __future__ import annotations

from functools import cache, lru_cache

import botocore.loaders
from botocore.model import ServiceModel, Shape

SERVICES: tuple[str, ...] = (
    "route53",
    "route53domains",
    "cloudfront",
    "s3",
    "globalaccelerator",
    "lambda",
    "apigateway",
    "apigatewayv2",
    "apigatewaymanagementapi",
    "cognito-idp",
    "cognito-identity",
    "dynamodb",
    "dynamodbstreams",
    "sts",
)


@lru_cache(maxsize=1)
def _loader() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()


@cache
def service_model(name: str) -> ServiceModel:
    """The botocore model of service `name` (e.g. "route53"); loaded once per process."""
    data = _loader().load_service_model(name, "service-2")
    return ServiceModel(data, service_name=name)


def shape_key(shape: Shape) -> tuple[str, str]:
    """A stable identity for a shape as used at one place in the model.

    botocore builds a new Shape object every time a reference is resolved, so id() does not
    identify a shape (and would never terminate recursive shapes); the name plus the member-level
    serialization overrides (locationName, timestampFormat, ...) does.
    """
    return (shape.name, repr(sorted(shape.serialization.items())) if shape.serialization else "")
