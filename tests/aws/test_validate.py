"""Model-constraint validation and malformed-input errors, with AWS's own codes and texts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudlet.aws.errors import AwsError
from cloudlet.aws.http import Headers, HttpRequest
from cloudlet.aws.models import service_model
from cloudlet.aws.protocols import protocol_for
from cloudlet.aws.validate import java_member_order
from tests.aws.wire import botocore_request


def dynamodb(op: str, body: Any) -> HttpRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = Headers([("X-Amz-Target", f"DynamoDB_20120810.{op}"), ("Host", "localhost")])
    return HttpRequest("POST", "/", "", headers, raw)


def error_of(service: str, req: HttpRequest) -> AwsError:
    with pytest.raises(AwsError) as info:
        protocol_for(service_model(service)).parse(req)
    return info.value


def request(service: str, op: str, params: dict[str, Any]) -> HttpRequest:
    return botocore_request(service_model(service).operation_model(op), params)


def test_route53_id_too_long_is_invalid_input() -> None:
    err = error_of("route53", request("route53", "GetHostedZone", {"Id": "Z" * 33}))
    assert err.code == "InvalidInput" and err.status == 400
    assert err.message == (
        f"1 validation error detected: Value '{'Z' * 33}' at 'id' failed to satisfy constraint: "
        "Member must have length less than or equal to 32"
    )


def test_dynamodb_missing_members_are_null_errors() -> None:
    err = error_of("dynamodb", dynamodb("CreateTable", {"TableName": "tbl", "AttributeDefinitions": [{}]}))
    assert err.code == "ValidationException"
    assert err.message.startswith("2 validation errors detected: ")
    for path in (
        "attributeDefinitions.1.member.attributeName",
        "attributeDefinitions.1.member.attributeType",
    ):
        assert f"Value null at '{path}' failed to satisfy constraint: Member must not be null" in err.message


def test_dynamodb_table_operations_report_a_missing_name_alone() -> None:
    for op in ("CreateTable", "DescribeTable", "DeleteTable", "UpdateTable"):
        err = error_of("dynamodb", dynamodb(op, {"KeySchema": [], "ProvisionedThroughput": {}}))
        assert (err.code, err.message) == (
            "ValidationException",
            "The parameter 'TableName' is required but was not present in the request",
        )
    err = error_of("dynamodb", dynamodb("PutItem", {}))  # item operations list it among the others
    assert "Value null at 'tableName' failed to satisfy constraint: Member must not be null" in err.message


def test_dynamodb_list_paths_and_enums() -> None:
    body = {
        "TableName": "tbl",
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "X"}],
        "KeySchema": [{"AttributeName": "k"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    err = error_of("dynamodb", dynamodb("CreateTable", body))
    assert (
        "Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [B, N, S]" in err.message
    )
    assert (
        "Value null at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must not be null"
        in err.message
    )


def test_dynamodb_lengths_and_ranges() -> None:
    # the current model lets TableName be an ARN (1..1024, no pattern); the 3..255 name rule is the
    # DynamoDB service's own check
    err = error_of("dynamodb", dynamodb("Scan", {"TableName": "t" * 1025, "Limit": 0}))
    assert err.message.startswith("2 validation errors detected: ")
    assert (
        f"Value '{'t' * 1025}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 1024"
        in err.message
    )
    assert (
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        in err.message
    )


def test_dynamodb_error_wire_shape() -> None:
    proto = protocol_for(service_model("dynamodb"))
    err = error_of("dynamodb", dynamodb("Scan", {}))
    resp = proto.serialize_error(None, err, "rid")
    doc = json.loads(resp.body)
    assert doc == {"__type": "com.amazon.coral.validate#ValidationException", "message": err.message}
    assert resp.headers.get("Content-Type") == "application/x-amz-json-1.0"
    assert resp.headers.get("x-amzn-RequestId") == "rid"


NS = "com.amazonaws.dynamodb.v20120810"
CAST = (
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class "
    "java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class "
    "are in module java.base of loader 'bootstrap')"
)
ITEM = {"k": {"S": "1"}}


# Coral's texts per Java type and JSON value, as AWS answers them (recorded by dynalite's type tests)
@pytest.mark.parametrize(
    ("op", "body", "message"),
    [
        ("Scan", {"TableName": 5}, "NUMBER_VALUE cannot be converted to String"),
        ("Scan", {"TableName": 34.5}, "DECIMAL_VALUE cannot be converted to String"),
        ("Scan", {"TableName": True}, "TRUE_VALUE cannot be converted to String"),
        ("Scan", {"TableName": False}, "FALSE_VALUE cannot be converted to String"),
        ("Scan", {"TableName": []}, "Unrecognized collection type class java.lang.String"),
        ("Scan", {"TableName": {}}, "Start of structure or map found where not expected"),
        ("Scan", {"TableName": "tbl", "Limit": "x"}, "STRING_VALUE cannot be converted to Integer"),
        ("Scan", {"TableName": "tbl", "Limit": False}, "FALSE_VALUE cannot be converted to Integer"),
        ("Scan", {"TableName": "tbl", "Limit": []}, "Unrecognized collection type class java.lang.Integer"),
        ("GetItem", {"TableName": "tbl", "ConsistentRead": "23"}, "Unexpected token received from parser"),
        (
            "GetItem",
            {"TableName": "tbl", "ConsistentRead": 23},
            "NUMBER_VALUE cannot be converted to Boolean",
        ),
        (
            "GetItem",
            {"TableName": "tbl", "ConsistentRead": []},
            "Unrecognized collection type class java.lang.Boolean",
        ),
        (
            "UpdateTable",
            {"ProvisionedThroughput": {"ReadCapacityUnits": "1"}},
            "STRING_VALUE cannot be converted to Long",
        ),
        ("UpdateTable", {"ProvisionedThroughput": 5}, "Unexpected field type"),
        (
            "UpdateTable",
            {"ProvisionedThroughput": []},
            f"Unrecognized collection type class {NS}.ProvisionedThroughput",
        ),
        ("Scan", {"TableName": "tbl", "AttributesToGet": "a"}, "Unexpected field type"),
        (
            "Scan",
            {"TableName": "tbl", "AttributesToGet": {}},
            "Start of structure or map found where not expected",
        ),
        ("Scan", {"TableName": "tbl", "ExpressionAttributeNames": 5}, "Unexpected field type"),
        (
            "Scan",
            {"TableName": "tbl", "ExpressionAttributeNames": []},
            "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>",
        ),
        ("PutItem", {"TableName": "tbl", "Item": {"a": 5}}, "Unexpected value type in payload"),
        (
            "PutItem",
            {"TableName": "tbl", "Item": {"a": []}},
            f"Unrecognized collection type class {NS}.AttributeValue",
        ),
        ("PutItem", {"TableName": "tbl", "Item": {"a": {"L": ["x"]}}}, "Unexpected value type in payload"),
        (
            "PutItem",
            {"TableName": "tbl", "Item": {"a": {"L": {}}}},
            "Start of structure or map found where not expected",
        ),
        ("PutItem", {"TableName": "tbl", "Item": {"a": {"M": 5}}}, "Unexpected field type"),
        (
            "PutItem",
            {"TableName": "tbl", "Item": {"a": {"M": []}}},
            f"Unrecognized collection type java.util.Map<java.lang.String, {NS}.AttributeValue>",
        ),
        (
            "PutItem",
            {"TableName": "tbl", "Item": {"a": {"SS": [True]}}},
            "TRUE_VALUE cannot be converted to String",
        ),
        (
            "PutItem",
            {"TableName": "tbl", "Item": {"a": {"B": 5}}},
            "only base-64-encoded strings are convertible to bytes",
        ),
        (
            "PutItem",
            {"TableName": "tbl", "Item": {"a": {"B": []}}},
            "Unrecognized collection type class java.nio.ByteBuffer",
        ),
        (
            "PutItem",
            {"TableName": "tbl", "Item": {"a": {"BS": ["23456"]}}},
            "Base64 encoded length is expected a multiple of 4 bytes but found: 5",
        ),
        ("BatchWriteItem", {"RequestItems": {"tbl": "x"}}, CAST),
        ("BatchWriteItem", {"RequestItems": {"tbl": [5]}}, "Unexpected value type in payload"),
        (
            "BatchWriteItem",
            {"RequestItems": {"tbl": [[]]}},
            f"Unrecognized collection type class {NS}.WriteRequest",
        ),
        ("BatchWriteItem", {"RequestItems": {"tbl": [{"PutRequest": 5}]}}, "Unexpected field type"),
        (
            "BatchWriteItem",
            {"RequestItems": []},
            f"Unrecognized collection type java.util.Map<java.lang.String, java.util.List<{NS}.WriteRequest>>",
        ),
        ("BatchGetItem", {"RequestItems": {"tbl": {"Keys": [5]}}}, CAST),
        (
            "BatchGetItem",
            {"RequestItems": {"tbl": {"Keys": [[]]}}},
            f"Unrecognized collection type java.util.Map<java.lang.String, {NS}.AttributeValue>",
        ),
        ("BatchGetItem", {"RequestItems": {"tbl": 5}}, "Unexpected value type in payload"),
        (
            "BatchGetItem",
            {"RequestItems": {"tbl": {"Keys": [ITEM, {"k": 5}]}}},
            "Unexpected value type in payload",
        ),
    ],
)
def test_dynamodb_type_errors_are_serialization_exceptions(
    op: str, body: dict[str, Any], message: str
) -> None:
    err = error_of("dynamodb", dynamodb(op, body))
    assert (err.code, err.message) == ("SerializationException", message)
    doc = json.loads(protocol_for(service_model("dynamodb")).serialize_error(None, err, "r").body)
    assert doc == {"__type": "com.amazon.coral.service#SerializationException", "Message": message}


def test_dynamodb_reads_boolean_words() -> None:
    proto = protocol_for(service_model("dynamodb"))
    for word, value in (
        ("true", True),
        ("YES", True),
        ("1", True),
        ("False", False),
        ("no", False),
        ("0", False),
    ):
        _, params = proto.parse(
            dynamodb("GetItem", {"TableName": "tbl", "Key": ITEM, "ConsistentRead": word})
        )
        assert params["ConsistentRead"] is value


def test_dynamodb_unparsable_and_empty_bodies() -> None:
    for body in (b"{not json", b""):
        err = error_of("dynamodb", dynamodb("Scan", body))
        assert err.code == "SerializationException"
        doc = json.loads(protocol_for(service_model("dynamodb")).serialize_error(None, err, "r").body)
        assert doc == {"__type": "com.amazon.coral.service#SerializationException"}


def test_unknown_targets_and_methods() -> None:
    err = error_of("dynamodb", dynamodb("NoSuchThing", {}))
    assert (err.code, err.status) == ("UnknownOperationException", 400)
    req = dynamodb("Scan", {"TableName": "tbl"})
    req.method = "GET"
    err = error_of("dynamodb", req)
    assert err.status == 404
    assert (
        protocol_for(service_model("dynamodb")).serialize_error(None, err, "r").body
        == b"<UnknownOperationException/>\n"
    )
    err = error_of("route53", HttpRequest("GET", "/2013-04-01/nothing-here", "", Headers([("Host", "x")])))
    assert (err.code, err.status) == ("UnknownOperationException", 404)
    err = error_of("sts", HttpRequest("POST", "/", "", Headers(), b"Action=Nope&Version=2011-06-15"))
    assert (err.code, err.message) == (
        "InvalidAction",
        "Could not find operation Nope for version 2011-06-15",
    )


def test_service_specific_validation_codes() -> None:
    err = error_of(
        "lambda",
        request(
            "lambda",
            "CreateFunction",
            {
                "FunctionName": "f",
                "Role": "arn:aws:iam::123456789012:role/r",
                "Code": {"ZipFile": b"x"},
                "Timeout": 6000,
            },
        ),
    )
    assert err.code == "ValidationException"
    assert (
        err.message == "1 validation error detected: Value '6000' at 'timeout' failed to satisfy constraint: "
        "Member must have value less than or equal to 5400"
    )
    err = error_of("cognito-idp", request("cognito-idp", "ListUsers", {"UserPoolId": "nounderscore"}))
    assert err.code == "InvalidParameterException"
    assert (
        "at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
        in err.message
    )
    err = error_of(
        "sts",
        request("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "s"}),
    )
    assert err.code == "ValidationError"


def test_route53_malformed_xml_is_an_aws_error() -> None:
    req = request("route53", "CreateHostedZone", {"Name": "example.com", "CallerReference": "r1"})
    req.body = req.body[:-5]
    err = error_of("route53", req)
    assert err.code == "InvalidInput" and err.status == 400
    req.body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    assert error_of("route53", req).code == "InvalidInput"


def test_idempotency_tokens_are_filled() -> None:
    op, params = protocol_for(service_model("globalaccelerator")).parse(
        request("globalaccelerator", "CreateAccelerator", {"Name": "acc"})
    )
    assert op.name == "CreateAccelerator"
    assert len(params["IdempotencyToken"]) == 36
    _, again = protocol_for(service_model("globalaccelerator")).parse(
        request("globalaccelerator", "CreateAccelerator", {"Name": "acc", "IdempotencyToken": "mine"})
    )
    assert again["IdempotencyToken"] == "mine"


def test_dynamodb_bad_base64_text() -> None:
    err = error_of("dynamodb", dynamodb("PutItem", {"TableName": "tbl", "Item": {"k": {"B": "abcdefghijk"}}}))
    assert (err.code, err.message) == (
        "SerializationException",
        "Base64 encoded length is expected a multiple of 4 bytes but found: 11",
    )


def test_lambda_leaves_enums_to_the_service() -> None:
    op, params = protocol_for(service_model("lambda")).parse(
        request(
            "lambda",
            "CreateFunction",
            {
                "FunctionName": "f",
                "Role": "arn:aws:iam::123456789012:role/r",
                "Code": {"ZipFile": b"x"},
                "Runtime": "PYTHON3.9",
            },
        )
    )
    assert params["Runtime"] == "PYTHON3.9"


def test_map_value_constraints_are_listed_together() -> None:
    writes = [{"DeleteRequest": {"Key": {"k": {"S": str(i)}}}} for i in range(26)]
    err = error_of("dynamodb", dynamodb("BatchWriteItem", {"RequestItems": {"tbl": writes}}))
    assert err.message.startswith("1 validation error detected: Value '{tbl=[")
    assert err.message.endswith(
        "]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"
    )


def test_missing_required_query_member_is_a_validation_error() -> None:
    req = request("route53", "ListHostedZonesByVPC", {"VPCId": "vpc-1", "VPCRegion": "us-east-1"})
    req.query_string = "vpcregion=us-east-1"
    err = error_of("route53", req)
    assert err.code == "InvalidInput"
    assert "Value null at 'vPCId' failed to satisfy constraint: Member must not be null" in err.message


def test_constraints_inside_recursive_shapes() -> None:
    long_name = "a" * 65536
    item = {"k": {"S": "1"}, "doc": {"M": {"inner": {"L": [{"M": {long_name: {"S": "x"}}}]}}}}
    err = error_of("dynamodb", dynamodb("PutItem", {"TableName": "tbl", "Item": item}))
    assert err.code == "ValidationException"
    assert (
        "Map keys must satisfy constraint: [Member must have length less than or equal to 65535]"
        in err.message
    )


@pytest.mark.parametrize(
    ("op", "body", "path"),
    [
        # as AWS (recorded by dynalite) and our own legacy texts (`attributeUpdates.a.member.action`)
        (
            "BatchGetItem",
            {"RequestItems": {"Music": {"ConsistentRead": True}}},
            "requestItems.Music.member.keys",
        ),
        (
            "BatchWriteItem",
            {"RequestItems": {"Music": [{"DeleteRequest": {"Key": {"k": {"S": "1"}}}}, {"PutRequest": {}}]}},
            "requestItems.Music.member.2.member.putRequest.item",
        ),
    ],
)
def test_map_values_are_members_in_paths(op: str, body: dict[str, Any], path: str) -> None:
    err = error_of("dynamodb", dynamodb(op, body))
    assert err.message == (
        f"1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null"
    )


def test_dynamodb_lists_problems_in_its_members_hash_order() -> None:
    """Coral walks a DynamoDB request's members in Java HashMap order (validate.java_member_order);
    the expected texts are the parity suite's captures of AWS."""
    enum = "failed to satisfy constraint: Member must satisfy enum value set: "
    body = {
        "TableName": "",
        "ReturnConsumedCapacity": "INVALID",
        "ReturnValues": "INVALID",
        "UpdateExpression": "SET a = :a",
    }
    err = error_of("dynamodb", dynamodb("UpdateItem", body))
    assert err.message == (
        f"4 validation errors detected: Value 'INVALID' at 'returnConsumedCapacity' {enum}[INDEXES, TOTAL, NONE]; "
        "Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1; "
        f"Value 'INVALID' at 'returnValues' {enum}[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; "
        "Value null at 'key' failed to satisfy constraint: Member must not be null"
    )
    body = {
        "TransactItems": [
            {
                "ConditionCheck": {
                    "TableName": "tbl",
                    "Key": {"k": {"S": "a"}},
                    "ConditionExpression": "attribute_exists(k)",
                }
            }
        ],
        "ClientRequestToken": "x" * 37,
        "ReturnConsumedCapacity": "BOGUS",
    }
    err = error_of("dynamodb", dynamodb("TransactWriteItems", body))
    assert err.message.startswith(
        "2 validation errors detected: Value '" + "x" * 37 + "' at 'clientRequestToken'"
    )


def test_java_member_order() -> None:
    assert java_member_order(["ReadCapacityUnits", "WriteCapacityUnits"]) == [
        "WriteCapacityUnits",
        "ReadCapacityUnits",
    ]
    # a second member in the same bucket keeps its model order
    assert java_member_order(["A", "B", "Q"])[0:1] == ["A"]
