"""BatchGetItem/BatchWriteItem and TransactWriteItems/TransactGetItems through boto3: limits,
duplicates, atomicity, cancellation reasons in order, idempotency tokens."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.support import error_of


@pytest.fixture(scope="module")
def table(make_table: Any) -> str:
    return make_table()


@pytest.fixture(scope="module")
def other(make_table: Any) -> str:
    return make_table(hash=("id", "N"))


def put(n: int, **extra: Any) -> dict[str, Any]:
    return {"PutRequest": {"Item": {"pk": {"S": f"k{n}"}, **extra}}}


def test_batch_write_and_get(ddb: Any, table: str, other: str) -> None:
    out = ddb.batch_write_item(
        RequestItems={
            table: [put(i, v={"N": str(i)}) for i in range(20)],
            other: [{"PutRequest": {"Item": {"id": {"N": "1"}}}}],
        }
    )
    assert out["UnprocessedItems"] == {}
    keys = [{"pk": {"S": f"k{i}"}} for i in range(0, 25)]
    got = ddb.batch_get_item(
        RequestItems={
            table: {"Keys": keys, "ProjectionExpression": "v"},
            other: {"Keys": [{"id": {"N": "1"}}, {"id": {"N": "2"}}]},
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert sorted(int(i["v"]["N"]) for i in got["Responses"][table]) == list(range(20))
    assert got["Responses"][other] == [{"id": {"N": "1"}}]
    assert got["UnprocessedKeys"] == {}
    assert {c["TableName"] for c in got["ConsumedCapacity"]} == {table, other}
    ddb.batch_write_item(
        RequestItems={table: [{"DeleteRequest": {"Key": {"pk": {"S": f"k{i}"}}}} for i in range(10)]}
    )
    got = ddb.batch_get_item(RequestItems={table: {"Keys": keys[:12]}})
    assert sorted(i["pk"]["S"] for i in got["Responses"][table]) == ["k10", "k11"]


def test_batch_limits_and_duplicates(ddb: Any, table: str) -> None:
    code, msg = error_of(ddb.batch_write_item, RequestItems={table: [put(i) for i in range(26)]})
    assert msg.startswith("1 validation error detected: Value '{")
    assert (
        "at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have "
        "length less than or equal to 25" in msg
    )
    code, msg = error_of(
        ddb.batch_write_item, RequestItems={table: [put(1), {"DeleteRequest": {"Key": {"pk": {"S": "k1"}}}}]}
    )
    assert msg == "Provided list of item keys contains duplicates"
    code, msg = error_of(
        ddb.batch_get_item, RequestItems={table: {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}}
    )
    assert msg == "Provided list of item keys contains duplicates"
    code, msg = error_of(
        ddb.batch_get_item, RequestItems={table: {"Keys": [{"pk": {"S": str(i)}} for i in range(101)]}}
    )
    assert code == "ValidationException" and msg.startswith("1 validation error detected: Value ")
    assert msg.endswith("failed to satisfy constraint: Member must have length less than or equal to 100")
    code, msg = error_of(ddb.batch_write_item, RequestItems={table: [put(900)], "no-such-table": [put(1)]})
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "k900"}})  # nothing applied


def test_transaction_success(ddb: Any, table: str, other: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "acct"}, "bal": {"N": "100"}})
    out = ddb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": {"S": "acct"}},
                    "UpdateExpression": "SET bal = bal - :a",
                    "ConditionExpression": "bal >= :a",
                    "ExpressionAttributeValues": {":a": {"N": "30"}},
                }
            },
            {"Put": {"TableName": other, "Item": {"id": {"N": "77"}, "amt": {"N": "30"}}}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": {"pk": {"S": "k19"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert {c["TableName"] for c in out["ConsumedCapacity"]} == {table, other}
    got = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": table, "Key": {"pk": {"S": "acct"}}}},
            {"Get": {"TableName": other, "Key": {"id": {"N": "77"}}, "ProjectionExpression": "amt"}},
            {"Get": {"TableName": other, "Key": {"id": {"N": "78"}}}},
        ]
    )["Responses"]
    assert got[0]["Item"]["bal"] == {"N": "70"}
    assert got[1] == {"Item": {"amt": {"N": "30"}}}
    assert got[2] == {}


def test_transaction_cancelled_applies_nothing(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "t1"}, "v": {"N": "1"}})
    put_and_false_delete: list[dict[str, Any]] = [
        {"Put": {"TableName": table, "Item": {"pk": {"S": "t2"}}}},
        {
            "Delete": {
                "TableName": table,
                "Key": {"pk": {"S": "t1"}},
                "ConditionExpression": "v = :two",
                "ExpressionAttributeValues": {":two": {"N": "2"}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
    ]
    with pytest.raises(ClientError) as info:
        ddb.transact_write_items(
            TransactItems=[
                *put_and_false_delete,
                {"Put": {"TableName": table, "Item": {"pk": {"N": "3"}}}},  # the key's type is wrong
            ]
        )
    err = info.value.response
    assert err["Error"]["Code"] == "TransactionCanceledException"
    # the actions are validated before any runs: with a ValidationError, no condition is evaluated
    # (AWS, per alternator's test_transact)
    assert err["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, None, ValidationError]"
    )
    reasons = err["CancellationReasons"]
    assert reasons[:2] == [{"Code": "None"}, {"Code": "None"}]
    assert reasons[2] == {
        "Code": "ValidationError",
        "Message": "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
    }
    # an invalid item (not its key) fails the whole request, before any table is looked up (AWS)
    for bad in ({"big": {"S": "x" * 409600}}, {"n": {"N": ""}}):
        code, msg = error_of(
            ddb.transact_write_items,
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "t2"}}}},
                {"Put": {"TableName": "no-such-table", "Item": {"pk": {"S": "t3"}, **bad}}},
            ],
        )
        assert code == "ValidationException"
        assert msg in (
            "Item size has exceeded the maximum allowed size",
            "The parameter cannot be converted to a numeric value",
        )
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "t2"}})
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": "t1"}})
    # without the invalid action, the false condition is reported, and nothing is applied either
    with pytest.raises(ClientError) as info:
        ddb.transact_write_items(TransactItems=put_and_false_delete)
    reasons = info.value.response["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1]["Code"] == "ConditionalCheckFailed" and reasons[1]["Item"]["v"] == {"N": "1"}
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "t2"}})


def test_transaction_actions_are_checked_in_turn(ddb: Any, table: str) -> None:
    """Each action's expressions and values are checked before the next action's, and before any
    table is looked up (the parity suite's AWS captures)."""
    code, msg = error_of(
        ddb.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": "no-such-table", "Item": {"pk": {"S": "a"}, "": {"S": "x"}}}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": {"pk": {"S": "b"}},
                    "ConditionExpression": "a = = b",
                }
            },
        ],
    )
    assert (code, msg) == ("ValidationException", "Empty attribute name")
    code, msg = error_of(
        ddb.transact_write_items,
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": {"pk": {"S": "b"}},
                    "ConditionExpression": "a = = b",
                }
            },
            {"Put": {"TableName": table, "Item": {"pk": {"S": "a"}, "": {"S": "x"}}}},
        ],
    )
    assert msg == 'Invalid ConditionExpression: Syntax error; token: "=", near: "= = b"'
    code, msg = error_of(ddb.put_item, TableName=table, Item={"pk": {"S": "a"}, "": {"S": "x"}})
    assert msg == "Empty attribute name"
    code, msg = error_of(ddb.transact_write_items, TransactItems=[{}])
    assert msg == "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request"


