"""ExclusiveStartKey in, LastEvaluatedKey out: where a Query or Scan page starts and stops.

A position is a store key: the primary-key encoding on a table, the index-entry key
(storage.index_key) on an index. Texts from ../shared/spec/dynamodb.md section 5 (Query/Scan).
"""

from __future__ import annotations

from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb import storage
from cloudlet.services.dynamodb.errors import KEY_MISMATCH, validation
from cloudlet.services.dynamodb.model import Index, Item, KeyAttr, Table
from cloudlet.services.dynamodb.values import normalize_item

INVALID = "The provided starting key is invalid"


def key_attrs(table: Table, ix: Index | None) -> list[KeyAttr]:
    attrs = [table.hash] + ([table.range] if table.range else [])
    if ix is not None:
        for a in (ix.hash, ix.range):
            if a is not None and a.name not in table.key_names:
                attrs.append(a)
    return attrs


def last_key(table: Table, ix: Index | None, item: Item) -> Item:
    return {a.name: item[a.name] for a in key_attrs(table, ix) if a.name in item}


def start_key(table: Table, ix: Index | None, raw: Any) -> tuple[Item, bytes]:
    """The checked ExclusiveStartKey and the store key it stands for."""
    if not isinstance(raw, dict):
        raise validation(INVALID)
    try:
        esk = normalize_item(raw, context="key")
    except AwsError as e:
        raise validation(f"{INVALID}: {e.message}") from None
    attrs = key_attrs(table, ix)
    if set(esk) != {a.name for a in attrs}:
        raise validation(INVALID)
    for a in attrs:
        if a.type not in esk[a.name]:
            raise validation(KEY_MISMATCH)
    if ix is None:
        return esk, storage.primary_key(table, esk)
    position = storage.index_key(table, ix, esk)
    assert position is not None
    return esk, position
