"""The per-request log line (cloudlet/aws/requestlog.py) and its use by the gateway."""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import replace

from cloudlet.aws.gateway import Gateway
from cloudlet.aws.http import Headers, HttpRequest
from cloudlet.aws.requestlog import RequestLog
from cloudlet.config import load_settings

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} cloudlet\.requests dynamodb PutItem 200 1\.2ms$")


class CountingStream(io.StringIO):
    writes = 0

    def write(self, s: str) -> int:
        self.writes += 1
        return super().write(s)


def test_line_has_the_logging_shape_and_is_written_at_once_when_idle() -> None:
    out = CountingStream()
    log = RequestLog(out)
    log.line("dynamodb", "PutItem", 200, 1.234)
    assert LINE.match(out.getvalue().rstrip("\n")), out.getvalue()


def test_lines_close_together_are_batched_into_one_write_per_loop_iteration() -> None:
    out = CountingStream()
    log = RequestLog(out)

    async def burst() -> None:
        log.line("dynamodb", "PutItem", 200, 1.234)  # written at once (idle before)
        for _ in range(10):
            log.line("dynamodb", "PutItem", 200, 1.234)
        assert out.getvalue().count("\n") == 1
        await asyncio.sleep(0)  # the loop iteration ends: one write for the ten
        await asyncio.sleep(0)

    asyncio.run(burst())
    assert out.getvalue().count("\n") == 11 and out.writes == 2
    assert all(LINE.match(line) for line in out.getvalue().splitlines())


def test_gateway_logs_each_request_unless_quiet(capsys, tmp_path) -> None:
    settings = load_settings({"state_dir": str(tmp_path)})
    req = HttpRequest("POST", "/", "", Headers([("Host", "127.0.0.1")]), b"hello", ("127.0.0.1", 1))
    for log_requests, expected in ((True, 1), (False, 0)):
        gateway = Gateway(replace(settings, log_requests=log_requests), {}, dict)
        try:
            resp = asyncio.run(gateway.handle(req))
        finally:
            gateway.close()
        assert resp.status == 400
        err = capsys.readouterr().err
        assert err.count("cloudlet.requests - - 400 ") == expected, err
