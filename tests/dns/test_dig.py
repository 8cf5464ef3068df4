"""The README quickstart, as a user runs it: the AWS CLI creates a zone and a record, `dig` asks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest


def _dig(port: int, *args: str) -> str:
    out = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), "+time=2", "+tries=1", *args],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


# `make test` installs dig (bind9-dnsutils); only a bare `pytest` outside CI may lack it
@pytest.mark.skipif(
    shutil.which("dig") is None and not os.environ.get("CI"), reason="dig not installed (run make test)"
)
def test_cli_then_dig(cloudlet_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = cloudlet_factory()
    port = server.ports["dns"]
    zone = json.loads(
        server.aws(
            "route53",
            "create-hosted-zone",
            "--name",
            "dig.example.com",
            "--caller-reference",
            "dig-1",
            check=True,
        ).stdout
    )["HostedZone"]["Id"]
    batch = tmp_path / "batch.json"
    batch.write_text(
        json.dumps(
            {
                "Changes": [
                    {
                        "Action": "CREATE",
                        "ResourceRecordSet": {
                            "Name": "www.dig.example.com",
                            "Type": "A",
                            "TTL": 300,
                            "ResourceRecords": [{"Value": "192.0.2.10"}],
                        },
                    }
                ]
            }
        )
    )
    change = json.loads(
        server.aws(
            "route53",
            "change-resource-record-sets",
            "--hosted-zone-id",
            zone,
            "--change-batch",
            f"file://{batch}",
            check=True,
        ).stdout
    )
    server.aws(
        "route53", "wait", "resource-record-sets-changed", "--id", change["ChangeInfo"]["Id"], check=True
    )

    assert _dig(port, "+short", "www.dig.example.com", "A").split() == ["192.0.2.10"]
    assert _dig(port, "+short", "+tcp", "WWW.Dig.Example.COM", "A").split() == ["192.0.2.10"]
    full = _dig(port, "www.dig.example.com", "A")
    assert "status: NOERROR" in full and " aa" in full.split("flags:")[1].split(";")[0]
    nx = _dig(port, "nope.dig.example.com", "A")
    assert "status: NXDOMAIN" in nx and "awsdns-hostmaster.amazon.com." in nx
    assert "status: REFUSED" in _dig(port, "www.example.org", "A")
    assert _dig(port, "+short", "dig.example.com", "NS").count("awsdns") == 4
