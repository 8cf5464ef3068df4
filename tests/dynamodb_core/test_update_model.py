"""Property test: Update.apply agrees with a small reference model over random items and random
non-overlapping actions (SET with + and -, REMOVE, ADD, DELETE, list index SET/REMOVE)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb.expressions import parse_update

NAMES = ["a", "b", "c", "d"]
numbers = st.integers(-50, 50).map(lambda i: {"N": str(i)})
string_sets = st.lists(st.sampled_from("wxyz"), min_size=1, max_size=3, unique=True).map(lambda v: {"SS": v})
values = st.one_of(
    numbers,
    string_sets,
    st.text(alphabet="pq", max_size=2).map(lambda s: {"S": s}),
    st.lists(numbers, max_size=3).map(lambda v: {"L": v}),
)
items = st.dictionaries(st.sampled_from(NAMES), values, max_size=4)


@st.composite
def actions(draw: Any) -> list[tuple[str, ...]]:
    """Distinct target attributes, one action each, so paths never overlap."""
    targets = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    chosen = []
    for name in targets:
        kind = draw(
            st.sampled_from(
                [
                    "set",
                    "plus",
                    "minus",
                    "remove",
                    "add_n",
                    "add_ss",
                    "delete_ss",
                    "set_index",
                    "remove_index",
                ]
            )
        )
        chosen.append((kind, name, draw(st.integers(0, 4))))
    return chosen


def model(
    item: dict[str, Any], acts: list[tuple[Any, ...]], operands: dict[str, Any]
) -> dict[str, Any] | None:
    """The expected new item, or None when DynamoDB answers a ValidationException."""
    new = dict(item)
    for kind, name, index in acts:
        current = item.get(name)
        if kind == "set":
            new[name] = operands[f":v_{name}"]
        elif kind in ("plus", "minus"):
            if current is None or "N" not in current:
                return None
            delta = Decimal(operands[f":n_{name}"]["N"])
            total = Decimal(current["N"]) + (delta if kind == "plus" else -delta)
            new[name] = {"N": str(total)}
        elif kind == "remove":
            new.pop(name, None)
        elif kind == "add_n":
            if current is None:
                new[name] = operands[f":n_{name}"]
            elif "N" in current:
                new[name] = {"N": str(Decimal(current["N"]) + Decimal(operands[f":n_{name}"]["N"]))}
            else:
                return None
        elif kind == "add_ss":
            if current is None:
                new[name] = operands[f":ss_{name}"]
            elif "SS" in current:
                new[name] = {
                    "SS": current["SS"] + [m for m in operands[f":ss_{name}"]["SS"] if m not in current["SS"]]
                }
            else:
                return None
        elif kind == "delete_ss":
            if current is None:
                continue
            if "SS" not in current:
                return None
            kept = [m for m in current["SS"] if m not in operands[f":ss_{name}"]["SS"]]
            if kept:
                new[name] = {"SS": kept}
            else:
                new.pop(name)
        elif kind == "set_index":
            if current is None or "L" not in current:
                return None
            members = list(current["L"])
            if index < len(members):
                members[index] = operands[f":v_{name}"]
            else:
                members.append(operands[f":v_{name}"])
            new[name] = {"L": members}
        elif kind == "remove_index":
            if current is None or "L" not in current:
                return None
            new[name] = {"L": [m for i, m in enumerate(current["L"]) if i != index]}
    return new


def render(acts: list[tuple[Any, ...]]) -> str:
    sections: dict[str, list[str]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
    for kind, name, index in acts:
        if kind == "set":
            sections["SET"].append(f"{name} = :v_{name}")
        elif kind == "plus":
            sections["SET"].append(f"{name} = {name} + :n_{name}")
        elif kind == "minus":
            sections["SET"].append(f"{name} = {name} - :n_{name}")
        elif kind == "remove":
            sections["REMOVE"].append(name)
        elif kind == "add_n":
            sections["ADD"].append(f"{name} :n_{name}")
        elif kind == "add_ss":
            sections["ADD"].append(f"{name} :ss_{name}")
        elif kind == "delete_ss":
            sections["DELETE"].append(f"{name} :ss_{name}")
        elif kind == "set_index":
            sections["SET"].append(f"{name}[{index}] = :v_{name}")
        else:
            sections["REMOVE"].append(f"{name}[{index}]")
    return " ".join(f"{section} {', '.join(parts)}" for section, parts in sections.items() if parts)


def _canonical(item: dict[str, Any] | None) -> Any:
    if item is None:
        return None
    return {k: ({"N": str(Decimal(v["N"]).normalize())} if "N" in v else v) for k, v in item.items()}


@settings(max_examples=300, deadline=None)
@given(items, actions(), st.data())
def test_apply_matches_reference_model(item: dict[str, Any], acts: list[tuple[Any, ...]], data: Any) -> None:
    operands: dict[str, Any] = {}
    for kind, name, _ in acts:
        if kind in ("set", "set_index"):
            operands[f":v_{name}"] = data.draw(values)
        elif kind in ("plus", "minus", "add_n"):
            operands[f":n_{name}"] = data.draw(numbers)
        elif kind in ("add_ss", "delete_ss"):
            operands[f":ss_{name}"] = data.draw(string_sets)
    text = render(acts)
    update = parse_update(text, None, operands or None)
    expected = model(item, acts, operands)
    try:
        got = update.apply(item)
    except AwsError as error:
        assert expected is None, (text, item, error.message)
        return
    assert expected is not None, (text, item, got)
    assert _canonical(got) == _canonical(expected), (text, item)
