"""Both UDP readers (batched recvmmsg/sendmmsg and the plain recvfrom loop) answer alike."""

from __future__ import annotations

import asyncio
import socket

import dns.message
import dns.query
import dns.rcode
import pytest

from cloudlet.services.dns import mmsg
from cloudlet.services.dns.compiler import compile_zone
from cloudlet.services.dns.engine import Engine
from cloudlet.services.dns.server import UdpReader, udp_socket
from cloudlet.services.dns.view import View
from cloudlet.services.route53.model import HostedZone, ZoneSnapshot
from tests.dns.support import zone_records

READERS = [UdpReader] + ([mmsg.MmsgReader] if mmsg.available() else [])


def engine() -> Engine:
    rows = [(f"h{i}.example.com.", "A", 60, (f"192.0.2.{i}",)) for i in range(50)]
    snap = ZoneSnapshot(HostedZone("Z1", "example.com.", "r"), tuple(zone_records("example.com.", rows)))
    return Engine(View([compile_zone(snap)]))


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
def test_reader_answers_bursts_and_misses(reader: type) -> None:
    async def main() -> None:
        sock = udp_socket("127.0.0.1", 0, False)
        port = sock.getsockname()[1]
        r = reader(engine(), sock)
        try:
            await asyncio.to_thread(burst, port)
        finally:
            r.close()

    asyncio.run(main())


def burst(port: int) -> None:
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(3)
    queries = {}
    for round_ in range(3):  # first round: misses; then hits
        for i in range(100):  # more than one batch in flight at once
            q = dns.message.make_query(f"h{i % 60}.example.com.", "A", id=round_ * 1000 + i)
            queries[q.id] = (q, i % 60)
            client.sendto(q.to_wire(), ("127.0.0.1", port))
            if i % 30 == 7:  # dropped mid-batch; the answers after it must still reach their askers
                client.sendto(b"\x00\x01junk", ("127.0.0.1", port))
        seen = 0
        while seen < 100:
            resp = dns.message.from_wire(client.recv(65535))
            q, i = queries.pop(resp.id)
            assert resp.question == q.question
            if i < 50:
                assert [rd.to_text() for rd in resp.answer[0]] == [f"192.0.2.{i}"]
            else:
                assert resp.rcode() == dns.rcode.NXDOMAIN
            seen += 1
    client.close()
