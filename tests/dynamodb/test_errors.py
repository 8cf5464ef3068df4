"""Error paths through boto3 (with botocore's own checks off, so the server's answer is seen):
AWS's codes and texts for malformed values, placeholders, paging keys, segments, limits."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.support import error_of


@pytest.fixture(scope="module")
def table(make_table: Any) -> str:
    return make_table()


@pytest.mark.parametrize(
    ("call", "kwargs", "code", "message"),
    [
        (
            "describe_table",
            {"TableName": "ab"},
            "ValidationException",
            "TableName must be at least 3 characters long and at most 255 characters long",
        ),
        (
            "put_item",
            {"Item": {"pk": {"S": "a"}, "x": {"NULL": False}}},
            "ValidationException",
            "One or more parameter values were invalid: Null attribute value types must have the value of true",
        ),
        (
            "put_item",
            {"Item": {"pk": {"S": "a"}, "x": {}}},
            "ValidationException",
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            "put_item",
            {"Item": {"pk": {"S": "a"}, "x": {"S": "a", "N": "1"}}},
            "ValidationException",
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ),
        (
            "put_item",
            {"Item": {"pk": {"S": "a"}, "x": {"N": "dog"}}},
            "ValidationException",
            "The parameter cannot be converted to a numeric value: dog",
        ),
        (
            "put_item",
            {"Item": {"pk": {"S": "a"}}, "ExpressionAttributeValues": {":a": {"S": "a"}}},
            "ValidationException",
            "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null",
        ),
        (
            "update_item",
            {"Key": {"pk": {"S": "a"}}, "ExpressionAttributeValues": {":a": {"S": "a"}}},
            "ValidationException",
            "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and "
            "ConditionExpression are null",
        ),
        (
            "get_item",
            {"Key": {"pk": {"S": "a"}}, "ExpressionAttributeNames": {"#a": "a"}},
            "ValidationException",
            "ExpressionAttributeNames can only be specified when using expressions",
        ),
        (
            "get_item",
            {"Key": {"pk": {"S": "a"}}, "AttributesToGet": ["a", "a"]},
            "ValidationException",
            "One or more parameter values were invalid: Duplicate value in attribute name: a",
        ),
        (
            "query",
            {
                "KeyConditionExpression": "pk = :a",
                "ExpressionAttributeValues": {":a": {"S": "a"}},
                "ExclusiveStartKey": {"pk": {"S": "a"}},
            },
            "ValidationException",
            "The query can return at most one row and cannot be restarted",
        ),
        (
            "scan",
            {"Segment": 1, "TotalSegments": 2, "ExclusiveStartKey": {"pk": {"S": "zzzzz"}}},
            "ValidationException",
            "The provided Exclusive start key does not map to the provided Segment and TotalSegments values.",
        ),
        (
            "scan",
            {"ExclusiveStartKey": {"pk": {"N": "1"}}},
            "ValidationException",
            "The provided key element does not match the schema",
        ),
        (
            "update_table",
            {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "nope"}}]},
            "ResourceNotFoundException",
            "Requested resource not found: Index: nope not found",
        ),
        (
            "update_table",
            {
                "GlobalSecondaryIndexUpdates": [
                    {"Delete": {"IndexName": "nope"}, "Update": {"IndexName": "nope"}}
                ]
            },
            "ValidationException",
            "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, "
            "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null",
        ),
    ],
)
def test_error_texts(
    ddb_raw: Any, table: str, call: str, kwargs: dict[str, Any], code: str, message: str
) -> None:
    kwargs = {"TableName": table, **kwargs}
    assert error_of(getattr(ddb_raw, call), **kwargs) == (code, message)


def test_create_table_value_errors(ddb_raw: Any) -> None:
    base = {
        "TableName": "value-errors",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    }
    assert error_of(
        ddb_raw.create_table,
        **base,
        ProvisionedThroughput={"ReadCapacityUnits": 1000000000001, "WriteCapacityUnits": 1},
    ) == ("ValidationException", "Given value 1000000000001 for ReadCapacityUnits is out of bounds")
    code, msg = error_of(
        ddb_raw.create_table,
        **{
            **base,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "a", "KeyType": "RANGE"},
                {"AttributeName": "b", "KeyType": "RANGE"},
            ],
        },
        BillingMode="PAY_PER_REQUEST",
    )
    assert msg == (
        "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), "
        "KeySchemaElement(attributeName=a, keyType=RANGE), KeySchemaElement(attributeName=b, keyType=RANGE)]' "
        "at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2"
    )
    code, msg = error_of(
        ddb_raw.create_table,
        **{
            **base,
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "x", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "y", "KeyType": "RANGE"},
            ],
        },
        BillingMode="PAY_PER_REQUEST",
    )
    assert msg == (
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [pk, y], AttributeDefinitions: [pk, x]"
    )
    code, msg = error_of(
        ddb_raw.create_table,
        **base,
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    assert code == "ValidationException" and "Streams" in msg


REQUIRED = "The parameter 'TableName' is required but was not present in the request"
PATTERN = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"


@pytest.mark.parametrize(
    ("call", "kwargs", "message"),
    [
        # a table operation without TableName: this text alone, whatever else is wrong (AWS)
        ("create_table", {"KeySchema": []}, REQUIRED),
        ("describe_table", {}, REQUIRED),
        ("delete_table", {}, REQUIRED),
        ("update_table", {"ProvisionedThroughput": {}}, REQUIRED),
        # a name of the right length with a character outside the pattern, as for item operations
        (
            "describe_table",
            {"TableName": "a b c"},
            f"1 validation error detected: Value 'a b c' at 'tableName' failed to satisfy constraint: {PATTERN}",
        ),
        (
            "delete_table",
            {"TableName": "x!y"},
            f"1 validation error detected: Value 'x!y' at 'tableName' failed to satisfy constraint: {PATTERN}",
        ),
        (
            "get_item",
            {"TableName": "x!y", "Key": {"pk": {"S": "a"}}},
            f"1 validation error detected: Value 'x!y' at 'tableName' failed to satisfy constraint: {PATTERN}",
        ),
    ],
)
def test_table_name_texts(ddb_raw: Any, call: str, kwargs: dict[str, Any], message: str) -> None:
    assert error_of(getattr(ddb_raw, call), **kwargs) == ("ValidationException", message)


ENUM = "failed to satisfy constraint: Member must satisfy enum value set: "


@pytest.mark.parametrize(
    ("call", "kwargs", "message"),
    [
        # DynamoDB lists an enum's values in its own (Java set) order, not sorted (dynalite's
        # recordings; the parity suite's 2026 captures)
        (
            "scan",
            {"ReturnConsumedCapacity": "BOGUS"},
            f"1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' {ENUM}[INDEXES, TOTAL, NONE]",
        ),
        (
            "scan",
            {"Select": "BOGUS"},
            f"1 validation error detected: Value 'BOGUS' at 'select' {ENUM}"
            "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]",
        ),
        (
            "update_item",
            {"Key": {"pk": {"S": "a"}}, "ReturnValues": "BOGUS"},
            f"1 validation error detected: Value 'BOGUS' at 'returnValues' {ENUM}"
            "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
        ),
        (
            "put_item",
            {"Item": {"pk": {"S": "a"}}, "ReturnItemCollectionMetrics": "BOGUS"},
            f"1 validation error detected: Value 'BOGUS' at 'returnItemCollectionMetrics' {ENUM}[SIZE, NONE]",
        ),
    ],
)
def test_enum_values_in_dynamodb_order(
    ddb_raw: Any, table: str, call: str, kwargs: dict[str, Any], message: str
) -> None:
    assert error_of(getattr(ddb_raw, call), TableName=table, **kwargs) == ("ValidationException", message)


def test_batch_paths_name_map_values_as_members(ddb_raw: Any, table: str) -> None:
    code, msg = error_of(ddb_raw.batch_get_item, RequestItems={table: {"ConsistentRead": True}})
    assert msg == (
        f"1 validation error detected: Value null at 'requestItems.{table}.member.keys' failed to satisfy "
        "constraint: Member must not be null"
    )


def test_batch_texts_are_the_services_own(ddb_raw: Any, table: str) -> None:
    """The batch maps' and key lists' lengths are checked in DynamoDB's own words (the spec's
    [aws] rows), and a batch put whose key does not fit the schema says so plainly (parity suite)."""
    for call, op in ((ddb_raw.batch_get_item, "BatchGetItem"), (ddb_raw.batch_write_item, "BatchWriteItem")):
        assert error_of(call, RequestItems={}) == (
            "ValidationException",
            f"The requestItems parameter is required for {op}",
        )
    for keys, bound in (
        ([], "greater than or equal to 1"),
        ([{"pk": {"S": str(i)}} for i in range(101)], "less than or equal to 100"),
    ):
        code, msg = error_of(ddb_raw.batch_get_item, RequestItems={table: {"Keys": keys}})
        assert msg == (
            f"1 validation error detected: Value at 'RequestItems.{table}.member.Keys' failed to satisfy "
            f"constraint: Member must have length {bound}"
        )
    for item in ({"pk": {"N": "5"}}, {"other": {"S": "x"}}):
        code, msg = error_of(ddb_raw.batch_write_item, RequestItems={table: [{"PutRequest": {"Item": item}}]})
        assert (code, msg) == ("ValidationException", "The provided key element does not match the schema")


NAME_RULES = (
    "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have "
    "length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"
)


def test_bad_table_names_in_batches_and_transactions(ddb_raw: Any, table: str) -> None:
    """Where a name sits decides the text (the parity suite's AWS captures)."""
    code, msg = error_of(ddb_raw.batch_get_item, RequestItems={"bad!name": {"Keys": [{"pk": {"S": "a"}}]}})
    assert msg == (
        '1 validation error detected: Value \'{"bad!name":{"Keys":[{"pk":{"S":"a"}}]}}\' at '
        f"'requestItems' failed to satisfy constraint: {NAME_RULES}"
    )
    code, msg = error_of(
        ddb_raw.batch_write_item, RequestItems={"bad!name": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]}
    )
    assert msg == (
        "1 validation error detected: Value '{bad!name=[WriteRequest(putRequest=PutRequest(item={pk={S: a,}}))]}' "
        f"at 'requestItems' failed to satisfy constraint: {NAME_RULES}"
    )
    pattern = "failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    code, msg = error_of(
        ddb_raw.transact_get_items,
        TransactItems=[
            {"Get": {"TableName": table, "Key": {"pk": {"S": "a"}}}},
            {"Get": {"TableName": "bad!name", "Key": {"pk": {"S": "a"}}}},
        ],
    )
    assert (
        msg
        == f"1 validation error detected: Value 'bad!name' at 'transactItems.2.member.get.tableName' {pattern}"
    )
    code, msg = error_of(
        ddb_raw.transact_write_items,
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": "bad!name",
                    "Key": {"pk": {"S": "a"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            }
        ],
    )
    assert msg == (
        f"1 validation error detected: Value 'bad!name' at 'transactItems.1.member.conditionCheck.tableName' {pattern}"
    )
    # one BatchGetItem is one request: expressions for one table, AttributesToGet for another, mix
    other = "mix-" + table
    code, msg = error_of(
        ddb_raw.batch_get_item,
        RequestItems={
            table: {"Keys": [{"pk": {"S": "a"}}], "ProjectionExpression": "pk"},
            other: {"Keys": [{"pk": {"S": "a"}}], "AttributesToGet": ["pk"]},
        },
    )
    assert msg.startswith("Can not use both expression and non-expression parameters in the same request")


def test_transaction_token_length(ddb_raw: Any, table: str) -> None:
    code, msg = error_of(
        ddb_raw.transact_write_items,
        ClientRequestToken="x" * 37,
        TransactItems=[{"Put": {"TableName": table, "Item": {"pk": {"S": "x"}}}}],
    )
    assert msg == (
        "1 validation error detected: Value 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' at 'clientRequestToken' "
        "failed to satisfy constraint: Member must have length less than or equal to 36"
    )
