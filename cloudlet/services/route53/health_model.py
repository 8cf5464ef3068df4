"""Route 53 health checks as values: the configuration, its validation, and its API shape.

No I/O, no wire: rule violations raise InvalidHealthCheck (a ValueError) that health_api.py
turns into InvalidInput. health_api.py validates requests with `config_from_api` / `apply_update` and stores
HealthCheck values through health_store.py; the health plane (health.py) probes them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace
from typing import Any

CHECKER_REGIONS = (
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
)
ENDPOINT_TYPES = ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP")
ALL_TYPES = (*ENDPOINT_TYPES, "CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL")
SUPPORTED_TYPES = (*ENDPOINT_TYPES, "CALCULATED")
MAX_HEALTH_CHECKS = 200
RESETTABLE = ("FullyQualifiedDomainName", "Regions", "ResourcePath", "ChildHealthChecks")


class InvalidHealthCheck(ValueError):
    """A request's health check values break a rule; health_api.py answers InvalidInput."""


def invalid(message: str) -> InvalidHealthCheck:
    return InvalidHealthCheck(message)


@dataclass(frozen=True)
class HealthCheckConfig:
    type: str
    ip_address: str | None = None
    port: int | None = None
    resource_path: str | None = None
    fqdn: str | None = None
    search_string: str | None = None
    request_interval: int = 30
    failure_threshold: int = 3
    measure_latency: bool = False
    inverted: bool = False
    disabled: bool = False
    enable_sni: bool | None = None
    regions: tuple[str, ...] = ()  # empty: every checker region
    health_threshold: int | None = None
    child_health_checks: tuple[str, ...] = ()

    @property
    def is_calculated(self) -> bool:
        return self.type == "CALCULATED"

    @property
    def https(self) -> bool:
        return self.type in ("HTTPS", "HTTPS_STR_MATCH")

    @property
    def checker_regions(self) -> tuple[str, ...]:
        return self.regions or CHECKER_REGIONS

    def host_header(self) -> str | None:
        """Route 53's Host header: the FQDN (with :port unless it is the scheme's default),
        else the IP address; TCP checks send none."""
        if self.type == "TCP":
            return None
        default_port = 443 if self.https else 80
        host = self.fqdn or (
            f"[{self.ip_address}]" if self.ip_address and ":" in self.ip_address else self.ip_address
        )
        if host is None:
            return None
        return host if self.port in (None, default_port) else f"{host}:{self.port}"

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Type": self.type}
        if self.ip_address is not None:
            out["IPAddress"] = self.ip_address
        if self.port is not None:
            out["Port"] = self.port
        if self.resource_path is not None:
            out["ResourcePath"] = self.resource_path
        if self.fqdn is not None:
            out["FullyQualifiedDomainName"] = self.fqdn
        if self.search_string is not None:
            out["SearchString"] = self.search_string
        if not self.is_calculated:
            out["RequestInterval"] = self.request_interval
            out["FailureThreshold"] = self.failure_threshold
        out["MeasureLatency"] = self.measure_latency
        out["Inverted"] = self.inverted
        out["Disabled"] = self.disabled
        if self.health_threshold is not None:
            out["HealthThreshold"] = self.health_threshold
        if self.is_calculated:
            out["ChildHealthChecks"] = list(self.child_health_checks)
        if self.enable_sni is not None:
            out["EnableSNI"] = self.enable_sni
        if self.regions:
            out["Regions"] = list(self.regions)
        return out

    def to_doc(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if v is not None}
        d["regions"] = list(self.regions)
        d["child_health_checks"] = list(self.child_health_checks)
        return d

    @classmethod
    def from_doc(cls, d: dict[str, Any]) -> HealthCheckConfig:
        d = dict(d)
        d["regions"] = tuple(d.get("regions", ()))
        d["child_health_checks"] = tuple(d.get("child_health_checks", ()))
        return cls(**d)


@dataclass(frozen=True)
class HealthCheck:
    id: str
    account_id: str
    caller_reference: str
    config: HealthCheckConfig
    version: int = 1
    created: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_api(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "CallerReference": self.caller_reference,
            "HealthCheckConfig": self.config.to_api(),
            "HealthCheckVersion": self.version,
        }

    def to_doc(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": self.account_id,
            "caller_reference": self.caller_reference,
            "config": self.config.to_doc(),
            "version": self.version,
            "created": self.created,
        }

    @classmethod
    def from_doc(cls, d: dict[str, Any]) -> HealthCheck:
        return cls(
            d["id"],
            d["account"],
            d["caller_reference"],
            HealthCheckConfig.from_doc(d["config"]),
            int(d["version"]),
            float(d.get("created", 0.0)),
        )


# -- validation ---------------------------------------------------------------------------------
def config_from_api(raw: Any) -> HealthCheckConfig:
    """A validated config from a CreateHealthCheck HealthCheckConfig (defaults filled as AWS does)."""
    if not isinstance(raw, dict):
        raise invalid("HealthCheckConfig is required")
    hc_type = raw.get("Type")
    if hc_type not in ALL_TYPES:
        raise invalid(f"Invalid health check type: {hc_type}")
    if hc_type not in SUPPORTED_TYPES:
        raise invalid(
            f"Health checks of type {hc_type} are not supported by cloudlet (no {_SOURCE[hc_type]})."
        )
    interval = _int(raw, "RequestInterval", 30)
    if interval not in (10, 30):
        raise invalid("RequestInterval must be 10 or 30 seconds")
    cfg = HealthCheckConfig(
        type=hc_type,
        request_interval=interval,
        failure_threshold=_int(raw, "FailureThreshold", 3),
        measure_latency=bool(raw.get("MeasureLatency", False)),
        inverted=bool(raw.get("Inverted", False)),
        disabled=bool(raw.get("Disabled", False)),
    )
    return _fill(cfg, raw, creating=True)


