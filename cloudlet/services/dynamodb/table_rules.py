"""CreateTable / UpdateTable request rules: turn a request into model values or AWS's exact error.

No I/O. tables.py calls these and persists the result. Order of checks follows AWS (constraint
list first, then one semantic message), as recorded in ../shared/spec/dynamodb.md section 6.
"""

from __future__ import annotations

import uuid
from typing import Any

from cloudlet.services.base import RequestContext
from cloudlet.services.dynamodb import errors
from cloudlet.services.dynamodb.errors import constraint, opv, validation
from cloudlet.services.dynamodb.model import Index, KeyAttr

MAX_UNITS = 1_000_000_000_000
MAX_GSI = 20
MAX_LSI = 5
MAX_NON_KEY = 100


def _key_schema_repr(schema: list[dict[str, Any]]) -> str:
    parts = [
        f"KeySchemaElement(attributeName={e.get('AttributeName')}, keyType={e.get('KeyType')})"
        for e in schema
    ]
    return "[" + ", ".join(parts) + "]"


def _schema_problems(schema: Any, path: str) -> list[str]:
    if schema is None:
        return [constraint(None, path, "Member must not be null")]
    out = []
    if len(schema) > 2:
        out.append(
            constraint(_key_schema_repr(schema), path, "Member must have length less than or equal to 2")
        )
    if len(schema) < 1:
        out.append(constraint("[]", path, "Member must have length greater than or equal to 1"))
    for n, e in enumerate(schema, 1):
        kt = e.get("KeyType")
        if kt is None:
            out.append(constraint(None, f"{path}.{n}.member.keyType", "Member must not be null"))
        elif kt not in ("HASH", "RANGE"):
            out.append(
                constraint(
                    kt, f"{path}.{n}.member.keyType", "Member must satisfy enum value set: [HASH, RANGE]"
                )
            )
        an = e.get("AttributeName")
        if an is None:
            out.append(constraint(None, f"{path}.{n}.member.attributeName", "Member must not be null"))
        elif len(an) > 255:
            out.append(
                constraint(
                    an,
                    f"{path}.{n}.member.attributeName",
                    "Member must have length less than or equal to 255",
                )
            )
        elif len(an) < 1:
            out.append(
                constraint(
                    an,
                    f"{path}.{n}.member.attributeName",
                    "Member must have length greater than or equal to 1",
                )
            )
    return out


def _throughput_problems(pt: Any, path: str) -> list[str]:
    out: list[str] = []
    if pt is None:
        return out
    for member, key in (
        ("readCapacityUnits", "ReadCapacityUnits"),
        ("writeCapacityUnits", "WriteCapacityUnits"),
    ):
        v = pt.get(key)
        if v is None:
            out.append(constraint(None, f"{path}.{member}", "Member must not be null"))
        elif v < 1:
            out.append(constraint(v, f"{path}.{member}", "Member must have value greater than or equal to 1"))
    return out


def throughput_bounds(pt: dict[str, Any] | None) -> None:
    if pt is None:
        return
    for key in ("ReadCapacityUnits", "WriteCapacityUnits"):
        if pt.get(key, 0) > MAX_UNITS:
            raise validation(f"Given value {pt[key]} for {key} is out of bounds")


def _projection_problems(proj: Any, path: str) -> list[str]:
    if proj is None:
        return [constraint(None, path, "Member must not be null")]
    out = []
    pt = proj.get("ProjectionType")
    if pt is not None and pt not in ("ALL", "KEYS_ONLY", "INCLUDE"):
        out.append(
            constraint(
                pt, f"{path}.projectionType", "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"
            )
        )
    nk = proj.get("NonKeyAttributes")
    if nk is not None and len(nk) > 20:
        out.append(
            constraint(nk, f"{path}.nonKeyAttributes", "Member must have length less than or equal to 20")
        )
    return out


def _index_problems(indexes: Any, path: str, with_throughput: bool) -> list[str]:
    out: list[str] = []
    for n, ix in enumerate(indexes or [], 1):
        name = ix.get("IndexName")
        out += errors.table_name_problems(name, f"{path}.{n}.member.indexName")
        out += _schema_problems(ix.get("KeySchema"), f"{path}.{n}.member.keySchema")
        out += _projection_problems(ix.get("Projection"), f"{path}.{n}.member.projection")
        if with_throughput:
            out += _throughput_problems(
                ix.get("ProvisionedThroughput"), f"{path}.{n}.member.provisionedThroughput"
            )
    return out


