"""What the single-item fast paths keep in memory must never show through: the table-definition
cache (catalog.py) follows DeleteTable/CreateTable and UpdateTable at once, the item statistics
(stats.py) stay exact across a clean restart and a kill -9 (and earlier versions' rows are migrated), UpdateItem's incremental item size
equals a full recount, and items stored in the earlier JSON format still read back."""

from __future__ import annotations

import base64
import json
from typing import Any

from cloudlet.aws.protocols import jsonshape
from cloudlet.services.base import RawJson
from cloudlet.services.dynamodb import storage
from cloudlet.services.dynamodb.catalog import NS_STATS
from cloudlet.services.dynamodb.values import item_size
from cloudlet.store import SqliteStore
from tests.dynamodb.support import error_of, unique


def _wait_active(client: Any, name: str) -> None:
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})


def _create(client: Any, name: str, hash_: tuple[str, str], range_: tuple[str, str] | None = None) -> None:
    defs = [{"AttributeName": hash_[0], "AttributeType": hash_[1]}]
    schema = [{"AttributeName": hash_[0], "KeyType": "HASH"}]
    if range_:
        defs.append({"AttributeName": range_[0], "AttributeType": range_[1]})
        schema.append({"AttributeName": range_[0], "KeyType": "RANGE"})
    client.create_table(
        TableName=name, AttributeDefinitions=defs, KeySchema=schema, BillingMode="PAY_PER_REQUEST"
    )
    _wait_active(client, name)


def test_recreated_table_with_another_key_schema_is_seen_at_once(ddb: Any) -> None:
    name = unique()
    _create(ddb, name, ("pk", "S"))
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}
    ddb.delete_table(TableName=name)
    code, _ = error_of(ddb.get_item, TableName=name, Key={"pk": {"S": "a"}})
    assert code == "ResourceNotFoundException"
    _create(ddb, name, ("id", "N"), ("sk", "S"))
    code, message = error_of(ddb.put_item, TableName=name, Item={"pk": {"S": "a"}})
    assert code == "ValidationException" and "Missing the key id" in message
    ddb.put_item(TableName=name, Item={"id": {"N": "7"}, "sk": {"S": "x"}})
    assert ddb.get_item(TableName=name, Key={"id": {"N": "7"}, "sk": {"S": "x"}})["Item"] == {
        "id": {"N": "7"},
        "sk": {"S": "x"},
    }
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == 1  # the old table's statistics are not carried over
    ddb.delete_table(TableName=name)


def _add_index_on_g(ddb: Any, name: str, projection: str) -> None:
    ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": projection},
                }
            }
        ],
    )


def test_gsi_added_by_update_table_is_maintained_by_the_next_put(ddb: Any) -> None:
    name = unique()
    _create(ddb, name, ("pk", "S"))
    ddb.put_item(TableName=name, Item={"pk": {"S": "before"}, "g": {"S": "x"}})
    _add_index_on_g(ddb, name, "ALL")
    # the new index key type applies to the very next write
    code, message = error_of(ddb.put_item, TableName=name, Item={"pk": {"S": "bad"}, "g": {"N": "1"}})
    assert code == "ValidationException" and "IndexName: by-g" in message
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}, "g": {"S": "x"}})
    found = ddb.query(
        TableName=name,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    )["Items"]
    assert sorted(i["pk"]["S"] for i in found) == ["after", "before"]
    index = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert index["ItemCount"] == 2
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-g"}}])
    ddb.put_item(TableName=name, Item={"pk": {"S": "later"}, "g": {"N": "1"}})  # no index: any type
    assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 3
    # the same index name again: backfilled from the items (the N-typed one is skipped), and its
    # figures start afresh rather than from the deleted index's
    _add_index_on_g(ddb, name, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "last"}, "g": {"S": "y"}})
    index = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert index["ItemCount"] == 3
    ddb.delete_table(TableName=name)


def _exact_stats(client: Any, name: str) -> tuple[int, int]:
    items = [i for page in client.get_paginator("scan").paginate(TableName=name) for i in page["Items"]]
    return len(items), sum(item_size(i) for i in items)


