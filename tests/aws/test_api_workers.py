"""`cloudlet up --api-workers 2`: a worker process shares the AWS port (SO_REUSEPORT) and serves
DynamoDB from the shared store; everything else it forwards to the main process. Driven with
boto3 over many connections, so the kernel spreads them over both processes."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import dns.message
import dns.query
import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.server import CloudletProcess

CLIENTS = 12  # each with its own connection pool: both processes get some of them


@pytest.fixture
def workers(cloudlet_factory: Any) -> CloudletProcess:
    server: CloudletProcess = cloudlet_factory(settings={"api_workers": 2})
    return server


def _clients(server: CloudletProcess, service: str = "dynamodb") -> list[Any]:
    return [server.client(service) for _ in range(CLIENTS)]


def _served_by(server: CloudletProcess, operation: str) -> set[str]:
    """Which processes logged a request of `operation` (main: cloudlet.requests)."""
    names = set()
    for line in server.log().splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[2].startswith("cloudlet.requests") and parts[4] == operation:
            names.add(parts[2])
    return names


def _each(clients: list[Any], job: Callable[[int, Any], Any], jobs: int) -> list[Any]:
    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(lambda n: job(n, clients[n % len(clients)]), range(jobs)))


def _table(ddb: Any, name: str, **extra: Any) -> None:
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, *extra.pop("attrs", [])],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_logged(server: CloudletProcess, operation: str, want: int) -> set[str]:
    deadline = time.monotonic() + 5
    while len(served := _served_by(server, operation)) < want and time.monotonic() < deadline:
        time.sleep(0.05)
    return served


def test_both_processes_serve_dynamodb_with_one_catalog_and_exact_statistics(
    workers: CloudletProcess,
) -> None:
    clients = _clients(workers)
    _table(clients[0], "tbl")
    _each(
        clients, lambda n, c: c.put_item(TableName="tbl", Item={"pk": {"S": f"k{n}"}, "n": {"N": str(n)}}), 60
    )
    assert _wait_logged(workers, "PutItem", 2) == {"cloudlet.requests", "cloudlet.requests.worker1"}
    got = _each(clients, lambda n, c: c.get_item(TableName="tbl", Key={"pk": {"S": f"k{n}"}})["Item"], 60)
    assert [int(i["n"]["N"]) for i in got] == list(range(60))
    # item statistics are exact whichever process wrote (DescribeTable in either process)
    counts = {c.describe_table(TableName="tbl")["Table"]["ItemCount"] for c in clients}
    assert counts == {60}

    # a GSI added through one connection is maintained by writes through every process
    clients[0].update_table(
        TableName="tbl",
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            }
        ],
    )
    _each(
        clients, lambda n, c: c.put_item(TableName="tbl", Item={"pk": {"S": f"g{n}"}, "g": {"S": "same"}}), 24
    )
    found = clients[1].query(
        TableName="tbl",
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "same"}},
    )
    assert sorted(i["pk"]["S"] for i in found["Items"]) == sorted(f"g{n}" for n in range(24))

    # deleted and created again with another key type: no process keeps the old definition
    clients[0].delete_table(TableName="tbl")
    _table(clients[0], "tbl", attrs=[])
    clients[0].delete_table(TableName="tbl")
    clients[0].create_table(
        TableName="tbl",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )

    def put_string_key(n: int, c: Any) -> str:
        try:
            c.put_item(TableName="tbl", Item={"pk": {"S": "not a number"}})
        except ClientError as e:
            return str(e.response["Error"]["Code"])
        return "accepted"

    assert set(_each(clients, put_string_key, 24)) == {"ValidationException"}


def test_blind_puts_from_both_processes_keep_exact_statistics(workers: CloudletProcess) -> None:
    # a PutItem with no condition or returned values reads the item it replaces only at commit
    # (Txn.put_counted): many overwriting the same keys from both processes at once conflict
    # over nothing, and the table's figures still count what each really replaced
    clients = _clients(workers)
    _table(clients[0], "blind")

    def put(n: int, c: Any) -> None:
        c.put_item(TableName="blind", Item={"pk": {"S": f"k{n % 16}"}, "v": {"S": "x" * (n % 37 + 1)}})

    _each(clients, put, 360)
    assert _wait_logged(workers, "PutItem", 2) == {"cloudlet.requests", "cloudlet.requests.worker1"}
    items = clients[0].scan(TableName="blind", ConsistentRead=True)["Items"]
    assert sorted(i["pk"]["S"] for i in items) == sorted(f"k{n}" for n in range(16))
    size = sum(len("pk") + len(i["pk"]["S"]) + len("v") + len(i["v"]["S"]) for i in items)
    for c in clients[:2]:
        table = c.describe_table(TableName="blind")["Table"]
        assert (table["ItemCount"], table["TableSizeBytes"]) == (16, size)


def _established(pids: list[int], port: int) -> dict[int, int]:
    """Established TCP connections to `port` held by each of `pids` (from /proc)."""
    owner = {}
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:["):
                    owner[int(link[8:-1])] = pid
    counts = dict.fromkeys(pids, 0)
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            local_port, state, inode = int(fields[1].split(":")[1], 16), fields[3], int(fields[9])
            if local_port == port and state == "01" and inode in owner:
                counts[owner[inode]] += 1
    return counts


def test_connections_are_dealt_out_evenly(workers: CloudletProcess) -> None:
    status = httpx.get(workers.endpoint + "/_cloudlet/status").json()
    pids = [status["pid"], *status["api_workers"]]
    port = workers.ports["aws"]
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
    try:
        deadline = time.monotonic() + 5
        while sum((counts := _established(pids, port)).values()) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(counts.values()) == [5, 5], counts  # the kernel's hash would often give 7/3
    finally:
        for c in conns:
            c.close()


def test_concurrent_read_modify_writes_across_processes_lose_nothing(workers: CloudletProcess) -> None:
    clients = _clients(workers)
    _table(clients[0], "ctr")
    clients[0].put_item(TableName="ctr", Item={"pk": {"S": "counter"}, "n": {"N": "0"}})
    jobs = 240

    def increment(n: int, c: Any) -> None:
        c.update_item(
            TableName="ctr",
            Key={"pk": {"S": "counter"}},
            UpdateExpression="SET n = n + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    _each(clients, increment, jobs)
    assert _wait_logged(workers, "UpdateItem", 2) == {"cloudlet.requests", "cloudlet.requests.worker1"}
    item = clients[0].get_item(TableName="ctr", Key={"pk": {"S": "counter"}}, ConsistentRead=True)["Item"]
    assert item["n"]["N"] == str(jobs)

    # every client tries to create the same keys: exactly one creation of each succeeds
    def create(n: int, c: Any) -> tuple[int, bool]:
        key = n % 20
        try:
            c.put_item(
                TableName="ctr",
                Item={"pk": {"S": f"once{key}"}, "by": {"N": str(n)}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as e:
            assert e.response["Error"]["Code"] == "ConditionalCheckFailedException"
            return key, False
        return key, True

    outcomes = _each(clients, create, 120)
    assert sorted(key for key, won in outcomes if won) == list(range(20))


def test_other_services_are_forwarded_to_the_main_process(workers: CloudletProcess) -> None:
    clients = _clients(workers, "route53")
    zone = clients[0].create_hosted_zone(Name="workers.test", CallerReference="w")["HostedZone"]["Id"]

    def add(n: int, c: Any) -> str:
        change = c.change_resource_record_sets(
            HostedZoneId=zone,
            ChangeBatch={
                "Changes": [
                    {
                        "Action": "CREATE",
                        "ResourceRecordSet": {
                            "Name": f"h{n}.workers.test",
                            "Type": "A",
                            "TTL": 60,
                            "ResourceRecords": [{"Value": f"192.0.2.{n + 1}"}],
                        },
                    }
                ]
            },
        )
        return str(change["ChangeInfo"]["Id"])

    changes = _each(clients, add, 24)
    # the main process answered all of them (its DNS plane saw every change); request lines are
    # written at the end of the loop turn, so one may land after its response was read
    assert _wait_logged(workers, "ChangeResourceRecordSets", 1) == {"cloudlet.requests"}
    for n, change in enumerate(changes):
        clients[n % CLIENTS].get_waiter("resource_record_sets_changed").wait(
            Id=change, WaiterConfig={"Delay": 0.1, "MaxAttempts": 300}
        )
        answer = dns.query.udp(
            dns.message.make_query(f"h{n}.workers.test", "A"),
            "127.0.0.1",
            port=workers.ports["dns"],
            timeout=5,
        )
        assert [r.to_text() for rrset in answer.answer for r in rrset] == [f"192.0.2.{n + 1}"]
    # STS is served by either; the status page is the main process's, whoever is asked
    sts = _clients(workers, "sts")
    assert {c.get_caller_identity()["Account"] for c in sts} == {"000000000000"}
    statuses = {
        httpx.get(workers.endpoint + "/_cloudlet/status", timeout=30).json()["pid"] for _ in range(CLIENTS)
    }
    assert statuses == {workers.proc.pid if workers.proc else -1}


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "closed before a response"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        ),
        0,
    )
    while len(body) < length:
        body += sock.recv(65536)
    return int(head.split(b" ")[1]), body


def test_a_forwarded_request_that_expects_100_continue(workers: CloudletProcess) -> None:
    """The client's 100 Continue comes from the process it is connected to; the main process
    sees a plain request. Connections are dealt out in turn, so half of these go through the worker."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    for i in range(4):
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest '
            'xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
            f"<Name>expect{i}.test</Name><CallerReference>expect-{i}</CallerReference>"
            "</CreateHostedZoneRequest>"
        ).encode()
        req = AWSRequest(method="POST", url=workers.endpoint + "/2013-04-01/hostedzone", data=body)
        SigV4Auth(Credentials("test", "test"), "route53", "us-east-1").add_auth(req)
        head = (
            f"POST /2013-04-01/hostedzone HTTP/1.1\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n"
        )
        head += "".join(f"{k}: {v}\r\n" for k, v in req.headers.items())
        with socket.create_connection(("127.0.0.1", workers.ports["aws"])) as sock:
            sock.sendall((head + "\r\n").encode())
            interim = sock.recv(65536)
            assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim
            sock.sendall(body)
            status, answer = _read_response(sock)
        assert status == 201, answer
        assert f"<Name>expect{i}.test.</Name>".encode() in answer