def check_create_constraints(params: dict[str, Any]) -> None:
    problems: list[str] = []
    defs = params.get("AttributeDefinitions")
    if defs is None:
        problems.append(constraint(None, "attributeDefinitions", "Member must not be null"))
    else:
        for n, d in enumerate(defs, 1):
            at = d.get("AttributeType")
            if at is None:
                problems.append(
                    constraint(
                        None, f"attributeDefinitions.{n}.member.attributeType", "Member must not be null"
                    )
                )
            elif at not in ("S", "N", "B"):
                problems.append(
                    constraint(
                        at,
                        f"attributeDefinitions.{n}.member.attributeType",
                        "Member must satisfy enum value set: [B, N, S]",
                    )
                )
            an = d.get("AttributeName")
            if an is None:
                problems.append(
                    constraint(
                        None, f"attributeDefinitions.{n}.member.attributeName", "Member must not be null"
                    )
                )
            elif not 1 <= len(an) <= 255:
                rule = (
                    "Member must have length less than or equal to 255"
                    if an
                    else "Member must have length greater than or equal to 1"
                )
                problems.append(constraint(an, f"attributeDefinitions.{n}.member.attributeName", rule))
    problems += errors.table_name_problems(params.get("TableName"))
    problems += _schema_problems(params.get("KeySchema"), "keySchema")
    problems += _index_problems(params.get("LocalSecondaryIndexes"), "localSecondaryIndexes", False)
    problems += _index_problems(params.get("GlobalSecondaryIndexes"), "globalSecondaryIndexes", True)
    problems += _throughput_problems(params.get("ProvisionedThroughput"), "provisionedThroughput")
    bm = params.get("BillingMode")
    if bm is not None and bm not in ("PROVISIONED", "PAY_PER_REQUEST"):
        problems.append(
            constraint(
                bm, "billingMode", "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
            )
        )
    tc = params.get("TableClass")
    if tc is not None and tc not in ("STANDARD", "STANDARD_INFREQUENT_ACCESS"):
        problems.append(
            constraint(
                tc, "tableClass", "Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]"
            )
        )
    if problems:
        raise errors.constraints(problems)


def _check_key_schema(schema: list[dict[str, Any]], defs: dict[str, str]) -> tuple[KeyAttr, KeyAttr | None]:
    if schema[0]["KeyType"] != "HASH":
        raise validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(schema) > 1 and schema[1]["KeyType"] != "RANGE":
        raise validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
    if len(schema) > 1 and schema[0]["AttributeName"] == schema[1]["AttributeName"]:
        raise validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
    h = schema[0]["AttributeName"]
    r = schema[1]["AttributeName"] if len(schema) > 1 else None
    return KeyAttr(h, defs.get(h, "")), (None if r is None else KeyAttr(r, defs.get(r, "")))


