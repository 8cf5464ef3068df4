"""CIDR collections in the store (Route 53 is global: keys carry the account).

  route53.cidr            <collection id>           -> CidrCollection doc (+ "account")
  route53.cidr_by_name    <account>/<name>          -> collection id
Neighbours: cidr_api.py (writes), cidr.py (model, CidrTable, load_cidr_table), recordsets
validation (get_collection) and the routing plane (load_cidr_table).
"""

from __future__ import annotations

import json

from cloudlet.services.route53 import store as r53store
from cloudlet.services.route53.cidr import NS, CidrCollection
from cloudlet.store import Txn

BY_NAME = "route53.cidr_by_name"


def get_collection(txn: Txn, collection_id: str, account: str | None = None) -> CidrCollection | None:
    doc = txn.get_doc(NS, collection_id)
    if doc is None or (account is not None and doc.get("account") != account):
        return None
    return CidrCollection.from_doc(doc)


def put_collection(txn: Txn, account: str, coll: CidrCollection) -> None:
    txn.put_doc(NS, coll.id, {**coll.to_doc(), "account": account})
    txn.put(BY_NAME, f"{account}/{coll.name}", coll.id.encode())


def delete_collection(txn: Txn, account: str, coll: CidrCollection) -> None:
    txn.delete(NS, coll.id)
    txn.delete(BY_NAME, f"{account}/{coll.name}")


def collection_id_by_name(txn: Txn, account: str, name: str) -> str | None:
    raw = txn.get(BY_NAME, f"{account}/{name}")
    return None if raw is None else raw.decode()


def list_collections(txn: Txn, account: str) -> list[CidrCollection]:
    out = []
    for _, v in txn.scan(NS):
        doc = json.loads(v)
        if doc.get("account") == account:
            out.append(CidrCollection.from_doc(doc))
    return sorted(out, key=lambda c: c.id)


def locations_in_use(txn: Txn, collection_id: str) -> set[str]:
    """Location names that record sets route by (CidrRoutingConfig) in any zone."""
    used: set[str] = set()
    for _, v in txn.scan(r53store.RRSETS):
        cidr = json.loads(v).get("cidr_routing")  # [collection id, location name] (store.py)
        if cidr and cidr[0] == collection_id:
            used.add(cidr[1])
    return used
