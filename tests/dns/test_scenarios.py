"""Table-driven answers: zone + question -> rcode, flags and sections, over real UDP and TCP."""

from __future__ import annotations

from dataclasses import dataclass

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest

from tests.dns.support import DnsHarness


@dataclass(frozen=True)
class Case:
    qname: str
    qtype: str
    rcode: str = "NOERROR"
    aa: bool = True
    answer: tuple[str, ...] = ()  # "owner TYPE value" (TTL left out), any order
    authority: tuple[str, ...] = ()  # "owner TYPE" of each authority RRset
    additional: tuple[str, ...] = ()  # "owner TYPE value"
    ttl: dict[str, int] | None = None  # "owner TYPE" -> TTL


APEX_NS = "example.com. NS"
SOA = "example.com. SOA"
CASES = {
    "positive A with apex NS in authority": Case(
        "www.example.com.",
        "A",
        answer=("www.example.com. A 192.0.2.1", "www.example.com. A 192.0.2.2"),
        authority=(APEX_NS,),
        ttl={"www.example.com. A": 300},
    ),
    "NODATA: name exists, type does not": Case("www.example.com.", "AAAA", authority=(SOA,), ttl={SOA: 900}),
    "NXDOMAIN with SOA and negative TTL": Case(
        "nope.example.com.", "A", "NXDOMAIN", authority=(SOA,), ttl={SOA: 900}
    ),
    "empty non-terminal is NODATA": Case("b.example.com.", "A", authority=(SOA,)),
    "below an existing name is NXDOMAIN": Case("x.www.example.com.", "A", "NXDOMAIN", authority=(SOA,)),
    "MX with in-zone target address in additional": Case(
        "mail.example.com.",
        "MX",
        answer=("mail.example.com. MX 10 mx.example.com.",),
        authority=(APEX_NS,),
        additional=("mx.example.com. A 192.0.2.25",),
    ),
    "SRV with in-zone target address in additional": Case(
        "srv.example.com.",
        "SRV",
        answer=("srv.example.com. SRV 0 5 443 mx.example.com.",),
        authority=(APEX_NS,),
        additional=("mx.example.com. A 192.0.2.25",),
    ),
    "wildcard synthesises under the query name": Case(
        "foo.w.example.com.",
        "A",
        answer=("foo.w.example.com. A 192.0.2.9",),
        authority=(APEX_NS,),
    ),
    "wildcard deeper than one label": Case(
        "a.b.c.w.example.com.",
        "A",
        answer=("a.b.c.w.example.com. A 192.0.2.9",),
        authority=(APEX_NS,),
    ),
    "wildcard NODATA for a missing type": Case("foo.w.example.com.", "MX", authority=(SOA,)),
    "existing name never falls to the wildcard": Case("exists.w.example.com.", "A", authority=(SOA,)),
    "wildcard does not cover its parent": Case("w.example.com.", "A", authority=(SOA,)),
    "the wildcard owner itself answers": Case(
        "*.w.example.com.",
        "A",
        answer=("*.w.example.com. A 192.0.2.9",),
        authority=(APEX_NS,),
    ),
    "star in the middle is literal": Case(
        "x.*.lit.example.com.",
        "A",
        answer=("x.*.lit.example.com. A 192.0.2.42",),
        authority=(APEX_NS,),
    ),
    # x.*.lit.example.com. makes *.lit.example.com. an empty non-terminal wildcard: it matches, with no data
    "empty non-terminal wildcard gives NODATA (RFC 4592 2.2.2)": Case(
        "x.y.lit.example.com.", "A", authority=(SOA,)
    ),
    "a wildcard next to an empty non-terminal wildcard still answers": Case(
        "nope.w.example.com.", "A", answer=("nope.w.example.com. A 192.0.2.9",), authority=(APEX_NS,)
    ),
    "CNAME answers any type and is chased": Case(
        "c.example.com.",
        "A",
        answer=(
            "c.example.com. CNAME www.example.com.",
            "www.example.com. A 192.0.2.1",
            "www.example.com. A 192.0.2.2",
        ),
        authority=(APEX_NS,),
    ),
    "CNAME question returns the CNAME only": Case(
        "c.example.com.",
        "CNAME",
        answer=("c.example.com. CNAME www.example.com.",),
        authority=(APEX_NS,),
    ),
    "CNAME chain of two": Case(
        "c2.example.com.",
        "A",
        answer=(
            "c2.example.com. CNAME c.example.com.",
            "c.example.com. CNAME www.example.com.",
            "www.example.com. A 192.0.2.1",
            "www.example.com. A 192.0.2.2",
        ),
        authority=(APEX_NS,),
    ),
    "CNAME to a wildcard name": Case(
        "cw.example.com.",
        "A",
        answer=("cw.example.com. CNAME foo.w.example.com.", "foo.w.example.com. A 192.0.2.9"),
        authority=(APEX_NS,),
    ),
    "CNAME to a missing name ends NXDOMAIN (RFC 6604)": Case(
        "cnx.example.com.",
        "A",
        "NXDOMAIN",
        answer=("cnx.example.com. CNAME nothere.example.com.",),
        authority=(SOA,),
    ),
    "CNAME loop is cut": Case(
        "loop1.example.com.",
        "A",
        answer=("loop1.example.com. CNAME loop2.example.com.", "loop2.example.com. CNAME loop1.example.com."),
        authority=(APEX_NS,),
    ),
    "CNAME out of served zones is not followed": Case(
        "ext.example.com.",
        "A",
        answer=("ext.example.com. CNAME www.other.net.",),
        authority=(APEX_NS,),
    ),
    "CNAME into a more specific served zone is followed": Case(
        "tochild.example.com.",
        "A",
        answer=("tochild.example.com. CNAME www.child.example.com.", "www.child.example.com. A 192.0.2.77"),
        authority=(APEX_NS,),
    ),
    "referral: no AA, NS in authority, in-bailiwick glue only": Case(
        "host.sub.example.com.",
        "A",
        aa=False,
        authority=("sub.example.com. NS",),
        additional=("ns1.sub.example.com. A 192.0.2.53",),
    ),
    "referral at the cut itself": Case(
        "sub.example.com.",
        "NS",
        aa=False,
        authority=("sub.example.com. NS",),
        additional=("ns1.sub.example.com. A 192.0.2.53",),
    ),
    "DS at the cut is answered by the parent": Case("sub.example.com.", "DS", authority=(SOA,)),
    "more specific hosted zone wins": Case(
        "www.child.example.com.",
        "A",
        answer=("www.child.example.com. A 192.0.2.77",),
        authority=("child.example.com. NS",),
    ),
    "child zone negative TTL is min(SOA TTL, minimum)": Case(
        "nx.child.example.com.",
        "A",
        "NXDOMAIN",
        authority=("child.example.com. SOA",),
        ttl={"child.example.com. SOA": 100},
    ),
    "alias answers with the target's data and TTL": Case(
        "al.example.com.",
        "A",
        answer=("al.example.com. A 192.0.2.1", "al.example.com. A 192.0.2.2"),
        authority=(APEX_NS,),
        ttl={"al.example.com. A": 300},
    ),
    "apex alias": Case(
        "example.com.",
        "A",
        answer=("example.com. A 192.0.2.1", "example.com. A 192.0.2.2"),
        authority=(APEX_NS,),
    ),
    "alias to an alias": Case(
        "al2.example.com.",
        "A",
        answer=("al2.example.com. A 192.0.2.1", "al2.example.com. A 192.0.2.2"),
        authority=(APEX_NS,),
    ),
    "alias to a policy group answers with its members": Case(
        "alwt.example.com.",
        "A",
        answer=("alwt.example.com. A 192.0.2.101", "alwt.example.com. A 192.0.2.102"),
        authority=(APEX_NS,),
    ),
    "alias to a missing target is NODATA": Case("alnone.example.com.", "A", authority=(SOA,)),
    "wildcard CNAME is synthesised and chased": Case(
        "x.wc.example.com.",
        "AAAA",
        answer=("x.wc.example.com. CNAME www.example.com.",),
        authority=(SOA,),
    ),
    "wildcard below a delegation is not used": Case(
        "a.b.sub.example.com.",
        "A",
        aa=False,
        authority=("sub.example.com. NS",),
        additional=("ns1.sub.example.com. A 192.0.2.53",),
    ),
    "alias matches only its own type": Case("al.example.com.", "AAAA", authority=(SOA,)),
    "apex NS question has no duplicate authority": Case(
        "example.com.",
        "NS",
        answer=("example.com. NS ns-1.awsdns-01.com.", "example.com. NS ns-600.awsdns-02.net."),
    ),
    "apex SOA": Case(
        "example.com.",
        "SOA",
        answer=(
            "example.com. SOA ns-1.awsdns-01.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400",
        ),
        authority=(APEX_NS,),
        ttl={SOA: 900},
    ),
    "policy group without selector answers every member": Case(
        "wt.example.com.",
        "A",
        answer=("wt.example.com. A 192.0.2.101", "wt.example.com. A 192.0.2.102"),
        authority=(APEX_NS,),
    ),
    "ANY is answered with one RRset (RFC 8482)": Case(
        "mail.example.com.",
        "ANY",
        answer=("mail.example.com. MX 10 mx.example.com.",),
        authority=(APEX_NS,),
        additional=("mx.example.com. A 192.0.2.25",),
    ),
    "outside every zone is REFUSED": Case("www.example.org.", "A", "REFUSED", aa=False),
    "AXFR is refused": Case("example.com.", "AXFR", "REFUSED", aa=False),
    "IXFR is refused": Case("example.com.", "IXFR", "REFUSED", aa=False),
}


