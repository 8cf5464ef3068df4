"""One health-checker observation: open a real connection to the endpoint and judge it.

`probe(config, health_check_id, limits)` returns a ProbeResult value (never raises for network
outcomes). Rules, from Route 53's documentation:
- HTTP/HTTPS: TCP connect within 4 s, then a status line 200-399 within 2 s.
- *_STR_MATCH: additionally the body (gzip/deflate decoded) must contain SearchString wholly
  within its first 5,120 bytes, received within 2 s more.
- TCP: connect within 10 s.
- HTTPS: certificates are not validated; SNI is the FQDN when EnableSNI.
- A domain-name target is resolved (A records) on every probe.
Neighbours: health_checker.py schedules probes; health.py owns the checkers.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import warnings
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from http import HTTPStatus

from cloudlet.services.route53.health_model import HealthCheckConfig

BODY_LIMIT = 5120
HEADER_LIMIT = 16 * 1024
FIREWALL_HINT = (
    "The endpoint or the internet connection is down, or requests are being blocked by your firewall. "
    "See https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-router-firewall-rules.html"
)


@dataclass(frozen=True)
class ProbeLimits:
    """Timeouts in real seconds (health.py divides AWS's values by settings.time_scale)."""

    connect: float = 4.0
    tcp_connect: float = 10.0
    status: float = 2.0
    body: float = 2.0


@dataclass(frozen=True)
class ProbeResult:
    healthy: bool
    status: str  # AWS's StatusReport.Status text, e.g. "Success: HTTP Status Code 200, OK"
    checker_ip: str | None = None  # our side of the connection


class _Failed(Exception):
    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


async def probe(cfg: HealthCheckConfig, health_check_id: str, limits: ProbeLimits) -> ProbeResult:
    writer: asyncio.StreamWriter | None = None
    local: str | None = None
    try:
        address = cfg.ip_address or await _resolve(cfg.fqdn or "")
        tls = _tls_context() if cfg.https else None
        # "" = no SNI extension; the FQDN only when EnableSNI asks for it
        server_hostname = (cfg.fqdn if cfg.enable_sni and cfg.fqdn else "") if tls else None
        timeout = limits.tcp_connect if cfg.type == "TCP" else limits.connect
        try:
            async with asyncio.timeout(timeout):
                reader, conn = await asyncio.open_connection(
                    address, cfg.port, ssl=tls, server_hostname=server_hostname
                )
            writer = conn
        except TimeoutError:
            raise _Failed(f"Failure: Connection timed out. {FIREWALL_HINT}") from None
        except ConnectionRefusedError:
            raise _Failed(f"Failure: Connection refused. {FIREWALL_HINT}") from None
        except ssl.SSLError as e:
            raise _Failed(f"Failure: TLS negotiation failed: {e.reason or e}") from None
        except OSError as e:
            raise _Failed(f"Failure: Connection failed: {e.strerror or e}. {FIREWALL_HINT}") from None
        sock = conn.get_extra_info("sockname")
        local = sock[0] if sock else None
        if cfg.type == "TCP":
            return ProbeResult(True, "Success: TCP connection established", local)
        return await _http(cfg, health_check_id, reader, conn, limits, local)
    except _Failed as f:
        return ProbeResult(False, f.status, local)
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(0.5):
                    await writer.wait_closed()


async def _resolve(fqdn: str) -> str:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(4.0):
            infos = await loop.getaddrinfo(fqdn, None, family=socket.AF_INET, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError, UnicodeError) as e:
        raise _Failed(f"Failure: DNS resolution failed: {fqdn}: {e}") from None
    if not infos:
        raise _Failed(f"Failure: DNS resolution failed: {fqdn} has no A record")
    return str(infos[0][4][0])


def _tls_context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # Route 53 does not validate certificates
    with contextlib.suppress(ValueError, ssl.SSLError), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Route 53 accepts TLS 1.0, so do we
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    return ctx


async def _http(
    cfg: HealthCheckConfig,
    health_check_id: str,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    limits: ProbeLimits,
    local: str | None,
) -> ProbeResult:
    host = cfg.host_header()
    request = (
        f"GET {cfg.resource_path or '/'} HTTP/1.1\r\n"
        + (f"Host: {host}\r\n" if host else "")
        + f"User-Agent: Amazon-Route53-Health-Check-Service (ref {health_check_id}; report http://amzn.to/1vsZADi)\r\n"
        "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: close\r\n\r\n"
    )
    try:
        writer.write(request.encode("latin-1", "replace"))
        async with asyncio.timeout(limits.status):
            head = await _read_head(reader)
    except TimeoutError:
        raise _Failed(
            "Failure: The endpoint did not respond with an HTTP status code within 2 seconds."
        ) from None
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        raise _Failed(
            "Failure: The connection was closed before a complete HTTP response was received."
        ) from None
    code, headers = _parse_head(head)
    phrase = _phrase(code)
    if not 200 <= code < 400:
        raise _Failed(f"Failure: HTTP Status Code {code}, {phrase}")
    if cfg.search_string is not None:
        try:
            async with asyncio.timeout(limits.body):
                body = await _read_body(reader, headers)
        except TimeoutError:
            raise _Failed("Failure: The response body was not received within 2 seconds.") from None
        except (OSError, ValueError, zlib.error):
            raise _Failed("Failure: The response body could not be read.") from None
        if cfg.search_string.encode() not in body[:BODY_LIMIT]:
            raise _Failed(
                f"Failure: HTTP Status Code {code}, {phrase}. Resolved IP: {cfg.ip_address or cfg.fqdn}. "
                "The response body did not contain the search string in its first 5,120 bytes."
            )
    return ProbeResult(True, f"Success: HTTP Status Code {code}, {phrase}", local)


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")  # the body stays buffered in the reader
    if len(head) > HEADER_LIMIT:
        raise ValueError("headers too long")
    return head


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise _Failed("Failure: Received a malformed HTTP response.")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    return int(parts[1]), headers


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Unknown"


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    """Up to BODY_LIMIT bytes of the decoded body."""
    encoding = headers.get("content-encoding", "").lower()
    decoder = None
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    length = int(headers["content-length"]) if headers.get("content-length", "").isdigit() else None
    out = b""
    async for raw in _raw_body(reader, chunked, length):
        data = decoder.decompress(raw, BODY_LIMIT - len(out)) if decoder is not None else raw
        out += data
        if len(out) >= BODY_LIMIT:
            break
    return out[:BODY_LIMIT]


async def _raw_body(reader: asyncio.StreamReader, chunked: bool, length: int | None) -> AsyncIterator[bytes]:
    read = 0
    cap = BODY_LIMIT * 64  # compressed or not, never read unboundedly
    if not chunked:
        while read < cap and (length is None or read < length):
            data = await reader.read(min(4096, (length - read) if length is not None else 4096))
            if not data:
                return
            read += len(data)
            yield data
        return
    while read < cap:
        size_line = await reader.readline()
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            return
        data = await reader.readexactly(size)
        await reader.readline()
        read += size
        yield data
