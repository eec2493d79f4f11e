"""Money: exact decimals, shown the Québec way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from solidaire.common.money import NBSP, floor_cents, format_money, format_number, to_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1200000", Decimal("1200000.00")),
        (Decimal("0.005"), Decimal("0.01")),  # half up, not banker's rounding
        (Decimal("0.015"), Decimal("0.02")),
        (Decimal("-2.345"), Decimal("-2.35")),
        (42, Decimal("42.00")),
    ],
)
def test_to_money_is_exact_and_rounds_half_up(value, expected):
    result = to_money(value)

    assert result == expected
    assert result.as_tuple().exponent == -2


def test_to_money_refuses_floats():
    with pytest.raises(TypeError, match="never a float"):
        to_money(0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["abc", "1,5", ""])
def test_to_money_refuses_what_is_not_an_amount(value):
    with pytest.raises(ValueError, match="Not an amount"):
        to_money(value)


def test_floor_cents_never_rounds_up():
    assert floor_cents(Decimal("10.999")) == Decimal("10.99")


@pytest.mark.parametrize(
    ("value", "french", "english"),
    [
        (Decimal("1200000"), f"1{NBSP}200{NBSP}000,00{NBSP}$", "$1,200,000.00"),
        (Decimal("4200000.5"), f"4{NBSP}200{NBSP}000,50{NBSP}$", "$4,200,000.50"),
        (Decimal("999.99"), f"999,99{NBSP}$", "$999.99"),
        (Decimal("0"), f"0,00{NBSP}$", "$0.00"),
        (Decimal("-1234.5"), f"-1{NBSP}234,50{NBSP}$", "-$1,234.50"),
        (1000, f"1{NBSP}000,00{NBSP}$", "$1,000.00"),
    ],
)
def test_format_money_in_quebec_french_and_english(value, french, english):
    assert format_money(value, "fr") == french
    assert format_money(value, "en") == english
    assert format_money(value, "fr-ca") == french


def test_format_money_follows_the_active_language():
    with translation.override("en"):
        assert format_money(Decimal("1200000")) == "$1,200,000.00"
    with translation.override("fr"):
        assert format_money(Decimal("1200000")) == f"1{NBSP}200{NBSP}000,00{NBSP}$"


def test_missing_amount_is_a_dash():
    assert format_money(None) == "—"
    assert format_number(None) == "—"


def test_format_number_groups_thousands():
    assert format_number(588777, "fr") == f"588{NBSP}777"
    assert format_number(588777, "en") == "588,777"
    assert format_number(69, "fr") == "69"
