"""AWS's expression error texts and the first-error-wins collector validate.py uses.

AWS reports one error per request, picking by category in a fixed order (e.g. a reserved word
is reported before an undefined :value even if it comes later in the text); `Problems` records
the first message of each category and raises the winner.
"""

from __future__ import annotations

from cloudlet.aws.errors import AwsError


def invalid(kind: str, message: str) -> AwsError:
    """A ValidationException about an expression of `kind` (e.g. "UpdateExpression")."""
    return AwsError("ValidationException", f"Invalid {kind}: {message}")


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def path_text(elements: tuple[str | int, ...] | list[str | int]) -> str:
    """AWS's rendering of a document path in messages: [a, b, [0]]."""
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in elements) + "]"


class Problems:
    """First message per category; `raise_first` raises the winner of a category order.

    Conditions also group some categories per atomic condition (a comparison, BETWEEN, IN or
    function): AWS reports the first atom that has any of them, then the worst within it. The
    compiler sets `atom` while it compiles one; `group` names the grouped categories."""

    def __init__(self, group: tuple[str, ...] = ()) -> None:
        self.found: dict[str, str] = {}
        self.group = group
        self.atom: int | None = None
        self.by_atom: dict[int, dict[str, str]] = {}

    def add(self, category: str, message: str) -> None:
        if self.atom is not None and category in self.group:
            self.by_atom.setdefault(self.atom, {}).setdefault(category, message)
        self.found.setdefault(category, message)

    def raise_first(self, kind: str, order: tuple[str, ...]) -> None:
        for category in order:
            if category in self.group and self.by_atom:
                first = self.by_atom[min(self.by_atom)]
                for grouped in self.group:
                    if grouped in first:
                        raise invalid(kind, first[grouped])
            if category in self.found:
                raise invalid(kind, self.found[category])


REDUNDANT_PARENS = "The expression has redundant parentheses;"
UNKNOWN_FUNCTION = "Invalid function name; function: {}"
MISUSED_FUNCTION = "The function is not allowed to be used this way in an expression; function: {}"
RESERVED = "Attribute name is a reserved keyword; reserved keyword: {}"
UNDEFINED_NAME = "An expression attribute name used in the document path is not defined; attribute name: {}"
UNDEFINED_VALUE = "An expression attribute value used in expression is not defined; attribute value: {}"
OPERAND_COUNT = (
    "Incorrect number of operands for operator or function; operator or function: {}, number of operands: {}"
)
OPERAND_TYPE = "Incorrect operand type for operator or function; operator or function: {}, operand type: {}"
NEEDS_PATH = "Operator or function requires a document path; operator or function: {}"
NOT_DISTINCT = "The first operand must be distinct from the remaining operands for this operator or function; operator: {}, first operand: {}"
OVERLAP = "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {}, path two: {}"
CONFLICT = "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {}, path two: {}"
SECTION_TWICE = 'The "{}" section can only be used once in an update expression;'
TOO_MANY_OPERATORS = "The expression contains too many operators; operator count: {}"
EMPTY = "The expression can not be empty;"
TOO_LARGE = "Expression size has exceeded the maximum allowed size; expression size: {}"

# Errors met while executing an update against an item's data (no "Invalid ...Expression:" prefix).
BAD_DATA_TYPE = "An operand in the update expression has an incorrect data type"
MISSING_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item"
BAD_PATH = "The document path provided in the update expression is invalid for update"

MAX_EXPRESSION_BYTES = 4096
MAX_OPERATORS = 300


def check_text(kind: str, text: object) -> str:
    """The checks every expression gets before parsing: type, emptiness, size."""
    if not isinstance(text, str) or not text.strip():
        raise invalid(kind, EMPTY)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_EXPRESSION_BYTES:
        raise invalid(kind, TOO_LARGE.format(size))
    return text


ORDER_PROJECTION = ("depth", "reserved", "name", "overlap", "conflict")
