"""Form fields shared by the apps' pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solidaire.common.money import format_money, to_money


def amount_for_input(value: Any) -> Any:
    """An amount the form shows (an initial value, not what was typed) as
    people type it: ``14 300,00`` in French, ``14,300.00`` in English."""
    if isinstance(value, Decimal):
        text = format_money(value).replace("\xa0", " ")
        return text.removesuffix(" $").replace("$", "")
    return value


class AmountField(forms.Field):
    """An amount in dollars, typed the Québec way (``1 234,56``) or the
    English way (``1,234.56`` / ``1234.56``); exact, never a float. Whether
    it may be zero or negative is the service's rule, not the field's."""

    def prepare_value(self, value: Any) -> Any:
        return amount_for_input(value)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        text = text.replace("$", "").replace("\xa0", "").replace("\u202f", "").replace(" ", "")
        # With both marks the last one separates the cents (1,234.56 or
        # 1.234,56); with one only it is the decimal mark (1234,56).
        grouping = "," if text.rfind(".") > text.rfind(",") else "."
        if "," in text and "." in text:
            text = text.replace(grouping, "")
        text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                _("Enter an amount in dollars, for example 1 234,56."), code="invalid"
            ) from None
        if not amount.is_finite():
            raise ValidationError(_("Enter an amount in dollars, for example 1 234,56."))
        if abs(amount) >= Decimal("1000000000000"):
            raise ValidationError(_("This amount is too large."), code="max_value")
        return to_money(amount)
