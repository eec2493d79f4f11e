"""The amount field reads what people type and shows amounts as they type them."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from solidaire.common.forms import AmountField


class Form(forms.Form):
    amount = AmountField(required=False)


@pytest.mark.parametrize(
    ("language", "shown"),
    [("fr", 'value="14 300,00"'), ("en", 'value="14,300.00"')],
)
def test_an_initial_amount_is_shown_as_people_type_it(language: str, shown: str) -> None:
    with translation.override(language):
        html = str(Form(initial={"amount": Decimal("14300")})["amount"])
    assert shown in html


def test_what_was_typed_is_shown_back_as_typed_and_reads_exactly() -> None:
    form = Form(data={"amount": "14 300,5"})
    assert 'value="14 300,5"' in str(form["amount"])
    assert form.is_valid() and form.cleaned_data["amount"] == Decimal("14300.50")
    with translation.override("fr"):
        shown = str(Form(initial={"amount": Decimal("14300.50")})["amount"])
    again = Form(data={"amount": shown.split('value="')[1].split('"')[0]})
    assert again.is_valid() and again.cleaned_data["amount"] == Decimal("14300.50")
