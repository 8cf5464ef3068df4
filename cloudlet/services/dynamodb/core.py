"""What every DynamoDB operation module shares: the store, the clock, the catalog, table lookup.

api.py's DynamoDbApi combines the per-concern mixins (tables.py, items.py, query.py, batch.py,
transactions.py), which all derive from `Core`.
"""

from __future__ import annotations

from cloudlet.services.base import RequestContext, ServiceApi
from cloudlet.services.dynamodb import errors
from cloudlet.services.dynamodb.catalog import Catalog, resolve_name
from cloudlet.services.dynamodb.model import Table
from cloudlet.services.dynamodb.stats import StatsKeeper
from cloudlet.store import Txn


class Core(ServiceApi):
    service_name = "dynamodb"
    name = "dynamodb"

    catalog: Catalog
    stats: StatsKeeper

    @property
    def status_delay(self) -> float:
        """Seconds a table stays CREATING/UPDATING (settings.extra `dynamodb_status_delay`, default 0)."""
        raw = self.deps.settings.extra.get("dynamodb_status_delay", "0")
        try:
            return max(0.0, float(raw))
        except ValueError:
            return 0.0

    def now(self) -> float:
        return self.deps.clock.now()

    def data_table(self, txn: Txn, ctx: RequestContext, name: object) -> Table:
        """The table a data-plane request names, which must exist and not be CREATING."""
        errors.check_data_table_name(name)
        assert isinstance(name, str)
        account, region, plain = resolve_name(name, ctx.account_id, ctx.region)
        table = self.catalog.get(txn, account, region, plain)
        if table is None or table.status(self.now()) == "CREATING":
            raise errors.not_found()
        return table
