"""Property test of index maintenance and table statistics: random puts, updates and deletes
through boto3, then every GSI/LSI query, Scan and DescribeTable count must agree with a reference
model kept here (a dict of items; an index holds the items that have its key attributes)."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudlet.services.dynamodb.values import item_size
from tests.dynamodb.support import index

PKS = ["a", "b", "c"]
GS = ["x", "y"]

op_strategy = st.one_of(
    st.tuples(
        st.just("put"),
        st.sampled_from(PKS),
        st.integers(0, 4),
        st.one_of(st.none(), st.sampled_from(GS)),
        st.one_of(st.none(), st.integers(0, 3)),
    ),
    st.tuples(st.just("set_g"), st.sampled_from(PKS), st.integers(0, 4), st.sampled_from(GS), st.none()),
    st.tuples(st.just("remove_g"), st.sampled_from(PKS), st.integers(0, 4), st.none(), st.none()),
    st.tuples(st.just("delete"), st.sampled_from(PKS), st.integers(0, 4), st.none(), st.none()),
)


def _new_table(ddb: Any) -> str:
    name = f"idx-{uuid.uuid4().hex[:12]}"
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[index("byg", "g"), index("bygl", "g", "l")],
        LocalSecondaryIndexes=[index("byl", "pk", "l", "ALL")],
    )
    return name


# sort-key conditions on an index's range key l (0..3): each with the test it stands for
SORT_CONDITIONS: list[tuple[str, list[int], Any]] = [
    ("l = :a", [1], lambda v, a, b: v == a),
    ("l < :a", [2], lambda v, a, b: v < a),
    ("l <= :a", [1], lambda v, a, b: v <= a),
    ("l > :a", [1], lambda v, a, b: v > a),
    ("l >= :a", [2], lambda v, a, b: v >= a),
    ("l BETWEEN :a AND :b", [1, 2], lambda v, a, b: a <= v <= b),
]


def _check_sort_conditions(ddb: Any, table: str, model: dict[tuple[str, int], dict[str, Any]]) -> None:
    """Every sort-key operator on the LSI (pk, l) and the GSI (g, l), forward and backward, against
    the model: an index entry's key goes on after l with the item's primary key."""
    for text, operands, test in SORT_CONDITIONS:
        values = {":a": {"N": str(operands[0])}, ":b": {"N": str(operands[-1])}}
        a, b = operands[0], operands[-1]
        if ":b" not in text:
            del values[":b"]
        for index_name, hash_name, hash_values in (("byl", "pk", PKS), ("bygl", "g", GS)):
            for hv in hash_values:
                expected = sorted(
                    (int(v["l"]["N"]), p, sk)
                    for (p, sk), v in model.items()
                    if "l" in v and v.get(hash_name) == {"S": hv} and test(int(v["l"]["N"]), a, b)
                )
                for forward in (True, False):
                    out = ddb.query(
                        TableName=table,
                        IndexName=index_name,
                        KeyConditionExpression=f"{hash_name} = :h AND {text}",
                        ExpressionAttributeValues={":h": {"S": hv}, **values},
                        ScanIndexForward=forward,
                    )
                    got = [(int(i["l"]["N"]), i["pk"]["S"], int(i["sk"]["N"])) for i in out["Items"]]
                    assert got == (expected if forward else expected[::-1]), (index_name, hv, text)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op_strategy, min_size=1, max_size=25))
def test_indexes_and_counts_follow_the_items(ddb: Any, ops: list[tuple[Any, ...]]) -> None:
    table = _new_table(ddb)
    model: dict[tuple[str, int], dict[str, Any]] = {}
    try:
        for kind, pk, sk, g, extra in ops:
            key = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
            if kind == "put":
                item = dict(key)
                if g is not None:
                    item["g"] = {"S": g}
                if extra is not None:
                    item["l"] = {"N": str(extra)}
                ddb.put_item(TableName=table, Item=item)
                model[(pk, sk)] = item
            elif kind == "set_g":
                ddb.update_item(
                    TableName=table,
                    Key=key,
                    UpdateExpression="SET g = :g",
                    ExpressionAttributeValues={":g": {"S": g}},
                )
                model.setdefault((pk, sk), dict(key))["g"] = {"S": g}
            elif kind == "remove_g":
                ddb.update_item(TableName=table, Key=key, UpdateExpression="REMOVE g")
                if (pk, sk) in model:
                    model[(pk, sk)].pop("g", None)
            else:
                ddb.delete_item(TableName=table, Key=key)
                model.pop((pk, sk), None)
        for g in GS:
            out = ddb.query(
                TableName=table,
                IndexName="byg",
                KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": g}},
            )
            got = sorted((i["pk"]["S"], int(i["sk"]["N"])) for i in out["Items"])
            assert got == sorted(k for k, v in model.items() if v.get("g") == {"S": g})
        for pk in PKS:
            out = ddb.query(
                TableName=table,
                IndexName="byl",
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": pk}},
            )
            expected = sorted(
                ((int(v["l"]["N"]), sk) for (p, sk), v in model.items() if p == pk and "l" in v)
            )
            assert [(int(i["l"]["N"]), int(i["sk"]["N"])) for i in out["Items"]] == expected
            assert out["Items"] == [model[(pk, sk)] for _, sk in expected]
        _check_sort_conditions(ddb, table, model)
        scanned = ddb.scan(TableName=table)["Items"]
        assert sorted((i["pk"]["S"], int(i["sk"]["N"])) for i in scanned) == sorted(model)
        desc = ddb.describe_table(TableName=table)["Table"]
        assert desc["ItemCount"] == len(model)
        counts = {
            ix["IndexName"]: ix["ItemCount"]
            for ix in desc["GlobalSecondaryIndexes"] + desc["LocalSecondaryIndexes"]
        }
        assert counts["byg"] == sum(1 for v in model.values() if "g" in v)
        assert counts["bygl"] == sum(1 for v in model.values() if "g" in v and "l" in v)
        assert counts["byl"] == sum(1 for v in model.values() if "l" in v)
        # kept incrementally by the server; recomputed here from the model with the size formula
        assert desc["TableSizeBytes"] == sum(item_size(v) for v in model.values())
    finally:
        ddb.delete_table(TableName=table)
