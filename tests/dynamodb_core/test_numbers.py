"""Number normalization, limits, arithmetic and size accounting (numbers.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudlet.aws.errors import AwsError
from cloudlet.services.dynamodb.numbers import add_numbers, normalize_number, number_size, subtract_numbers

OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
PRECISION = "Attempting to store more than 38 significant digits in a Number"

# AWS-verified normalizations (alternator test_number.py _NORMALIZATION_CASES and the spec).
NORMALIZED = [
    ("007", "7"),
    ("+3", "3"),
    ("1.10", "1.1"),
    ("1E+3", "1000"),
    ("1e3", "1000"),
    ("1.5e2", "150"),
    ("1e-3", "0.001"),
    ("-0", "0"),
    ("0e5", "0"),
    ("0.0e126", "0"),
    ("-.5", "-0.5"),
    (".5", "0.5"),
    ("5.", "5"),
    ("-1.0E-2", "-0.01"),
    ("1e125", "1" + "0" * 125),
    ("1e-130", "0." + "0" * 129 + "1"),
    ("9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + "0" * 88),
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("1234567890123456789012345678901234567800000", "1234567890123456789012345678901234567800000"),
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZED)
def test_normalization(text: str, expected: str) -> None:
    assert normalize_number(text) == expected


REJECTED = [
    ("", "The parameter cannot be converted to a numeric value"),
    ("dog", "The parameter cannot be converted to a numeric value: dog"),
    ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
    ("Infinity", "The parameter cannot be converted to a numeric value: Infinity"),
    (" 1", "The parameter cannot be converted to a numeric value:  1"),
    ("1_000", "The parameter cannot be converted to a numeric value: 1_000"),
    ("0x10", "The parameter cannot be converted to a numeric value: 0x10"),
    ("1e126", OVERFLOW),
    ("-1e126", OVERFLOW),
    ("0e126", OVERFLOW),
    ("1e-131", UNDERFLOW),
    ("0e-131", UNDERFLOW),
    # exponents past what Decimal holds: out of range while they fit 64 bits, else not a number
    ("1e9223372036854775807", OVERFLOW),
    ("1e-9223372036854775808", UNDERFLOW),
    ("1e9223372036854775808", "The parameter cannot be converted to a numeric value: 1e9223372036854775808"),
    ("123456789012345678901234567890123456789", PRECISION),
    ("1.00000000000000000000000000000000000001", PRECISION),
]


@pytest.mark.parametrize(("text", "message"), REJECTED)
def test_rejections(text: str, message: str) -> None:
    with pytest.raises(AwsError) as caught:
        normalize_number(text)
    assert caught.value.code == "ValidationException"
    assert caught.value.message == message


def test_arithmetic() -> None:
    assert add_numbers("1", "2") == "3"
    assert subtract_numbers("1", "2.5") == "-1.5"
    assert add_numbers("0.1", "0.2") == "0.3"  # decimal, never float
    assert subtract_numbers("5", "5") == "0"


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (normalize_number("1e50"), "1", OVERFLOW),  # would need 51 digits
        (
            normalize_number("9.9999999999999999999999999999999999999E+125"),
            normalize_number("1e125"),
            OVERFLOW,
        ),
        (normalize_number("1e-130"), "1", OVERFLOW),
    ],
)
def test_arithmetic_limits(a: str, b: str, message: str) -> None:
    with pytest.raises(AwsError) as caught:
        add_numbers(a, b)
    assert caught.value.message == message


def test_subtraction_underflow() -> None:
    a = normalize_number("1.1e-130")
    b = normalize_number("1e-130")
    # 1e-131 is below the smallest magnitude
    with pytest.raises(AwsError) as caught:
        subtract_numbers(a, b)
    assert caught.value.message == UNDERFLOW


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("0", 1),
        ("1", 2),
        ("12", 2),
        ("123", 3),
        ("-1", 3),
        ("10", 2),
        ("100", 2),
        ("0.1", 2),
        ("1234", 3),
        ("1.5", 3),
        ("12345678901234567890123456789012345678", 20),
    ],
)
def test_number_size(text: str, size: int) -> None:
    assert number_size(text) == size


digits = st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1)
exponents = st.integers(min_value=-150, max_value=120)


@given(digits, exponents)
def test_canonical_text_round_trips(mantissa: int, exponent: int) -> None:
    text = f"{mantissa}E{exponent}"
    value = Decimal(text)
    if value and not (-130 <= value.adjusted() <= 125):
        return
    canonical = normalize_number(text)
    assert Decimal(canonical) == value
    assert "E" not in canonical and "e" not in canonical
    assert normalize_number(canonical) == canonical
