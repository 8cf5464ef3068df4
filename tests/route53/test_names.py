"""Domain-name normalisation, escaping and Route 53's reversed-label sort order (names.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudlet.services.route53 import names

NORMALIZE = [
    ("example.com", "example.com."),
    ("Example.COM.", "example.com."),
    ("*.example.com", "\\052.example.com."),
    ("a*b.example.com", "a\\052b.example.com."),
    ("ex\\344mple.com", "ex\\344mple.com."),
    ("\\101bc.com", "abc.com."),  # \101 octal is 'A', stored lower-case
    ("foo!.example.com", "foo\\041.example.com."),
    ("under_score-ok.example.com", "under_score-ok.example.com."),
    ("a\\.b.example.com", "a\\056b.example.com."),  # a literal dot inside a label
    ("xn--bcher-kva.example", "xn--bcher-kva.example."),
]


@pytest.mark.parametrize(("given_name", "stored"), NORMALIZE)
def test_normalize(given_name: str, stored: str) -> None:
    assert names.normalize(given_name) == stored


BAD = [
    ("a..example.com", "DomainLabelEmpty"),
    (".example.com", "DomainLabelEmpty"),
    ("a" * 64 + ".example.com", "DomainLabelTooLong"),
    (".".join(["a" * 63] * 4) + ".com", "DomainNameTooLong"),
    ("has space.example.com", "InvalidCharacterString"),
    ("caf\u00e9.example.com", "InvalidCharacterString"),
    ("bad\\999.example.com", "InvalidCharacterString"),
]


@pytest.mark.parametrize(("given_name", "kind"), BAD)
def test_refused_names(given_name: str, kind: str) -> None:
    with pytest.raises(names.NameProblem) as e:
        names.normalize(given_name)
    assert e.value.kind == kind


def test_label_too_long_names_the_label() -> None:
    with pytest.raises(names.NameProblem) as e:
        names.normalize("b" * 64 + ".example.com")
    assert str(e.value) == f"DomainLabelTooLong (Domain label is too long) encountered with '{'b' * 64}'"


def test_sort_key_reverses_labels() -> None:
    assert names.sort_key("www.example.com.") == "com.example.www."
    assert names.sort_key("example.com.") == "com.example."


def test_sort_order_is_reversed_label_ascii() -> None:
    given = [
        "www.example.com.",
        "example.com.",
        "a-b.example.com.",
        "\\052.example.com.",
        "a.b.example.com.",
        "zz.example.com.",
    ]
    ordered = sorted(given, key=names.sort_key)
    # '-' (0x2d) sorts before '.', and '\\' (0x5c) after the letters' digits but before lowercase letters
    assert ordered == [
        "example.com.",
        "\\052.example.com.",
        "a-b.example.com.",
        "a.b.example.com.",
        "www.example.com.",
        "zz.example.com.",
    ]


def test_labels_are_wire_bytes() -> None:
    assert names.labels("\\052.ex\\344mple.com.") == (b"*", b"ex\xe4mple", b"com")


def test_within() -> None:
    assert names.is_within("www.example.com.", "example.com.")
    assert names.is_within("example.com.", "example.com.")
    assert not names.is_within("badexample.com.", "example.com.")


@given(st.lists(st.binary(min_size=1, max_size=20), min_size=1, max_size=5))
def test_escape_round_trip(raw_labels: list[bytes]) -> None:
    raw_labels = [lab.lower() for lab in raw_labels]
    text = names.format_labels(tuple(raw_labels))
    assert names.parse(text) == tuple(raw_labels)
    assert names.normalize(text) == text  # already normal: lower-case and escaped
    assert names.normalize(text.upper()) == text or any(b >= 0x80 for lab in raw_labels for b in lab)


@given(st.text(max_size=300))
def test_any_text_is_a_name_or_a_name_problem(text: str) -> None:
    try:
        stored = names.normalize(text)
    except names.NameProblem:
        return
    assert stored.endswith(".") and names.normalize(stored) == stored
