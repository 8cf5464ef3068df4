"""DynamoDB tables and indexes as values: the schema every data-plane operation reads.

No I/O here. tables.py validates requests and persists these as JSON documents (to_doc/from_doc);
storage.py uses `Table.key_of` / `Index.key_of` to place items; describe.py renders them.
Times are epoch seconds from the injected clock; statuses that AWS moves on by itself
(CREATING -> ACTIVE, UPDATING -> ACTIVE) are derived from `ready_at` so nothing needs a timer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

Item = dict[str, dict[str, Any]]

KEY_TYPES = ("S", "N", "B")


@dataclass(frozen=True)
class KeyAttr:
    name: str
    type: str  # "S" | "N" | "B"


@dataclass(frozen=True)
class Index:
    name: str
    kind: str  # "GSI" | "LSI"
    hash: KeyAttr
    range: KeyAttr | None
    projection_type: str  # "ALL" | "KEYS_ONLY" | "INCLUDE"
    non_key: tuple[str, ...] = ()
    rcu: int = 0
    wcu: int = 0
    ready_at: float = 0.0  # GSI being built until then (CREATING, Backfilling)
    deleting: bool = False

    @property
    def key_names(self) -> tuple[str, ...]:
        return (self.hash.name,) if self.range is None else (self.hash.name, self.range.name)

    def projected_names(self, table: Table) -> set[str] | None:
        """Attribute names an index entry carries; None means every attribute (ALL)."""
        if self.projection_type == "ALL":
            return None
        names = set(table.key_names) | set(self.key_names)
        if self.projection_type == "INCLUDE":
            names.update(self.non_key)
        return names

    def status(self, now: float) -> str:
        if self.deleting:
            return "DELETING"
        return "CREATING" if now < self.ready_at else "ACTIVE"

    def to_doc(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "hash": [self.hash.name, self.hash.type],
            "range": None if self.range is None else [self.range.name, self.range.type],
            "projection": self.projection_type,
            "non_key": list(self.non_key),
            "rcu": self.rcu,
            "wcu": self.wcu,
            "ready_at": self.ready_at,
        }

    @staticmethod
    def from_doc(d: dict[str, Any]) -> Index:
        return Index(
            name=d["name"],
            kind=d["kind"],
            hash=KeyAttr(*d["hash"]),
            range=None if d["range"] is None else KeyAttr(*d["range"]),
            projection_type=d["projection"],
            non_key=tuple(d["non_key"]),
            rcu=d["rcu"],
            wcu=d["wcu"],
            ready_at=d["ready_at"],
        )


@dataclass(frozen=True)
class Table:
    account: str
    region: str
    name: str
    table_id: str
    created: float
    hash: KeyAttr
    range: KeyAttr | None
    attribute_definitions: tuple[KeyAttr, ...]
    billing_mode: str = "PROVISIONED"
    rcu: int = 0
    wcu: int = 0
    born_on_demand: bool = False
    last_on_demand_switch: float | None = None
    on_demand_switches: tuple[float, ...] = ()  # times of switches to PAY_PER_REQUEST (limit 4 per 24 h)
    last_increase: float | None = None
    last_decrease: float | None = None
    decreases_today: int = 0
    indexes: tuple[Index, ...] = ()
    sse: dict[str, Any] | None = None  # {"SSEType": "KMS", "KMSMasterKeyArn": ...} when KMS SSE is on
    table_class: str = "STANDARD"
    deletion_protection: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    ready_at: float = 0.0  # CREATING until then
    updating_until: float = 0.0  # UPDATING until then

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.name}"

    @property
    def key_names(self) -> tuple[str, ...]:
        return (self.hash.name,) if self.range is None else (self.hash.name, self.range.name)

    @property
    def gsis(self) -> tuple[Index, ...]:
        return tuple(i for i in self.indexes if i.kind == "GSI")

    @property
    def lsis(self) -> tuple[Index, ...]:
        return tuple(i for i in self.indexes if i.kind == "LSI")

    def index(self, name: str) -> Index | None:
        for i in self.indexes:
            if i.name == name:
                return i
        return None

    def status(self, now: float) -> str:
        if now < self.ready_at:
            return "CREATING"
        if now < self.updating_until:
            return "UPDATING"
        for i in self.indexes:
            if i.ready_at > now or i.deleting:
                return "UPDATING"
        return "ACTIVE"

    def key_type(self, name: str) -> str | None:
        """The declared type of an attribute used as a key by the table or any index."""
        for a in self.attribute_definitions:
            if a.name == name:
                return a.type
        return None

    def with_changes(self, **changes: Any) -> Table:
        return replace(self, **changes)

    def to_doc(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "region": self.region,
            "name": self.name,
            "id": self.table_id,
            "created": self.created,
            "hash": [self.hash.name, self.hash.type],
            "range": None if self.range is None else [self.range.name, self.range.type],
            "defs": [[a.name, a.type] for a in self.attribute_definitions],
            "billing": self.billing_mode,
            "rcu": self.rcu,
            "wcu": self.wcu,
            "born_on_demand": self.born_on_demand,
            "last_od": self.last_on_demand_switch,
            "od_switches": list(self.on_demand_switches),
            "last_inc": self.last_increase,
            "last_dec": self.last_decrease,
            "dec_today": self.decreases_today,
            "indexes": [i.to_doc() for i in self.indexes],
            "sse": self.sse,
            "class": self.table_class,
            "protect": self.deletion_protection,
            "tags": self.tags,
            "ready_at": self.ready_at,
            "updating_until": self.updating_until,
        }

    @staticmethod
    def from_doc(d: dict[str, Any]) -> Table:
        return Table(
            account=d["account"],
            region=d["region"],
            name=d["name"],
            table_id=d["id"],
            created=d["created"],
            hash=KeyAttr(*d["hash"]),
            range=None if d["range"] is None else KeyAttr(*d["range"]),
            attribute_definitions=tuple(KeyAttr(*a) for a in d["defs"]),
            billing_mode=d["billing"],
            rcu=d["rcu"],
            wcu=d["wcu"],
            born_on_demand=d["born_on_demand"],
            last_on_demand_switch=d["last_od"],
            on_demand_switches=tuple(d["od_switches"]),
            last_increase=d["last_inc"],
            last_decrease=d["last_dec"],
            decreases_today=d["dec_today"],
            indexes=tuple(Index.from_doc(i) for i in d["indexes"]),
            sse=d["sse"],
            table_class=d["class"],
            deletion_protection=d["protect"],
            tags=dict(d["tags"]),
            ready_at=d["ready_at"],
            updating_until=d["updating_until"],
        )


@dataclass
class Stats:
    """Item count and bytes of a table and of each index (kept exact: stats.py)."""

    count: int = 0
    size: int = 0
    indexes: dict[str, list[int]] = field(default_factory=dict)  # name -> [count, size]

    @staticmethod
    def from_doc(d: dict[str, Any]) -> Stats:
        """From the statistics row of earlier versions (stats.migrate)."""
        return Stats(d["c"], d["s"], {k: list(v) for k, v in d["i"].items()})
