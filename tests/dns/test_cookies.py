"""DNS cookies (RFC 7873, server cookies in RFC 9018's layout): a client cookie gets a server
cookie back, on UDP and TCP, fresh per client and second (never a cached one); a malformed COOKIE
option is a FORMERR; `dig`, which sends a cookie by default, sees it answered."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import time

import dns.edns
import dns.message
import dns.rcode
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cloudlet.services.dns import cookies
from cloudlet.services.dns.cookies import siphash24
from tests.dns.support import DnsHarness


def test_siphash24_reference_vectors() -> None:
    # from the SipHash paper's test vectors: key 00..0f, messages 00..(n-1)
    key = bytes(range(16))
    assert siphash24(key, b"") == 0x726FDB47DD0E0E31
    assert siphash24(key, bytes(range(8))) == 0x93F5F5799A932462
    assert siphash24(key, bytes(range(15))) == 0xA129CA6149BE45E5


def _query(client_cookie: bytes, server: bytes = b"", name: str = "www.example.com.") -> dns.message.Message:
    return dns.message.make_query(
        name, "A", use_edns=0, options=[dns.edns.CookieOption(client_cookie, server)]
    )


def _cookie(resp: dns.message.Message) -> dns.edns.CookieOption:
    found = [o for o in resp.options if isinstance(o, dns.edns.CookieOption)]
    assert len(found) == 1, resp
    return found[0]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_a_client_cookie_gets_a_server_cookie(dns_server: DnsHarness, transport: str) -> None:
    ask = dns_server.udp if transport == "udp" else dns_server.tcp
    resp = ask(_query(b"clientc1"))
    assert resp.rcode() == dns.rcode.NOERROR and resp.answer  # answered as usual
    cookie = _cookie(resp)
    assert cookie.client == b"clientc1" and len(cookie.server) == 16
    version, stamp = struct.unpack("!B3xI", cookie.server[:8])
    assert version == 1 and abs(stamp - time.time()) < 5
    # the client sends it back (valid or not, it is answered) and gets one again
    again = _cookie(ask(_query(b"clientc1", cookie.server)))
    assert again.client == b"clientc1" and len(again.server) == 16
    other = _cookie(ask(_query(b"clientc2")))
    assert other.server[8:] != cookie.server[8:]  # the hash covers the client cookie


def test_cookie_responses_are_not_replayed_from_the_cache(dns_server: DnsHarness) -> None:
    q = _query(b"cachetst")
    first = _cookie(dns_server.udp(q))
    time.sleep(1.1)
    second = _cookie(dns_server.udp(q))  # the same bytes but the id
    assert first.server[4:8] != second.server[4:8]  # a new timestamp: made afresh


def test_queries_without_cookies_get_none(dns_server: DnsHarness) -> None:
    resp = dns_server.udp(dns.message.make_query("www.example.com.", "A", use_edns=0))
    assert not [o for o in resp.options if isinstance(o, dns.edns.CookieOption)]


@pytest.mark.parametrize("length", [5, 9, 15, 41])
def test_a_malformed_cookie_option_is_formerr(dns_server: DnsHarness, length: int) -> None:
    base = dns.message.make_query("www.example.com.", "A", use_edns=0).to_wire()
    option = struct.pack("!HH", 10, length) + bytes(length)
    # the OPT record is last: append the option and grow its RDLENGTH
    wire = base[:-2] + struct.pack("!H", len(option)) + option
    resp = dns_server.raw_udp(wire)
    assert resp is not None
    assert dns.message.from_wire(resp).rcode() == dns.rcode.FORMERR


@pytest.mark.skipif(
    shutil.which("dig") is None and not os.environ.get("CI"), reason="dig not installed (run make test)"
)
def test_dig_sees_its_cookie_answered(dns_server: DnsHarness) -> None:
    out = subprocess.run(
        [
            "dig",
            "@127.0.0.1",
            "-p",
            str(dns_server.port),
            "+time=2",
            "+tries=1",
            "+cookie",
            "www.example.com",
            "A",
        ],
        capture_output=True,
        text=True,
        timeout=20,
    ).stdout
    assert "status: NOERROR" in out
    line = next(line for line in out.splitlines() if "COOKIE:" in line)
    assert "(good)" in line and len(line.split("COOKIE:")[1].split()[0]) == 2 * (8 + 16)


_option = st.tuples(st.sampled_from([3, 8, 10, 12, 65001]), st.binary(max_size=44))


@given(options=st.lists(_option, max_size=4), tail=st.binary(max_size=3))
@example(options=[(10, b"12345678")], tail=b"\x00")
@example(options=[(10, b"12345678"), (10, b"abcdefgh")], tail=b"")
def test_split_takes_out_exactly_one_well_formed_cookie_or_declines(
    options: list[tuple[int, bytes]], tail: bytes
) -> None:
    base = dns.message.make_query("www.example.com.", "A", use_edns=0).to_wire()
    rdata = b"".join(struct.pack("!HH", code, len(value)) + value for code, value in options) + tail
    wire = base[:-2] + struct.pack("!H", len(rdata)) + rdata
    qend = len(base) - 11
    parts = cookies.split(wire, qend)
    cookie_options = [v for code, v in options if code == cookies.COOKIE]
    if parts is None:
        assert (
            tail
            or len(cookie_options) != 1
            or not (len(cookie_options[0]) == 8 or 16 <= len(cookie_options[0]) <= 40)
        )
        return
    core, client = parts
    assert not tail and len(cookie_options) == 1 and client == cookie_options[0][:8]
    rest = b"".join(struct.pack("!HH", c, len(v)) + v for c, v in options if c != cookies.COOKIE)
    assert core == base[:-2] + struct.pack("!H", len(rest)) + rest
