#!/usr/bin/env -S sh -c 'exec "$(dirname "$0")/../../.venv/bin/python" "$0" "$@"'
"""DynamoDB handler cost without HTTP: µs per PutItem / GetItem / UpdateItem / DeleteItem / Query
(Limit 10), calling DynamoDbApi's methods directly over a SqliteStore in a temporary directory.

Same items and table as bench/dynamodb/run (2,000 seeded items in 100 partitions, pk S + sk N).
Each request's params are decoded from JSON before timing (as the gateway hands them over), so
the figure is the handler plus its store transaction. `--profile OP` prints a cProfile of that op.

Usage: bench/dynamodb/inproc.py [--n 2000] [--ops PutItem,GetItem,UpdateItem,DeleteItem,Query]
                                [--profile PutItem [--sort cumulative]] [--repeat 5]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cloudlet.clock import SystemClock  # noqa: E402
from cloudlet.config import Settings  # noqa: E402
from cloudlet.events import EventBus  # noqa: E402
from cloudlet.services.base import Deps, RequestContext  # noqa: E402
from cloudlet.services.dynamodb.api import DynamoDbApi  # noqa: E402
from cloudlet.store.sqlite import SqliteStore  # noqa: E402

TABLE = "bench"
PARTITIONS = 100
ITEMS_PER_PARTITION = 20


def item(p: int, s: int) -> dict[str, Any]:
    return {
        "pk": {"S": f"user#{p:05d}"},
        "sk": {"N": str(s)},
        "name": {"S": f"name {p} {s}"},
        "score": {"N": str(p * 31 + s)},
        "tags": {"SS": ["a", "b"]},
        "active": {"BOOL": True},
    }


def request(op: str, n: int, round_: int = 0) -> dict[str, Any]:
    p, s = n % PARTITIONS, (n // PARTITIONS) % ITEMS_PER_PARTITION
    fresh = n + 100_000 * round_  # PutItem writes new keys each round; DeleteItem removes them
    key = {"pk": item(p, s)["pk"], "sk": {"N": str(s)}}
    if op == "PutItem":
        return {"TableName": TABLE, "Item": item(p + 1000, fresh)}
    if op == "GetItem":
        return {"TableName": TABLE, "Key": key}
    if op == "UpdateItem":
        return {
            "TableName": TABLE,
            "Key": key,
            "UpdateExpression": "SET score = score + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    if op == "DeleteItem":  # deletes the items PutItem wrote
        return {"TableName": TABLE, "Key": {"pk": item(p + 1000, fresh)["pk"], "sk": {"N": str(fresh)}}}
    return {
        "TableName": TABLE,
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":p": item(p, 0)["pk"], ":a": {"N": "2"}, ":b": {"N": "11"}},
        "Limit": 10,
    }


def setup(path: Path) -> tuple[DynamoDbApi, RequestContext, SqliteStore]:
    store = SqliteStore(path / "state.db")
    deps = Deps(settings=Settings(state_dir=path), store=store, events=EventBus(), clock=SystemClock())
    api = DynamoDbApi(deps)
    ctx = RequestContext("dynamodb", "", "us-east-1", "000000000000", "req")
    api.create_table(
        ctx,
        {
            "TableName": TABLE,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        },
    )
    for p in range(PARTITIONS):
        batch = [{"PutRequest": {"Item": item(p, s)}} for s in range(ITEMS_PER_PARTITION)]
        api.batch_write_item(ctx, {"RequestItems": {TABLE: batch}})
    return api, ctx, store


def run(api: DynamoDbApi, ctx: RequestContext, op: str, n: int, round_: int = 0) -> tuple[float, float]:
    """(wall µs, this thread's CPU µs) per request."""
    method = getattr(
        api,
        {
            "PutItem": "put_item",
            "GetItem": "get_item",
            "UpdateItem": "update_item",
            "DeleteItem": "delete_item",
            "Query": "query",
        }[op],
    )
    reqs = [json.loads(json.dumps(request(op, i, round_))) for i in range(n)]
    t0, c0 = time.perf_counter(), time.thread_time()
    for params in reqs:
        method(ctx, params)
    return (time.perf_counter() - t0) / n * 1e6, (time.thread_time() - c0) / n * 1e6


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--ops", default="PutItem,GetItem,UpdateItem,DeleteItem,Query")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", default=None)
    ap.add_argument("--sort", default="tottime", help="cProfile order: tottime or cumulative")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        api, ctx, store = setup(Path(tmp))
        if args.profile:
            if args.profile == "DeleteItem":
                run(api, ctx, "PutItem", args.n, 1)
            run(api, ctx, args.profile, 200)
            prof = cProfile.Profile()
            prof.enable()
            run(api, ctx, args.profile, args.n, 1)
            prof.disable()
            pstats.Stats(prof).sort_stats(args.sort).print_stats(35)
            store.close()
            return 0
        for op in args.ops.split(","):
            # best of --repeat: the CPUs are shared, the minimum is the least disturbed figure; the
            # thread's CPU time (SQLite's system calls included) is steadier than wall time
            runs = [run(api, ctx, op, args.n, r) for r in range(args.repeat)]
            wall, cpu = min(w for w, _ in runs), min(c for _, c in runs)
            print(f"{op:<11} cpu {cpu:7.1f} us/op  wall {wall:7.1f} us/op  ({1e6 / wall:6.0f} op/s)")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
