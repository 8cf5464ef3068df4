"""One item write, prepared then executed: shared by PutItem/UpdateItem/DeleteItem (items.py),
BatchWriteItem (batch.py) and TransactWriteItems (transactions.py).

`prepare_*` checks everything that does not need the stored item (shapes, key rules, expression
syntax) so a bad request fails before any write; `Write.execute` then runs inside the caller's
store transaction: read the current item, check the condition, compute the new item, store it with
its index entries (storage.write_item).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb import errors, storage
from cloudlet.services.dynamodb.key_rules import check_item_keys, check_key
from cloudlet.services.dynamodb.model import Item, Table
from cloudlet.services.dynamodb.request_exprs import Condition, Update
from cloudlet.services.dynamodb.stats import StatsKeeper
from cloudlet.services.dynamodb.values import MAX_ITEM_SIZE, item_size, normalize_sized, text_size, value_size
from cloudlet.store import Txn


@dataclass
class Write:
    """One Put/Update/Delete/ConditionCheck on one item: evaluate() reads the item and checks the
    condition, compute() builds the new item, store() writes it (none of them commits)."""

    table: Table
    kind: str  # "Put" | "Update" | "Delete" | "ConditionCheck"
    key: bytes
    key_item: Item
    item: Item | None = None  # Put: the new item
    update: Update | None = None
    condition: Condition | None = None
    return_old_on_failure: bool = False

    new_size: int | None = None  # known for Put (checked at prepare time)

    # filled by execute()
    old_size: int = 0
    new: Item | None = None
    old_raw: bytes | None = None  # the stored item; decoded (`old`) only by what needs its content
    _old: Item | None = None
    _old_decoded: bool = False

    @property
    def old(self) -> Item | None:
        if not self._old_decoded:
            self._old = storage.load_item(self.old_raw) if self.old_raw is not None else None
            self._old_decoded = True
        return self._old

    def evaluate(self, txn: Txn) -> AwsError | None:
        """Read the current item and check the condition; the error to raise (CCF) or None."""
        self.old_raw = storage.get_raw(txn, self.table, self.key)
        self._old_decoded = False
        self.old_size = storage.stored_size(self.old_raw) if self.old_raw is not None else 0
        if self.condition is not None and not self.condition.evaluate(self.old or {}):
            return errors.conditional_failed(self.old if self.return_old_on_failure else None)
        return None

    def compute(self) -> None:
        """The new item (after evaluate); raises ValidationException for a bad update."""
        if self.kind == "Put":
            self.new = self.item
        elif self.kind == "Delete":
            self.new = None
        elif self.kind == "ConditionCheck":
            self.new = self.old
        else:
            base = dict(self.old) if self.old is not None else dict(self.key_item)
            new: Item | None = base
            if self.update is not None:
                if self.old is None and self.update.takes_away_only():
                    new = None  # taking away from a missing item creates nothing
                else:
                    new = self.update.apply(base, existed=self.old is not None)
            if new is not None:
                check_item_keys(self.table, new)
                base_size = self.old_size if self.old is not None else item_size(base)
                self.new_size = _updated_size(base, base_size, new)
                if self.new_size > MAX_ITEM_SIZE:
                    raise errors.validation("Item size to update has exceeded the maximum allowed size")
            self.new = new

    def store(self, txn: Txn, stats: StatsKeeper) -> dict[str, float]:
        if self.kind == "ConditionCheck":
            return {}
        existed = self.old_raw is not None
        if not existed and self.new is None:
            return {"": 1.0}
        # without indexes, write_item needs only whether an item was there (and its size): a Put
        # replacing an item then never decodes it
        old = self.old if self.table.indexes or not existed else _REPLACED
        return storage.write_item(
            txn,
            self.table,
            self.key,
            old,
            self.new,
            self.old_size,
            self.new_size if self.new is not None else 0,
            stats,
        )

    def blind(self, needs_old: bool) -> bool:
        """Whether this write can be stored without reading the item it replaces (`put_blind`):
        a Put with no condition, on a table without indexes (whose entries the old item locates),
        whose caller needs nothing of the old item (ReturnValues, consumed capacity: the larger
        of the two sizes)."""
        return self.kind == "Put" and self.condition is None and not self.table.indexes and not needs_old

    def put_blind(self, txn: Txn, stats: StatsKeeper) -> None:
        """Store a blind Put (see `blind`): a shared store reads the replaced item only at commit,
        for the table's statistics, so concurrent puts from API workers never conflict."""
        assert self.item is not None and self.new_size is not None
        self.new = self.item
        storage.put_blind(txn, self.table, self.key, self.item, self.new_size, stats)

    def execute(self, txn: Txn, stats: StatsKeeper) -> dict[str, float]:
        err = self.evaluate(txn)
        if err is not None:
            raise err
        self.compute()
        return self.store(txn, stats)


_REPLACED: Item = {}  # stands for a replaced item whose content write_item does not need


def _updated_size(base: Item, base_size: int, new: Item) -> int:
    """item_size(new), measuring only the attributes that are not the very objects of `base`
    (Update.apply copies the item shallowly, so untouched attributes are shared)."""
    size = base_size
    for name, av in base.items():
        if new.get(name) is not av:
            size -= text_size(name) + value_size(av)
    for name, av in new.items():
        if base.get(name) is not av:
            size += text_size(name) + value_size(av)
    return size


def put_item_checked(raw_item: Any) -> tuple[Item, int]:
    """An item to put, normalized, with its size: what can be checked without the table (AWS checks
    it before looking the table up)."""
    item, size = normalize_sized(raw_item)
    if size > MAX_ITEM_SIZE:
        raise errors.validation("Item size has exceeded the maximum allowed size")
    return item, size


def prepare_put(
    table: Table, checked: tuple[Item, int], condition: Condition | None, return_old: bool
) -> Write:
    """A Put of an item through put_item_checked."""
    item, size = checked
    check_item_keys(table, item)
    key_item = storage.key_of(table, item)
    return Write(
        table,
        "Put",
        storage.primary_key(table, item),
        key_item,
        item=item,
        condition=condition,
        return_old_on_failure=return_old,
        new_size=size,
    )


def prepare_keyed(
    table: Table,
    kind: str,
    raw_key: Any,
    condition: Condition | None,
    update: Update | None,
    return_old: bool,
) -> Write:
    key_item = check_key(table, raw_key)
    if update is not None:
        for name in update.touched_top_level():
            if name in table.key_names:
                raise errors.opv(f"Cannot update attribute {name}. This attribute is part of the key")
    return Write(
        table,
        kind,
        storage.primary_key(table, key_item),
        key_item,
        update=update,
        condition=condition,
        return_old_on_failure=return_old,
    )


__all__ = ["Write", "prepare_put", "prepare_keyed", "Item", "Update"]
