"""Template filters shared by every page: money and numbers the Québec way."""

from __future__ import annotations

from decimal import Decimal

from django import template

from solidaire.common.money import format_money, format_number

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str:
    return format_money(value)


@register.filter
def number(value: int | Decimal | None) -> str:
    return format_number(value)


@register.filter
def percent(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    from django.utils import translation

    text = f"{Decimal(str(value)):.1f}"
    if (translation.get_language() or "fr")[:2] == "en":
        return f"{text} %".replace(" ", "")
    return text.replace(".", ",") + "\xa0%"
