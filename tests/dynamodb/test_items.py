"""PutItem/GetItem/UpdateItem/DeleteItem through boto3: conditions, ReturnValues, capacity,
limits and key rules, with AWS's error texts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.dynamodb.support import error_of


@pytest.fixture(scope="module")
def table(make_table: Any) -> str:
    return make_table(range=("sk", "N"))


@pytest.fixture(scope="module")
def simple(make_table: Any) -> str:
    return make_table()


def test_put_get_roundtrip_all_types(ddb: Any, table: str) -> None:
    item = {
        "pk": {"S": "all"},
        "sk": {"N": "1"},
        "s": {"S": "héllo"},
        "n": {"N": "1E+3"},
        "b": {"B": b"\x00\xff"},
        "t": {"BOOL": True},
        "z": {"NULL": True},
        "l": {"L": [{"S": ""}, {"N": "-0.50"}, {"M": {}}]},
        "m": {"M": {"inner": {"SS": ["a", "b"]}}},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"a", b"b"]},
    }
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "all"}, "sk": {"N": "1.0"}}, ConsistentRead=True)[
        "Item"
    ]
    assert got["n"] == {"N": "1000"}
    assert got["l"]["L"][1] == {"N": "-0.5"}
    assert got["b"] == {"B": b"\x00\xff"}
    assert sorted(got["bs"]["BS"]) == [b"a", b"b"]
    assert sorted(got["ns"]["NS"]) == ["1", "2.5"]
    assert got["m"]["M"]["inner"]["SS"] == ["a", "b"] or sorted(got["m"]["M"]["inner"]["SS"]) == ["a", "b"]


def test_get_missing_and_projection(ddb: Any, table: str) -> None:
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "nope"}, "sk": {"N": "1"}})
    ddb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "proj"},
            "sk": {"N": "1"},
            "a": {"M": {"b": {"S": "x"}, "c": {"S": "y"}}},
            "status": {"S": "on"},
        },
    )
    got = ddb.get_item(
        TableName=table,
        Key={"pk": {"S": "proj"}, "sk": {"N": "1"}},
        ProjectionExpression="a.b, #s",
        ExpressionAttributeNames={"#s": "status"},
    )["Item"]
    assert got == {"a": {"M": {"b": {"S": "x"}}}, "status": {"S": "on"}}
    got = ddb.get_item(
        TableName=table, Key={"pk": {"S": "proj"}, "sk": {"N": "1"}}, AttributesToGet=["status"]
    )["Item"]
    assert got == {"status": {"S": "on"}}


def test_put_condition_and_return_values(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "cond"}, "sk": {"N": "1"}}
    out = ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in out
    out = ddb.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"]["v"] == {"N": "1"}
    code, msg = error_of(
        ddb.put_item,
        TableName=table,
        Item={**key, "v": {"N": "3"}},
        ConditionExpression="attribute_not_exists(pk)",
    )
    assert (code, msg) == ("ConditionalCheckFailedException", "The conditional request failed")
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        ddb.put_item(
            TableName=table,
            Item={**key, "v": {"N": "3"}},
            ConditionExpression="v = :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert info.value.response["Item"]["v"] == {"N": "2"}
    ddb.put_item(
        TableName=table,
        Item={**key, "v": {"N": "3"}},
        ConditionExpression="v = :two",
        ExpressionAttributeValues={":two": {"N": "2"}},
    )
    code, msg = error_of(ddb.put_item, TableName=table, Item=key, ReturnValues="ALL_NEW")
    assert msg == "1 validation error detected: ReturnValues can only be ALL_OLD or NONE"


def test_updated_return_values_hold_only_the_written_paths(ddb: Any, table: str) -> None:
    """UPDATED_OLD/UPDATED_NEW project the old/new item on the written paths, nested as in the
    item, leaving out paths it lacks (AWS's behaviour as alternator's test_returnvalues records it)."""
    key = {"pk": {"S": "nested-rv"}, "sk": {"N": "1"}}
    n = [{"N": str(i)} for i in range(101)]
    item = {**key, "a": {"M": {"b": {"S": "dog"}, "c": {"L": [n[1], n[2], n[3]]}}}, "d": {"S": "cat"}}
    ddb.put_item(TableName=table, Item=item)

    def update(rv: str, expression: str, **values: Any) -> Any:
        out = ddb.update_item(
            TableName=table,
            Key=key,
            UpdateExpression=expression,
            ReturnValues=rv,
            **({"ExpressionAttributeValues": values} if values else {}),
        )
        return out.get("Attributes")

    assert update("UPDATED_OLD", "SET a.b = :v", **{":v": {"S": "hi"}}) == {"a": {"M": {"b": {"S": "dog"}}}}
    assert update("UPDATED_OLD", "SET a.c[1] = :v", **{":v": n[7]}) == {"a": {"M": {"c": {"L": [n[2]]}}}}
    assert update("UPDATED_NEW", "SET a.c[1] = :v, a.b = :w", **{":v": n[3], ":w": {"S": "dog"}}) == {
        "a": {"M": {"b": {"S": "dog"}, "c": {"L": [n[3]]}}}
    }
    # a.c[3] does not exist: only a.c[1] is reported
    assert update("UPDATED_OLD", "REMOVE a.c[1], a.c[3]") == {"a": {"M": {"c": {"L": [n[3]]}}}}
    assert update("UPDATED_OLD", "SET a.x1 = :v", **{":v": n[8]}) is None  # nothing was there
    assert update("UPDATED_NEW", "SET a.x2 = :v", **{":v": n[8]}) == {"a": {"M": {"x2": n[8]}}}
    # set past the end, the value lands at the end, not at [100]: nothing at the written path
    assert update("UPDATED_NEW", "SET a.c[100] = :v", **{":v": n[70]}) is None
    # removing a.c[1] shifts a.c[2] (70) into its place, and that is what is reported
    assert update("UPDATED_NEW", "REMOVE a.c[1]") == {"a": {"M": {"c": {"L": [n[70]]}}}}
    assert update("UPDATED_OLD", "SET d = :v", **{":v": {"S": "x"}}) == {"d": {"S": "cat"}}


def test_update_expressions_and_return_values(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "upd"}, "sk": {"N": "1"}}
    out = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET c = if_not_exists(c, :z) + :one, l = :l",
        ExpressionAttributeValues={":z": {"N": "0"}, ":one": {"N": "1"}, ":l": {"L": []}},
        ReturnValues="ALL_NEW",
    )
    assert out["Attributes"] == {**key, "c": {"N": "1"}, "l": {"L": []}}
    out = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="ADD c :one SET l = list_append(l, :x)",
        ExpressionAttributeValues={":one": {"N": "1"}, ":x": {"L": [{"S": "a"}]}},
        ReturnValues="UPDATED_OLD",
    )
    assert out["Attributes"] == {"c": {"N": "1"}, "l": {"L": []}}
    out = ddb.update_item(TableName=table, Key=key, UpdateExpression="REMOVE l", ReturnValues="UPDATED_NEW")
    assert "Attributes" not in out
    out = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET d = :d",
        ExpressionAttributeValues={":d": {"S": "x"}},
        ReturnValues="ALL_OLD",
    )
    assert out["Attributes"] == {**key, "c": {"N": "2"}}
    code, msg = error_of(
        ddb.update_item,
        TableName=table,
        Key=key,
        UpdateExpression="SET pk = :v",
        ExpressionAttributeValues={":v": {"S": "x"}},
    )
    assert (
        msg
        == "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
    )
    code, msg = error_of(
        ddb.update_item,
        TableName=table,
        Key=key,
        UpdateExpression="SET c = :v",
        ExpressionAttributeValues={":v": {"S": "x"}},
        ConditionExpression="c = :zero",
        ReturnValues="ALL_OLD",
    )
    assert msg == (
        "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :zero"
    )
    code, msg = error_of(
        ddb.update_item,
        TableName=table,
        Key=key,
        UpdateExpression="SET c = :v",
        ExpressionAttributeValues={":v": {"S": "x"}},
        ReturnValues="DOG",
    )
    assert msg.startswith(
        "1 validation error detected: Value 'DOG' at 'returnValues' failed to satisfy constraint: "
        "Member must satisfy enum value set: ["
    )


def test_update_upsert_and_remove_only(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "ups"}, "sk": {"N": "1"}}
    ddb.update_item(TableName=table, Key=key, UpdateExpression="REMOVE a")
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    ddb.update_item(TableName=table, Key=key, AttributeUpdates={})
    assert ddb.get_item(TableName=table, Key=key)["Item"] == key
    ddb.update_item(TableName=table, Key=key, AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "5"}}})
    assert ddb.get_item(TableName=table, Key=key)["Item"]["n"] == {"N": "5"}


def test_delete(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "del"}, "sk": {"N": "1"}}
    ddb.delete_item(TableName=table, Key=key)  # missing item: fine
    ddb.put_item(TableName=table, Item={**key, "v": {"S": "x"}})
    code, _ = error_of(
        ddb.delete_item,
        TableName=table,
        Key=key,
        ConditionExpression="v = :y",
        ExpressionAttributeValues={":y": {"S": "y"}},
    )
    assert code == "ConditionalCheckFailedException"
    out = ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {**key, "v": {"S": "x"}}
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    for rv in ("ALL_NEW", "UPDATED_NEW", "UPDATED_OLD"):  # as PutItem (AWS, as the parity suite records)
        code, msg = error_of(ddb.delete_item, TableName=table, Key=key, ReturnValues=rv)
        assert msg == "1 validation error detected: ReturnValues can only be ALL_OLD or NONE"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"sk": {"N": "1"}}, "One or more parameter values were invalid: Missing the key pk in the item"),
        (
            {"pk": {"N": "1"}, "sk": {"N": "1"}},
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
        ),
        (
            {"pk": {"S": ""}, "sk": {"N": "1"}},
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
            "empty string value. Key: pk",
        ),
        (
            {"pk": {"S": "x" * 2049}, "sk": {"N": "1"}},
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "big": {"S": "x" * 409600}},
            "Item size has exceeded the maximum allowed size",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "s": {"SS": []}},
            "One or more parameter values were invalid: An string set  may not be empty",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1e126"}},
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
    ],
)
def test_put_item_validation(ddb: Any, table: str, item: dict[str, Any], message: str) -> None:
    assert error_of(ddb.put_item, TableName=table, Item=item) == ("ValidationException", message)


def test_key_errors(ddb: Any, table: str) -> None:
    for key in (
        {"pk": {"S": "a"}},
        {"pk": {"S": "a"}, "sk": {"S": "1"}},
        {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "y"}},
    ):
        assert error_of(ddb.get_item, TableName=table, Key=key) == (
            "ValidationException",
            "The provided key element does not match the schema",
        )


def test_missing_table(ddb: Any) -> None:
    code, msg = error_of(ddb.get_item, TableName="no-such-table", Key={"pk": {"S": "a"}})
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")
    code, msg = error_of(ddb.put_item, TableName="no-such-table", Item={"pk": {"S": "a"}})
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")


def test_item_size_limit_is_exact(ddb: Any, simple: str) -> None:
    # name bytes + value bytes: "pk"(2) + "a"(1) + "big"(3) + value
    fits = 409600 - 6
    ddb.put_item(TableName=simple, Item={"pk": {"S": "a"}, "big": {"S": "x" * fits}})
    code, msg = error_of(
        ddb.put_item, TableName=simple, Item={"pk": {"S": "a"}, "big": {"S": "x" * (fits + 1)}}
    )
    assert msg == "Item size has exceeded the maximum allowed size"
    code, msg = error_of(
        ddb.update_item,
        TableName=simple,
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET y = :v",
        ExpressionAttributeValues={":v": {"S": "x"}},
    )
    assert msg == "Item size to update has exceeded the maximum allowed size"


def test_consumed_capacity(ddb: Any, make_table: Any) -> None:
    name = make_table(
        gsis=[
            {
                "IndexName": "gsi1",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        extra_defs=[("g", "S")],
    )
    out = ddb.put_item(
        TableName=name,
        Item={"pk": {"S": "a"}, "g": {"S": "x"}, "v": {"S": "y" * 1500}},
        ReturnConsumedCapacity="INDEXES",
    )
    cc = out["ConsumedCapacity"]
    assert cc["TableName"] == name
    assert cc["Table"]["CapacityUnits"] == 2.0
    assert cc["GlobalSecondaryIndexes"]["gsi1"]["CapacityUnits"] == 2.0
    assert cc["CapacityUnits"] == 4.0
    out = ddb.get_item(TableName=name, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 0.5
    out = ddb.get_item(
        TableName=name, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="TOTAL", ConsistentRead=True
    )
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    out = ddb.delete_item(TableName=name, Key={"pk": {"S": "zz"}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    out = ddb.put_item(TableName=name, Item={"pk": {"S": "b"}}, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in out


def test_item_collection_metrics(ddb: Any, make_table: Any) -> None:
    name = make_table(
        range=("sk", "S"),
        extra_defs=[("l", "S")],
        lsis=[
            {
                "IndexName": "lsi1",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    out = ddb.put_item(
        TableName=name,
        Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "l": {"S": "z"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert out["ItemCollectionMetrics"]["ItemCollectionKey"] == {"pk": {"S": "a"}}


def test_expression_errors_reach_the_client(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "e"}, "sk": {"N": "1"}}
    code, msg = error_of(
        ddb.update_item,
        TableName=table,
        Key=key,
        UpdateExpression="SET status = :v",
        ExpressionAttributeValues={":v": {"S": "x"}},
    )
    assert msg == "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"
    code, msg = error_of(
        ddb.put_item,
        TableName=table,
        Item=key,
        ConditionExpression="a = :v",
        ExpressionAttributeValues={":v": {"S": "x"}, ":u": {"S": "y"}},
    )
    assert msg == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}"
    code, msg = error_of(
        ddb.put_item,
        TableName=table,
        Item=key,
        ConditionExpression="a = :v",
        Expected={"a": {"Exists": False}},
        ExpressionAttributeValues={":v": {"S": "x"}},
    )
    assert msg.startswith("Can not use both expression and non-expression parameters in the same request")


def test_legacy_expected(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "leg"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"S": "x"}}, Expected={"pk": {"Exists": False}})
    code, _ = error_of(ddb.put_item, TableName=table, Item=key, Expected={"pk": {"Exists": False}})
    assert code == "ConditionalCheckFailedException"
    ddb.put_item(TableName=table, Item=key, Expected={"v": {"Value": {"S": "x"}}})


def test_aws_cli(cloudlet: Any, simple: str) -> None:
    put = cloudlet.aws(
        "dynamodb", "put-item", "--table-name", simple, "--item", '{"pk": {"S": "cli"}, "n": {"N": "1.50"}}'
    )
    assert put.returncode == 0, put.stderr
    got = cloudlet.aws("dynamodb", "get-item", "--table-name", simple, "--key", '{"pk": {"S": "cli"}}')
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["Item"] == {"pk": {"S": "cli"}, "n": {"N": "1.5"}}
