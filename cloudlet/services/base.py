"""What every service's API gets: its dependencies, and a context per request.

A service's `api.py` defines a class (subclassing `ServiceApi`) whose methods are named after the
operations in snake_case (CreateHostedZone -> create_hosted_zone) and take (ctx, params) -> dict,
params and result shaped exactly as the botocore model says (plain dicts; timestamps as
datetime, blobs as bytes). A method may be sync (run on a worker thread, free to use the store)
or async (run on the event loop; must not block). Errors are raised as cloudlet.aws.errors.AwsError.

Inline operations: the hop to a worker thread costs more than a small store operation, so a
service may list sync operations in `inline_operations` (or decide per request in `runs_inline`)
to have the gateway call them directly on the event loop. Only operations whose work is bounded
and small belong there: a few store reads/writes of bounded size (one item, one table
description), no network, no sleeping, no unbounded scans. The gateway still uses the pool for
them while any other handler runs there (it may hold the store's write lock) and when
durability is "full" (every commit fsyncs). The store never checkpoints inline (store/sqlite.py).
An operation whose cost shows only while it runs (a Query reads an unknown number of items) may
run inline speculatively: `ctx.inline` tells it so, and once its work passes its budget, before
it has changed anything, it raises `RunElsewhere` and the gateway runs it again on the pool.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cloudlet.clock import Clock
from cloudlet.config import Settings
from cloudlet.events import EventBus
from cloudlet.store import Store


@dataclass
class Deps:
    """Shared components handed to every service when the runtime builds it."""

    settings: Settings
    store: Store
    events: EventBus
    clock: Clock
    # every running component by name ("route53", "dns", "dynamodb", ...), for cross-component calls
    services: dict[str, Component] = field(default_factory=dict)
    # ports actually bound, by name ("aws", "dns", "resolver", ...): written by whoever binds them
    ports: dict[str, int] = field(default_factory=dict)


class RawJson:
    """A result value already encoded as JSON (valid UTF-8), which the JSON protocols write into
    the response as it is: a service that stores what it returns in wire form (DynamoDB items)
    skips decoding and re-encoding it. Only where the output shape needs no writer (the wire
    layer does not walk the value)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


@dataclass
class RequestContext:
    service: str  # botocore service name, e.g. "route53"
    operation: str  # e.g. "CreateHostedZone"
    region: str
    account_id: str
    request_id: str
    access_key_id: str | None = None
    client: tuple[str, int] | None = None
    host: str | None = None  # Host header (virtual-host style endpoints)
    inline: bool = False  # running on the event loop: keep to the operation's inline budget


class RunElsewhere(Exception):
    """An inline handler outgrew its budget before changing anything: run it on the pool instead."""


def snake(op: str) -> str:
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", op)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


Handler = Callable[[RequestContext, dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]]


class Component:
    """Anything the runtime builds and starts: an AWS API, a data plane, or both."""

    name: ClassVar[str] = ""
    # store streams (namespace prefixes) whose own change sequence this component's other
    # processes follow (Store.committed_seq(stream)); the runtime opens the store with them
    follows: ClassVar[tuple[str, ...]] = ()

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def start(self) -> None:
        """Start servers and background tasks. Called once the event loop runs."""

    async def stop(self) -> None:
        """Stop what start() started."""


class ServiceApi(Component):
    """Base of every AWS API. `service_name` is the botocore model name."""

    service_name: ClassVar[str] = ""
    # sync operations cheap and bounded enough to run on the event loop (see the module docstring)
    inline_operations: ClassVar[frozenset[str]] = frozenset()

    def runs_inline(self, operation: str, params: dict[str, Any]) -> bool:
        """Whether this request may run on the event loop; override to decide on the params."""
        return operation in self.inline_operations

    def handler(self, operation: str) -> Handler | None:
        fn = getattr(self, snake(operation), None)
        return fn if callable(fn) else None
