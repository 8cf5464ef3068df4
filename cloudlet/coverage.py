"""Which operations of each AWS service's botocore model cloudlet implements (from the code)."""

from __future__ import annotations

from typing import Any

from cloudlet.aws.models import SERVICES, service_model
from cloudlet.runtime import COMPONENTS, load_component
from cloudlet.services.base import ServiceApi, snake


def _api_classes() -> dict[str, type[ServiceApi]]:
    found: dict[str, type[ServiceApi]] = {}
    for _, path in COMPONENTS:
        cls = load_component(path)
        if issubclass(cls, ServiceApi) and cls.service_name:
            found[cls.service_name] = cls
    return found


def coverage_rows() -> list[dict[str, Any]]:
    apis = _api_classes()
    rows = []
    for service in SERVICES:
        ops = list(service_model(service).operation_names)
        cls = apis.get(service)
        implemented = [op for op in ops if cls is not None and callable(getattr(cls, snake(op), None))]
        rows.append(
            {
                "service": service,
                "total": len(ops),
                "implemented": implemented,
                "missing": [op for op in ops if op not in implemented],
            }
        )
    return rows
