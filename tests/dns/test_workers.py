"""settings.dns_workers > 1: worker processes share the port and follow changes before the ack."""

from __future__ import annotations

from pathlib import Path

import dns.message

from tests.dns.support import running_plane, zone_records


def test_workers_share_port_and_follow_changes(tmp_path: Path) -> None:

    with running_plane(tmp_path, workers=3) as h:
        assert h.plane._workers is not None and len(h.plane._workers.procs) == 2
        for value in ("192.0.2.1", "192.0.2.2"):
            h.put_zone(
                "Z1", "example.com.", zone_records("example.com.", [("www.example.com.", "A", 60, (value,))])
            )
            # many fresh sockets: the kernel spreads them over all three processes
            for _ in range(30):
                resp = h.udp(dns.message.make_query("www.example.com.", "A"))
                assert [rd.to_text() for rd in resp.answer[0]] == [value]


def test_workers_apply_routing_policies_like_the_main_process(tmp_path: Path) -> None:
    """Weight 0 is never answered while a non-zero weight exists: a worker without the router
    would answer both values of the group."""
    from cloudlet.geo import Geo
    from cloudlet.services.route53.model import RecordSet
    from cloudlet.services.route53.router import Router, groups_in

    heavy = RecordSet("w.example.com.", "A", 60, ("192.0.2.1",), set_identifier="a", weight=10)
    zero = RecordSet("w.example.com.", "A", 60, ("192.0.2.2",), set_identifier="b", weight=0)
    with running_plane(tmp_path, workers=3) as h:
        h.plane.selector = Router(
            Geo.from_settings(h.plane.deps.settings), groups_in(lambda: h.plane.engine.view)
        )
        h.put_zone("Z1", "example.com.", zone_records("example.com.", []) + [heavy, zero])
        for _ in range(40):
            resp = h.udp(dns.message.make_query("w.example.com.", "A"))
            assert [rd.to_text() for rd in resp.answer[0]] == ["192.0.2.1"]
