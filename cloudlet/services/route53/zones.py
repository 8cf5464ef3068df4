"""Hosted-zone facts shared by the Route 53 API mixins: AWS-shaped ids and name servers, the default
SOA and NS records, recording a change (and announcing it to the data planes after commit), and
the wire shapes of HostedZone / ChangeInfo / DelegationSet.

Neighbours: api.py, delegation_api.py, account_api.py, vpc_api.py (callers); store.py (state);
events "route53.zone" — payload {"zone_id", "seq", "deleted"}, consumed by the DNS data plane,
whose acks make GetChange report INSYNC.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from cloudlet import ids
from cloudlet.services.base import Deps
from cloudlet.services.route53 import errors, store
from cloudlet.services.route53.model import HostedZone, RecordSet
from cloudlet.store import Txn

ZONE_TOPIC = "route53.zone"
NS_TTL = 172800
SOA_TTL = 900
SOA_TAIL = "awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"
# private zones get the same fixed four servers everywhere
PRIVATE_NAME_SERVERS = (
    "ns-1536.awsdns-00.co.uk",
    "ns-0.awsdns-00.com",
    "ns-1024.awsdns-00.org",
    "ns-512.awsdns-00.net",
)
_TLDS = (("com", 0), ("net", 512), ("org", 1024), ("co.uk", 1536))
_VPC_ID = re.compile(r"vpc-[0-9a-f]{8}([0-9a-f]{9})?")


def bare_id(value: str) -> str:
    """'/hostedzone/Z123' or 'Z123' -> 'Z123' (SDKs strip the prefix; raw HTTP callers may not)."""
    return value.rpartition("/")[2]


def new_zone_id() -> str:
    return "Z0" + ids.upper_alnum(18)


def new_change_id() -> str:
    return "C0" + ids.upper_alnum(18)


def new_delegation_set_id() -> str:
    return "N0" + ids.upper_alnum(12)


def allocate_name_servers() -> tuple[str, ...]:
    """Four servers, one per TLD: ns-<N>.awsdns-<NN>.<tld>, N in the TLD's block of 512 and
    NN = (N mod 512) // 8, as Route 53's delegation sets are numbered."""
    out = []
    for tld, base in _TLDS:
        n = base + secrets.randbelow(512)
        out.append(f"ns-{n}.awsdns-{(n - base) // 8:02d}.{tld}")
    return tuple(out)


def default_records(zone: HostedZone) -> list[RecordSet]:
    servers = zone.name_servers
    soa = f"{servers[0]}. {SOA_TAIL}"
    return [
        RecordSet(name=zone.name, type="NS", ttl=NS_TTL, values=tuple(f"{ns}." for ns in servers)),
        RecordSet(name=zone.name, type="SOA", ttl=SOA_TTL, values=(soa,)),
    ]


def valid_vpc_id(vpc_id: str) -> bool:
    return bool(_VPC_ID.fullmatch(vpc_id))


def require_zone(txn: Txn, account: str, zone_id: str) -> HostedZone:
    zid = bare_id(zone_id)
    zone = store.get_zone(txn, zid)
    if zone is None or zone.account_id != account:
        raise errors.no_such_hosted_zone(zid)
    return zone


def record_change(
    txn: Txn, deps: Deps, account: str, zone_id: str, comment: str | None = None, deleted: bool = False
) -> store.Change:
    """Store a change at this transaction's sequence number and announce it once committed."""
    change = store.Change(new_change_id(), account, zone_id, txn.seq, deps.clock.now(), comment)
    store.put_change(txn, change)
    payload = {"zone_id": zone_id, "seq": txn.seq, "deleted": deleted}
    txn.after_commit(lambda: deps.events.publish(ZONE_TOPIC, payload))
    return change


def timestamp(t: float) -> datetime:
    return datetime.fromtimestamp(round(t, 3), UTC)


def change_info(deps: Deps, change: store.Change) -> dict[str, Any]:
    synced = deps.events.synced(ZONE_TOPIC, change.seq)
    out: dict[str, Any] = {
        "Id": f"/change/{change.id}",
        "Status": "INSYNC" if synced else "PENDING",
        "SubmittedAt": timestamp(change.submitted),
    }
    if change.comment is not None:
        out["Comment"] = change.comment
    return out


def zone_out(zone: HostedZone) -> dict[str, Any]:
    config: dict[str, Any] = {"PrivateZone": zone.private}
    if zone.comment is not None:
        config["Comment"] = zone.comment
    out: dict[str, Any] = {
        "Id": f"/hostedzone/{zone.id}",
        "Name": zone.name,
        "CallerReference": zone.caller_reference,
        "Config": config,
        "ResourceRecordSetCount": zone.record_count,
    }
    if zone.linked_service:
        out["LinkedService"] = {"ServicePrincipal": zone.linked_service}
    return out


def delegation_set_out(zone: HostedZone, dset: store.DelegationSet | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"NameServers": list(zone.name_servers)}
    if dset is not None:
        out = {"Id": f"/delegationset/{dset.id}", "CallerReference": dset.caller_reference, **out}
    return out


def vpcs_out(zone: HostedZone) -> list[dict[str, str]]:
    return [{"VPCRegion": region, "VPCId": vpc} for region, vpc in zone.vpcs]


def page_size(raw: Any, default: int, maximum: int) -> int:
    """MaxItems arrives as a string; Route 53 caps it instead of refusing larger values."""
    if raw is None or raw == "":
        return default
    try:
        n = int(raw)
    except (TypeError, ValueError):
        raise errors.invalid_input(f"Invalid request: MaxItems must be an integer, not {raw!r}") from None
    if n < 1:
        raise errors.invalid_input("Invalid request: MaxItems must be greater than 0")
    return min(n, maximum)