def test_transaction_stops_at_the_first_invalid_action(ddb: Any, table: str) -> None:
    """Only the first ValidationError is found; the actions after it are neither validated nor
    evaluated, so a second invalid item and a false condition both report None."""
    with pytest.raises(ClientError) as info:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"N": "7"}}}},
                {"Put": {"TableName": table, "Item": {"pk": {"N": "8"}}}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "first-invalid"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    reasons = info.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ValidationError", "None", "None"]
    assert reasons[0]["Message"] == (
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    )
    assert [("Message" in r) for r in reasons] == [True, False, False]


def test_transaction_rules(ddb: Any, table: str) -> None:
    code, msg = error_of(
        ddb.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "d"}}}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": {"pk": {"S": "d"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
    )
    assert msg == "Transaction request cannot include multiple operations on one item"
    code, msg = error_of(
        ddb.transact_write_items,
        TransactItems=[{"Put": {"TableName": table, "Item": {"pk": {"S": f"x{i}"}}}} for i in range(101)],
    )
    assert msg.startswith("1 validation error detected: Value '") and msg.endswith(
        "at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100"
    )
    code, msg = error_of(
        ddb.transact_get_items,
        TransactItems=[
            {"Get": {"TableName": table, "Key": {"pk": {"S": "d"}}}},
            {"Get": {"TableName": table, "Key": {"pk": {"S": "d"}}}},
        ],
    )
    assert msg == "Transaction request cannot include multiple operations on one item"
    # a key that does not fit the schema is that action's cancellation reason, in both kinds
    with pytest.raises(ClientError) as info:
        ddb.transact_get_items(
            TransactItems=[
                {"Get": {"TableName": table, "Key": {"pk": {"S": "d"}}}},
                {"Get": {"TableName": table, "Key": {"pk": {"N": "1"}}}},
            ]
        )
    assert info.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert info.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ValidationError", "Message": "The provided key element does not match the schema"},
    ]
    with pytest.raises(ClientError) as info:
        ddb.transact_write_items(
            TransactItems=[{"Delete": {"TableName": table, "Key": {"pk": {"N": "1"}}}}],
        )
    assert [r["Code"] for r in info.value.response["CancellationReasons"]] == ["ValidationError"]


def test_client_request_token_idempotency(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "ctr"}, "n": {"N": "0"}})
    items = [
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": "ctr"}},
                "UpdateExpression": "ADD n :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
    ]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-1")
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-1")
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "ctr"}})["Item"]["n"] == {"N": "1"}
    items[0]["Update"]["ExpressionAttributeValues"] = {":one": {"N": "2"}}
    code, _ = error_of(ddb.transact_write_items, TransactItems=items, ClientRequestToken="token-1")
    assert code == "IdempotentParameterMismatchException"
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-2")
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "ctr"}})["Item"]["n"] == {"N": "3"}


def test_batch_get_total_over_tables(ddb: Any, table: str, other: str) -> None:
    code, msg = error_of(
        ddb.batch_get_item,
        RequestItems={
            table: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(60)]},
            other: {"Keys": [{"id": {"N": str(i)}} for i in range(60)]},
        },
    )
    assert (code, msg) == ("ValidationException", "Too many items requested for the BatchGetItem call")


def test_transaction_over_4_mb(ddb: Any, table: str) -> None:
    big = "x" * 400_000
    code, msg = error_of(
        ddb.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": f"big{i}"}, "d": {"S": big}}}}
            for i in range(11)
        ],
    )
    assert code == "ValidationException" and "size cannot exceed" in msg
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "big0"}})
