"""The configurable latency table: client network -> {Region: milliseconds}.

settings.extra["latency_table"] names a JSON file such as
    {"127.0.0.0/24": {"eu-central-1": 12, "us-east-1": 95}}
Longest matching network wins; its Regions override the great-circle model for that client
(geo/model.py latency_ms). geo/locator.py attaches the matching row to each ClientInfo.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

from cloudlet.geo.model import IPNetwork
from cloudlet.geo.usermap import GeoConfigError

Row = tuple[tuple[str, float], ...]


class LatencyTable:
    def __init__(self, rows: dict[IPNetwork, Row] | None = None) -> None:
        # longest prefix first, so the first network containing the client wins
        self._rows = sorted((rows or {}).items(), key=lambda kv: -kv[0].prefixlen)

    def __bool__(self) -> bool:
        return bool(self._rows)

    def row(self, network: IPNetwork) -> Row:
        for net, row in self._rows:
            if net.version == network.version and network.subnet_of(net):  # type: ignore[arg-type]
                return row
        return ()

    @classmethod
    def load(cls, path: Path) -> LatencyTable:
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise GeoConfigError(f"latency_table {path}: {e}") from None
        return cls.parse(raw, str(path))

    @classmethod
    def parse(cls, raw: Any, source: str = "latency_table") -> LatencyTable:
        if not isinstance(raw, dict):
            raise GeoConfigError(f"{source}: expected a JSON object of CIDR -> {{Region: ms}}")
        rows: dict[IPNetwork, Row] = {}
        for cidr, regions in raw.items():
            try:
                net = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise GeoConfigError(f"{source}: {cidr!r} is not a CIDR") from None
            if not isinstance(regions, dict) or not all(
                isinstance(k, str) and isinstance(v, int | float) and v >= 0 for k, v in regions.items()
            ):
                raise GeoConfigError(f"{source}[{cidr}]: expected {{Region: milliseconds >= 0}}")
            rows[net] = tuple((k, float(v)) for k, v in regions.items())
        return cls(rows)
