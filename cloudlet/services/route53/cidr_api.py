"""Route 53 CIDR collection operations (IP-based routing): a mixin of Route53Api.

CreateCidrCollection, ChangeCidrCollection, ListCidrCollections, ListCidrLocations,
ListCidrBlocks, DeleteCidrCollection. Collections are stored by cidr_store.py; after each
commit a "route53.cidr" event tells the routing plane (health.py) to rebuild its CidrTable.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.ids import lower_hex
from cloudlet.services.base import Deps, RequestContext
from cloudlet.services.route53 import cidr_store
from cloudlet.services.route53.cidr import EVENT, CidrCollection

MAX_COLLECTIONS = 5
MAX_BLOCKS = 1000
_NAME = re.compile(r"^[0-9A-Za-z_\-]{1,64}$")
_LOCATION = re.compile(r"^[0-9A-Za-z_\-]{1,16}$")
_UUID = re.compile(r"^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$")


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidInput", message, 400)


def _no_such_collection() -> AwsError:
    return AwsError("NoSuchCidrCollectionException", "The CIDR collection you specified, doesn't exist.", 404)


def _page(params: dict[str, Any]) -> tuple[str, int]:
    raw = params.get("MaxResults")
    try:
        limit = 100 if raw in (None, "") else int(raw)
    except (TypeError, ValueError):
        raise _invalid("MaxResults must be an integer") from None
    if not 1 <= limit <= 100:
        limit = 100
    return str(params.get("NextToken") or ""), limit


class CidrApi:
    deps: Deps

    def _cidr_collection(self, txn: Any, ctx: RequestContext, collection_id: Any) -> CidrCollection:
        cid = str(collection_id or "")
        coll = cidr_store.get_collection(txn, cid, ctx.account_id) if _UUID.match(cid) else None
        if coll is None:
            raise _no_such_collection()
        return coll

    def _cidr_changed(self, txn: Any, collection_id: str) -> None:
        seq = txn.seq
        txn.after_commit(
            lambda: self.deps.events.publish(EVENT, {"collection_id": collection_id, "seq": seq})
        )

    def create_cidr_collection(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params.get("Name") or "")
        ref = str(params.get("CallerReference") or "")
        if not _NAME.match(name):
            raise _invalid("Name must be 1-64 characters of [0-9A-Za-z_-]")
        if not 1 <= len(ref) <= 64:
            raise _invalid("CallerReference must be 1-64 characters")
        with self.deps.store.write() as txn:
            existing_id = cidr_store.collection_id_by_name(txn, ctx.account_id, name)
            if existing_id is not None:
                existing = cidr_store.get_collection(txn, existing_id, ctx.account_id)
                if existing is not None and existing.caller_reference == ref:
                    return self._cidr_created(existing)
                raise AwsError(
                    "CidrCollectionAlreadyExistsException",
                    "A CIDR collection with this name and a different caller reference already exists in this account.",
                    400,
                )
            if len(cidr_store.list_collections(txn, ctx.account_id)) >= MAX_COLLECTIONS:
                raise AwsError(
                    "LimitsExceeded",
                    f"This operation can't be completed because the current account has reached the limit "
                    f"({MAX_COLLECTIONS}) on the number of CIDR collections.",
                    400,
                )
            cid = str(uuid.uuid4())
            coll = CidrCollection(cid, name, f"arn:aws:route53:::cidrcollection/{cid}", 1, ref, {})
            cidr_store.put_collection(txn, ctx.account_id, coll)
            self._cidr_changed(txn, cid)
        return self._cidr_created(coll)

    @staticmethod
    def _cidr_created(coll: CidrCollection) -> dict[str, Any]:
        return {
            "Collection": {"Arn": coll.arn, "Id": coll.id, "Name": coll.name, "Version": coll.version},
            "Location": f"https://route53.amazonaws.com/2013-04-01/cidrcollection/{coll.id}",
        }

    def change_cidr_collection(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        changes = params.get("Changes") or []
        if not isinstance(changes, list) or not changes:
            raise _invalid("Changes must contain at least one change")
        parsed = [_parse_change(c) for c in changes]
        if sum(len(blocks) for _, _, blocks in parsed) > MAX_BLOCKS:
            raise _invalid(f"A request can contain at most {MAX_BLOCKS} CIDR blocks")
        with self.deps.store.write() as txn:
            coll = self._cidr_collection(txn, ctx, params.get("Id"))
            version = params.get("CollectionVersion")
            if version is not None and int(version) != coll.version:
                raise AwsError(
                    "CidrCollectionVersionMismatchException",
                    "The CIDR collection version you provided, doesn't match the one in the "
                    "ListCidrCollections operation.",
                    409,
                )
            locations = {k: list(v) for k, v in coll.locations.items()}
            for action, location, blocks in parsed:
                current = locations.setdefault(location, [])
                if action == "PUT":
                    current.extend(b for b in blocks if b not in current)
                else:
                    locations[location] = [b for b in current if b not in blocks]
            locations = {k: v for k, v in locations.items() if v}
            owner: dict[str, str] = {}
            for location, blocks in locations.items():
                for block in blocks:
                    if owner.setdefault(block, location) != location:
                        raise AwsError(
                            "CidrBlockInUseException",
                            f"This CIDR block is already in use: {block} is in location {owner[block]}.",
                            400,
                        )
            if len(owner) > MAX_BLOCKS:
                raise AwsError(
                    "LimitsExceeded", f"A CIDR collection can contain at most {MAX_BLOCKS} CIDR blocks.", 400
                )
            emptied = set(coll.locations) - set(locations)
            in_use = emptied & cidr_store.locations_in_use(txn, coll.id) if emptied else set()
            if in_use:
                raise AwsError(
                    "CidrBlockInUseException",
                    f"This CIDR block is already in use: location {sorted(in_use)[0]} is used by a record set "
                    "and cannot lose its last CIDR block.",
                    400,
                )
            updated = CidrCollection(
                coll.id,
                coll.name,
                coll.arn,
                coll.version + 1,
                coll.caller_reference,
                {k: tuple(v) for k, v in sorted(locations.items())},
            )
            cidr_store.put_collection(txn, ctx.account_id, updated)
            self._cidr_changed(txn, coll.id)
        return {"Id": lower_hex(32)}

    def list_cidr_collections(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        token, limit = _page(params)
        with self.deps.store.read() as txn:
            colls = [c for c in cidr_store.list_collections(txn, ctx.account_id) if c.id > token]
        out: dict[str, Any] = {
            "CidrCollections": [
                {"Arn": c.arn, "Id": c.id, "Name": c.name, "Version": c.version} for c in colls[:limit]
            ]
        }
        if len(colls) > limit:
            out["NextToken"] = colls[limit - 1].id
        return out

    def list_cidr_locations(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        token, limit = _page(params)
        with self.deps.store.read() as txn:
            coll = self._cidr_collection(txn, ctx, params.get("CollectionId"))
        names = [n for n in sorted(coll.locations) if n > token]
        out: dict[str, Any] = {"CidrLocations": [{"LocationName": n} for n in names[:limit]]}
        if len(names) > limit:
            out["NextToken"] = names[limit - 1]
        return out

    def list_cidr_blocks(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        token, limit = _page(params)
        with self.deps.store.read() as txn:
            coll = self._cidr_collection(txn, ctx, params.get("CollectionId"))
        location = params.get("LocationName")
        if location is not None and location not in coll.locations:
            raise AwsError(
                "NoSuchCidrLocationException",
                "The CIDR collection location doesn't match any locations in your account.",
                404,
            )
        rows = [
            (loc, block)
            for loc in sorted(coll.locations)
            if location is None or loc == location
            for block in coll.locations[loc]
        ]
        # the token is "<location>|<block>": location names cannot contain "|", and the rows are
        # taken in the token's own order so that "after the token" is a plain string comparison
        keyed = sorted((f"{loc}|{block}", loc, block) for loc, block in rows)
        keyed = [k for k in keyed if k[0] > token]
        out: dict[str, Any] = {
            "CidrBlocks": [{"CidrBlock": block, "LocationName": loc} for _, loc, block in keyed[:limit]]
        }
        if len(keyed) > limit:
            out["NextToken"] = keyed[limit - 1][0]
        return out

    def delete_cidr_collection(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.deps.store.write() as txn:
            coll = self._cidr_collection(txn, ctx, params.get("Id"))
            if coll.locations or cidr_store.locations_in_use(txn, coll.id):
                raise AwsError(
                    "CidrCollectionInUseException", "This CIDR collection is in use, and isn't empty.", 400
                )
            cidr_store.delete_collection(txn, ctx.account_id, coll)
            self._cidr_changed(txn, coll.id)
        return {}


def _parse_change(change: Any) -> tuple[str, str, list[str]]:
    if not isinstance(change, dict):
        raise _invalid("Each change needs LocationName, Action and CidrList")
    location = str(change.get("LocationName") or "")
    action = change.get("Action")
    cidrs = change.get("CidrList") or []
    if not _LOCATION.match(location):
        raise _invalid("LocationName must be 1-16 characters of [0-9A-Za-z_-]")
    if action not in ("PUT", "DELETE_IF_EXISTS"):
        raise _invalid("Action must be PUT or DELETE_IF_EXISTS")
    if not isinstance(cidrs, list) or not 1 <= len(cidrs) <= MAX_BLOCKS:
        raise _invalid(f"CidrList must contain 1 to {MAX_BLOCKS} CIDR blocks")
    return action, location, [_canonical_block(str(c)) for c in cidrs]


def _canonical_block(text: str) -> str:
    try:
        net = ipaddress.ip_network(text.strip(), strict=True)
    except ValueError:
        raise _invalid(f"{text} is not a valid CIDR block") from None
    if "/" not in text:
        raise _invalid(f"{text} is not a valid CIDR block: a prefix length is required")
    longest = 24 if net.version == 4 else 48
    if not 1 <= net.prefixlen <= longest:
        raise _invalid(
            f"{text} is not a valid CIDR block: IPv{net.version} prefixes must be /1 to /{longest}"
        )
    return str(net)
