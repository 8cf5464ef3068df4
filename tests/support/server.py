"""Start a real `cloudlet up` as a subprocess on free loopback ports, and talk to it.

Every port is 0 (the OS picks a free one); the server prints `cloudlet ready {...}` with the ports
it bound, which is how tests learn them. Tests drive the server with real clients only.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
AWS_CLI = Path(sys.executable).with_name("aws")

CREDS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


class CloudletProcess:
    def __init__(
        self, state_dir: Path, settings: dict[str, Any] | None = None, env: dict[str, str] | None = None
    ):
        self.state_dir = Path(state_dir)
        self.settings = {"port": 0, "dns_port": 0, "resolver_port": 0, "whois_port": 0, **(settings or {})}
        self.env = env or {}
        self.proc: subprocess.Popen[str] | None = None
        self.ports: dict[str, int] = {}
        self.host = "127.0.0.1"
        self.log_path = self.state_dir / "server.log"

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self, timeout: float = 60) -> CloudletProcess:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        args = [sys.executable, "-m", "cloudlet", "up", "--state-dir", str(self.state_dir)]
        for key, value in self.settings.items():
            args += ["--" + key.replace("_", "-"), str(value)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDLET_")}
        env.update(self.env)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        with open(self.log_path, "a") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                args, stdout=subprocess.PIPE, stderr=log, text=True, env=env, cwd=str(ROOT)
            )
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while True:
            line = self.proc.stdout.readline()
            if line.startswith("cloudlet ready "):
                info = json.loads(line[len("cloudlet ready ") :])
                self.ports = info["ports"]
                self.host = info["host"]
                return self
            if not line and self.proc.poll() is not None:
                raise RuntimeError(f"cloudlet exited with {self.proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"cloudlet did not start within {timeout}s:\n{self.log()}")

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM and wait: a clean shutdown."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: nothing is flushed or closed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self) -> CloudletProcess:
        self.stop()
        return self.start()

    def log(self) -> str:
        try:
            return self.log_path.read_text()[-20000:]
        except FileNotFoundError:
            return ""

    # -- clients -------------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.ports['aws']}"

    def client(self, service: str, region: str = "us-east-1", **kwargs: Any) -> Any:
        config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30)
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=region, config=config, **CREDS, **kwargs
        )

    def resource(self, service: str, region: str = "us-east-1") -> Any:
        return boto3.resource(service, endpoint_url=self.endpoint, region_name=region, **CREDS)

    def aws(
        self, *args: str, check: bool = False, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the AWS CLI against this server; returns the completed process (stdout is JSON)."""
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_PAGER": "",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        }
        cmd = [str(AWS_CLI), "--endpoint-url", self.endpoint, "--output", "json", *args]
        return subprocess.run(
            cmd, capture_output=True, text=True, env=env, check=check, input=input, timeout=60
        )
