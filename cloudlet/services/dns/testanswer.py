"""Route 53 TestDNSAnswer computed by the DNS server's own answer path.

The question is built as a real query (with an EDNS Client Subnet when asked), answered by
wire.answer_query against the current View with the named hosted zone pinned (so a same-name
zone that the shared listener does not serve can still be tested), and the response read back.
Raises LookupError for a zone the server does not hold and ValueError for a bad name or type;
the Route 53 API maps those to its errors. Neighbours: plane.py exposes it, route53/api.py calls it.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import dns.edns
import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from cloudlet.services.dns.authoritative import Client
from cloudlet.services.dns.compiler import CompiledZone
from cloudlet.services.dns.engine import Engine
from cloudlet.services.dns.view import View
from cloudlet.services.dns.wire import answer_query

DEFAULT_RESOLVER = "127.0.0.1"


class _Pinned:
    """The view, except that names inside `zone` are answered from it."""

    def __init__(self, view: View, zone: CompiledZone) -> None:
        self.view = view
        self.zone = zone

    def find_zone(self, qname: dns.name.Name) -> CompiledZone | None:
        found = self.view.find_zone(qname)
        if qname.is_subdomain(self.zone.origin) and (
            found is None or len(found.origin) <= len(self.zone.origin)
        ):
            return self.zone
        return found


def test_dns_answer(engine: Engine, params: dict[str, Any]) -> dict[str, Any]:
    zone_id = str(params.get("HostedZoneId", "")).rsplit("/", 1)[-1]
    view = engine.view
    zone = view.by_id.get(zone_id)
    if zone is None:
        raise LookupError(f"No hosted zone found with ID: {zone_id}")
    record_name = str(params.get("RecordName", ""))
    record_type = str(params.get("RecordType", ""))
    try:
        qname = dns.name.from_text(record_name)
        qtype = dns.rdatatype.from_text(record_type)
    except (dns.exception.DNSException, ValueError) as exc:
        raise ValueError(f"Invalid RecordName or RecordType: {exc}") from None
    options: list[dns.edns.Option] = []
    if params.get("EDNS0ClientSubnetIP"):
        address = ipaddress.ip_address(str(params["EDNS0ClientSubnetIP"]))
        default_mask = 24 if address.version == 4 else 64
        mask = int(params.get("EDNS0ClientSubnetMask") or default_mask)
        options.append(dns.edns.ECSOption(str(address), mask))
    query = dns.message.make_query(qname, qtype, use_edns=0, options=options, payload=4096)
    query.flags = 0
    resolver = str(params.get("ResolverIP") or DEFAULT_RESOLVER)
    reply = answer_query(
        query.to_wire(),
        Client(resolver),
        _Pinned(view, zone),
        engine.selector,
        tcp=True,
        limits=engine.limits,
    )
    if reply is None:  # cannot happen for a well-formed query; kept explicit for the type checker
        raise ValueError("the query could not be answered")
    response = dns.message.from_wire(reply.wire)
    data = [rd.to_text() for rrset in response.answer for rd in rrset]
    ns = zone.apex_ns
    nameserver = ns[0].target.to_text(omit_final_dot=True) if ns else ""  # type: ignore[attr-defined]
    return {
        "Nameserver": nameserver,
        "RecordName": record_name,
        "RecordType": record_type,
        "RecordData": data,
        "ResponseCode": dns.rcode.to_text(response.rcode()),
        "Protocol": "UDP",
    }
