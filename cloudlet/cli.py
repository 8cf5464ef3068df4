"""`cloudlet up | status | coverage` — the only entry point."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
import urllib.request
from pathlib import Path
from typing import Any

from cloudlet.config import Settings, SettingsError, load_settings

# flag -> Settings field; every flag also reads CLOUDLET_<FIELD> from the environment
_FLAGS: tuple[tuple[str, str, type, str], ...] = (
    ("--host", "host", str, "bind address of every server (loopback unless --auth strict)"),
    ("--port", "port", int, "AWS API endpoint port (0: any free port)"),
    ("--dns-port", "dns_port", int, "authoritative DNS port, UDP and TCP"),
    ("--resolver-port", "resolver_port", int, "recursive resolver port, UDP and TCP"),
    ("--whois-port", "whois_port", int, "WHOIS port"),
    ("--state-dir", "state_dir", str, "where state is kept"),
    ("--region", "region", str, "default region for requests that name none"),
    ("--auth", "auth", str, "permissive (any well-formed SigV4) or strict (verified)"),
    ("--durability", "durability", str, "normal (survives kill -9) or full (fsync, survives power loss)"),
    ("--time-scale", "time_scale", float, "run timers (health checks) this many times faster"),
    ("--dns-workers", "dns_workers", int, "DNS worker processes sharing the port (SO_REUSEPORT)"),
    (
        "--api-workers",
        "api_workers",
        int,
        "processes serving the AWS endpoint: DynamoDB and STS on every core",
    ),
    ("--services", "services", str, "comma-separated components to start (default: all)"),
)


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for _, field, _, _ in _FLAGS:
        value = getattr(args, field, None)
        if value is not None:
            overrides[field] = value
    if getattr(args, "quiet", False):
        overrides["log_requests"] = False
    return load_settings(overrides)


def cmd_up(args: argparse.Namespace) -> int:
    settings = _settings(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # uvloop is optional off Linux/macOS
        pass
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    from cloudlet.runtime import Runtime, settle_heap

    runtime = Runtime(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        ports = await runtime.start()
    except (OSError, RuntimeError) as e:  # RuntimeError: an API worker did not start
        print(f"cloudlet: cannot start: {e}", file=sys.stderr)
        await runtime.stop()
        return 1
    # load every model and operation plan now, not in the first requests (~0.3 s), and before
    # settle_heap, so that the collector never walks them
    if runtime.gateway is not None:
        runtime.gateway.warm()
    settle_heap()
    print("cloudlet ready " + json.dumps({"host": settings.host, "ports": ports}), flush=True)
    await stop.wait()
    print("cloudlet stopping", file=sys.stderr, flush=True)
    await runtime.stop()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    settings = _settings(args)
    endpoint = args.endpoint
    if endpoint is None:
        path = Path(settings.state_dir) / "endpoints.json"
        if path.exists():
            info = json.loads(path.read_text())
            endpoint = f"http://{info['host']}:{info['ports']['aws']}"
        else:
            endpoint = f"http://{settings.host}:{settings.port}"
    try:
        with urllib.request.urlopen(endpoint + "/_cloudlet/status", timeout=3) as r:
            status = json.loads(r.read())
    except OSError as e:
        print(f"cloudlet is not running at {endpoint} ({e})")
        return 1
    print(f"cloudlet running at {endpoint} (pid {status['pid']})")
    for name, port in sorted(status["ports"].items()):
        print(f"  {name:10} {port}")
    print("  components: " + ", ".join(status["components"]))
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from cloudlet.coverage import coverage_rows

    rows = coverage_rows()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["service"]) for r in rows)
    for r in rows:
        print(f"{r['service']:{width}}  {len(r['implemented']):3d} / {r['total']:3d} operations")
        if args.verbose:
            for op in r["implemented"]:
                print(f"{'':{width}}    + {op}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cloudlet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start every service")
    status = sub.add_parser("status", help="is cloudlet running, and where")
    for p in (up, status):
        for flag, field, typ, help_ in _FLAGS:
            p.add_argument(flag, dest=field, type=typ, default=None, help=help_)
    up.add_argument("--quiet", action="store_true", help="no per-request log lines")
    status.add_argument("--endpoint", default=None, help="AWS endpoint URL to ask")
    cov = sub.add_parser("coverage", help="operations implemented per service")
    cov.add_argument("--json", action="store_true")
    cov.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    try:
        handler = {"up": cmd_up, "status": cmd_status, "coverage": cmd_coverage}[args.command]
        return handler(args)
    except SettingsError as e:
        print(f"cloudlet: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
