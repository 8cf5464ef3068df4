"""aws-chunked uploads (as botocore's own AwsChunkedWrapper encodes them) parse to the plain payload,
with trailing checksum headers read as members."""

from __future__ import annotations

import io

import pytest
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from cloudlet.aws.errors import AwsError
from cloudlet.aws.models import service_model
from cloudlet.aws.protocols import protocol_for
from tests.aws.wire import botocore_request

PAYLOAD = bytes(range(256)) * 40


def chunked_put() -> tuple[object, object]:
    op = service_model("s3").operation_model("PutObject")
    req = botocore_request(op, {"Bucket": "bucket", "Key": "big/object", "Body": PAYLOAD})
    wrapped = AwsChunkedWrapper(io.BytesIO(PAYLOAD), Crc32Checksum, "x-amz-checksum-crc32", chunk_size=1000)
    req.body = wrapped.read()
    req.headers["Content-Encoding"] = "aws-chunked"
    req.headers["X-Amz-Content-SHA256"] = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    req.headers["X-Amz-Trailer"] = "x-amz-checksum-crc32"
    req.headers["X-Amz-Decoded-Content-Length"] = str(len(PAYLOAD))
    return op, req


def test_chunked_body_and_trailer() -> None:
    _, req = chunked_put()
    op, params = protocol_for(service_model("s3")).parse(req)  # type: ignore[arg-type]
    assert op.name == "PutObject"
    assert params["Body"] == PAYLOAD
    crc = Crc32Checksum()
    crc.update(PAYLOAD)
    assert params["ChecksumCRC32"] == crc.b64digest()
    assert "ContentEncoding" not in params


def test_truncated_chunked_body_is_an_aws_error() -> None:
    _, req = chunked_put()
    req.body = req.body[:1500]  # type: ignore[attr-defined]
    with pytest.raises(AwsError) as info:
        protocol_for(service_model("s3")).parse(req)  # type: ignore[arg-type]
    assert info.value.status == 400
