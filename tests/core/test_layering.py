"""The dependency rules of ARCHITECTURE.md, checked on the source: `aws/` knows no service, services
know nothing of the wire beyond AwsError, and data planes never import `aws/` or botocore."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.server import ROOT

PKG = ROOT / "cloudlet"
DATA_PLANES = [
    PKG / "services" / "dns",
    PKG / "geo",
    PKG / "store",
    *(
        PKG / "services" / "route53" / f
        for f in (
            "health.py",
            "health_checker.py",
            "health_probe.py",
            "health_view.py",
            "policies.py",
            "router.py",
            "cidr.py",
            "model.py",
        )
    ),
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _files(where: Path) -> list[Path]:
    return sorted(where.rglob("*.py")) if where.is_dir() else [where]


def test_wire_layer_knows_no_service() -> None:
    for f in _files(PKG / "aws"):
        bad = {m for m in _imports(f) if m.startswith("cloudlet.services") and m != "cloudlet.services.base"}
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


def test_services_use_only_the_error_type_of_the_wire() -> None:
    for f in _files(PKG / "services"):
        bad = {
            m
            for m in _imports(f)
            if m.startswith(("cloudlet.aws", "botocore")) and m != "cloudlet.aws.errors"
        }
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


def test_data_planes_never_import_the_wire_or_botocore() -> None:
    for where in DATA_PLANES:
        for f in _files(where):
            bad = {m for m in _imports(f) if m.startswith(("cloudlet.aws", "botocore"))}
            assert not bad, f"{f.relative_to(ROOT)} imports {bad}"
