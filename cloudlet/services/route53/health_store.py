"""Health checks in the store (Route 53 is global: documents carry the account).

  route53.healthchecks   <health check id>   -> HealthCheck doc
  route53.health_status  <health check id>   -> b"1" | b"0": the health plane's latest verdicts, for
                                                DNS worker processes and replicas (router.py)
Caller references live in store.py's caller_refs under kind "healthcheck" and outlive the check
(AWS refuses a deleted check's reference); tags in store.py's tags under "healthcheck".
Neighbours: health_api.py (writes), health.py (loads every check), recordsets validation
(get_health_check: NoSuchHealthCheck on ChangeResourceRecordSets).
"""

from __future__ import annotations

import json

from cloudlet.services.route53 import store as r53store
from cloudlet.services.route53.health_model import HealthCheck
from cloudlet.store import Txn

NS = "route53.healthchecks"
STATUS_NS = "route53.health_status"  # <health check id> -> b"1" healthy / b"0" unhealthy
EVENT = "route53.healthcheck"  # payload: {"health_check_id": id, "seq": txn.seq}
REF_KIND = "healthcheck"


def get_health_check(txn: Txn, health_check_id: str, account: str | None = None) -> HealthCheck | None:
    doc = txn.get_doc(NS, health_check_id)
    if doc is None or (account is not None and doc.get("account") != account):
        return None
    return HealthCheck.from_doc(doc)


def put_health_check(txn: Txn, hc: HealthCheck) -> None:
    txn.put_doc(NS, hc.id, hc.to_doc())


def delete_health_check(txn: Txn, hc: HealthCheck) -> None:
    txn.delete(NS, hc.id)
    r53store.put_tags(txn, hc.account_id, REF_KIND, hc.id, [])


def all_health_checks(txn: Txn) -> list[HealthCheck]:
    return [HealthCheck.from_doc(json.loads(v)) for _, v in txn.scan(NS)]


def account_health_checks(txn: Txn, account: str, start: str = "") -> list[HealthCheck]:
    """The account's checks in id order, from `start` (inclusive: ListHealthChecks' Marker is
    the first check of the page)."""
    return [
        hc
        for _, v in txn.scan(NS, start)
        if (hc := HealthCheck.from_doc(json.loads(v))).account_id == account
    ]


def put_statuses(txn: Txn, changes: dict[str, bool | None]) -> None:
    for hc_id, healthy in changes.items():
        if healthy is None:
            txn.delete(STATUS_NS, hc_id)
        else:
            txn.put(STATUS_NS, hc_id, b"1" if healthy else b"0")


def load_statuses(txn: Txn) -> dict[str, bool]:
    return {k.decode(): v == b"1" for k, v in txn.scan(STATUS_NS)}


def record_using(txn: Txn, health_check_id: str) -> tuple[str, str] | None:
    """(name, type) of a record set whose HealthCheckId is this check, if any."""
    for _, v in txn.scan(r53store.RRSETS):
        doc = json.loads(v)
        if doc.get("health_check_id") == health_check_id:
            return (doc["name"], doc["type"])
    return None


def parents_of(txn: Txn, health_check_id: str) -> list[str]:
    """Calculated health checks that list this one as a child."""
    return [hc.id for hc in all_health_checks(txn) if health_check_id in hc.config.child_health_checks]
