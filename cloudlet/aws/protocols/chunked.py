"""aws-chunked request bodies (SigV4 streaming uploads, used by S3 clients for PutObject/UploadPart).

Body: `<hex-size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n ... 0[;...]\\r\\n[<trailer>:<value>\\r\\n]*\\r\\n`.
Decoding yields the payload and the trailing headers (e.g. x-amz-checksum-crc32), which the rest
protocols then read like any header. Chunk signatures are not verified (the seed signature is, by
sigv4.py). Neighbours: rest.py.
"""

from __future__ import annotations

from cloudlet.aws.http import HttpRequest
from cloudlet.aws.protocols.values import ValueFormatError


def is_chunked(req: HttpRequest) -> bool:
    encoding = req.headers.get("Content-Encoding") or ""
    declared = req.headers.get("X-Amz-Content-SHA256") or ""
    return "aws-chunked" in encoding or declared.startswith("STREAMING-")


def decode(body: bytes) -> tuple[bytes, list[tuple[str, str]]]:
    """(payload, trailing headers) of an aws-chunked body; ValueFormatError when malformed."""
    out = bytearray()
    pos = 0
    while True:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            raise ValueFormatError("aws-chunked body ends inside a chunk header")
        size_text = body[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ValueFormatError("aws-chunked chunk size is not hexadecimal") from None
        pos = eol + 2
        if size == 0:
            break
        if size < 0 or pos + size + 2 > len(body) or body[pos + size : pos + size + 2] != b"\r\n":
            raise ValueFormatError("aws-chunked chunk is shorter than its declared size")
        out += body[pos : pos + size]
        pos += size + 2
    trailers: list[tuple[str, str]] = []
    for line in body[pos:].split(b"\r\n"):
        if not line:
            continue
        name, sep, value = line.decode("latin-1").partition(":")
        if sep and name.strip().lower() != "x-amz-trailer-signature":
            trailers.append((name.strip(), value.strip()))
    return bytes(out), trailers


def unwrap(req: HttpRequest) -> HttpRequest:
    """The request as if it had been sent with a plain body."""
    payload, trailers = decode(req.body)
    headers = type(req.headers)(req.headers.items())
    encoding = [e.strip() for e in (headers.get("Content-Encoding") or "").split(",")]
    remaining = [e for e in encoding if e and e != "aws-chunked"]
    if remaining:
        headers["Content-Encoding"] = ", ".join(remaining)
    elif "Content-Encoding" in headers:
        headers = type(headers)([(k, v) for k, v in headers.items() if k.lower() != "content-encoding"])
    for name, value in trailers:
        headers[name] = value
    headers["Content-Length"] = str(len(payload))
    return HttpRequest(req.method, req.path, req.query_string, headers, payload, req.client)
