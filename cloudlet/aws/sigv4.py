"""AWS Signature Version 4: reading the credential scope of a request and verifying its signature.

Both forms are handled: the Authorization header (AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
Signature=...) and presigned URLs (X-Amz-Algorithm, X-Amz-Credential, ... in the query string).
The canonical request follows the SigV4 specification exactly as botocore builds it: S3 keeps the
path as sent and signs UNSIGNED-PAYLOAD / the x-amz-content-sha256 value; other services
normalize and double-encode the path. Neighbours: routing.py (uses the credential scope's service
name), gateway.py (decides whether to verify, with the secret from settings / STS).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import HttpRequest

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_PAYLOADS = ("STREAMING-", UNSIGNED_PAYLOAD)


@dataclass(frozen=True)
class Credential:
    access_key: str
    date: str  # yyyymmdd of the credential scope
    region: str
    service: str
    signed_headers: tuple[str, ...] = ()
    signature: str = ""
    amz_date: str = ""  # X-Amz-Date (yyyymmddThhmmssZ)
    presigned: bool = False
    expires: int | None = None  # presigned URLs: X-Amz-Expires seconds


def _scope(value: str) -> tuple[str, str, str, str]:
    parts = value.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not parts[0]:
        raise AwsError(
            "IncompleteSignature",
            f"Credential should be scoped to a valid region. Credential={value}",
            400,
        )
    return parts[0], parts[1], parts[2], parts[3]


# A client sends the same header but for its signature on every request: what precedes
# ", Signature=" -> the fields parsed from it (bounded; only headers that parsed cleanly).
_HEADS: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {}
_HEADS_MAX = 1024


def _parse_header(auth: str, req: HttpRequest) -> Credential:
    head, sep, signature = auth.rpartition(", Signature=")
    if sep and "," not in signature:
        known = _HEADS.get(head)
        if known is not None:
            amz_date = req.headers.get("X-Amz-Date") or req.headers.get("Date")
            if amz_date:
                return Credential(*known, signature.strip(), amz_date)
    credential = _parse_header_fully(auth, req)
    if sep and "," not in signature:
        if len(_HEADS) >= _HEADS_MAX:
            _HEADS.clear()
        _HEADS[head] = (
            credential.access_key,
            credential.date,
            credential.region,
            credential.service,
            credential.signed_headers,
        )
    return credential


def _parse_header_fully(auth: str, req: HttpRequest) -> Credential:
    rest = auth[len(ALGORITHM) :].strip()
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields[key.strip()] = value.strip()
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if k not in fields]
    if missing:
        raise AwsError(
            "IncompleteSignature",
            " ".join(f"Authorization header requires '{k}' parameter." for k in missing)
            + f" Authorization={auth}",
            400,
        )
    access_key, date, region, service = _scope(fields["Credential"])
    amz_date = req.headers.get("X-Amz-Date") or req.headers.get("Date") or ""
    if not amz_date:
        raise AwsError(
            "IncompleteSignature",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            f"Authorization={auth}",
            400,
        )
    return Credential(
        access_key,
        date,
        region,
        service,
        tuple(fields["SignedHeaders"].split(";")),
        fields["Signature"],
        amz_date,
    )


def _parse_query(query: dict[str, str]) -> Credential:
    if query.get("X-Amz-Algorithm") != ALGORITHM:
        raise AwsError(
            "AuthorizationQueryParametersError", 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', 400
        )
    needed = ("X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature")
    missing = [k for k in needed if k not in query]
    if missing:
        raise AwsError(
            "AuthorizationQueryParametersError",
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
            400,
        )
    access_key, date, region, service = _scope(query["X-Amz-Credential"])
    expires: int | None = None
    if "X-Amz-Expires" in query:
        try:
            expires = int(query["X-Amz-Expires"])
        except ValueError:
            raise AwsError(
                "AuthorizationQueryParametersError", "X-Amz-Expires should be a number", 400
            ) from None
    return Credential(
        access_key,
        date,
        region,
        service,
        tuple(query["X-Amz-SignedHeaders"].split(";")),
        query["X-Amz-Signature"],
        query["X-Amz-Date"],
        True,
        expires,
    )


def parse_credential(req: HttpRequest) -> Credential | None:
    """The SigV4 credential a request carries; None when it is unsigned; AwsError when malformed."""
    auth = req.headers.get("Authorization")
    if auth is not None and auth.startswith(ALGORITHM):
        return _parse_header(auth, req)
    if "X-Amz-Credential" in req.query_string or "X-Amz-Algorithm" in req.query_string:
        query = dict(parse_qsl(req.query_string, keep_blank_values=True))
        if "X-Amz-Algorithm" in query or "X-Amz-Credential" in query:
            return _parse_query(query)
    return None


def scope_service(req: HttpRequest) -> str | None:
    """The service named by a request's credential scope, read leniently (routing only: a request
    with an otherwise malformed signature still goes to its service, which answers the error)."""
    auth = req.headers.get("Authorization")
    value = ""
    if auth is not None and auth.startswith(ALGORITHM):
        for part in auth[len(ALGORITHM) :].split(","):
            key, _, v = part.strip().partition("=")
            if key == "Credential":
                value = v.strip()
    elif "X-Amz-Credential" in req.query_string:
        value = dict(parse_qsl(req.query_string, keep_blank_values=True)).get("X-Amz-Credential", "")
    parts = value.split("/")
    return parts[3] if len(parts) == 5 and parts[3] else None


def _uri_encode(value: str, safe: str = "-_.~") -> str:
    return quote(value, safe=safe)


def _canonical_path(path: str, service: str) -> str:
    if not path:
        return "/"
    if service == "s3":
        # S3 signs the path exactly as sent (already percent-encoded once by the client)
        return path

    # other services: normalize, then encode each segment twice (once by the client, once for signing)
    raw = unquote(path)
    segments: list[str] = []
    for seg in raw.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if segments:
                segments.pop()
            continue
        segments.append(seg)
    norm = "/" + "/".join(segments)
    if raw.endswith("/") and norm != "/":
        norm += "/"
    return _uri_encode(_uri_encode(norm, safe="/-_.~"), safe="/-_.~")


def _canonical_query(query_string: str, drop_signature: bool) -> str:
    pairs = []
    # RFC 3986 decoding ('+' is a plus sign here, not a space), then SigV4's own encoding
    for part in query_string.split("&"):
        if not part:
            continue
        raw_key, _, raw_value = part.partition("=")
        k, v = unquote(raw_key), unquote(raw_value)
        if drop_signature and k == "X-Amz-Signature":
            continue
        pairs.append((_uri_encode(k), _uri_encode(v)))
    pairs.sort()
    return "&".join(f"{k}={v}" for k, v in pairs)


def _canonical_headers(req: HttpRequest, signed: tuple[str, ...]) -> str:
    lines = []
    for name in signed:
        values = req.headers.get_all(name)
        if not values and name == "host":
            values = []
        joined = ",".join(" ".join(v.split()) for v in values)
        lines.append(f"{name}:{joined}\n")
    return "".join(lines)


def _payload_hash(req: HttpRequest, cred: Credential) -> str:
    declared = req.headers.get("X-Amz-Content-SHA256")
    if declared is not None and (cred.service == "s3" or declared.startswith(STREAMING_PAYLOADS)):
        return declared
    if cred.presigned and cred.service == "s3":
        return UNSIGNED_PAYLOAD
    if declared is not None:
        return declared
    return hashlib.sha256(req.body).hexdigest()


def canonical_request(req: HttpRequest, cred: Credential) -> str:
    return "\n".join(
        (
            req.method.upper(),
            _canonical_path(req.path, cred.service),
            _canonical_query(req.query_string, cred.presigned),
            _canonical_headers(req, cred.signed_headers),
            ";".join(cred.signed_headers),
            _payload_hash(req, cred),
        )
    )


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signature(req: HttpRequest, cred: Credential, secret_key: str) -> str:
    scope = f"{cred.date}/{cred.region}/{cred.service}/aws4_request"
    string_to_sign = "\n".join(
        (ALGORITHM, cred.amz_date, scope, hashlib.sha256(canonical_request(req, cred).encode()).hexdigest())
    )
    key = _hmac(("AWS4" + secret_key).encode(), cred.date)
    for part in (cred.region, cred.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


MAX_SKEW = timedelta(minutes=15)


def signed_at(cred: Credential) -> datetime | None:
    try:
        return datetime.strptime(cred.amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def check_time(cred: Credential, now: datetime) -> None:
    """Raise AWS's error when a presigned URL has expired or a signed request is too old/new."""
    when = signed_at(cred)
    if when is None:
        raise AwsError(
            "IncompleteSignature", f"Date must be in ISO-8601 'basic format'. Got '{cred.amz_date}'.", 400
        )
    if cred.presigned:
        if cred.expires is not None and now > when + timedelta(seconds=cred.expires):
            raise AwsError("AccessDenied", "Request has expired", 403)
    elif abs(now - when) > MAX_SKEW:
        raise AwsError(
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            403,
        )


def verify(req: HttpRequest, credential: Credential, secret_key: str) -> bool:
    """True when the request's signature is the one `secret_key` produces for it."""
    return hmac.compare_digest(signature(req, credential, secret_key), credential.signature)
