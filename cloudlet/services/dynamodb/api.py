"""The DynamoDB API: one class whose methods are the operations (snake_case), assembled from the
per-concern modules: tables.py (control plane), items.py (single-item reads and writes),
query.py (Query/Scan), batch.py (BatchGetItem/BatchWriteItem), transactions.py
(TransactWriteItems/TransactGetItems).

Not built here (the gateway answers them as not supported): Streams, TTL, backups/PITR,
PartiQL, global tables, import/export, resource policies, Kinesis destinations.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.base import Deps, Handler
from cloudlet.services.dynamodb.batch import BatchApi
from cloudlet.services.dynamodb.catalog import Catalog
from cloudlet.services.dynamodb.items import ItemsApi
from cloudlet.services.dynamodb.query import QueryApi
from cloudlet.services.dynamodb.stats import StatsKeeper
from cloudlet.services.dynamodb.tables import TablesApi
from cloudlet.services.dynamodb.transactions import TransactionsApi


class DynamoDbApi(TablesApi, ItemsApi, QueryApi, BatchApi, TransactionsApi):
    service_name = "dynamodb"
    name = "dynamodb"
    # one item (<= 400 KB) or one table description, one short store transaction each: cheaper on
    # the event loop than the hop to a worker thread (services/base.py has the contract)
    inline_operations = frozenset(
        {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable", "ListTables"}
    )

    def runs_inline(self, operation: str, params: dict[str, Any]) -> bool:
        # Query/Scan read up to 1 MB per page (~10k small items, tens of ms of Python): they run
        # inline speculatively and move to the pool once they pass query.INLINE_BUDGET items.
        # Measured (bench/dynamodb, 10-item Query): inline 2.0k req/s, pooled 1.0k.
        return operation in self.inline_operations or operation == "Query" or operation == "Scan"

    def __init__(self, deps: Deps) -> None:
        super().__init__(deps)
        self.catalog = Catalog(deps.store)
        self.stats = StatsKeeper(deps.store)
        self._handlers: dict[str, Handler | None] = {}

    async def start(self) -> None:
        await super().start()
        self.stats.migrate()  # statistics rows of earlier versions

    def handler(self, operation: str) -> Handler | None:
        # memoised: the name mangling in ServiceApi.handler is measurable at tens of thousands of calls/s
        try:
            return self._handlers[operation]
        except KeyError:
            found = self._handlers[operation] = super().handler(operation)
            return found
