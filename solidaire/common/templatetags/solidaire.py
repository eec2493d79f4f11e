"""Template filters shared by every page: money and numbers the Québec way."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.utils import translation

from solidaire.common.bilingual import local_text
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
    text = f"{Decimal(str(value)):.1f}"
    # A whole share reads « 90 % », not « 90,0 % ».
    text = text.removesuffix(".0")
    if (translation.get_language() or "fr")[:2] == "en":
        return f"{text}%"
    return text.replace(".", ",") + "\xa0%"


@register.filter(expects_localtime=True, is_safe=False)
def date(value: datetime.date | datetime.datetime | str | None, arg: str | None = None) -> str:
    """Django's ``date`` filter, with the French ordinal of the first day of
    the month: « 1er avril 2026 », as Québec writes it."""
    from django.template.defaultfilters import date as django_date

    text = django_date(value, arg)
    day = getattr(value, "day", None)
    if day == 1 and (translation.get_language() or "fr")[:2] == "fr" and text.startswith("1 "):
        return "1er " + text[2:]
    return text


@register.filter
def tr(obj: object, field: str) -> str:
    """``{{ stream|tr:"name" }}``: the field's text in the page's language,
    the French text marked ``lang="fr"`` and « (in French) » when an English
    page has no English text (see ``solidaire.common.bilingual``)."""
    if obj is None or obj == "":
        return ""
    return local_text(getattr(obj, field, ""), getattr(obj, f"{field}_en", ""))
