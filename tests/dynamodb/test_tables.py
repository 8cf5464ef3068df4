"""Control plane through boto3: CreateTable/DescribeTable/UpdateTable/DeleteTable/ListTables,
tags, limits, endpoints, and their error texts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.support import error_of, unique

DEFS = [{"AttributeName": "pk", "AttributeType": "S"}]
SCHEMA = [{"AttributeName": "pk", "KeyType": "HASH"}]


def test_create_describe_delete(ddb: Any) -> None:
    name = unique()
    out = ddb.create_table(
        TableName=name,
        AttributeDefinitions=DEFS,
        KeySchema=SCHEMA,
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
        Tags=[{"Key": "env", "Value": "test"}],
    )["TableDescription"]
    assert out["TableStatus"] == "CREATING"
    assert out["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    assert out["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert "BillingModeSummary" not in out
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["ItemCount"] == 0 and desc["TableSizeBytes"] == 0
    assert len(desc["TableId"]) == 36
    assert ddb.list_tags_of_resource(ResourceArn=desc["TableArn"])["Tags"] == [
        {"Key": "env", "Value": "test"}
    ]
    code, msg = error_of(
        ddb.create_table,
        TableName=name,
        AttributeDefinitions=DEFS,
        KeySchema=SCHEMA,
        BillingMode="PAY_PER_REQUEST",
    )
    assert (code, msg) == ("ResourceInUseException", f"Table already exists: {name}")
    gone = ddb.delete_table(TableName=name)["TableDescription"]
    assert gone["TableStatus"] == "DELETING"
    assert (gone["TableId"], gone["TableArn"]) == (desc["TableId"], desc["TableArn"])
    assert gone["ItemCount"] == 0 and "ProvisionedThroughput" in gone
    # DeleteTable's answer leaves the schema out (AWS, per alternator's test_table)
    for absent in ("CreationDateTime", "KeySchema", "AttributeDefinitions"):
        assert absent not in gone
    code, msg = error_of(ddb.describe_table, TableName=name)
    assert code == "ResourceNotFoundException"
    assert msg == f"Requested resource not found: Table: {name} not found"


def test_create_pay_per_request_with_indexes(ddb: Any) -> None:
    name = unique()
    desc = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "B"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi1",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        SSESpecification={"Enabled": True},
        TableClass="STANDARD_INFREQUENT_ACCESS",
        DeletionProtectionEnabled=True,
    )["TableDescription"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ProvisionedThroughput"] == {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": 0,
        "WriteCapacityUnits": 0,
    }
    g = desc["GlobalSecondaryIndexes"][0]
    assert g["IndexArn"] == desc["TableArn"] + "/index/gsi1"
    assert g["IndexStatus"] == "CREATING" and "Backfilling" not in g
    assert g["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}
    assert "IndexStatus" not in desc["LocalSecondaryIndexes"][0]
    assert desc["SSEDescription"]["Status"] == "ENABLED"
    assert desc["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    code, msg = error_of(ddb.delete_table, TableName=name)
    assert code == "ValidationException"
    assert msg == (
        "Resource cannot be deleted as it is currently protected against deletion. "
        "Disable deletion protection first."
    )
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    gone = ddb.delete_table(TableName=name)["TableDescription"]
    assert "GlobalSecondaryIndexes" not in gone and "LocalSecondaryIndexes" not in gone


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (
            {"TableName": "ab"},
            "ValidationException",
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 3",
        ),
        (
            {"TableName": "bad name!"},
            "ValidationException",
            "1 validation error detected: Value 'bad name!' at 'tableName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ),
        (
            {"BillingMode": "PROVISIONED"},
            "ValidationException",
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be "
            "specified when BillingMode is PROVISIONED",
        ),
        (
            {"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
            "ValidationException",
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
            "specified when BillingMode is PAY_PER_REQUEST",
        ),
        (
            {"KeySchema": [{"AttributeName": "pk", "KeyType": "RANGE"}]},
            "ValidationException",
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            {"AttributeDefinitions": DEFS + [{"AttributeName": "x", "AttributeType": "S"}]},
            "ValidationException",
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match "
            "number of attributes defined in AttributeDefinitions",
        ),
        (
            {
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ]
            },
            "ValidationException",
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        (
            {
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "pk", "KeyType": "RANGE"},
                ]
            },
            "ValidationException",
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
        (
            {
                "LocalSecondaryIndexes": [
                    {"IndexName": "lsi", "KeySchema": SCHEMA, "Projection": {"ProjectionType": "ALL"}}
                ]
            },
            "ValidationException",
            "One or more parameter values were invalid: Table KeySchema does not have a range key, which is "
            "required when specifying a LocalSecondaryIndex",
        ),
        (
            {
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "gsi",
                        "KeySchema": SCHEMA,
                        "Projection": {"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]},
                    }
                ]
            },
            "ValidationException",
            "One or more parameter values were invalid: ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified",
        ),
        (
            {
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "gsi",
                        "KeySchema": SCHEMA,
                        "Projection": {"ProjectionType": "ALL"},
                        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                    }
                ]
            },
            "ValidationException",
            "One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: "
            "gsi when BillingMode is PAY_PER_REQUEST",
        ),
    ],
)
def test_create_table_errors(ddb: Any, params: dict[str, Any], code: str, message: str) -> None:
    base: dict[str, Any] = {
        "TableName": unique(),
        "AttributeDefinitions": DEFS,
        "KeySchema": SCHEMA,
        "BillingMode": "PAY_PER_REQUEST",
    }
    if "ProvisionedThroughput" in params or params.get("BillingMode") == "PROVISIONED":
        base.pop("BillingMode")
        if "ProvisionedThroughput" in params:
            base["BillingMode"] = "PAY_PER_REQUEST"
    assert error_of(ddb.create_table, **{**base, **params}) == (code, message)


def test_duplicate_index_names(ddb: Any) -> None:
    gsi = {"IndexName": "same", "KeySchema": SCHEMA, "Projection": {"ProjectionType": "ALL"}}
    code, msg = error_of(
        ddb.create_table,
        TableName=unique(),
        AttributeDefinitions=DEFS,
        KeySchema=SCHEMA,
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[gsi, gsi],
    )
    assert msg == "One or more parameter values were invalid: Duplicate index name: same"


def test_list_tables_pagination(ddb: Any, ddb_raw: Any, make_table: Any) -> None:
    names = sorted(make_table() for _ in range(3))
    seen: list[str] = []
    kwargs: dict[str, Any] = {"Limit": 2}
    while True:
        page = ddb.list_tables(**kwargs)
        assert len(page["TableNames"]) <= 2
        seen += page["TableNames"]
        if "LastEvaluatedTableName" not in page:
            break
        kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]
    assert seen == sorted(seen)
    assert set(names) <= set(seen)
    everything = [n for p in ddb.get_paginator("list_tables").paginate() for n in p["TableNames"]]
    assert everything == seen
    code, msg = error_of(ddb_raw.list_tables, Limit=0)
    assert code == "ValidationException" and "greater than or equal to 1" in msg


def test_tables_are_regional(cloudlet: Any, make_table: Any) -> None:
    name = make_table()
    west = cloudlet.client("dynamodb", region="us-west-2")
    assert name not in west.list_tables()["TableNames"]
    assert error_of(west.describe_table, TableName=name)[0] == "ResourceNotFoundException"


def test_update_table_throughput_and_billing(ddb: Any) -> None:
    name = unique()
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=DEFS,
        KeySchema=SCHEMA,
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    code, msg = error_of(ddb.update_table, TableName=name)
    assert msg.startswith("At least one of ProvisionedThroughput, BillingMode")
    code, msg = error_of(
        ddb.update_table,
        TableName=name,
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    assert msg.startswith("The provisioned throughput for the table will not change.")
    desc = ddb.update_table(
        TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}
    )
    assert desc["TableDescription"]["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert "LastIncreaseDateTime" in desc["TableDescription"]["ProvisionedThroughput"]
    assert desc["TableDescription"]["TableStatus"] == "UPDATING"
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    desc = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    code, msg = error_of(
        ddb.update_table,
        TableName=name,
        ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
    )
    assert "Neither ReadCapacityUnits nor WriteCapacityUnits" in msg
    code, msg = error_of(ddb.update_table, TableName=name, BillingMode="PROVISIONED")
    assert msg == (
        "One or more parameter values were invalid: ProvisionedThroughput must be specified "
        "when BillingMode is PROVISIONED"
    )
    ddb.delete_table(TableName=name)


def test_update_table_gsi_backfill_and_delete(ddb: Any, make_table: Any) -> None:
    name = make_table(range=("sk", "N"))
    for i in range(5):
        item = {"pk": {"S": "p"}, "sk": {"N": str(i)}}
        if i % 2 == 0:
            item["g"] = {"S": f"g{i % 4}"}
        ddb.put_item(TableName=name, Item=item)
    ddb.put_item(
        TableName=name, Item={"pk": {"S": "q"}, "sk": {"N": "1"}, "g": {"N": "5"}}
    )  # wrong type: skipped
    desc = ddb.update_table(
        TableName=name,
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
    out = ddb.query(
        TableName=name,
        IndexName="byg",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "g0"}},
    )
    assert sorted(int(i["sk"]["N"]) for i in out["Items"]) == [0, 4]
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 3
    code, msg = error_of(
        ddb.put_item, TableName=name, Item={"pk": {"S": "x"}, "sk": {"N": "1"}, "g": {"N": "1"}}
    )
    assert msg == (
        "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S "
        "Actual: N IndexName: byg"
    )
    two = [
        {"Delete": {"IndexName": "byg"}},
        {
            "Create": {
                "IndexName": "other",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        },
    ]
    code, msg = error_of(ddb.update_table, TableName=name, GlobalSecondaryIndexUpdates=two)
    assert code == "LimitExceededException"
    desc = ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byg"}}])
    assert desc["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "DELETING"
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]
    code, msg = error_of(
        ddb.query,
        TableName=name,
        IndexName="byg",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "g0"}},
    )
    assert msg == "The table does not have the specified index: byg"
    # an empty list of index updates is no update at all
    code, msg = error_of(ddb.update_table, TableName=name, GlobalSecondaryIndexUpdates=[])
    assert msg.startswith("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled")
    # a new index's key must be defined in the request, even the table's own sort key (AWS)
    code, msg = error_of(
        ddb.update_table,
        TableName=name,
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "bysk",
                    "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )
    assert msg == (
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [sk], AttributeDefinitions: []"
    )


def test_tags(ddb: Any, make_table: Any) -> None:
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    out = ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    assert out["ResponseMetadata"]["HTTPHeaders"]["content-length"] == "0"  # no body at all, as AWS
    out = ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert out["ResponseMetadata"]["HTTPHeaders"]["content-length"] == "0"
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    missing = arn + "x"
    code, msg = error_of(ddb.list_tags_of_resource, ResourceArn=missing)
    assert (code, msg) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourcArn: {missing} not found",
    )


def test_limits_and_endpoints(ddb: Any) -> None:
    limits = ddb.describe_limits()
    assert limits["TableMaxReadCapacityUnits"] == 40000
    assert limits["AccountMaxWriteCapacityUnits"] == 80000
    endpoints = ddb.describe_endpoints()["Endpoints"]
    assert endpoints[0]["CachePeriodInMinutes"] == 1440


def test_unsupported_operation_is_a_clear_error(ddb: Any, make_table: Any) -> None:
    name = make_table()
    code, msg = error_of(ddb.describe_time_to_live, TableName=name)
    assert "not supported" in msg


def test_resource_api(ddb_resource: Any) -> None:
    name = unique()
    table = ddb_resource.create_table(
        TableName=name, AttributeDefinitions=DEFS, KeySchema=SCHEMA, BillingMode="PAY_PER_REQUEST"
    )
    table.wait_until_exists()
    table.put_item(Item={"pk": "a", "n": 1, "s": {"x", "y"}, "m": {"k": [1, "two", None, True]}})
    got = table.get_item(Key={"pk": "a"})["Item"]
    assert got == {"pk": "a", "n": 1, "s": {"x", "y"}, "m": {"k": [1, "two", None, True]}}
    assert table.item_count == 1
    table.delete()
