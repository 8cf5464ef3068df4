"""Durability: SIGKILL the server while a client streams PutItem and TransactWriteItems; after a
restart on the same state directory every acknowledged write is there and no transaction is half
applied. A short run is in the fast suite; the long one (several kill cycles) is marked slow."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

TABLE = "crash-test"


def _stream(server: Any, stop: threading.Event, acked: list[tuple[str, int]], start: int) -> None:
    client = _client(server)
    i = start
    while not stop.is_set():
        try:
            if i % 2 == 0:
                client.put_item(TableName=TABLE, Item={"pk": {"S": f"p{i}"}, "n": {"N": str(i)}})
                acked.append(("put", i))
            else:
                client.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"a{i}"}, "n": {"N": str(i)}}}},
                        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"b{i}"}, "n": {"N": str(i)}}}},
                        {
                            "Update": {
                                "TableName": TABLE,
                                "Key": {"pk": {"S": "counter"}},
                                "UpdateExpression": "ADD c :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}},
                            }
                        },
                    ]
                )
                acked.append(("txn", i))
        except (BotoCoreError, ClientError, OSError):
            return  # the server died under us: this write is unacknowledged
        i += 1


def _client(server: Any) -> Any:
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 0}, connect_timeout=2, read_timeout=5),
    )


def _check(server: Any, acked: list[tuple[str, int]]) -> None:
    client = _client(server)
    items: dict[str, int] = {}
    for page in client.get_paginator("scan").paginate(TableName=TABLE):
        for item in page["Items"]:
            if item["pk"]["S"] == "counter":
                items["counter"] = int(item["c"]["N"])
            else:
                items[item["pk"]["S"]] = int(item["n"]["N"])
    for kind, i in acked:
        if kind == "put":
            assert items.get(f"p{i}") == i, f"acknowledged PutItem {i} lost"
        else:
            assert items.get(f"a{i}") == i and items.get(f"b{i}") == i, f"acknowledged transaction {i} lost"
    halves = {k[1:] for k in items if k[0] in "ab"}
    for i in halves:
        assert f"a{i}" in items and f"b{i}" in items, f"transaction {i} half applied"
    txns = len(halves)
    assert items.get("counter", 0) == txns, "counter disagrees with the applied transactions"
    # the statistics commit with the items: exact after the kill too
    assert client.describe_table(TableName=TABLE)["Table"]["ItemCount"] == len(items)


def _run(cloudlet_factory: Any, cycles: int, seconds: float) -> None:
    server = cloudlet_factory(settings={"services": "dynamodb"})
    _client(server).create_table(
        TableName=TABLE,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    acked: list[tuple[str, int]] = []
    start = 0
    for _ in range(cycles):
        stop = threading.Event()
        threads = [
            threading.Thread(target=_stream, args=(server, stop, acked, start + k * 1_000_000))
            for k in range(3)
        ]
        for t in threads:
            t.start()
        time.sleep(seconds)
        server.kill()  # SIGKILL mid-stream
        stop.set()
        for t in threads:
            t.join(10)
        server.start()
        _check(server, acked)
        start += 10_000_000
    assert len(acked) > 10 * cycles


def test_crash_keeps_acknowledged_writes(cloudlet_factory: Any) -> None:
    _run(cloudlet_factory, cycles=1, seconds=1.5)


@pytest.mark.slow
def test_crash_repeatedly(cloudlet_factory: Any) -> None:
    _run(cloudlet_factory, cycles=5, seconds=4.0)
