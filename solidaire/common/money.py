"""Money: exact decimal amounts in dollars with two places, shown the Québec way.

Amounts are ``Decimal`` everywhere (database ``DecimalField(max_digits=14,
decimal_places=2)``); this module holds the few helpers every layer shares.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils import translation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NBSP = "\xa0"


def to_money(value: Decimal | int | str) -> Decimal:
    """Parse an amount exactly (no float ever), rounded half-up to the cent."""
    if isinstance(value, float):
        raise TypeError("Money is never a float.")
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"Not an amount: {value!r}") from exc


def floor_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


def format_money(value: Decimal | int | None, language: str | None = None) -> str:
    """``1 200 000,00 $`` in French, ``$1,200,000.00`` in English."""
    if value is None:
        return "—"
    amount = to_money(value)
    language = (language or translation.get_language() or "fr")[:2]
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    if language == "en":
        return f"{sign}${','.join(groups)}.{cents}"
    return f"{sign}{NBSP.join(groups)},{cents}{NBSP}$"


def format_number(value: int | Decimal | None, language: str | None = None) -> str:
    if value is None:
        return "—"
    language = (language or translation.get_language() or "fr")[:2]
    text = f"{int(value):,}"
    return text if language == "en" else text.replace(",", NBSP)


def MoneyField(verbose_name: object = None, **kwargs: object) -> models.DecimalField:
    """A dollar amount with cents, exact."""
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)  # type: ignore[arg-type]
