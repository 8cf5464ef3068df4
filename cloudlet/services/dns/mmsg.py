"""Batched UDP for Linux: recvmmsg/sendmmsg through ctypes, one syscall pair per batch.

On this class of machine a syscall costs microseconds, so a Python server doing one recvfrom and
one sendto per query spends most of its time entering the kernel; Knot and other C servers batch
with recvmmsg/sendmmsg, and so does this reader. Per readiness event it receives up to BATCH
datagrams into preallocated buffers, answers each (cache hit: dict lookup + id patch; miss:
engine.answer), points the send vector at the response bytes and the sender's own sockaddr, and
sends the whole batch with one call. `available()` is False off Linux or without libc symbols;
server.py then uses its plain recvfrom loop. Datagrams longer than SLOT-1 bytes are answered
FORMERR (queries are far smaller; the limit keeps buffers fixed). Neighbours: server.py, engine.py.
"""

from __future__ import annotations

import asyncio
import ctypes
import socket
import sys

from cloudlet.services.dns.engine import Engine

BATCH = 64
SLOT = 4096
MSG_DONTWAIT = 0x40
MAX_BATCHES = 8  # per readiness callback, so TCP and timers get their turn under a flood


class _Iovec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_char_p), ("iov_len", ctypes.c_size_t)]


class _Msghdr(ctypes.Structure):
    _fields_ = [
        ("msg_name", ctypes.c_void_p),
        ("msg_namelen", ctypes.c_uint32),
        ("msg_iov", ctypes.POINTER(_Iovec)),
        ("msg_iovlen", ctypes.c_size_t),
        ("msg_control", ctypes.c_void_p),
        ("msg_controllen", ctypes.c_size_t),
        ("msg_flags", ctypes.c_int),
    ]


class _Mmsghdr(ctypes.Structure):
    _fields_ = [("msg_hdr", _Msghdr), ("msg_len", ctypes.c_uint)]


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.recvmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_void_p]
        libc.sendmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int]
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _libc()
_BYTES_DATA = bytes.__basicsize__ - 1  # offset of the data in a CPython bytes object


def available() -> bool:
    return _LIBC is not None and sys.implementation.name == "cpython"


class MmsgReader:
    def __init__(self, engine: Engine, sock: socket.socket) -> None:
        assert _LIBC is not None
        self.engine = engine
        self.sock = sock
        self.fd = sock.fileno()
        self.namelen = 28 if sock.family == socket.AF_INET6 else 16
        self.rbuf = (ctypes.c_char * (BATCH * SLOT))()
        self.rview = memoryview(self.rbuf).cast("B")
        self.names = (ctypes.c_char * (BATCH * 28))()
        self.riov = (_Iovec * BATCH)()
        self.rmsgs = (_Mmsghdr * BATCH)()
        self.siov = (_Iovec * BATCH)()
        self.smsgs = (_Mmsghdr * BATCH)()
        base = ctypes.addressof(self.rbuf)
        names = ctypes.addressof(self.names)
        for i in range(BATCH):
            self.riov[i].iov_base = ctypes.c_char_p(base + i * SLOT)  # type: ignore[assignment]
            self.riov[i].iov_len = SLOT
            for msgs, iov in ((self.rmsgs, self.riov), (self.smsgs, self.siov)):
                hdr = msgs[i].msg_hdr
                hdr.msg_name = names + i * 28
                hdr.msg_namelen = self.namelen
                hdr.msg_iov = ctypes.pointer(iov[i])
                hdr.msg_iovlen = 1
        # Raw views of the vectors: the per-packet work reads msg_len and writes iov_base/iov_len
        # as plain integers instead of building a ctypes proxy per field.
        assert ctypes.sizeof(_Mmsghdr) % 4 == 0 and ctypes.sizeof(_Iovec) == 16
        self.stride = ctypes.sizeof(_Mmsghdr) // 4
        self.len_at = _Mmsghdr.msg_len.offset // 4
        self.lens = memoryview(self.rmsgs).cast("B").cast("I")
        self.iovs = memoryview(self.siov).cast("B").cast("Q")
        self._i = 0  # the datagram being answered: `_peer` gives its sender, decoded on demand
        self._peer = self._current_addr  # one bound method for all (no allocation per query)
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.fd, self._drain)

    def _drain(self) -> None:
        libc = _LIBC
        assert libc is not None
        recvmmsg, sendmmsg = libc.recvmmsg, libc.sendmmsg
        rmsgs, smsgs, rview, lens, iovs = self.rmsgs, self.smsgs, self.rview, self.lens, self.iovs
        stride, len_at = self.stride, self.len_at
        get = self.engine.udp_cache.get
        for _ in range(MAX_BATCHES):
            n = recvmmsg(self.fd, rmsgs, BATCH, MSG_DONTWAIT, None)
            if n <= 0:
                return
            keep = []  # the response bytes must outlive sendmmsg: iovs point into them
            out = 0
            for i in range(n):
                off = i * SLOT
                ln = lens[i * stride + len_at]
                data = bytes(rview[off : off + ln])
                hit = get(data[2:])
                if hit is not None:
                    resp: bytes | None = data[:2] + hit
                elif ln >= SLOT:
                    resp = self.engine.answer(data[:12], None, False) if ln >= 12 else None
                else:
                    self._i = i
                    resp = self.engine.miss(data, self._peer, False)  # decodes it if needed
                if resp is None:
                    continue
                if out != i:  # a dropped query before this one: move the address down
                    ctypes.memmove(smsgs[out].msg_hdr.msg_name, rmsgs[i].msg_hdr.msg_name, 28)
                keep.append(resp)
                iovs[2 * out] = id(resp) + _BYTES_DATA  # CPython: a bytes object's data is inline
                iovs[2 * out + 1] = len(resp)
                out += 1
            if out:
                sendmmsg(self.fd, smsgs, out, MSG_DONTWAIT)  # a failed UDP send: the client retries
            del keep
            if n < BATCH:
                return

    def _current_addr(self) -> tuple[str, int]:
        return self._addr(self._i)

    def _addr(self, i: int) -> tuple[str, int]:
        raw = ctypes.string_at(self.rmsgs[i].msg_hdr.msg_name, self.rmsgs[i].msg_hdr.msg_namelen)
        port = int.from_bytes(raw[2:4], "big")
        if raw[:2] == socket.AF_INET6.to_bytes(2, sys.byteorder):
            return socket.inet_ntop(socket.AF_INET6, raw[8:24]), port
        return socket.inet_ntop(socket.AF_INET, raw[4:8]), port

    def close(self) -> None:
        self.loop.remove_reader(self.fd)
        self.sock.close()
