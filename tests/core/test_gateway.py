"""The AWS endpoint as a whole: routing to services, errors for what is not built, malformed
input, signature checking, the status endpoint, the request log and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support.server import ROOT, CloudletProcess


def test_status_endpoint_reports_ports(cloudlet: CloudletProcess) -> None:
    status = httpx.get(cloudlet.endpoint + "/_cloudlet/status").json()
    assert status["ports"]["aws"] == cloudlet.ports["aws"]
    assert "StsApi" in status["components"]


def test_sts_get_caller_identity_through_boto3_and_cli(cloudlet: CloudletProcess) -> None:
    ident = cloudlet.client("sts").get_caller_identity()
    assert ident["Account"] == "000000000000"
    assert ident["Arn"] == "arn:aws:iam::000000000000:root"
    out = cloudlet.aws("sts", "get-caller-identity")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Account"] == "000000000000"


def test_operation_not_built_is_a_named_error(cloudlet: CloudletProcess) -> None:
    sts = cloudlet.client("sts")
    with pytest.raises(ClientError) as e:
        sts.get_session_token()
    err = e.value.response["Error"]
    assert err["Code"] == "NotImplemented"
    assert "GetSessionToken" in err["Message"] and "sts" in err["Message"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_service_not_built_is_a_named_error(cloudlet: CloudletProcess) -> None:
    idp = cloudlet.client("cognito-idp")
    with pytest.raises(ClientError) as e:
        idp.list_user_pools(MaxResults=10)
    assert e.value.response["Error"]["Code"] == "NotImplemented"
    assert "ListUserPools" in e.value.response["Error"]["Message"]


def test_unknown_service_gets_a_json_error_not_a_traceback(cloudlet: CloudletProcess) -> None:
    r = httpx.post(cloudlet.endpoint + "/", content=b"hello")
    assert r.status_code == 400
    assert r.json()["__type"] == "UnknownServiceException"
    assert "Traceback" not in r.text


def test_malformed_json_body_is_a_serialization_error(cloudlet: CloudletProcess) -> None:
    r = httpx.post(
        cloudlet.endpoint + "/",
        content=b"{not json",
        headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    assert r.status_code == 400
    assert "SerializationException" in r.json()["__type"]
    assert r.headers["x-amzn-RequestId"]


def test_unknown_json_operation_is_named(cloudlet: CloudletProcess) -> None:
    r = httpx.post(
        cloudlet.endpoint + "/",
        content=b"{}",
        headers={
            "X-Amz-Target": "DynamoDB_20120810.MakeCoffee",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    assert r.status_code == 400
    assert "UnknownOperationException" in r.json()["__type"]


def test_every_request_is_logged_with_service_operation_status_and_time(cloudlet: CloudletProcess) -> None:
    cloudlet.client("sts").get_caller_identity()
    # under load the log is written once per event-loop iteration, possibly just after the response
    deadline = time.monotonic() + 5
    while True:
        lines = [
            ln for ln in cloudlet.log().splitlines() if "cloudlet.requests sts GetCallerIdentity 200" in ln
        ]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert lines and lines[-1].endswith("ms")


def test_strict_auth_verifies_signatures(cloudlet_factory) -> None:
    server = cloudlet_factory(
        env={
            "CLOUDLET_AUTH": "strict",
            "CLOUDLET_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "CLOUDLET_SECRET_ACCESS_KEY": "s3cr3t",
        }
    )

    def sts(key: str, secret: str):  # type: ignore[no-untyped-def]
        return boto3.client(
            "sts",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}),
        )

    assert sts("AKIDEXAMPLE", "s3cr3t").get_caller_identity()["Account"] == "000000000000"
    with pytest.raises(ClientError) as e:
        sts("AKIDEXAMPLE", "wrong").get_caller_identity()
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as e:
        sts("AKIDOTHER", "s3cr3t").get_caller_identity()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"

    # a correctly signed request from an hour ago is refused as too skewed
    import datetime as dt
    from unittest import mock

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method="POST",
        url=server.endpoint + "/",
        data="Action=GetCallerIdentity&Version=2011-06-15",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    # sign as a client whose clock is an hour behind would
    with mock.patch("botocore.auth.get_current_datetime", return_value=an_hour_ago):
        SigV4Auth(Credentials("AKIDEXAMPLE", "s3cr3t"), "sts", "us-east-1").add_auth(request)
    r = httpx.post(server.endpoint + "/", content=request.body, headers=dict(request.headers))
    assert r.status_code == 403 and b"RequestTimeTooSkewed" in r.content


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cloudlet", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=120,
    )


def test_cli_status_finds_the_running_server(cloudlet: CloudletProcess) -> None:
    out = _cli("status", "--state-dir", str(cloudlet.state_dir))
    assert out.returncode == 0, out.stdout + out.stderr
    assert str(cloudlet.ports["aws"]) in out.stdout


def test_cli_status_when_nothing_runs(tmp_path: Path) -> None:
    out = _cli("status", "--state-dir", str(tmp_path), "--port", "1")
    assert out.returncode == 1 and "not running" in out.stdout


def test_cli_coverage_counts_operations_from_the_models() -> None:
    out = _cli("coverage", "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["service"]: r for r in json.loads(out.stdout)}
    assert rows["sts"]["implemented"] == ["GetCallerIdentity"]
    assert "GetSessionToken" in rows["sts"]["missing"]
    assert rows["route53"]["total"] > 60


def test_bad_setting_is_refused_before_starting(tmp_path: Path) -> None:
    out = _cli("up", "--state-dir", str(tmp_path), "--port", "99999")
    assert out.returncode == 2 and "port" in out.stderr


def test_sigterm_stops_cleanly(cloudlet_factory) -> None:
    server = cloudlet_factory()
    assert server.stop() == 0
    assert not (server.state_dir / "endpoints.json").exists()
