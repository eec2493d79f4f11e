"""The carry-over form: it parses what the coordinator types into the
arguments of :func:`solidaire.ledger.services.carry_over_record`. The rules
(an ended source, an open and later target, no more than the source left
uncommitted) live in the service, which names the input at fault."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidaire.common.forms import AmountField
from solidaire.common.money import format_money
from solidaire.ledger.selectors import FiscalYearBalance
from solidaire.programmes.models import FiscalYear, Programme


class FiscalYearChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A fiscal year of the programme, labelled with its state and balance."""

    def __init__(self, *, balances: dict[str, FiscalYearBalance], **kwargs: Any) -> None:
        self.balances = balances
        super().__init__(**kwargs)

    def label_from_instance(self, obj: FiscalYear) -> str:
        balance = self.balances.get(obj.label)
        if balance is None:
            return obj.label
        if balance.ended:
            return str(
                _("%(fy)s — ended, %(lapsed)s lapsed")
                % {"fy": obj.label, "lapsed": format_money(balance.lapsed)}
            )
        return str(
            _("%(fy)s — open, %(available)s available")
            % {"fy": obj.label, "available": format_money(balance.available)}
        )


def _year_field(
    label: Any, help_text: Any, balances: dict[str, FiscalYearBalance], programme: Programme
) -> FiscalYearChoice:
    return FiscalYearChoice(
        balances=balances,
        queryset=FiscalYear.objects.filter(programme=programme).order_by("starts_on"),
        label=label,
        help_text=help_text,
        empty_label=None,
        error_messages={
            "required": _("Choose a fiscal year."),
            "invalid_choice": _("Choose a fiscal year of this programme."),
        },
    )


class CarryOverForm(forms.Form):
    amount = AmountField(
        label=_("Amount carried over"),
        help_text=_("In dollars, for example 150 000,00."),
        error_messages={"required": _("Enter the amount to carry over.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "narrow"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Why the money was not committed in time, and what it will fund."),
        error_messages={"required": _("Give the reason for the carry-over.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    authorisation = forms.CharField(
        label=_("Reference of the funder's authorisation"),
        max_length=120,
        help_text=_("The letter or resolution by which the funder allows the carry-over."),
        error_messages={"required": _("Give the reference of the funder's authorisation.")},
    )

    def __init__(
        self, *args: Any, programme: Programme, balances: list[FiscalYearBalance], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        by_label = {b.label: b for b in balances}
        self.fields = {
            "source": _year_field(
                _("From fiscal year"),
                _("An ended fiscal year: only what it left uncommitted can be carried over."),
                by_label,
                programme,
            ),
            "target": _year_field(
                _("To fiscal year"),
                _("A later fiscal year that has not ended; its envelope rises by the amount."),
                by_label,
                programme,
            ),
            **self.fields,
        }
        ended = [b for b in balances if b.ended and b.lapsed > 0]
        open_years = [b for b in balances if not b.ended]
        if ended and not self.is_bound:
            self.initial.setdefault(
                "source",
                FiscalYear.objects.filter(programme=programme, label=ended[-1].label).first(),
            )
        if open_years and not self.is_bound:
            self.initial.setdefault(
                "target",
                FiscalYear.objects.filter(programme=programme, label=open_years[0].label).first(),
            )
