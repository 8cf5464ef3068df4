"""Bad input never crashes anything: random, half-valid JSON bodies for every DynamoDB operation,
sent over raw HTTP, must be answered 200 or with a 4xx AWS error document — never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

OPERATIONS = [
    "PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
    "TransactWriteItems", "TransactGetItems", "CreateTable", "DescribeTable", "UpdateTable", "DeleteTable",
    "ListTables", "TagResource", "UntagResource", "ListTagsOfResource",
]  # fmt: skip
AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["", "a", "pk", "1e999", "-0", "dog", "S", "N", ":v", "#n"]),
)
attribute_values = st.recursive(
    st.one_of(
        st.fixed_dictionaries({"S": st.text(max_size=3)}),
        st.fixed_dictionaries({"N": st.sampled_from(["1", "1.5", "-0", "1e126", "x", ""])}),
        st.fixed_dictionaries({"B": st.sampled_from(["AA==", "", "!!"])}),
        st.fixed_dictionaries({"BOOL": st.booleans()}),
        st.fixed_dictionaries({"NULL": st.booleans()}),
        st.fixed_dictionaries({"SS": st.lists(st.text(max_size=2), max_size=3)}),
        st.fixed_dictionaries({"NS": st.lists(st.sampled_from(["1", "1.0", "2"]), max_size=3)}),
        st.dictionaries(st.sampled_from(["S", "N", "X"]), scalars, max_size=2),
    ),
    lambda inner: st.one_of(
        st.fixed_dictionaries({"L": st.lists(inner, max_size=3)}),
        st.fixed_dictionaries({"M": st.dictionaries(st.sampled_from(["a", "b", ""]), inner, max_size=3)}),
    ),
    max_leaves=6,
)
items = st.dictionaries(st.sampled_from(["pk", "sk", "a", "b", "g"]), attribute_values, max_size=4)
expressions = st.sampled_from(
    [
        "a = :v",
        "pk = :v",
        "SET a = :v",
        "REMOVE a",
        "attribute_exists(a)",
        "a, b",
        "((a = :v))",
        "SET",
        "pk = :v AND sk > :v",
        "",
    ]
)
members = {
    "TableName": st.one_of(st.just("fuzz-table"), st.sampled_from(["", "ab", "no-such", "arn:aws:dynamodb:x"]), scalars),
    "Item": st.one_of(items, scalars),
    "Key": st.one_of(items, scalars),
    "ExclusiveStartKey": items,
    "ConditionExpression": expressions,
    "UpdateExpression": expressions,
    "KeyConditionExpression": expressions,
    "FilterExpression": expressions,
    "ProjectionExpression": expressions,
    "ExpressionAttributeNames": st.dictionaries(st.sampled_from(["#n", "n", "#"]), st.sampled_from(["a", ""]), max_size=2),
    "ExpressionAttributeValues": st.dictionaries(st.sampled_from([":v", "v"]), attribute_values, max_size=2),
    "ReturnValues": st.sampled_from(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "dog"]),
    "Limit": st.integers(-1, 3),
    "Select": st.sampled_from(["COUNT", "ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"]),
    "IndexName": st.sampled_from(["gix", "nope"]),
    "Segment": st.integers(-1, 3),
    "TotalSegments": st.integers(0, 3),
    "RequestItems": st.dictionaries(
        st.sampled_from(["fuzz-table", "x"]),
        st.one_of(
            st.fixed_dictionaries({"Keys": st.lists(items, max_size=3)}),
            st.lists(st.one_of(st.fixed_dictionaries({"PutRequest": st.fixed_dictionaries({"Item": items})}),
                               st.fixed_dictionaries({"DeleteRequest": st.fixed_dictionaries({"Key": items})}),
                               st.just({})), max_size=3),
        ),
        max_size=2,
    ),
    "TransactItems": st.lists(
        st.dictionaries(
            st.sampled_from(["Put", "Get", "Update", "Delete", "ConditionCheck"]),
            st.fixed_dictionaries({"TableName": st.just("fuzz-table"), "Item": items, "Key": items,
                                   "UpdateExpression": expressions, "ConditionExpression": expressions}),
            max_size=2,
        ),
        max_size=3,
    ),
    "AttributesToGet": st.lists(st.sampled_from(["a", "a", ""]), max_size=2),
    "Expected": st.dictionaries(st.sampled_from(["a", "pk"]), st.dictionaries(
        st.sampled_from(["Exists", "Value", "ComparisonOperator", "AttributeValueList"]), scalars, max_size=2), max_size=2),
    "AttributeDefinitions": st.lists(st.dictionaries(st.sampled_from(["AttributeName", "AttributeType"]), scalars), max_size=2),
    "KeySchema": st.lists(st.dictionaries(st.sampled_from(["AttributeName", "KeyType"]), st.sampled_from(["pk", "HASH", "RANGE", ""])), max_size=3),
    "GlobalSecondaryIndexUpdates": st.lists(st.dictionaries(st.sampled_from(["Create", "Delete", "Update"]),
                                                            st.fixed_dictionaries({"IndexName": st.sampled_from(["gix", "abc"])})), max_size=2),
    "BillingMode": st.sampled_from(["PAY_PER_REQUEST", "PROVISIONED"]),
    "ResourceArn": st.sampled_from(["arn:aws:dynamodb:us-east-1:000000000000:table/fuzz-table", "x"]),
    "Tags": st.lists(st.fixed_dictionaries({"Key": st.sampled_from(["k", ""]), "Value": st.sampled_from(["v", ""])}), max_size=2),
}  # fmt: skip


@pytest.fixture(scope="module")
def endpoint(cloudlet: Any, ddb: Any) -> str:
    ddb.create_table(
        TableName="fuzz-table",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gix",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    return str(cloudlet.endpoint)


def _post(endpoint: str, op: str, body: dict[str, Any]) -> None:
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": f"DynamoDB_20120810.{op}",
        "X-Amz-Date": "20260101T000000Z",
        "Authorization": AUTH,
    }
    if op == "DeleteTable" and body.get("TableName") == "fuzz-table":
        body["TableName"] = "fuzz-other"  # keep the shared table for the other examples
    resp = httpx.post(endpoint + "/", content=json.dumps(body), headers=headers, timeout=30)
    assert resp.status_code < 500, (op, body, resp.text)
    if resp.status_code != 200:
        assert "__type" in resp.json(), resp.text


_bodies = st.fixed_dictionaries({}, optional=members)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(op=st.sampled_from(OPERATIONS), body=_bodies)
def test_no_server_errors(endpoint: str, op: str, body: dict[str, Any]) -> None:
    _post(endpoint, op, body)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(op=st.sampled_from(OPERATIONS), body=_bodies)
def test_no_server_errors_long(endpoint: str, op: str, body: dict[str, Any]) -> None:
    _post(endpoint, op, body)