def test_acknowledged_writes_of_every_process_survive_kill_9(workers: CloudletProcess) -> None:
    clients = _clients(workers)
    _table(clients[0], "dur")
    status = httpx.get(workers.endpoint + "/_cloudlet/status").json()
    (worker_pid,) = status["api_workers"]
    acknowledged: list[int] = []
    stop = threading.Event()

    def writer(w: int) -> None:
        c, n = clients[w], w
        while not stop.is_set():
            try:
                c.put_item(TableName="dur", Item={"pk": {"S": f"k{n}"}})
            except Exception:
                return  # the server is gone: this write was not acknowledged
            acknowledged.append(n)
            n += CLIENTS

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    assert workers.proc is not None
    os.kill(workers.proc.pid, signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join(30)
    workers.proc.wait()
    deadline = time.monotonic() + 10  # a worker never outlives the main process
    while _alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker_pid)
    assert len(acknowledged) > 50
    assert _wait_logged(workers, "PutItem", 2) == {"cloudlet.requests", "cloudlet.requests.worker1"}

    workers.settings["api_workers"] = 1
    workers.start()
    ddb = workers.client("dynamodb")
    stored = set()
    for page in ddb.get_paginator("scan").paginate(TableName="dur"):
        stored |= {int(i["pk"]["S"][1:]) for i in page["Items"]}
    assert set(acknowledged) <= stored
    # the statistics were folded in the same transactions as the items
    assert ddb.describe_table(TableName="dur")["Table"]["ItemCount"] == len(stored)
