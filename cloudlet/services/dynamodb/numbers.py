"""DynamoDB numbers: parsing, canonical text and arithmetic, exactly to DynamoDB's rules.

A number has at most 38 significant digits and a magnitude of 0 or within 1E-130 ..
9.9999999999999999999999999999999999999E+125. DynamoDB answers numbers in plain decimal notation
(never an exponent) with leading and trailing zeros trimmed. Everything is decimal.Decimal under a
38-digit context; no float ever touches a number. Neighbours: values.py (validation of items),
keys.py (the order-preserving byte encoding) and expressions/ (SET a = a + :v).
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow, Underflow

from cloudlet.aws.errors import AwsError

MAX_DIGITS = 38
MAX_EXPONENT = 125  # adjusted exponent of the largest magnitude, 9.99..E+125
MIN_EXPONENT = -130  # adjusted exponent of the smallest magnitude, 1E-130

_SYNTAX = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Exact arithmetic: any result that would need rounding is an error, never a silent change.
_CONTEXT = Context(
    prec=MAX_DIGITS, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, Inexact, Overflow, Underflow]
)

OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number"


def _invalid(text: str) -> AwsError:
    if text == "":
        return AwsError("ValidationException", "The parameter cannot be converted to a numeric value")
    return AwsError("ValidationException", f"The parameter cannot be converted to a numeric value: {text}")


def parse_number(text: str) -> Decimal:
    """The value of a DynamoDB number string, checked against DynamoDB's limits."""
    if not isinstance(text, str) or not _SYNTAX.fullmatch(text):
        raise _invalid(text if isinstance(text, str) else str(text))
    try:
        value = Decimal(text)
    except InvalidOperation:  # an exponent past what Decimal holds (~1e18)
        # AWS reads exponents as 64-bit integers: within that, the magnitude is simply out of range;
        # past it, the text is not a number (parity suite, numberExponent, captured on AWS)
        exponent = int(re.split("[eE]", text)[1])
        if -(2**63) <= exponent < 2**63:
            raise AwsError("ValidationException", OVERFLOW if exponent > 0 else UNDERFLOW) from None
        raise _invalid(text) from None
    check_range(value)
    return value


def check_range(value: Decimal) -> None:
    """Raise AWS's error when `value` cannot be stored as a DynamoDB number.

    Zero is checked too: AWS rejects `0e126` yet takes `0.0e126` (its exponent is 125)."""
    adjusted = value.adjusted()
    if adjusted > MAX_EXPONENT:
        raise AwsError("ValidationException", OVERFLOW)
    if adjusted < MIN_EXPONENT:
        raise AwsError("ValidationException", UNDERFLOW)
    digits = value.as_tuple().digits
    if len(digits) > MAX_DIGITS:
        significant = len("".join(map(str, digits)).rstrip("0"))
        if significant > MAX_DIGITS:
            raise AwsError("ValidationException", TOO_PRECISE)


def format_number(value: Decimal) -> str:
    """DynamoDB's canonical text for an in-range value: plain decimal, no exponent, no -0."""
    if not value:
        return "0"
    return format(value.normalize(_CONTEXT_FORMAT), "f")


_CONTEXT_FORMAT = Context(prec=MAX_DIGITS + 2, Emax=999_999, Emin=-999_999)


# Text that is already canonical and obviously in range (<= 38 characters): the common case.
_CANONICAL = re.compile(r"0|-?[1-9][0-9]{0,36}|-?(?:0|[1-9][0-9]*)\.[0-9]*[1-9]")


def normalize_number(text: str) -> str:
    """Validate a number string and return the canonical text DynamoDB would return for it."""
    if type(text) is str and len(text) <= 38 and _CANONICAL.fullmatch(text):
        return text
    return format_number(parse_number(text))


def decompose(text: str) -> tuple[bool, str, int]:
    """(negative, significant digits, adjusted exponent) of a non-zero number's text.

    Plain decimal text (what DynamoDB stores) is taken apart with string operations; anything
    with an exponent goes through Decimal."""
    if "e" in text or "E" in text:
        value = Decimal(text)
        sign, digit_tuple, _ = value.as_tuple()
        return bool(sign), "".join(map(str, digit_tuple)).strip("0"), value.adjusted()
    negative = text[0] == "-"
    body = text[1:] if negative or text[0] == "+" else text
    whole, _, fraction = body.partition(".")
    joined = whole + fraction
    stripped = joined.lstrip("0")
    return negative, stripped.rstrip("0"), len(whole) - 1 - (len(joined) - len(stripped))


def _arith(op: str, a: Decimal, b: Decimal) -> Decimal:
    try:
        result = _CONTEXT.add(a, b) if op == "+" else _CONTEXT.subtract(a, b)
    except (Inexact, Overflow):
        raise AwsError("ValidationException", OVERFLOW) from None
    except (Underflow, InvalidOperation):
        raise AwsError("ValidationException", UNDERFLOW) from None
    if result:
        adjusted = result.adjusted()
        if adjusted > MAX_EXPONENT:
            raise AwsError("ValidationException", OVERFLOW)
        if adjusted < MIN_EXPONENT:
            raise AwsError("ValidationException", UNDERFLOW)
    return result


def add_numbers(a: str, b: str) -> str:
    """a + b for two canonical DynamoDB number strings, with AWS's overflow/underflow errors."""
    return format_number(_arith("+", Decimal(a), Decimal(b)))


def subtract_numbers(a: str, b: str) -> str:
    """a - b for two canonical DynamoDB number strings, with AWS's overflow/underflow errors."""
    return format_number(_arith("-", Decimal(a), Decimal(b)))


def number_size(text: str) -> int:
    """Bytes a number occupies in DynamoDB's item-size accounting.

    DynamoDB stores a base-100 mantissa aligned on the decimal point: one byte per base-100 digit
    the significant digits touch, plus one, plus one for a negative number; zero is one byte."""
    negative, digits, top = decompose(text)
    if not digits:
        return 1
    last = top - len(digits) + 1  # power of ten of the last significant digit
    return 1 + top // 2 - last // 2 + 1 + (1 if negative else 0)
