"""The syntax trees of DynamoDB expressions, as parser.py builds them (names still unresolved).

Trees are immutable once built so parser.py can cache them by expression text; resolution of
#names and :values, validation and compilation (validate.py, evaluate.py, update.py) read them
and build new objects. `parens` counts the parentheses written directly around a node, which is
how `((a = :v))` is recognised as redundant.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Path:
    """A document path as written: each element a name token (`a`, `#n`) or a list index."""

    raw: tuple[str | int, ...]
    parens: int = 0


@dataclass(slots=True)
class ValueRef:
    name: str  # ":v"
    parens: int = 0


@dataclass(slots=True)
class Call:
    name: str
    args: list[Operand]
    parens: int = 0


@dataclass(slots=True)
class Arith:
    """`x + y` / `x - y` on the right of SET."""

    op: str
    left: Operand
    right: Operand
    parens: int = 0


Operand = Path | ValueRef | Call | Arith


@dataclass(slots=True)
class Compare:
    op: str  # = <> < <= > >=
    left: Operand
    right: Operand
    parens: int = 0


@dataclass(slots=True)
class Between:
    subject: Operand
    low: Operand
    high: Operand
    parens: int = 0


@dataclass(slots=True)
class In:
    subject: Operand
    options: list[Operand]
    parens: int = 0


@dataclass(slots=True)
class FunctionCondition:
    call: Call
    parens: int = 0


@dataclass(slots=True)
class And:
    left: Cond
    right: Cond
    parens: int = 0


@dataclass(slots=True)
class Or:
    left: Cond
    right: Cond
    parens: int = 0


@dataclass(slots=True)
class Not:
    inner: Cond
    parens: int = 0


Cond = Compare | Between | In | FunctionCondition | And | Or | Not


@dataclass(slots=True)
class UpdateAction:
    """One clause of an update: SET path = value | REMOVE path | ADD path :v | DELETE path :v."""

    section: str  # SET REMOVE ADD DELETE
    path: Path
    value: Operand | None = None


@dataclass(slots=True)
class UpdateTree:
    actions: list[UpdateAction]
    sections: list[str] = field(default_factory=list)  # in written order, repeats kept
