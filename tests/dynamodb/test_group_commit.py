"""Group commit through the real server: writes that arrive together are committed together (one
store commit for many PutItems), each is answered only after that commit, and a kill -9 right
after the answers loses none of them."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.dynamodb.support import unique

WRITERS = 16


def _raw_put(endpoint: str, table: str, n: int) -> bytes:
    body = json.dumps({"TableName": table, "Item": {"pk": {"S": f"k{n}"}, "n": {"N": str(n)}}})
    req = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body.encode(),
        headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.PutItem"},
    )
    SigV4Auth(Credentials("test", "test"), "dynamodb", "us-east-1").add_auth(req)
    host = endpoint.split("//", 1)[1]
    head = f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in req.headers.items() if k.lower() != "host")
    return (head + "\r\n").encode() + body.encode()


def _read_response(sock: socket.socket) -> int:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the response"
        data += chunk
    return int(data.split(b" ", 2)[1])


def _store_seq(endpoint: str) -> int:
    return int(httpx.get(endpoint + "/_cloudlet/status").json()["store_seq"])


def test_writes_arriving_together_share_one_commit_and_survive_a_kill(cloudlet_factory: Any) -> None:
    server = cloudlet_factory(settings={"services": "dynamodb"})
    ddb = server.client("dynamodb")
    table = unique()
    ddb.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    host, port = server.endpoint.split("//", 1)[1].split(":")
    conns = [socket.create_connection((host, int(port))) for _ in range(WRITERS)]
    requests = [_raw_put(server.endpoint, table, n) for n in range(WRITERS)]
    before = _store_seq(server.endpoint)
    assert server.proc is not None
    # Freeze the server so that all sixteen requests are waiting when it next looks: they are
    # then handled in one loop turn.
    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        for sock, raw in zip(conns, requests, strict=True):
            sock.sendall(raw)
        time.sleep(0.2)
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
    assert [_read_response(sock) for sock in conns] == [200] * WRITERS
    after = _store_seq(server.endpoint)
    assert after - before < WRITERS / 2, f"{WRITERS} writes took {after - before} commits"
    for sock in conns:
        sock.close()
    # every answered write is on disk: kill -9 and look
    server.kill()
    server.start()
    items = server.client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    assert sorted(int(i["n"]["N"]) for i in items) == list(range(WRITERS))
    assert server.client("dynamodb").describe_table(TableName=table)["Table"]["ItemCount"] == WRITERS
