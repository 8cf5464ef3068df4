"""Key rules of item operations: Key parameters and the key attributes of items being written.

Pure. Texts from ../shared/spec/dynamodb.md sections 2 and 3. Values reaching here have been
normalized by values.normalize_item (numbers canonical), so keys compare by value.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.dynamodb.errors import KEY_MISMATCH, OPV, key_mismatch, opv, validation
from cloudlet.services.dynamodb.model import Index, Item, KeyAttr, Table
from cloudlet.services.dynamodb.values import normalize_item

MAX_HASH_BYTES = 2048
MAX_RANGE_BYTES = 1024


def _length(av: dict[str, Any], kind: str) -> int:
    v = av[kind]
    if kind == "S":
        return len(v.encode("utf-8", "surrogatepass"))
    if kind == "B":
        return len(v)
    return 1


def _check_key_value(attr: KeyAttr, av: dict[str, Any], is_hash: bool, index: Index | None = None) -> None:
    n = _length(av, attr.type)
    if n == 0:
        word = "binary" if attr.type == "B" else "string"
        if index is not None:
            raise validation(
                "One or more parameter values are not valid. A value specified for a secondary index key is not "
                f"supported. The AttributeValue for a key attribute cannot contain an empty {word} value. "
                f"IndexName: {index.name}, IndexKey: {attr.name}"
            )
        raise validation(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
            f"empty {word} value. Key: {attr.name}"
        )
    if is_hash and n > MAX_HASH_BYTES:
        raise opv("Size of hashkey has exceeded the maximum size limit of2048 bytes")
    if not is_hash and n > MAX_RANGE_BYTES:
        raise opv("Aggregated size of all range keys has exceeded the size limit of 1024 bytes")


def check_key(table: Table, key: Any) -> Item:
    """A Key parameter: exactly the table's key attributes, of the declared types (normalized)."""
    if not isinstance(key, dict):
        raise key_mismatch(KEY_MISMATCH)
    key = normalize_item(key, context="key")
    if len(key) != len(table.key_names):
        raise key_mismatch(KEY_MISMATCH)
    for attr, is_hash in ((table.hash, True), (table.range, False)):
        if attr is None:
            continue
        av = key.get(attr.name)
        if av is None or attr.type not in av:
            raise key_mismatch(KEY_MISMATCH)
        _check_key_value(attr, av, is_hash)
    return key


def check_item_keys(table: Table, item: Item) -> None:
    """The key attributes of an item about to be stored (table keys and index keys)."""
    for attr, is_hash in ((table.hash, True), (table.range, False)):
        if attr is None:
            continue
        av = item.get(attr.name)
        if av is None:
            raise key_mismatch(f"{OPV}Missing the key {attr.name} in the item")
        if attr.type not in av:
            raise key_mismatch(
                f"{OPV}Type mismatch for key {attr.name} expected: {attr.type} actual: {next(iter(av))}"
            )
        _check_key_value(attr, av, is_hash)
    for ix in table.indexes:
        for attr, is_hash in ((ix.hash, True), (ix.range, False)):
            if attr is None or attr.name in table.key_names:
                continue
            av = item.get(attr.name)
            if av is None:
                continue
            if attr.type not in av:
                raise opv(  # an index key: its own text everywhere, batches too (alternator's test_gsi)
                    f"Type mismatch for Index Key {attr.name} Expected: {attr.type} "
                    f"Actual: {next(iter(av))} IndexName: {ix.name}"
                )
            _check_key_value(attr, av, is_hash, ix)