def apply_update(cfg: HealthCheckConfig, params: dict[str, Any]) -> HealthCheckConfig:
    """The config after an UpdateHealthCheck request (immutable fields stay)."""
    resets = params.get("ResetElements") or []
    for element in resets:
        if element not in RESETTABLE:
            raise invalid(f"Invalid ResetElements value: {element}")
    if "IPAddress" in params and cfg.ip_address is None and not cfg.is_calculated:
        raise invalid("You can't add an IPAddress to a health check that was created without one")
    if "Inverted" in params:
        cfg = replace(cfg, inverted=bool(params["Inverted"]))
    if "Disabled" in params:
        cfg = replace(cfg, disabled=bool(params["Disabled"]))
    if "FailureThreshold" in params:
        cfg = replace(cfg, failure_threshold=_int(params, "FailureThreshold", cfg.failure_threshold))
    if "FullyQualifiedDomainName" in resets:
        cfg = replace(cfg, fqdn=None)
    if "Regions" in resets:
        cfg = replace(cfg, regions=())
    if "ResourcePath" in resets:
        cfg = replace(cfg, resource_path=None)
    if "ChildHealthChecks" in resets:
        cfg = replace(cfg, child_health_checks=())
    return _fill(cfg, params, creating=False)


def _fill(cfg: HealthCheckConfig, raw: dict[str, Any], creating: bool) -> HealthCheckConfig:
    if not 1 <= cfg.failure_threshold <= 10:
        raise invalid("FailureThreshold must be between 1 and 10")
    if cfg.is_calculated:
        for name in ("IPAddress", "Port", "ResourcePath", "FullyQualifiedDomainName", "SearchString"):
            if raw.get(name) is not None:
                raise invalid(f"{name} is not allowed for a CALCULATED health check")
        children = raw.get("ChildHealthChecks", list(cfg.child_health_checks))
        if not isinstance(children, list) or len(children) > 256:
            raise invalid("ChildHealthChecks can contain at most 256 health checks")
        threshold = _int(
            raw, "HealthThreshold", cfg.health_threshold if cfg.health_threshold is not None else 0
        )
        if not 0 <= threshold <= 256:
            raise invalid("HealthThreshold must be between 0 and 256")
        return replace(cfg, child_health_checks=tuple(str(c) for c in children), health_threshold=threshold)
    ip = raw.get("IPAddress", cfg.ip_address)
    if ip is not None:
        try:
            addr = ipaddress.ip_address(str(ip))
        except ValueError:
            raise invalid(f"Invalid IP address: {ip}") from None
        if addr.is_multicast or addr.is_unspecified:
            raise invalid(f"IP address {ip} is not a unicast address")
        ip = str(addr)
    fqdn = raw.get("FullyQualifiedDomainName", cfg.fqdn)
    if fqdn is not None:
        fqdn = str(fqdn).rstrip(".")
        if not fqdn or len(fqdn) > 255:
            raise invalid("FullyQualifiedDomainName must be 1 to 255 characters")
    if ip is None and fqdn is None:
        raise invalid(
            "A health check that monitors an endpoint needs an IPAddress or a FullyQualifiedDomainName"
        )
    default_port = 443 if cfg.https else 80
    port = _int(
        raw, "Port", cfg.port if cfg.port is not None else (None if cfg.type == "TCP" else default_port)
    )
    if port is None:
        raise invalid("Port is required for a TCP health check")
    if not 1 <= port <= 65535:
        raise invalid("Port must be between 1 and 65535")
    path = raw.get("ResourcePath", cfg.resource_path)
    if path is not None:
        path = str(path)
        if cfg.type == "TCP":
            raise invalid("ResourcePath is not allowed for a TCP health check")
        if len(path) > 255:
            raise invalid("ResourcePath must be at most 255 characters")
        if not path.startswith("/"):
            path = "/" + path
    search = raw.get("SearchString", cfg.search_string)
    if cfg.type.endswith("_STR_MATCH"):
        if search is None or search == "":
            raise invalid(f"SearchString is required for a {cfg.type} health check")
        if len(str(search)) > 255:
            raise invalid("SearchString must be at most 255 characters")
    elif search is not None:
        raise invalid("SearchString is only allowed for HTTP_STR_MATCH and HTTPS_STR_MATCH health checks")
    regions = raw.get("Regions", list(cfg.regions))
    if not isinstance(regions, list) or (regions and len(regions) < 3):
        raise invalid("Regions must list at least 3 regions")
    bad = [r for r in regions if r not in CHECKER_REGIONS]
    if bad:
        raise invalid(f"Invalid region: {bad[0]}")
    sni = raw.get("EnableSNI", cfg.enable_sni)
    if sni is None and creating and cfg.https:
        sni = False
    return replace(
        cfg,
        ip_address=ip,
        fqdn=fqdn,
        port=port,
        resource_path=path,
        search_string=None if search is None else str(search),
        regions=tuple(dict.fromkeys(str(r) for r in regions)),
        enable_sni=None if sni is None else bool(sni),
    )


_SOURCE = {"CLOUDWATCH_METRIC": "CloudWatch alarms", "RECOVERY_CONTROL": "Application Recovery Controller"}


def _int(raw: dict[str, Any], name: str, default: Any) -> Any:
    value = raw.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(f"{name} must be an integer") from None
