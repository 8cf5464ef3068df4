"""The DynamoDB API: one class whose methods are the operations (snake_case), assembled from the
per-concern modules: tables.py (control plane), items.py (single-item reads and writes),
query.py (Query/Scan), batch.py (BatchGetItem/BatchWriteItem), transactions.py
(TransactWriteItems/TransactGetItems).

Not built here (the gateway answers them as not supported): Streams, TTL, backups/PITR,
PartiQL, global tables, import/export, resource policies, Kinesis destinations.
"""

from __future__ import annotations

from cloudlet.services.base import Deps, Handler
from cloudlet.services.dynamodb.batch import BatchApi
from cloudlet.services.dynamodb.catalog import Catalog
from cloudlet.services.dynamodb.items import ItemsApi
from cloudlet.services.dynamodb.query import QueryApi
from cloudlet.services.dynamodb.tables import TablesApi
from cloudlet.services.dynamodb.transactions import TransactionsApi


class DynamoDbApi(TablesApi, ItemsApi, QueryApi, BatchApi, TransactionsApi):
    service_name = "dynamodb"
    name = "dynamodb"

    def __init__(self, deps: Deps) -> None:
        super().__init__(deps)
        self.catalog = Catalog()
        self._handlers: dict[str, Handler | None] = {}

    def handler(self, operation: str) -> Handler | None:
        # memoised: the name mangling in ServiceApi.handler is measurable at tens of thousands of calls/s
        try:
            return self._handlers[operation]
        except KeyError:
            found = self._handlers[operation] = super().handler(operation)
            return found
