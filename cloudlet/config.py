"""One Settings object, built once from CLI flags, CLOUDLET_* environment variables and defaults.

Nothing else in cloudlet reads os.environ: components receive the Settings (or the part of it they
need) through their constructors.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting has a bad value; raised before anything starts."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"  # bind address of every server
    port: int = 4566  # AWS API endpoint (HTTP)
    dns_port: int = 1053  # authoritative DNS, UDP+TCP
    resolver_port: int = 1054  # recursive resolver, UDP+TCP
    whois_port: int = 1043
    state_dir: Path = Path(".cloudlet")
    region: str = "us-east-1"  # default region when a request names none
    auth: str = "permissive"  # "permissive": any well-formed SigV4 accepted; "strict": verified
    access_key_id: str = "test"  # strict mode credentials
    secret_access_key: str = "test"
    account_id: str = "000000000000"
    log_requests: bool = True
    # "normal": survives kill -9 (WAL, synchronous=NORMAL); "full": also power loss
    durability: str = "normal"
    time_scale: float = 1.0  # >1 makes health-check intervals and other timers run faster (tests, demos)
    dns_workers: int = 1  # DNS worker processes sharing the port with SO_REUSEPORT
    api_workers: int = 1  # processes serving the AWS endpoint; >1: see aws/workers.py
    services: tuple[str, ...] = ()  # empty: all
    extra: Mapping[str, str] = field(default_factory=dict)  # service-specific CLOUDLET_* values

    def __post_init__(self) -> None:
        for name in ("port", "dns_port", "resolver_port", "whois_port"):
            v = getattr(self, name)
            if not 0 <= v <= 65535:
                raise SettingsError(f"{name} must be a port number 0..65535, not {v}")
        if self.auth not in ("permissive", "strict"):
            raise SettingsError(f"auth must be 'permissive' or 'strict', not {self.auth!r}")
        if self.durability not in ("normal", "full"):
            raise SettingsError(f"durability must be 'normal' or 'full', not {self.durability!r}")
        if not 1 <= self.api_workers <= 64:
            raise SettingsError(f"api_workers must be 1..64, not {self.api_workers}")
        if self.time_scale <= 0:
            raise SettingsError("time_scale must be > 0")
        if self.auth != "strict" and not _is_loopback(self.host):
            raise SettingsError(
                f"binding {self.host} (not loopback) requires --auth strict with configured credentials"
            )

    @property
    def db_path(self) -> Path:
        return self.state_dir / "state.db"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _convert(name: str, raw: Any) -> Any:
    default = _FIELDS[name].default
    if isinstance(raw, str):
        if isinstance(default, bool):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise SettingsError(f"{name}: expected a boolean, got {raw!r}")
        if isinstance(default, int):
            try:
                return int(raw)
            except ValueError:
                raise SettingsError(f"{name}: expected an integer, got {raw!r}") from None
        if isinstance(default, float):
            try:
                return float(raw)
            except ValueError:
                raise SettingsError(f"{name}: expected a number, got {raw!r}") from None
        if isinstance(default, Path):
            return Path(raw)
        if name == "services":
            return tuple(s.strip() for s in raw.split(",") if s.strip())
    return raw


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Defaults, then CLOUDLET_<NAME> environment variables, then explicit overrides (CLI flags)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    extra: dict[str, str] = {}
    for key, raw in env.items():
        if not key.startswith("CLOUDLET_"):
            continue
        name = key[len("CLOUDLET_") :].lower()
        if name in _FIELDS and name != "extra":
            values[name] = _convert(name, raw)
        else:
            extra[name] = raw
    for name, raw in (overrides or {}).items():
        if raw is None:
            continue
        if name not in _FIELDS:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = _convert(name, raw)
    if extra:
        values["extra"] = {**extra, **dict(values.get("extra", {}))}
    return Settings(**values)