def _rrs(section: list[dns.rrset.RRset]) -> set[str]:
    return {f"{rr.name} {dns.rdatatype.to_text(rr.rdtype)} {rd.to_text()}" for rr in section for rd in rr}


def check(resp: dns.message.Message, case: Case) -> None:
    assert dns.rcode.to_text(resp.rcode()) == case.rcode
    assert bool(resp.flags & dns.flags.AA) == case.aa
    assert not resp.flags & dns.flags.TC
    assert _rrs(resp.answer) == set(case.answer)
    assert sorted(f"{rr.name} {dns.rdatatype.to_text(rr.rdtype)}" for rr in resp.authority) == sorted(
        case.authority
    )
    assert _rrs([rr for rr in resp.additional if rr.rdtype != dns.rdatatype.OPT]) == set(case.additional)
    for key, ttl in (case.ttl or {}).items():
        found = [
            rr.ttl
            for rr in resp.answer + resp.authority
            if f"{rr.name} {dns.rdatatype.to_text(rr.rdtype)}" == key
        ]
        assert found == [ttl], key


@pytest.mark.parametrize("transport", ["udp", "tcp"])
@pytest.mark.parametrize("name", list(CASES))
def test_scenario(dns_server: DnsHarness, name: str, transport: str) -> None:
    case = CASES[name]
    q = dns.message.make_query(case.qname, case.qtype, use_edns=0, payload=4096)
    resp = dns_server.udp(q) if transport == "udp" else dns_server.tcp(q)
    check(resp, case)
    again = dns_server.udp(q) if transport == "udp" else dns_server.tcp(q)  # served from the cache
    check(again, case)
    assert again.id == q.id


def test_question_case_preserved(dns_server: DnsHarness) -> None:
    for name in ("WwW.ExAmPlE.CoM.", "www.EXAMPLE.com.", "WWW.EXAMPLE.COM."):
        q = dns.message.make_query(name, "A")
        resp = dns_server.udp(q)
        assert resp.question[0].name.to_text() == name
        assert resp.answer[0].name.to_text() == name  # owner compressed onto the question
        assert resp.rcode() == dns.rcode.NOERROR and len(resp.answer[0]) == 2


@pytest.mark.parametrize("name", ["www.example.com.", "WwW.example.com."])
def test_values_take_turns(dns_server: DnsHarness, name: str) -> None:
    orders = set()
    for _ in range(4):
        resp = dns_server.udp(dns.message.make_query(name, "A"))
        orders.add(tuple(rd.to_text() for rd in resp.answer[0]))
        assert resp.answer[0].name.to_text() == name
    assert orders == {("192.0.2.1", "192.0.2.2"), ("192.0.2.2", "192.0.2.1")}
