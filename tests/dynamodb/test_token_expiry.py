"""ClientRequestToken idempotency lasts 10 minutes: driven with a ManualClock on the API object
itself (the store is a real SQLite file; only time is injected)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from cloudlet.aws.errors import AwsError
from cloudlet.clock import ManualClock
from cloudlet.config import Settings
from cloudlet.events import EventBus
from cloudlet.services.base import Deps, RawJson, RequestContext
from cloudlet.services.dynamodb.api import DynamoDbApi
from cloudlet.services.dynamodb.transactions import NS_TOKEN_EXPIRY, NS_TOKENS
from cloudlet.store import SqliteStore

CTX = RequestContext("dynamodb", "TransactWriteItems", "us-east-1", "000000000000", "req")


@pytest.fixture
def api(tmp_path: Path) -> Any:
    store = SqliteStore(tmp_path / "db")
    clock = ManualClock()
    yield DynamoDbApi(Deps(Settings(), store, EventBus(), clock)), clock, store
    store.close()


def _add(n: str) -> dict[str, Any]:
    return {
        "TransactItems": [
            {
                "Update": {
                    "TableName": "tokens",
                    "Key": {"pk": {"S": "c"}},
                    "UpdateExpression": "ADD n :n",
                    "ExpressionAttributeValues": {":n": {"N": n}},
                }
            }
        ]
    }


def _count(api: DynamoDbApi) -> str:
    item = api.get_item(CTX, {"TableName": "tokens", "Key": {"pk": {"S": "c"}}})["Item"]
    if isinstance(item, RawJson):  # a whole item comes back as its stored wire JSON
        item = json.loads(item.data)
    return str(item["n"]["N"])


def test_token_window(api: Any) -> None:
    ddb, clock, store = api
    ddb.create_table(
        CTX,
        {
            "TableName": "tokens",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    ddb.transact_write_items(CTX, {**_add("1"), "ClientRequestToken": "t1"})
    asyncio.run(clock.advance(599))
    ddb.transact_write_items(CTX, {**_add("1"), "ClientRequestToken": "t1"})
    assert _count(ddb) == "1"
    with pytest.raises(AwsError) as info:
        ddb.transact_write_items(CTX, {**_add("5"), "ClientRequestToken": "t1"})
    assert info.value.code == "IdempotentParameterMismatchException"
    asyncio.run(clock.advance(2))  # past 10 minutes: the token is forgotten, the request runs again
    ddb.transact_write_items(CTX, {**_add("1"), "ClientRequestToken": "t1"})
    assert _count(ddb) == "2"
    asyncio.run(clock.advance(601))
    ddb.transact_write_items(CTX, {**_add("1"), "ClientRequestToken": "t2"})
    with store.read() as txn:
        assert txn.get(NS_TOKENS, "000000000000/us-east-1/t1") is None  # expired entries are swept
        assert len(list(txn.scan(NS_TOKEN_EXPIRY))) == 1
