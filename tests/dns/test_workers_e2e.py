"""`cloudlet up --dns-workers 2`: every worker answers a Route 53 change once GetChange says INSYNC,
and DynamoDB writes (another store stream) leave the workers' views alone."""

from __future__ import annotations

import dns.message
import dns.query


def _answers(port: int, name: str, tries: int = 30) -> set[str]:
    seen: set[str] = set()
    for _ in range(tries):  # a fresh socket each time: the kernel spreads them over the workers
        resp = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=2)
        seen.update(rd.to_text() for rrset in resp.answer for rd in rrset)
    return seen


def _upsert(r53, zone_id: str, value: str) -> None:  # type: ignore[no-untyped-def]
    change = r53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": "www.workers.example.com",
                        "Type": "A",
                        "TTL": 60,
                        "ResourceRecords": [{"Value": value}],
                    },
                }
            ]
        },
    )
    r53.get_waiter("resource_record_sets_changed").wait(
        Id=change["ChangeInfo"]["Id"], WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
    )


def test_all_workers_follow_route53_changes(cloudlet_factory) -> None:  # type: ignore[no-untyped-def]
    server = cloudlet_factory(settings={"dns_workers": 2})
    r53 = server.client("route53")
    zone_id = r53.create_hosted_zone(Name="workers.example.com", CallerReference="w1")["HostedZone"]["Id"]
    port = server.ports["dns"]
    _upsert(r53, zone_id, "192.0.2.1")
    assert _answers(port, "www.workers.example.com") == {"192.0.2.1"}

    ddb = server.client("dynamodb")
    ddb.create_table(
        TableName="noise",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for i in range(20):
        ddb.put_item(TableName="noise", Item={"k": {"S": str(i)}})
    assert _answers(port, "www.workers.example.com") == {"192.0.2.1"}

    _upsert(r53, zone_id, "192.0.2.2")
    assert _answers(port, "www.workers.example.com") == {"192.0.2.2"}
