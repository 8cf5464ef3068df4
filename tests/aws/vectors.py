"""Loading botocore's protocol test vectors (tests/aws/botocore_vectors: botocore's tests/unit/protocols) as models and cases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.model import OperationModel, ServiceModel

# a copy of shared/vectors/botocore-protocols, so any clone can run the conformance tests
VECTORS = Path(__file__).with_name("botocore_vectors")
PROTOCOLS = ("json", "json_1_0", "query", "rest-json", "rest-xml")


@dataclass
class Case:
    protocol: str
    kind: str  # "input" | "output"
    suite: str
    data: dict[str, Any]
    op: OperationModel

    @property
    def id(self) -> str:
        return f"{self.protocol}:{self.data['id']}"


def _ignored() -> tuple[set[str], dict[tuple[str, str], set[str]]]:
    raw = json.loads((VECTORS / "protocol-tests-ignore-list.json").read_text())
    suites: set[str] = set()
    for kind in ("input", "output"):
        suites.update(raw.get("general", {}).get(kind, {}).get("suites", []))
    cases: dict[tuple[str, str], set[str]] = {}
    for proto, kinds in raw.get("protocols", {}).items():
        for kind, body in kinds.items():
            cases[(proto, kind)] = set(body.get("cases", []))
    return suites, cases


def load(kind: str) -> Iterator[tuple[Case, bool]]:
    """Every case of `kind`, with whether botocore's ignore list skips it."""
    ignored_suites, ignored_cases = _ignored()
    for proto in PROTOCOLS:
        for suite in json.loads((VECTORS / kind / f"{proto}.json").read_text()):
            metadata = dict(suite["metadata"])
            metadata.setdefault("apiVersion", "2014-01-01")
            metadata.setdefault("endpointPrefix", "test")
            metadata.setdefault("serviceId", "Test Service")
            if proto == "json_1_0":
                metadata["protocol"] = "json"
            for data in suite["cases"]:
                model = ServiceModel(
                    {
                        "metadata": metadata,
                        "operations": {data["given"]["name"]: data["given"]},
                        "shapes": suite.get("shapes", {}),
                    },
                    service_name="test",
                )
                op = model.operation_model(data["given"]["name"])
                skip = suite["description"] in ignored_suites or data["id"] in ignored_cases.get(
                    (proto, kind), set()
                )
                yield Case(proto, kind, suite["description"], data, op), skip
