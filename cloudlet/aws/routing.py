"""Which botocore service an HTTP request is for, from the request alone.

Order: X-Amz-Target (json protocols: the model's targetPrefix), the Smithy RPC v2 path
(/service/<name>/operation/<op>), the SigV4 credential scope's service (signing name), then the Host
header (e.g. route53.localhost, mybucket.s3.localhost), then a query-protocol `Action=` (unsigned
STS calls). Neighbours: models.py (metadata), sigv4.py (credential scope), gateway.py (the caller).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote_plus

from cloudlet.aws.http import HttpRequest
from cloudlet.aws.models import SERVICES, service_model
from cloudlet.aws.sigv4 import scope_service


@lru_cache(maxsize=1)
def _by_target_prefix() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in SERVICES:
        prefix = service_model(name).metadata.get("targetPrefix")
        if prefix:
            out[prefix] = name
    return out


@lru_cache(maxsize=1)
def _by_query_action() -> dict[str, str]:
    """Operation name -> service, for the query-protocol services (unsigned STS calls such as
    AssumeRoleWithWebIdentity name nothing but their Action)."""
    out: dict[str, str] = {}
    for name in SERVICES:
        model = service_model(name)
        if model.protocol == "query":
            for op in model.operation_names:
                out.setdefault(op, name)
    return out


def _from_action(req: HttpRequest) -> str | None:
    content_type = (req.headers.get("Content-Type") or "").lower()
    sources = [req.query_string]
    if req.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
        sources.append(req.body.decode("latin-1"))
    for source in sources:
        for pair in source.split("&"):
            if pair.startswith("Action="):
                return _by_query_action().get(unquote_plus(pair[len("Action=") :]))
    return None


@lru_cache(maxsize=1)
def _by_signing_name() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in SERVICES:
        out.setdefault(service_model(name).signing_name, []).append(name)
    return out


@lru_cache(maxsize=1)
def _by_host_label() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in SERVICES:
        m = service_model(name)
        for label in (m.endpoint_prefix, name):
            out.setdefault(label, name)
    return out


def warm() -> None:
    """Build the lookup tables now (they load every service model: ~100 ms) rather than in the
    first request (an API worker does this before it takes connections)."""
    _by_target_prefix()
    _by_query_action()
    _by_signing_name()
    _by_host_label()


def _disambiguate(candidates: list[str], req: HttpRequest) -> str | None:
    """Services sharing a signing name: apigateway / apigatewayv2, dynamodb / dynamodbstreams,
    execute-api (management API vs. the invoke data plane)."""
    if len(candidates) == 1:
        name = candidates[0]
        if name == "apigatewaymanagementapi" and "/@connections" not in req.path:
            return None  # an execute-api invoke, served by the API Gateway data plane
        return name
    if "apigatewayv2" in candidates:
        return "apigatewayv2" if req.path.startswith("/v2/") else "apigateway"
    if "dynamodb" in candidates:
        return "dynamodb"
    return candidates[0]


def _from_host(host: str, req: HttpRequest) -> str | None:
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    labels = host.lower().split(".")
    table = _by_host_label()
    # the rightmost match wins ("lambda.s3.localhost" is a bucket), then the longest
    # ("streams.dynamodb.localhost" is DynamoDB Streams)
    for j in range(len(labels), 0, -1):
        for i in range(j):
            name = table.get(".".join(labels[i:j]))
            if name is None:
                continue
            if name == "apigateway":
                return _disambiguate(["apigateway", "apigatewayv2"], req)
            return _disambiguate([name], req)
    return None


def identify_service(req: HttpRequest) -> str | None:
    """The botocore service name of `req`, or None when nothing in it names one of SERVICES."""
    target = req.headers.get("X-Amz-Target")
    if target:
        name = _by_target_prefix().get(target.rsplit(".", 1)[0])
        if name is not None:
            return name
    if req.path.startswith("/service/"):
        parts = req.path.split("/")
        if len(parts) >= 5 and parts[3] == "operation":
            name = _by_target_prefix().get(parts[2])
            if name is not None:
                return name
    signing_name = scope_service(req)
    if signing_name is not None:
        candidates = _by_signing_name().get(signing_name)
        if candidates:
            return _disambiguate(candidates, req)
    host = req.headers.get("Host")
    if host:
        name = _from_host(host, req)
        if name is not None:
            return name
    return _from_action(req)
