"""End to end: a real `cloudlet up`, Route 53 API changes, answers on its DNS port."""

from __future__ import annotations

import time
import uuid

import dns.message
import dns.query
import dns.rcode


def ask(server, name: str, rdtype: str = "A") -> dns.message.Message:  # type: ignore[no-untyped-def]
    q = dns.message.make_query(name, rdtype)
    return dns.query.udp(q, "127.0.0.1", port=server.ports["dns"], timeout=3)


def values(resp: dns.message.Message) -> list[str]:
    return sorted(rd.to_text() for rr in resp.answer for rd in rr)


def upsert(r53, zone_id: str, name: str, value: str) -> str:  # type: ignore[no-untyped-def]
    out = r53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": name,
                        "Type": "A",
                        "TTL": 60,
                        "ResourceRecords": [{"Value": value}],
                    },
                }
            ]
        },
    )
    return out["ChangeInfo"]["Id"]  # type: ignore[no-any-return]


def wait_insync(r53, change_id: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30
    while r53.get_change(Id=change_id)["ChangeInfo"]["Status"] != "INSYNC":
        assert time.monotonic() < deadline, "change never INSYNC"
        time.sleep(0.05)


def test_route53_change_answered_by_insync(cloudlet) -> None:  # type: ignore[no-untyped-def]
    r53 = cloudlet.client("route53")
    origin = f"e2e-{uuid.uuid4().hex[:8]}.example.com"
    zone = r53.create_hosted_zone(Name=origin, CallerReference=uuid.uuid4().hex)
    zone_id = zone["HostedZone"]["Id"]
    wait_insync(r53, zone["ChangeInfo"]["Id"])
    soa = ask(cloudlet, origin, "SOA")
    assert soa.rcode() == dns.rcode.NOERROR and soa.answer
    assert ask(cloudlet, f"www.{origin}").rcode() == dns.rcode.NXDOMAIN

    for value in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        change = upsert(r53, zone_id, f"www.{origin}", value)
        wait_insync(r53, change)
        assert values(ask(cloudlet, f"www.{origin}")) == [value]

    out = r53.test_dns_answer(HostedZoneId=zone_id, RecordName=f"www.{origin}", RecordType="A")
    assert (
        out["RecordData"] == ["192.0.2.3"] and out["ResponseCode"] == "NOERROR" and out["Protocol"] == "UDP"
    )