def _described(client: Any, name: str) -> tuple[int, int]:
    table = client.describe_table(TableName=name)["Table"]
    return table["ItemCount"], table["TableSizeBytes"]


def test_blind_puts_keep_exact_statistics(ddb: Any) -> None:
    # a PutItem that needs nothing of the item it replaces (no condition, ReturnValues or
    # consumed capacity, no index) does not read it in the request (Txn.put_counted): the figures
    # still count what it replaced, and the other puts still see what it wrote
    name = unique()
    _create(ddb, name, ("pk", "S"))
    for n in range(12):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{n % 5}"}, "v": {"S": "é" * (n + 1)}})
    assert _described(ddb, name) == _exact_stats(ddb, name)
    assert _described(ddb, name)[0] == 5
    old = ddb.put_item(TableName=name, Item={"pk": {"S": "k1"}, "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert old["Attributes"] == {"pk": {"S": "k1"}, "v": {"S": "é" * 12}}
    out = ddb.put_item(TableName=name, Item={"pk": {"S": "k2"}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    assert _described(ddb, name) == _exact_stats(ddb, name)
    # BatchWriteItem's puts are blind too
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"k{n}"}, "v": {"S": "b" * n}}}} for n in range(3, 8)]
    ddb.batch_write_item(RequestItems={name: [*puts, {"DeleteRequest": {"Key": {"pk": {"S": "k0"}}}}]})
    assert _described(ddb, name) == _exact_stats(ddb, name)
    assert _described(ddb, name)[0] == 7  # k1..k7
    ddb.delete_table(TableName=name)


def test_update_item_size_is_exact(ddb: Any) -> None:
    name = unique()
    _create(ddb, name, ("pk", "S"))
    key = {"pk": {"S": "k"}}
    ddb.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET a = :s",
        ExpressionAttributeValues={":s": {"S": "héllo"}},
    )
    ddb.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET m = :m, n = :n ADD c :one",
        ExpressionAttributeValues={
            ":m": {"M": {"x": {"L": [{"N": "1"}]}}},
            ":n": {"N": "-12.5"},
            ":one": {"N": "1"},
        },
    )
    ddb.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET m.x[1] = :b REMOVE a",
        ExpressionAttributeValues={":b": {"B": b"\x00\x01"}},
    )
    ddb.update_item(TableName=name, Key=key, AttributeUpdates={"c": {"Action": "ADD", "Value": {"N": "5"}}})
    assert _described(ddb, name) == _exact_stats(ddb, name)
    ddb.delete_table(TableName=name)


def _fill(client: Any, name: str, start: int, n: int) -> None:
    for i in range(start, start + n):
        client.put_item(TableName=name, Item={"pk": {"S": f"p{i}"}, "g": {"S": "x"}, "v": {"N": str(i)}})
    client.delete_item(TableName=name, Key={"pk": {"S": f"p{start}"}})
    client.update_item(
        TableName=name,
        Key={"pk": {"S": f"p{start + 1}"}},
        UpdateExpression="SET big = :b",
        ExpressionAttributeValues={":b": {"S": "y" * 500}},
    )


def test_statistics_survive_clean_restart_and_kill(cloudlet_factory: Any) -> None:
    server = cloudlet_factory(settings={"services": "dynamodb"})
    client = server.client("dynamodb")
    name = "stats-test"
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    _wait_active(client, name)
    _fill(client, name, 0, 20)
    expected = _exact_stats(client, name)
    assert expected[0] == 19 and _described(client, name) == expected
    index_before = client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert index_before["ItemCount"] == 19

    server.stop()
    server.start()
    client = server.client("dynamodb")
    assert _described(client, name) == expected
    _fill(client, name, 100, 10)
    expected = _exact_stats(client, name)

    server.kill()  # the figures commit with the items: nothing to recount
    server.start()
    client = server.client("dynamodb")
    assert _described(client, name) == expected
    index = client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert index["ItemCount"] == expected[0]

    server.kill()  # killed again before any write: still exact
    server.start()
    client = server.client("dynamodb")
    assert _described(client, name) == expected
    _fill(client, name, 200, 5)
    assert _described(client, name) == _exact_stats(client, name)


