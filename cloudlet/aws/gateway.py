"""The AWS endpoint's request pipeline: identify service and operation, parse, call the handler,
serialize — one pipeline for every service. Wire knowledge lives in protocols/; this module only
orders the steps and maps every failure to an AWS-shaped error (never a traceback to the client).
httpserver.py feeds it HttpRequests; requestlog.py writes its per-request log line.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from cloudlet import ids
from cloudlet.aws import routing, sigv4
from cloudlet.aws.errors import AwsError, internal_failure, unknown_operation
from cloudlet.aws.http import Headers, HttpRequest, HttpResponse
from cloudlet.aws.models import service_model
from cloudlet.aws.protocols import protocol_for
from cloudlet.aws.protocols.base import WireProtocol
from cloudlet.aws.requestlog import RequestLog
from cloudlet.aws.routing import identify_service
from cloudlet.config import Settings
from cloudlet.services.base import Handler, RequestContext, RunElsewhere, ServiceApi
from cloudlet.store.base import GroupConflict, GroupingStore

log = logging.getLogger("cloudlet.requests")

STATUS_PATH = "/_cloudlet/status"
# the largest request body a service takes; a longer one is answered 413 (DynamoDB: 16 MB, AWS per
# alternator's test_manual_requests). The HTTP server's own limit (httpserver.MAX_BODY) bounds the rest.
BODY_LIMITS = {"dynamodb": 16 * 1024 * 1024, "dynamodbstreams": 16 * 1024 * 1024}
_RUNS = 3  # runs of an inline handler whose group conflicted (the rerun's group cannot conflict)
Forward = Callable[[HttpRequest], Awaitable[HttpResponse]]


class Gateway:
    def __init__(
        self,
        settings: Settings,
        apis: dict[str, ServiceApi],
        status: Callable[[], dict[str, Any]],
        workers: int = 4,
        store: GroupingStore | None = None,
        forward: Forward | None = None,
        log_name: str = "cloudlet.requests",
    ) -> None:
        self.settings = settings
        # an API worker process (aws/workers.py) answers its services and forwards the rest
        # (and the status page) to the main process
        self.forward = forward
        self.apis = apis
        self.status = status
        # Sync handlers run here so store I/O never stalls the event loop (except the operations a
        # service declares inline: see ServiceApi.runs_inline).
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="handler")
        self._pooled = 0  # handlers running on the pool now
        # every commit fsyncs under durability=full: no store work on the loop then
        self._inline_allowed = settings.durability != "full"
        self._requests = RequestLog(name=log_name) if settings.log_requests else None
        self._handlers: dict[tuple[str, str], tuple[Handler | None, bool]] = {}
        self._protocols: dict[str, WireProtocol] = {}  # by service name (protocol_for keys by model)
        # group commit of inline handlers' store work (store/sqlite.py): one transaction per loop turn
        self._store = store if self._inline_allowed else None
        self._group = 0  # the number of the dirty group `_durable` waits on
        self._group_done: asyncio.Future[None] | None = None

    def warm(self) -> None:
        """Load what first requests would: the routing tables, this gateway's protocols with every
        operation's plan, the handlers."""
        routing.warm()
        for service, api in self.apis.items():
            if service not in self._protocols:
                self._protocols[service] = protocol_for(service_model(service))
            self._protocols[service].warm()
            for name in self._protocols[service].model.operation_names:
                self._handler(api, service, name)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self._requests is not None:
            self._requests.flush()

    def _handler(self, api: ServiceApi | None, service: str, operation: str) -> tuple[Handler | None, bool]:
        """The handler of an operation and whether it is a coroutine function, memoised."""
        key = (service, operation)
        found = self._handlers.get(key)
        if found is None:
            handler = api.handler(operation) if api is not None else None
            found = self._handlers[key] = (handler, inspect.iscoroutinefunction(handler))
        return found

    async def handle(self, req: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        if req.path == STATUS_PATH and req.method == "GET":
            if self.forward is not None:
                return await self.forward(req)
            body = json.dumps(self.status()).encode()
            return HttpResponse(200, Headers({"Content-Type": "application/json"}), body)
        service = identify_service(req)
        if self.forward is not None and service not in self.apis:
            return await self.forward(req)
        request_id = ids.request_id()
        if service is None:
            resp = _unknown_service(req, request_id)
            self._log("-", "-", resp.status, started)
            return resp
        limit = BODY_LIMITS.get(service)
        if limit is not None and len(req.body) > limit:
            self._log(service, "-", 413, started)
            return HttpResponse(413, Headers([("Content-Type", "text/plain")]), b"request body too large")
        proto = self._protocols.get(service)
        if proto is None:
            proto = self._protocols[service] = protocol_for(service_model(service))
        op = None
        try:
            credential = sigv4.parse_credential(req)
            if self.settings.auth == "strict":
                _check_signature(req, credential, self.settings)
            op, params = proto.parse(req)
            api = self.apis.get(service)
            handler, is_async = self._handler(api, service, op.name)
            if handler is None or api is None:
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
            if is_async:
                result = await handler(ctx, params)  # type: ignore[misc]
            elif self._pooled == 0 and self._inline_allowed and api.runs_inline(op.name, params):
                # Only while the pool is idle: a pooled handler may hold the store's write lock,
                # and waiting for it here would stall every connection.
                ctx.inline = True
                try:
                    result = await self._inline(handler, ctx, params)
                except RunElsewhere:
                    ctx.inline = False
                    result = await self._pooled_call(handler, ctx, params)
            else:
                result = await self._pooled_call(handler, ctx, params)
            resp = proto.serialize(op, result or {}, request_id)
        except AwsError as err:
            resp = self._error(proto, op, err, request_id)
        except Exception:
            log.exception("unhandled error in %s %s", service, op.name if op else "?")
            resp = self._error(proto, op, internal_failure(), request_id)
        self._log(service, op.name if op else "-", resp.status, started)
        return resp

    async def _pooled_call(self, handler: Handler, ctx: RequestContext, params: dict[str, Any]) -> Any:
        self._pooled += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool, handler, ctx, params)
        finally:
            self._pooled -= 1

    async def _inline(self, handler: Handler, ctx: RequestContext, params: dict[str, Any]) -> Any:
        """Run a handler on the loop, in the loop turn's store group; answer once what it wrote
        or read of its group's writes is durable (an error answer too: it may rest on them)."""
        if self._store is None:
            return handler(ctx, params)
        for _ in range(_RUNS):
            failure: Exception | None = None
            with self._store.grouped():
                try:
                    result = handler(ctx, params)
                except Exception as e:
                    failure = e
            done = self._durable()
            try:
                if done is not None:
                    await done
            except GroupConflict as conflict:
                failure = conflict
            if isinstance(failure, GroupConflict):
                continue  # nothing of it was written or answered: run it again
            if failure is not None:
                raise failure
            return result
        assert failure is not None
        raise failure

    def _durable(self) -> asyncio.Future[None] | None:
        """A future resolved when the open dirty group commits (one per group), or None."""
        assert self._store is not None
        number = self._store.dirty_group()
        if not number:
            return None
        if number != self._group or self._group_done is None:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

            def committed(error: BaseException | None) -> None:
                if error is None:
                    done.set_result(None)
                else:
                    done.set_exception(error)

            self._store.when_durable(committed)
            self._group, self._group_done = number, done
        return self._group_done

    def _error(self, proto: Any, op: Any, err: AwsError, request_id: str) -> HttpResponse:
        try:
            resp: HttpResponse = proto.serialize_error(op, err, request_id)
            return resp
        except Exception:
            log.exception("could not serialize error %s", err.code)
            return HttpResponse(500, Headers({"Content-Type": "text/plain"}), b"InternalFailure")

    def _log(self, service: str, operation: str, status: int, started: float) -> None:
        if self._requests is not None:
            self._requests.line(service, operation, status, (time.perf_counter() - started) * 1000)


def _check_signature(req: HttpRequest, credential: sigv4.Credential | None, settings: Settings) -> None:
    if credential is None:
        raise AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    if credential.access_key != settings.access_key_id:
        raise AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    # the clock is checked only where signatures are: permissive mode accepts replayed requests,
    # as local emulators do, so recorded fixtures keep working
    sigv4.check_time(credential, datetime.now(UTC))
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
