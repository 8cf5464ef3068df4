"""Fixtures for the DynamoDB tests: boto3 clients on the shared cloudlet server, and tables with
unique names (the server is shared by the whole session)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.support import unique


@pytest.fixture(scope="session")
def ddb(cloudlet: Any) -> Any:
    return cloudlet.client("dynamodb")


@pytest.fixture(scope="session")
def ddb_raw(cloudlet: Any) -> Any:
    """A client without botocore's own parameter checks, to reach the server's error paths."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "dynamodb",
        endpoint_url=cloudlet.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="session")
def ddb_resource(cloudlet: Any) -> Any:
    return cloudlet.resource("dynamodb")


@pytest.fixture(scope="session")
def make_table(ddb: Any) -> Iterator[Callable[..., str]]:
    """make_table(hash=("pk","S"), range=("sk","N") | None, gsis=[...], lsis=[...], **extra) -> name."""
    created: list[str] = []

    def make(
        hash: tuple[str, str] = ("pk", "S"),
        range: tuple[str, str] | None = None,
        gsis: list[dict[str, Any]] | None = None,
        lsis: list[dict[str, Any]] | None = None,
        extra_defs: list[tuple[str, str]] | None = None,
        **extra: Any,
    ) -> str:
        name = unique()
        defs = {hash[0]: hash[1]}
        schema = [{"AttributeName": hash[0], "KeyType": "HASH"}]
        if range:
            defs[range[0]] = range[1]
            schema.append({"AttributeName": range[0], "KeyType": "RANGE"})
        for n, t in extra_defs or []:
            defs[n] = t
        params: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in defs.items()],
            "KeySchema": schema,
            "BillingMode": "PAY_PER_REQUEST",
            **extra,
        }
        if gsis:
            params["GlobalSecondaryIndexes"] = gsis
        if lsis:
            params["LocalSecondaryIndexes"] = lsis
        ddb.create_table(**params)
        created.append(name)
        return name

    yield make
    for name in created:
        try:
            ddb.delete_table(TableName=name)
        except ClientError:
            pass