def _projection(proj: dict[str, Any], index_name: str) -> tuple[str, tuple[str, ...]]:
    pt = proj.get("ProjectionType")
    nk = proj.get("NonKeyAttributes")
    if pt is None:
        raise opv("Unknown ProjectionType: null")
    if pt == "KEYS_ONLY" and nk is not None:
        raise opv("ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified")
    if pt == "ALL" and nk is not None:
        raise opv("ProjectionType is ALL, but NonKeyAttributes is specified")
    if pt == "INCLUDE" and not nk:
        raise opv("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    return pt, tuple(nk or ())


def build_index(
    spec: dict[str, Any], kind: str, defs: dict[str, str], billing: str, table_hash: KeyAttr, ready_at: float
) -> Index:
    name = spec["IndexName"]
    h, r = _check_key_schema(spec["KeySchema"], defs)
    if kind == "LSI":
        if r is None:
            raise opv(f"Index KeySchema does not have a range key for index: {name}")
        if h.name != table_hash.name:
            raise opv(
                "Index KeySchema does not have the same leading hash key as table KeySchema for index: "
                f"{name}. index hash key: {h.name}, table hash key: {table_hash.name}"
            )
    pt, nk = _projection(spec["Projection"], name)
    rcu = wcu = 0
    tp = spec.get("ProvisionedThroughput")
    if kind == "GSI":
        if billing == "PAY_PER_REQUEST" and tp is not None:
            raise opv(
                f"ProvisionedThroughput should not be specified for index: {name} when BillingMode is PAY_PER_REQUEST"
            )
        if billing == "PROVISIONED":
            if tp is None:
                raise opv(f"ProvisionedThroughput must be specified for index: {name}")
            throughput_bounds(tp)
            rcu, wcu = tp["ReadCapacityUnits"], tp["WriteCapacityUnits"]
    return Index(name, kind, h, r, pt, nk, rcu, wcu, ready_at if kind == "GSI" else 0.0)


def check_billing(params: dict[str, Any]) -> tuple[str, int, int]:
    billing = params.get("BillingMode") or "PROVISIONED"
    tp = params.get("ProvisionedThroughput")
    if billing == "PROVISIONED":
        if tp is None:
            raise opv(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
            )
        throughput_bounds(tp)
        return billing, tp["ReadCapacityUnits"], tp["WriteCapacityUnits"]
    if tp is not None:
        raise opv(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
        )
    return billing, 0, 0


def build_schema(
    params: dict[str, Any], billing: str, ready_at: float
) -> tuple[KeyAttr, KeyAttr | None, tuple[KeyAttr, ...], tuple[Index, ...]]:
    """Key schema, attribute definitions and indexes of a CreateTable request, fully checked."""
    raw_defs = params["AttributeDefinitions"]
    defs: dict[str, str] = {}
    for d in raw_defs:
        if d["AttributeName"] in defs:
            raise validation(f"{errors.OPV}Duplicate AttributeName: {d['AttributeName']}")
        defs[d["AttributeName"]] = d["AttributeType"]
    schemas = [params["KeySchema"]]
    lsis = params.get("LocalSecondaryIndexes")
    gsis = params.get("GlobalSecondaryIndexes")
    if lsis is not None and not lsis:
        raise opv("List of LocalSecondaryIndexes is empty")
    if gsis is not None and not gsis:
        raise opv("List of GlobalSecondaryIndexes is empty")
    schemas += [ix["KeySchema"] for ix in (lsis or []) + (gsis or [])]
    key_names: list[str] = []
    for schema in schemas:
        for e in schema:
            if e["AttributeName"] not in key_names:
                key_names.append(e["AttributeName"])
    missing = [k for k in key_names if k not in defs]
    if missing:
        if len(defs) < len(key_names):
            raise validation("Invalid KeySchema: Some index key attribute have no definition")
        table_keys = [e["AttributeName"] for e in params["KeySchema"]]
        raise opv(
            "Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(table_keys if any(k in missing for k in table_keys) else key_names)}], "
            f"AttributeDefinitions: [{', '.join(defs)}]"
        )
    h, r = _check_key_schema(params["KeySchema"], defs)
    if lsis and r is None:
        raise opv(
            "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
        )
    if len(lsis or []) > MAX_LSI:
        raise opv(f"Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LSI}")
    if len(gsis or []) > MAX_GSI:
        raise opv(f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSI}")
    indexes: list[Index] = []
    seen: set[str] = set()
    for kind, specs in (("LSI", lsis or []), ("GSI", gsis or [])):
        for spec in specs:
            if spec["IndexName"] in seen:
                raise opv(f"Duplicate index name: {spec['IndexName']}")
            seen.add(spec["IndexName"])
            indexes.append(build_index(spec, kind, defs, billing, h, ready_at))
    check_non_key_total(indexes)
    if len(defs) != len(key_names):
        raise opv(
            "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
        )
    return h, r, tuple(KeyAttr(n, t) for n, t in defs.items()), tuple(indexes)


def check_non_key_total(indexes: list[Index]) -> None:
    total = sum(len(i.non_key) for i in indexes)
    if total > MAX_NON_KEY:
        raise opv(
            f"The sum of NonKeyAttributes across all secondary indexes exceeds the maximum of {MAX_NON_KEY}"
        )


def sse_description(spec: dict[str, Any] | None, ctx: RequestContext) -> dict[str, Any] | None:
    if not spec or not spec.get("Enabled"):
        return None
    key = spec.get("KMSMasterKeyId") or "alias/aws/dynamodb"
    if not key.startswith("arn:"):
        key = f"arn:aws:kms:{ctx.region}:{ctx.account_id}:key/{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
    return {"SSEType": "KMS", "KMSMasterKeyArn": key}
