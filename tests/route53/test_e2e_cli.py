"""Route 53 through the AWS CLI (`aws --endpoint-url ... route53 ...`) against a real server:
the commands of the README quickstart, a change batch from a file, and a refused batch."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.support.server import CloudletProcess


def test_cli_zone_and_records(cloudlet: CloudletProcess, tmp_path: Path) -> None:
    made = cloudlet.aws(
        "route53", "create-hosted-zone", "--name", "cli.example.com", "--caller-reference", uuid.uuid4().hex
    )
    assert made.returncode == 0, made.stderr
    out = json.loads(made.stdout)
    zid = out["HostedZone"]["Id"]
    assert out["HostedZone"]["Name"] == "cli.example.com." and len(out["DelegationSet"]["NameServers"]) == 4
    assert out["Location"].endswith(zid.rpartition("/")[2])

    batch = tmp_path / "batch.json"
    batch.write_text(
        json.dumps(
            {
                "Comment": "from the CLI",
                "Changes": [
                    {
                        "Action": "CREATE",
                        "ResourceRecordSet": {
                            "Name": "www.cli.example.com",
                            "Type": "A",
                            "TTL": 60,
                            "ResourceRecords": [{"Value": "192.0.2.44"}],
                        },
                    },
                    {
                        "Action": "CREATE",
                        "ResourceRecordSet": {
                            "Name": "*.cli.example.com",
                            "Type": "TXT",
                            "TTL": 60,
                            "ResourceRecords": [{"Value": '"wild"'}],
                        },
                    },
                ],
            }
        )
    )
    changed = cloudlet.aws(
        "route53", "change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch", f"file://{batch}"
    )
    assert changed.returncode == 0, changed.stderr
    info = json.loads(changed.stdout)["ChangeInfo"]
    assert info["Comment"] == "from the CLI" and info["Status"] in ("PENDING", "INSYNC")
    waited = cloudlet.aws("route53", "wait", "resource-record-sets-changed", "--id", info["Id"])
    assert waited.returncode == 0, waited.stderr

    listed = json.loads(
        cloudlet.aws("route53", "list-resource-record-sets", "--hosted-zone-id", zid, check=True).stdout
    )
    assert [(r["Name"], r["Type"]) for r in listed["ResourceRecordSets"]] == [
        ("cli.example.com.", "NS"),
        ("cli.example.com.", "SOA"),
        ("\\052.cli.example.com.", "TXT"),
        ("www.cli.example.com.", "A"),
    ]

    refused = cloudlet.aws(
        "route53", "change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch", f"file://{batch}"
    )
    assert refused.returncode != 0
    assert (
        "An error occurred (InvalidChangeBatch) when calling the ChangeResourceRecordSets operation: "
        "[Tried to create resource record set [name='www.cli.example.com.', type='A'] but it already exists, "
        "Tried to create resource record set [name='\\052.cli.example.com.', type='TXT'] but it already exists]"
    ) in refused.stderr

    missing = cloudlet.aws("route53", "get-hosted-zone", "--id", "ZNOTHERE")
    assert missing.returncode != 0
    assert (
        "An error occurred (NoSuchHostedZone) when calling the GetHostedZone operation: No hosted zone found with ID: ZNOTHERE"
        in missing.stderr
    )

    by_name = json.loads(
        cloudlet.aws(
            "route53",
            "list-hosted-zones-by-name",
            "--dns-name",
            "cli.example.com",
            "--max-items",
            "1",
            check=True,
        ).stdout
    )
    assert by_name["HostedZones"][0]["Id"] == zid
    count = json.loads(cloudlet.aws("route53", "get-hosted-zone-count", check=True).stdout)
    assert count["HostedZoneCount"] >= 1