def test_statistics_rows_of_earlier_versions_become_counters(cloudlet_factory: Any) -> None:
    """Earlier versions kept a JSON row per table (exact after a clean stop; stamped with the run
    id while that run held deltas in memory, so a stamped row may be stale)."""
    server = cloudlet_factory(settings={"services": "dynamodb"})
    client = server.client("dynamodb")
    for name in ("clean", "stamped"):
        _create(client, name, ("pk", "S"))
        _fill(client, name, 0, 12)
    expected = {name: _exact_stats(client, name) for name in ("clean", "stamped")}
    ids = {name: client.describe_table(TableName=name)["Table"]["TableId"] for name in ("clean", "stamped")}
    server.stop()

    store = SqliteStore(server.state_dir / "state.db")
    with store.write() as txn:
        for table_id in ids.values():
            txn.drop_counters(f"dynamodb/{table_id}/")
        count, size = expected["clean"]
        txn.put_doc(NS_STATS, ids["clean"], {"c": count, "s": size, "i": {}})
        txn.put_doc(NS_STATS, ids["stamped"], {"c": 3, "s": 1, "i": {}, "o": "a-run-that-died"})
        txn.put_doc(NS_STATS, "a-deleted-table", {"c": 1, "s": 1, "i": {}})
    store.close()

    server.start()
    client = server.client("dynamodb")
    assert {name: _described(client, name) for name in ("clean", "stamped")} == expected
    _fill(client, "stamped", 100, 3)
    assert _described(client, "stamped") == _exact_stats(client, "stamped")
    server.stop()
    store = SqliteStore(server.state_dir / "state.db")
    with store.read() as txn:
        assert list(txn.scan(NS_STATS)) == []  # every row moved (or dropped: its table is gone)
    store.close()


def test_items_stored_as_json_by_earlier_versions_still_read() -> None:
    item = {"pk": {"S": "k"}, "b": {"B": b"\x00\xff"}, "l": {"L": [{"BS": [b"a"]}, {"M": {"x": {"N": "1"}}}]}}
    wire: dict[str, Any] = {
        "pk": {"S": "k"},
        "b": {"B": base64.b64encode(b"\x00\xff").decode()},
        "l": {"L": [{"BS": [base64.b64encode(b"a").decode()]}, {"M": {"x": {"N": "1"}}}]},
    }
    size = item_size(item)
    raw_binary = b"X" + size.to_bytes(4, "big") + json.dumps(wire).encode()
    assert storage.load_item(raw_binary) == item
    assert storage.stored_size(raw_binary) == size
    plain = {"pk": {"S": "k\ud800"}, "n": {"N": "1"}}
    raw_plain = (
        b"J" + (9).to_bytes(4, "big") + json.dumps(plain, ensure_ascii=False).encode("utf-8", "surrogatepass")
    )
    assert storage.load_item(raw_plain) == plain
    # what is written now round-trips, lone surrogates and binary included
    mixed = {**item, "s": {"S": "x\udfff"}}
    assert storage.load_item(storage.dump_item(mixed)) == mixed
    # and earlier formats are never spliced into a response: they are decoded
    assert storage.wire(raw_binary) == item and storage.wire(raw_plain) == plain


