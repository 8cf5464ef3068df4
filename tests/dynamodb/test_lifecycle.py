"""Table lifecycle with a status delay (CREATING -> ACTIVE, UPDATING -> ACTIVE), data surviving a
clean restart, and table ARNs as TableName."""

from __future__ import annotations

import time
from typing import Any

from tests.dynamodb.support import error_of


def test_creating_then_active(cloudlet_factory: Any) -> None:
    server = cloudlet_factory(
        settings={"services": "dynamodb"}, env={"CLOUDLET_DYNAMODB_STATUS_DELAY": "1.5"}
    )
    ddb = server.client("dynamodb")
    ddb.create_table(
        TableName="slow",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert ddb.describe_table(TableName="slow")["Table"]["TableStatus"] == "CREATING"
    assert error_of(ddb.put_item, TableName="slow", Item={"pk": {"S": "a"}}) == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )
    assert error_of(ddb.delete_table, TableName="slow") == (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table is being created: slow",
    )
    ddb.get_waiter("table_exists").wait(TableName="slow", WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    ddb.put_item(TableName="slow", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    desc = ddb.update_table(
        TableName="slow",
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "byg",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )["TableDescription"]
    assert desc["TableStatus"] == "UPDATING"
    index = ddb.describe_table(TableName="slow")["Table"]["GlobalSecondaryIndexes"][0]
    assert index["IndexStatus"] == "CREATING" and index["Backfilling"] is True
    time.sleep(1.6)
    table = ddb.describe_table(TableName="slow")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    out = ddb.query(
        TableName="slow",
        IndexName="byg",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    )
    assert out["Count"] == 1
    server.restart()
    ddb = server.client("dynamodb")
    assert ddb.get_item(TableName="slow", Key={"pk": {"S": "a"}})["Item"]["g"] == {"S": "x"}
    assert ddb.describe_table(TableName="slow")["Table"]["ItemCount"] == 1


def test_table_arn_as_table_name(ddb: Any, make_table: Any) -> None:
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.put_item(TableName=arn, Item={"pk": {"S": "via-arn"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "via-arn"}})["Item"] == {"pk": {"S": "via-arn"}}
    assert ddb.describe_table(TableName=arn)["Table"]["TableName"] == name
