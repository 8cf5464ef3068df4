"""Property test: Condition.evaluate agrees with a small independent reference model of
DynamoDB's condition semantics over random items and random condition trees."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlet.services.dynamodb.expressions import parse_condition

PATHS = [("a",), ("b",), ("c",), ("a", "k"), ("b", 0)]
scalar_n = st.integers(min_value=-3, max_value=3).map(lambda i: {"N": str(i)})
scalar_s = st.text(alphabet="ab", max_size=3).map(lambda s: {"S": s})
scalars = st.one_of(scalar_n, scalar_s, st.booleans().map(lambda b: {"BOOL": b}), st.just({"NULL": True}))
values = st.one_of(
    scalars,
    st.lists(st.text(alphabet="ab", min_size=1, max_size=2), min_size=1, max_size=3, unique=True).map(
        lambda v: {"SS": v}
    ),
    st.lists(st.integers(-3, 3).map(str), min_size=1, max_size=3, unique=True).map(lambda v: {"NS": v}),
    st.lists(scalars, max_size=3).map(lambda v: {"L": v}),
    st.dictionaries(st.sampled_from(["k", "j"]), scalars, max_size=2).map(lambda v: {"M": v}),
)
items = st.dictionaries(st.sampled_from(["a", "b", "c"]), values, max_size=3)


# -- reference model ------------------------------------------------------------------------
def resolve(item: dict[str, Any], path: tuple[Any, ...]) -> Any:
    value = item.get(path[0])
    for element in path[1:]:
        if value is None:
            return None
        if isinstance(element, int):
            value = value["L"][element] if "L" in value and element < len(value["L"]) else None
        else:
            value = value["M"].get(element) if "M" in value else None
    return value


def plain(av: dict[str, Any]) -> Any:
    ((kind, v),) = av.items()
    if kind == "N":
        return ("N", Decimal(v))
    if kind in ("SS", "NS"):
        return (kind, frozenset(Decimal(x) if kind == "NS" else x for x in v))
    if kind == "L":
        return ("L", tuple(plain(x) for x in v))
    if kind == "M":
        return ("M", frozenset((k, plain(x)) for k, x in v.items()))
    return (kind, v)


def ordered(x: Any, y: Any) -> int | None:
    px, py = plain(x), plain(y)
    if px[0] != py[0] or px[0] not in ("N", "S"):
        return None
    a, b = (px[1].encode(), py[1].encode()) if px[0] == "S" else (px[1], py[1])
    return (a > b) - (a < b)


def size(av: Any) -> Any:
    if av is None:
        return None
    ((kind, v),) = av.items()
    if kind == "S":
        return {"N": str(len(v.encode()))}
    if kind in ("SS", "NS", "L", "M"):
        return {"N": str(len(v))}
    return None


def model(node: Any, item: dict[str, Any]) -> bool:
    op = node[0]
    if op == "and":
        return model(node[1], item) and model(node[2], item)
    if op == "or":
        return model(node[1], item) or model(node[2], item)
    if op == "not":
        return not model(node[1], item)
    if op == "exists":
        return resolve(item, node[1]) is not None
    if op == "not_exists":
        return resolve(item, node[1]) is None
    x = resolve(item, node[1])
    if op == "size":
        x, op = size(x), node[2]
        node = (op, node[1], node[3])
    if op == "type":
        return x is not None and next(iter(x)) == node[2]
    if op in ("=", "<>"):
        equal = x is not None and plain(x) == plain(node[2])
        return equal if op == "=" else not equal
    if x is None:
        return False
    if op in ("<", "<=", ">", ">="):
        order = ordered(x, node[2])
        return order is not None and {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]
    if op == "between":
        lo, hi = ordered(x, node[2]), ordered(x, node[3])
        return lo is not None and hi is not None and lo >= 0 and hi <= 0
    if op == "in":
        return any(plain(x) == plain(v) for v in node[2])
    if op == "begins":
        return "S" in x and x["S"].startswith(node[2]["S"])
    if op == "contains":
        ((kind, data),) = x.items()
        ((vkind, vdata),) = node[2].items()
        if kind == "S":
            return vkind == "S" and vdata in data
        if kind in ("SS", "NS"):
            return vkind == kind[0] and plain({vkind: vdata})[1] in plain(x)[1]
        if kind == "L":
            return any(plain(e) == plain(node[2]) for e in data)
        return False
    raise AssertionError(op)


# -- random conditions, rendered to expression text -------------------------------------------
paths = st.sampled_from(PATHS)
comparators = st.sampled_from(["=", "<>", "<", "<=", ">", ">="])


@st.composite
def between(draw: Any) -> Any:
    kind = draw(st.sampled_from([scalar_n, scalar_s]))
    lo, hi = draw(kind), draw(kind)
    if (ordered(lo, hi) or 0) > 0:
        lo, hi = hi, lo
    return ("between", draw(paths), lo, hi)


leaves = st.one_of(
    st.tuples(st.sampled_from(["=", "<>"]), paths, values),
    # Ordering a literal without an order (list, BOOL...) is a ValidationException, not false.
    st.tuples(st.sampled_from(["<", "<=", ">", ">="]), paths, st.one_of(scalar_n, scalar_s)),
    between(),
    st.tuples(st.just("in"), paths, st.lists(values, min_size=1, max_size=3)),
    st.tuples(st.just("exists"), paths),
    st.tuples(st.just("not_exists"), paths),
    st.tuples(st.just("begins"), paths, scalar_s),
    st.tuples(st.just("contains"), paths, scalars),
    st.tuples(st.just("size"), paths, comparators, scalar_n),
    st.tuples(st.just("type"), paths, st.sampled_from(["S", "N", "SS", "NS", "L", "M", "BOOL", "NULL"])),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(st.just("and"), inner, inner),
        st.tuples(st.just("or"), inner, inner),
        st.tuples(st.just("not"), inner),
    ),
    max_leaves=6,
)


class Renderer:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def value(self, av: Any) -> str:
        name = f":v{len(self.values)}"
        self.values[name] = av
        return name

    @staticmethod
    def path(path: tuple[Any, ...]) -> str:
        return path[0] + "".join(f"[{e}]" if isinstance(e, int) else f".{e}" for e in path[1:])

    def render(self, node: Any) -> str:
        op = node[0]
        if op in ("and", "or"):
            return f"({self.render(node[1])}) {op.upper()} ({self.render(node[2])})"
        if op == "not":
            return f"NOT ({self.render(node[1])})"
        p = self.path(node[1])
        if op == "exists":
            return f"attribute_exists({p})"
        if op == "not_exists":
            return f"attribute_not_exists({p})"
        if op == "size":
            return f"size({p}) {node[2]} {self.value(node[3])}"
        if op == "type":
            return f"attribute_type({p}, {self.value({'S': node[2]})})"
        if op == "between":
            return f"{p} BETWEEN {self.value(node[2])} AND {self.value(node[3])}"
        if op == "in":
            return f"{p} IN ({', '.join(self.value(v) for v in node[2])})"
        if op == "begins":
            return f"begins_with({p}, {self.value(node[2])})"
        if op == "contains":
            return f"contains({p}, {self.value(node[2])})"
        return f"{p} {op} {self.value(node[2])}"


@settings(max_examples=400, deadline=None)
@given(conditions, st.lists(items, min_size=1, max_size=5))
def test_evaluate_matches_reference_model(tree: Any, sample: list[dict[str, Any]]) -> None:
    renderer = Renderer()
    text = renderer.render(tree)
    condition = parse_condition(text, None, renderer.values)
    for item in sample:
        assert condition.evaluate(item) == model(tree, item), (text, item)
