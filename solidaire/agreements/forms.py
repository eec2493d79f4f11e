"""Forms of the trustee's pages: they parse what the finance officer types
into the arguments of the agreements services, and nothing more. The rules
(conditions of payment, dates in order, nothing paid twice) live in the
services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solidaire.agreements.models import PaymentMethod
from solidaire.applications.models import BudgetLine
from solidaire.common.forms import AmountField as CommonAmountField

_DATE = forms.DateInput(attrs={"type": "date", "class": "narrow"}, format="%Y-%m-%d")
_COUNT = forms.NumberInput(attrs={"inputmode": "numeric", "class": "narrow"})


class AmountField(CommonAmountField):
    """An amount in dollars (see :class:`solidaire.common.forms.AmountField`);
    what the trustee records is never negative."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        amount = super().to_python(value)
        if amount is not None and amount < 0:
            raise ValidationError(_("An amount cannot be negative."), code="min_value")
        return amount


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=_DATE,
        error_messages={
            "required": _("Enter a date."),
            "invalid": _("Enter a date as year-month-day, for example 2021-04-30."),
        },
    )


def _count_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10_000_000,
        widget=_COUNT,
        error_messages={"invalid": _("Enter a whole number.")},
    )


class IssueForm(forms.Form):
    issued_on = _date_field(_("Issued on"))
    number = forms.CharField(
        label=_("Agreement number (optional)"),
        max_length=30,
        required=False,
        help_text=_("Leave empty to number it after the proposal (CAF-reference)."),
    )

    def clean_number(self) -> str:
        number = str(self.cleaned_data["number"]).strip()
        if "/" in number:
            raise ValidationError(_("An agreement number cannot contain a slash."))
        if number.isdigit():
            # The detail page is reached by number or by id: a number made of
            # digits only could be taken for another agreement's id.
            raise ValidationError(_("An agreement number needs at least one letter."))
        return number


class PaymentForm(forms.Form):
    paid_on = _date_field(_("Paid on"))
    amount = AmountField(
        label=_("Amount paid"),
        required=False,
        help_text=_("In dollars; leave empty to pay the scheduled amount."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "narrow", "maxlength": 30}),
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[("", "—"), *PaymentMethod.choices],
        required=False,
    )
    reference = forms.CharField(
        label=_("Reference (transfer or cheque number)"), max_length=100, required=False
    )
    early_reason = forms.CharField(
        label=_("Why pay before the due date? (only then)"),
        max_length=300,
        required=False,
    )
    confirm = forms.BooleanField(
        label=_("I confirm that this amount was paid to the organisation."),
        error_messages={"required": _("Tick the box to confirm the payment.")},
    )


class ReportForm(forms.Form):
    received_on = _date_field(_("Received on"))
    early_closing = forms.CharField(
        label=_("Final report before the end: why does the initiative close early?"),
        max_length=300,
        required=False,
    )
    people_reached = _count_field(_("People reached"))
    people_in_poverty_involved = _count_field(_("People living in poverty involved in the work"))
    partners_mobilised = _count_field(_("Partners mobilised"))
    spent = AmountField(
        label=_("Amount spent"),
        required=False,
        help_text=_("In dollars, for example 12 345,67."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "narrow", "maxlength": 30}),
    )
    narrative = forms.CharField(
        label=_("Summary of the report"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CancellationForm(forms.Form):
    """Why a funded initiative stops: asked by its organisation, decided by
    the coordination (who also confirms that the money is released)."""

    reason = forms.CharField(
        label=_("Why does the initiative stop?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why the initiative stops.")},
    )

    def __init__(self, *args: Any, confirm: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if confirm:
            self.fields["confirm"] = forms.BooleanField(
                label=_(
                    "I confirm the cancellation: the unpaid money is released, the agreement "
                    "is terminated and its unpaid payments cancelled."
                ),
                error_messages={"required": _("Tick the box to confirm the cancellation.")},
            )


class PaymentFileForm(forms.Form):
    """The day of the trustee's payment run: what is paid that day, due or overdue."""

    on = _date_field(_("Payment run of"))
    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "Excel (.xlsx)")], initial="csv"
    )


class ReportWriteForm(forms.Form):
    """The organisation's report: indicators, narrative, a total spent and
    one amount per budget line (fields ``line_<id>``), documents."""

    people_reached = _count_field(_("People reached"))
    poverty_planning = _count_field(_("People living in poverty taking part in planning"))
    poverty_action = _count_field(_("People living in poverty taking part in the activities"))
    poverty_evaluation = _count_field(_("People living in poverty taking part in the evaluation"))
    partners_mobilised = _count_field(_("Partners mobilised"))
    activities_held = _count_field(_("Activities held"))
    narrative = forms.CharField(
        label=_("What the initiative did in this period"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    spent = AmountField(
        label=_("Total spent"),
        required=False,
        help_text=_("In dollars; the spending lines below must add up to it."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "narrow", "maxlength": 30}),
    )
    early_closing = forms.CharField(
        label=_("Final report before the end: why does the initiative close early?"),
        max_length=300,
        required=False,
    )
    document = forms.FileField(label=_("Add a document (PDF, Word, Excel, image)"), required=False)

    def __init__(self, *args: Any, lines: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = AmountField(
                label=_("Spent on “%(category)s” (%(fy)s)")
                % {"category": budget_line_name(line), "fy": line.fiscal_year.label},
                required=False,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "class": "narrow", "maxlength": 30}
                ),
            )

    def line_fields(self) -> list[tuple[Any, Any]]:
        return [(line, self[f"line_{line.pk}"]) for line in self.lines]


def budget_line_name(line: BudgetLine) -> str:
    """A budget line as the organisation wrote it: its category, and its
    description when it has one."""
    name = str(line.get_category_display())
    return f"{name} — {line.description}" if line.description else name


class ReportReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the organisation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you ask for changes."),
    )


class ReportDueForm(forms.Form):
    due_on = _date_field(_("Due on"))
