"""The per-request log line of the AWS endpoint: `<time> cloudlet.requests <service> <operation>
<status> <ms>ms`, the same shape as the `logging` lines cli.py configures.

The gateway (aws/gateway.py) writes one line per request. Going through `logging` costs a
LogRecord, a formatter and a flushed write per request (~20 us, a measurable share of a small
request); here lines are preformatted (~3 us) and, under load, written with one write per
event-loop iteration. At low rates each line is written at once, before the response leaves, so a
client that reads the log right after its response finds the line.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TextIO

BATCH_AFTER = 0.05  # seconds: lines closer together than this are batched


class RequestLog:
    def __init__(self, stream: TextIO | None = None, name: str = "cloudlet.requests") -> None:
        self._stream = stream
        self._name = name  # an API worker's lines name it: cloudlet.requests.worker1
        self._lines: list[str] = []
        self._second = -1
        self._stamp = ""
        self._flushed = 0.0  # when the buffer was last written

    def line(self, service: str, operation: str, status: int, ms: float) -> None:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        msec = int((now - second) * 1000)
        self._lines.append(
            f"{self._stamp},{msec:03d} {self._name} {service} {operation} {status} {ms:.1f}ms\n"
        )
        if len(self._lines) == 1:
            if now - self._flushed > BATCH_AFTER:
                self.flush()  # not busy: no batching to gain
                return
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no loop (a direct call): write now
                self.flush()

    def flush(self) -> None:
        if not self._lines:
            return
        text = "".join(self._lines)
        self._lines.clear()
        self._flushed = time.time()
        stream = self._stream or sys.stderr
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: the log is best effort, serving is not
            pass
