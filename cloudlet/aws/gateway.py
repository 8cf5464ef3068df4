"""The ASGI app on the AWS endpoint: identify service and operation, parse, call the handler,
serialize — one pipeline for every service. Wire knowledge lives in protocols/; this module only
orders the steps and maps every failure to an AWS-shaped error (never a traceback to the client).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cloudlet import ids
from cloudlet.aws import sigv4
from cloudlet.aws.errors import AwsError, internal_failure, unknown_operation
from cloudlet.aws.http import Headers, HttpRequest, HttpResponse
from cloudlet.aws.models import service_model
from cloudlet.aws.protocols import protocol_for
from cloudlet.aws.routing import identify_service
from cloudlet.config import Settings
from cloudlet.services.base import RequestContext, ServiceApi

log = logging.getLogger("cloudlet.requests")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

STATUS_PATH = "/_cloudlet/status"
MAX_BODY = 64 * 1024 * 1024  # larger uploads are refused before they are buffered


class Gateway:
    def __init__(
        self,
        settings: Settings,
        apis: dict[str, ServiceApi],
        status: Callable[[], dict[str, Any]],
        workers: int = 4,
    ) -> None:
        self.settings = settings
        self.apis = apis
        self.status = status
        # Sync handlers run here so store I/O never stalls the event loop.
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="handler")

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                await _send(
                    send, HttpResponse(413, Headers({"Content-Type": "text/plain"}), b"request too large")
                )
                return
            if not message.get("more_body"):
                break
        raw_path = scope.get("raw_path") or scope["path"].encode()
        headers = Headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]])
        req = HttpRequest(
            method=scope["method"],
            path=raw_path.decode("latin-1"),
            query_string=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=bytes(body),
            client=tuple(scope["client"]) if scope.get("client") else None,  # type: ignore[arg-type]
        )
        resp = await self.handle(req)
        await _send(send, resp)

    async def handle(self, req: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        if req.path == STATUS_PATH and req.method == "GET":
            body = json.dumps(self.status()).encode()
            return HttpResponse(200, Headers({"Content-Type": "application/json"}), body)
        request_id = ids.request_id()
        service = identify_service(req)
        if service is None:
            resp = _unknown_service(req, request_id)
            self._log("-", "-", resp.status, started)
            return resp
        proto = protocol_for(service_model(service))
        op = None
        try:
            credential = sigv4.parse_credential(req)
            if self.settings.auth == "strict":
                _check_signature(req, credential, self.settings)
            op, params = proto.parse(req)
            api = self.apis.get(service)
            handler = api.handler(op.name) if api is not None else None
            if handler is None:
                raise unknown_operation(service, op.name)
            ctx = RequestContext(
                service=service,
                operation=op.name,
                region=(credential.region if credential and credential.region else self.settings.region),
                account_id=self.settings.account_id,
                request_id=request_id,
                access_key_id=credential.access_key if credential else None,
                client=req.client,
                host=req.headers.get("host"),
            )
            if inspect.iscoroutinefunction(handler):
                result = await handler(ctx, params)
            else:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self.pool, handler, ctx, params)
            resp = proto.serialize(op, result or {}, request_id)
        except AwsError as err:
            resp = self._error(proto, op, err, request_id)
        except Exception:
            log.exception("unhandled error in %s %s", service, op.name if op else "?")
            resp = self._error(proto, op, internal_failure(), request_id)
        self._log(service, op.name if op else "-", resp.status, started)
        return resp

    def _error(self, proto: Any, op: Any, err: AwsError, request_id: str) -> HttpResponse:
        try:
            resp: HttpResponse = proto.serialize_error(op, err, request_id)
            return resp
        except Exception:
            log.exception("could not serialize error %s", err.code)
            return HttpResponse(500, Headers({"Content-Type": "text/plain"}), b"InternalFailure")

    def _log(self, service: str, operation: str, status: int, started: float) -> None:
        if self.settings.log_requests:
            log.info("%s %s %d %.1fms", service, operation, status, (time.perf_counter() - started) * 1000)


def _check_signature(req: HttpRequest, credential: sigv4.Credential | None, settings: Settings) -> None:
    if credential is None:
        raise AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    if credential.access_key != settings.access_key_id:
        raise AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    if not sigv4.verify(req, credential, settings.secret_access_key):
        raise AwsError(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
            403,
        )


def _unknown_service(req: HttpRequest, request_id: str) -> HttpResponse:
    body = json.dumps(
        {
            "__type": "UnknownServiceException",
            "message": "cloudlet could not tell which AWS service this request is for "
            "(no X-Amz-Target, SigV4 credential scope or service host name matched).",
        }
    ).encode()
    headers = Headers(
        {
            "Content-Type": "application/json",
            "x-amzn-RequestId": request_id,
            "x-amzn-ErrorType": "UnknownServiceException",
        }
    )
    return HttpResponse(400, headers, body)


async def _send(send: Send, resp: HttpResponse) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in resp.headers.items()]
    if not any(k == b"content-length" for k, _ in headers):
        headers.append((b"content-length", str(len(resp.body)).encode()))
    await send({"type": "http.response.start", "status": resp.status, "headers": headers})
    await send({"type": "http.response.body", "body": resp.body})
