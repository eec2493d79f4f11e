"""Forms of the agreement's template, signatures and amendments: they parse
what people type into the arguments of ``agreements.documents`` and
``agreements.amendments``; the rules live there."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidaire.agreements.documents import SECTIONS, placeholder_problems
from solidaire.agreements.forms import AmountField
from solidaire.agreements.models import Payment
from solidaire.common.fiscal import fiscal_year_has_ended
from solidaire.common.money import format_money
from solidaire.programmes.models import FiscalYear

_TEXT = forms.Textarea(attrs={"rows": 5})
_LABELS = {
    "purpose": _("Purpose of the agreement"),
    "payment_terms": _("Payment terms"),
    "conditions": _("Conditions"),
    "reporting": _("Reporting duties"),
    "visibility": _("Visibility clause"),
    "duration": _("Duration and end"),
}


class AgreementTemplateForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in SECTIONS:
            self.fields[section] = forms.CharField(
                label=_("%(clause)s — French") % {"clause": _LABELS[section]},
                max_length=5000,
                widget=_TEXT,
                error_messages={"required": _("Write this clause in French.")},
            )
            self.fields[f"{section}_en"] = forms.CharField(
                label=_("%(clause)s — English") % {"clause": _LABELS[section]},
                max_length=5000,
                required=False,
                widget=_TEXT,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):
            for problem in placeholder_problems(str(value or "")):
                self.add_error(name, problem)
        return cleaned


class _SignerFields(forms.Form):
    name = forms.CharField(
        label=_("Name of the signatory"),
        max_length=200,
        error_messages={"required": _("Give the name of the person who signs.")},
    )
    title = forms.CharField(
        label=_("Title of the signatory"),
        max_length=120,
        error_messages={"required": _("Give the title of the person who signs.")},
    )


class OrganisationSignForm(_SignerFields):
    document = forms.IntegerField(widget=forms.HiddenInput)
    signed_copy = forms.FileField(
        label=_("Signed copy (optional)"),
        required=False,
        help_text=_(
            "If the agreement was signed on paper, send the signed copy (PDF, JPEG or PNG)."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I have read this version of the agreement and sign it for the organisation."),
        error_messages={"required": _("Tick the box to sign.")},
    )


class CountersignForm(_SignerFields):
    confirm = forms.BooleanField(
        label=_("I countersign this version of the agreement for the trustee."),
        error_messages={"required": _("Tick the box to countersign.")},
    )


class AmendmentForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the agreement amended?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the agreement is amended.")},
    )
    ends_on = forms.DateField(
        label=_("New end date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "narrow"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as year-month-day, for example 2021-04-30.")},
    )

    def __init__(
        self,
        *args: Any,
        years: list[tuple[FiscalYear, Decimal]] | None = None,
        payments: list[Payment] | None = None,
        addable: list[FiscalYear] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.years = years or []
        self.payments = payments or []
        self.addable = addable or []
        for fy, amount in self.years:
            ended = fiscal_year_has_ended(fy.ends_on)
            self.fields[f"amount_{fy.pk}"] = AmountField(
                label=_("Amount for %(fy)s") % {"fy": fy.label},
                initial=amount,
                # An ended year's amount no longer changes: shown, not sent.
                disabled=ended,
                help_text=(
                    _("This fiscal year has ended: its amount no longer changes.")
                    if ended
                    else _("In dollars, for example 12 345,67. Zero drops the year.")
                ),
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "class": "narrow", "maxlength": 30}
                ),
                error_messages={"required": _("Enter an amount.")},
            )
        for fy in self.addable:
            self.fields[f"amount_{fy.pk}"] = AmountField(
                label=_("Amount for %(fy)s (a year not funded yet)") % {"fy": fy.label},
                required=False,
                help_text=_("In dollars. Leave empty not to add this year."),
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "class": "narrow", "maxlength": 30}
                ),
            )

        for payment in self.payments:
            self.fields[f"due_{payment.pk}"] = forms.DateField(
                label=_("Payment %(n)s (%(amount)s) due on")
                % {"n": payment.sequence, "amount": format_money(payment.amount)},
                initial=payment.due_on,
                widget=forms.DateInput(
                    attrs={"type": "date", "class": "narrow"}, format="%Y-%m-%d"
                ),
                error_messages={
                    "required": _("Enter a date."),
                    "invalid": _("Enter a date as year-month-day, for example 2021-04-30."),
                },
            )

    def amounts(self) -> dict[FiscalYear, Decimal]:
        """The amount typed for each year funded, and for each year added."""
        amounts = {fy: self.cleaned_data[f"amount_{fy.pk}"] for fy, _amount in self.years}
        for fy in self.addable:
            if self.cleaned_data.get(f"amount_{fy.pk}") is not None:
                amounts[fy] = self.cleaned_data[f"amount_{fy.pk}"]
        return amounts

    def due_dates(self) -> dict[int, date]:
        """The unpaid payments whose due date was changed: id → new date."""
        return {
            p.pk: self.cleaned_data[f"due_{p.pk}"]
            for p in self.payments
            if self.cleaned_data[f"due_{p.pk}"] != p.due_on
        }


class AmendmentDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to approve or reject.")},
    )
    note = forms.CharField(
        label=_("Why reject it? (only then)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
