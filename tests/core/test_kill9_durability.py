"""kill -9 in the middle of a stream of writes loses no acknowledged write (Route 53 changes)."""

from __future__ import annotations

import threading
import time

from botocore.exceptions import BotoCoreError, ClientError


def test_sigkill_mid_stream_keeps_every_acknowledged_change(cloudlet_factory) -> None:
    server = cloudlet_factory()
    r53 = server.client("route53")
    zone_id = r53.create_hosted_zone(Name="durable.example.com", CallerReference="kill9")["HostedZone"]["Id"]
    acked: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        client = server.client("route53")
        i = 0
        while not stop.is_set() and i < 5000:
            try:
                client.change_resource_record_sets(
                    HostedZoneId=zone_id,
                    ChangeBatch={
                        "Changes": [
                            {
                                "Action": "CREATE",
                                "ResourceRecordSet": {
                                    "Name": f"r{i}.durable.example.com",
                                    "Type": "TXT",
                                    "TTL": 60,
                                    "ResourceRecords": [{"Value": f'"{i}"'}],
                                },
                            }
                        ]
                    },
                )
            except (BotoCoreError, ClientError):
                return  # the server died under us: this one was never acknowledged
            acked.append(i)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    deadline = time.monotonic() + 20
    while len(acked) < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    stop.set()
    t.join(30)
    assert len(acked) >= 50, server.log()

    server.start()
    names: set[str] = set()
    for page in (
        server.client("route53").get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id)
    ):
        names.update(rr["Name"] for rr in page["ResourceRecordSets"] if rr["Type"] == "TXT")
    missing = [i for i in acked if f"r{i}.durable.example.com." not in names]
    assert not missing, f"{len(missing)} acknowledged changes lost: {missing[:10]}"