def test_items_are_stored_as_their_wire_json_and_returned_without_decoding() -> None:
    plain = {"pk": {"S": "k é"}, "n": {"N": "1.5"}, "ok": {"BOOL": True}, "z": {"NULL": True}}
    raw = storage.dump_item(plain)
    assert raw[:1] == b"W" and storage.stored_size(raw) == item_size(plain)
    spliced = storage.wire(raw)
    assert isinstance(spliced, RawJson) and json.loads(spliced.data) == plain
    assert storage.load_item(raw) == plain

    binary = {"pk": {"S": "k"}, "m": {"M": {"b": {"B": b"\x00\xff"}, "bs": {"BS": [b"a", b""]}}}}
    raw = storage.dump_item(binary)
    assert raw[:1] == b"Y"  # binary values are base64 in the stored JSON, as on the wire
    spliced = storage.wire(raw)
    assert isinstance(spliced, RawJson)
    assert json.loads(spliced.data) == {
        "pk": {"S": "k"},
        "m": {"M": {"b": {"B": "AP8="}, "bs": {"BS": ["YQ==", ""]}}},
    }
    assert storage.load_item(raw) == binary

    surrogate = {"pk": {"S": "k\ud800"}}
    raw = storage.dump_item(surrogate)
    assert raw[:1] == b"P"  # not valid UTF-8: pickled, decoded on every read
    assert storage.wire(raw) == surrogate

    # a response mixing spliced items with one the fast encoder refuses is still one document
    doc = {"Items": [storage.wire(storage.dump_item(plain)), surrogate]}
    assert json.loads(jsonshape.dumps(doc)) == {"Items": [plain, {"pk": {"S": "k\ud800"}}]}

    # a page of stored items is one JSON array when every item is in wire form, else a list
    page = storage.wire_list([storage.dump_item(plain), storage.dump_item(plain)])
    assert isinstance(page, RawJson) and json.loads(page.data) == [plain, plain]
    assert json.loads(jsonshape.dumps({"Items": page})) == {"Items": [plain, plain]}
    mixed_page = storage.wire_list([storage.dump_item(plain), raw])
    assert isinstance(mixed_page, list) and mixed_page[1] == surrogate
    empty = storage.wire_list([])
    assert isinstance(empty, RawJson) and empty.data == b"[]"


def test_whole_items_read_back_exactly_through_get_item_query_and_scan(ddb: Any) -> None:
    name = unique()
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    items = [
        {"pk": {"S": "p"}, "sk": {"N": "1"}, "s": {"S": "ünï ✓"}, "n": {"N": "-0.000123"}},
        {"pk": {"S": "p"}, "sk": {"N": "2"}, "b": {"B": b"\x00\x01"}, "bs": {"BS": [b"x", b"y"]}},
        {"pk": {"S": "p"}, "sk": {"N": "3"}, "l": {"L": [{"M": {"b": {"B": b"\xff"}}}, {"NULL": True}]}},
        {"pk": {"S": "p"}, "sk": {"N": "4"}, "s": {"S": "lone \ud800 surrogate"}},
    ]
    for item in items:
        ddb.put_item(TableName=name, Item=item)
    for item in items:
        assert ddb.get_item(TableName=name, Key={"pk": item["pk"], "sk": item["sk"]})["Item"] == item
    got = ddb.query(
        TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}
    )
    assert got["Items"] == items
    page = ddb.query(
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Limit=2,
    )
    assert page["Items"] == items[:2] and page["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "2"}}
    assert ddb.scan(TableName=name)["Items"] == items


def test_query_and_scan_past_the_inline_budget_move_to_the_pool_and_answer_in_full(ddb: Any) -> None:
    """Query/Scan start on the event loop and restart on the pool past query.INLINE_BUDGET
    entries read: the answer is the same either way, on each side of the budget."""
    from cloudlet.services.dynamodb.query import INLINE_BUDGET

    name = unique()
    _create(ddb, name, ("pk", "S"), ("sk", "N"))
    total = INLINE_BUDGET + 50
    for start in range(0, total, 25):
        ddb.batch_write_item(
            RequestItems={
                name: [
                    {
                        "PutRequest": {
                            "Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}, "odd": {"BOOL": i % 2 == 1}}
                        }
                    }
                    for i in range(start, min(start + 25, total))
                ]
            }
        )
    for upto in (INLINE_BUDGET - 1, INLINE_BUDGET, INLINE_BUDGET + 1, total):
        got = ddb.query(
            TableName=name,
            KeyConditionExpression="pk = :p AND sk < :n",
            ExpressionAttributeValues={":p": {"S": "p"}, ":n": {"N": str(upto)}},
        )
        assert [int(i["sk"]["N"]) for i in got["Items"]] == list(range(upto))
        assert got["ScannedCount"] == upto and "LastEvaluatedKey" not in got
    # a filter that keeps few items still reads (and counts) every entry
    scan = ddb.scan(
        TableName=name,
        FilterExpression="odd = :t AND sk > :n",
        ExpressionAttributeValues={":t": {"BOOL": True}, ":n": {"N": str(total - 5)}},
    )
    assert sorted(int(i["sk"]["N"]) for i in scan["Items"]) == [total - 3, total - 1]
    assert scan["ScannedCount"] == total
