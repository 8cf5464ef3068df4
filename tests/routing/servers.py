"""Tiny real servers on loopback for the health-check tests: HTTP(S) with a switchable answer,
and a bare TCP listener. Started and stopped inside a test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import gzip
import ssl
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Behaviour:
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0  # seconds before the status line
    gzip: bool = False
    chunked: bool = False


@dataclass
class HttpServer:
    behaviour: Behaviour = field(default_factory=Behaviour)
    tls: ssl.SSLContext | None = None
    requests: list[bytes] = field(default_factory=list)
    server: asyncio.Server | None = None
    port: int = 0

    async def start(self, port: int = 0) -> HttpServer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", port, ssl=self.tls)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 1)
            self.server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.requests.append(head)
            b = self.behaviour
            if b.delay:
                await asyncio.sleep(b.delay)
            body = gzip.compress(b.body) if b.gzip else b.body
            headers = [f"HTTP/1.1 {b.status} X", "Connection: close"]
            if b.gzip:
                headers.append("Content-Encoding: gzip")
            if b.chunked:
                headers.append("Transfer-Encoding: chunked")
                payload = (
                    b"".join(
                        f"{len(body[i : i + 1000]):x}\r\n".encode() + body[i : i + 1000] + b"\r\n"
                        for i in range(0, len(body), 1000)
                    )
                    + b"0\r\n\r\n"
                )
            else:
                headers.append(f"Content-Length: {len(body)}")
                payload = body
            writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + payload)
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


def self_signed_context(tmp: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "health.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)
    return ctx


async def tcp_listener(port: int = 0) -> asyncio.Server:
    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    return await asyncio.start_server(accept, "127.0.0.1", port)
