"""Forms of the applicant's pages. They parse what the person typed into the
arguments of the application services and nothing more: completeness and the
deadline are the services' business."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from solidaire.applications.budget import DESCRIPTION_MAX_LENGTH, BudgetRow
from solidaire.applications.models import BudgetLine, Proposal
from solidaire.calls.forms import InstantField
from solidaire.calls.models import RequiredDocument, Stream
from solidaire.common.bilingual import Bilingual
from solidaire.common.money import to_money
from solidaire.programmes.models import FiscalYear, Priority, Territory

# Twelve digits before the cents: the database holds 14 digits with 2 decimals.
MAX_WHOLE_DIGITS = 12
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_PLAIN = re.compile(r"\d+")
_DECIMAL = re.compile(r"\d+[.,]\d{1,2}")
_COMMA_GROUPS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?")
_DOT_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?")
_ONE_GROUP = re.compile(r"\d{1,3}[.,]\d{3}")
_TOO_PRECISE = re.compile(r"\d+[.,]\d{3,}")


def parse_amount(text: str) -> Decimal:
    """An amount typed the Québec way, or the English way, as an exact Decimal.

    Accepts ``25 000,50``, ``25000.50``, ``25 000 $``, ``25 000,50 $``,
    ``$25,000.50`` and ``1.200.000,00``. Spaces (ordinary, non-breaking,
    narrow) group thousands. ``25,000`` alone is refused: a French reader
    means 25 dollars, an English one 25 thousand, and a grant is not the
    place to guess.
    """
    value = _SPACES.sub("", text.replace("$", ""))
    if not value:
        raise ValidationError(_("Enter an amount."), code="required")
    if value[0] in "-−(" or value.endswith(")"):
        raise ValidationError(_("An amount cannot be negative."), code="negative")
    if _PLAIN.fullmatch(value):
        number = value
    elif _ONE_GROUP.fullmatch(value):
        raise ValidationError(
            _(
                "“%(value)s” could be read two ways. Write it without a separator "
                "or with cents, for example 25 000 or 25 000,00."
            ),
            code="ambiguous",
            params={"value": text.strip()},
        )
    elif _DECIMAL.fullmatch(value):
        number = value.replace(",", ".")
    elif _COMMA_GROUPS.fullmatch(value):
        number = value.replace(",", "")
    elif _DOT_GROUPS.fullmatch(value):
        number = value.replace(".", "").replace(",", ".")
    elif _TOO_PRECISE.fullmatch(value):
        raise ValidationError(
            _("An amount has at most two decimals (the cents)."), code="precision"
        )
    else:
        raise ValidationError(
            _("Enter an amount in dollars, for example 25 000,50."), code="invalid"
        )
    if len(number.split(".")[0].lstrip("0")) > MAX_WHOLE_DIGITS:
        raise ValidationError(_("This amount is too large."), code="too_large")
    return to_money(number)


def amount_for_input(value: Decimal | None) -> str:
    """An amount shown in a text input, as the person's language writes it
    (without the dollar sign, with ordinary spaces so that it edits well)."""
    if value is None:
        return ""
    whole, cents = f"{to_money(value):.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    if (translation.get_language() or "fr")[:2] == "en":
        return f"{','.join(groups)}.{cents}"
    return f"{' '.join(groups)},{cents}"


class AmountInput(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return amount_for_input(value)
        return super().format_value(value)


class AmountField(forms.Field):
    """A non-negative amount in dollars, typed as people type it (see
    :func:`parse_amount`); empty means nothing given."""

    widget = AmountInput

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal):
            return value
        return parse_amount(str(value))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d", attrs={"class": "narrow-date"})


def requested_field_name(fiscal_year: FiscalYear) -> str:
    return f"requested_{fiscal_year.pk}"


def _max_length(name: str) -> int:
    """The longest answer the model takes for a text question (the editor
    counts the characters left against it)."""
    field = Proposal._meta.get_field(name)
    assert isinstance(field, models.Field) and field.max_length is not None
    return int(field.max_length)


def _long_text(rows: int, name: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": _max_length(name)})


class DraftForm(forms.Form):
    """Every answer of a draft proposal, all optional: a draft may be saved
    half-written; what submission needs is checked by the service.

    ``version`` carries the ``updated_at`` of the draft the page was built
    from, so that a save from a stale tab is refused instead of silently
    overwriting someone else's work.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        label=_("Title of the initiative"), max_length=_max_length("title"), required=False
    )
    summary = forms.CharField(
        label=_("Summary"),
        help_text=_("What the initiative does, for whom, and what it should change."),
        max_length=_max_length("summary"),
        required=False,
        widget=_long_text(5, "summary"),
    )
    stream = forms.ChoiceField(label=_("Stream"), required=False, widget=forms.RadioSelect)
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=Proposal.Scope.choices,
        initial=Proposal.Scope.LOCAL,
        widget=forms.RadioSelect,
    )
    territories = forms.MultipleChoiceField(
        label=_("Territories served"), required=False, widget=forms.CheckboxSelectMultiple
    )
    priorities = forms.MultipleChoiceField(
        label=_("Work-plan priorities"), required=False, widget=forms.CheckboxSelectMultiple
    )
    poverty_participation = forms.CharField(
        label=_("How people living in poverty take part"),
        help_text=_(
            "At every stage: identifying the needs, designing, carrying out and assessing."
        ),
        max_length=_max_length("poverty_participation"),
        required=False,
        widget=_long_text(5, "poverty_participation"),
    )
    partners = forms.CharField(
        label=_("Partners"),
        help_text=_("The organisations that take part, and what each brings."),
        max_length=_max_length("partners"),
        required=False,
        widget=_long_text(3, "partners"),
    )
    starts_on = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("End date"), required=False, widget=DateInput())
    total_cost = AmountField(
        label=_("Total eligible expenses"),
        help_text=_("In dollars, for example 40 000 or 40 000,00."),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        streams: Iterable[Stream],
        territories: Iterable[Territory],
        priorities: Iterable[Priority],
        fiscal_years: Iterable[FiscalYear],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Choices come as lists read once by the view, so that rendering and
        # validating the page never run a query per field or per option.
        self._objects: dict[str, dict[str, Any]] = {}
        self._set_choices("stream", list(streams))
        self._set_choices("territories", list(territories))
        self._set_choices("priorities", list(priorities))
        self.fiscal_years = list(fiscal_years)
        for fy in self.fiscal_years:
            self.fields[requested_field_name(fy)] = AmountField(
                label=_("Amount requested for %(year)s") % {"year": fy.label}, required=False
            )

    def _set_choices(self, name: str, objects: list[Any]) -> None:
        self._objects[name] = {str(o.pk): o for o in objects}
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        # Streams and priorities read in the page's language, the French
        # text marked when an English one is missing.
        field.choices = [
            (str(o.pk), o.text("name") if isinstance(o, Bilingual) else str(o)) for o in objects
        ]

    @property
    def requested_fields(self) -> list[forms.BoundField]:
        return [self[requested_field_name(fy)] for fy in self.fiscal_years]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The end date must come after the start date."))
        return data

    def valid_fields(self) -> dict[str, Any]:
        """The answers that passed validation, as ``proposal_update_draft``
        takes them, so that a save keeps them even when others are wrong.
        The two dates go together: one without the other could contradict
        the saved date and the database refuses reversed dates."""
        data = getattr(self, "cleaned_data", {})
        fields: dict[str, Any] = {}
        for name in ("title", "summary", "scope", "poverty_participation", "partners"):
            if name in data and name not in self.errors:
                fields[name] = data[name]
        if "stream" in data and "stream" not in self.errors:
            fields["stream"] = self._objects["stream"].get(data["stream"] or "")
        if "total_cost" in data and "total_cost" not in self.errors:
            fields["total_cost"] = data["total_cost"] or Decimal("0")
        if not ({"starts_on", "ends_on"} & set(self.errors)):
            fields["starts_on"] = data.get("starts_on")
            fields["ends_on"] = data.get("ends_on")
        return fields

    def valid_choices(self, name: str) -> list[Any] | None:
        """The objects ticked in a list of checkboxes, or None when the list
        is wrong (the saved choice then stays)."""
        data = getattr(self, "cleaned_data", {})
        if name in self.errors or name not in data:
            return None
        return [self._objects[name][pk] for pk in data[name]]

    def valid_requested(self, saved: dict[int, Decimal]) -> dict[FiscalYear, Decimal] | None:
        """Amounts per fiscal year: what was typed where valid, what was
        saved where the input is wrong."""
        data = getattr(self, "cleaned_data", {})
        requested: dict[FiscalYear, Decimal] = {}
        for fy in self.fiscal_years:
            name = requested_field_name(fy)
            if name in self.errors:
                requested[fy] = saved.get(fy.pk, Decimal("0"))
            else:
                requested[fy] = data.get(name) or Decimal("0")
        return requested


class FundingForm(forms.Form):
    """One row of other funding. An empty row is ignored."""

    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    amount = AmountField(label=_("Amount"), required=False)
    confirmed = forms.BooleanField(label=_("Confirmed"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = (data.get("source") or "").strip()
        has_amount = data.get("amount") is not None
        if source and not has_amount and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount of this funding."))
        if has_amount and not source:
            self.add_error("source", _("Name the source of this funding."))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("source") or "").strip() and data.get("amount") is None


FundingFormSet = forms.formset_factory(FundingForm, extra=0)
FUNDING_ROWS_MIN = 3


def budget_amount_name(fiscal_year: FiscalYear) -> str:
    return f"amount_{fiscal_year.pk}"


class BudgetLineForm(forms.Form):
    """One row of the budget: a category, a description and one amount per
    fiscal year. An empty row is ignored."""

    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *BudgetLine.Category.choices],
        required=False,
    )
    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, required=False
    )

    def __init__(self, *args: Any, fiscal_years: Iterable[FiscalYear], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fiscal_years = list(fiscal_years)
        for fy in self.fiscal_years:
            self.fields[budget_amount_name(fy)] = AmountField(
                label=fy.label,
                required=False,
                widget=AmountInput(attrs={"data-budget-year": str(fy.pk)}),
            )

    @property
    def amount_fields(self) -> list[forms.BoundField]:
        return [self[budget_amount_name(fy)] for fy in self.fiscal_years]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_amount = any(data.get(budget_amount_name(fy)) for fy in self.fiscal_years)
        has_description = bool((data.get("description") or "").strip())
        missing = not data.get("category") and "category" not in self.errors
        if (has_amount or has_description) and missing:
            self.add_error("category", _("Choose the category of this line."))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return (
            not data.get("category")
            and not (data.get("description") or "").strip()
            and not any(data.get(budget_amount_name(fy)) for fy in self.fiscal_years)
        )

    def row(self) -> BudgetRow:
        data = self.cleaned_data
        return BudgetRow(
            category=data["category"],
            description=(data.get("description") or "").strip(),
            amounts={
                fy.pk: data.get(budget_amount_name(fy)) or Decimal("0") for fy in self.fiscal_years
            },
        )


class BaseBudgetFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def rows(self) -> list[BudgetRow]:
        """The rows typed, in order, empty ones left out."""
        return [form.row() for form in self.forms if not form.is_blank]


# At most MAX_ROWS lines: the formset refuses more than a budget holds.
BudgetFormSet = forms.formset_factory(
    BudgetLineForm, formset=BaseBudgetFormSet, extra=0, max_num=300, absolute_max=300
)
BUDGET_BLANK_ROWS = 2


class BudgetImportForm(forms.Form):
    """The filled Excel template; checked by the one upload path, then read."""

    workbook = forms.FileField(
        label=_("Filled budget template (.xlsx)"),
        allow_empty_file=True,
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
        error_messages={"required": _("Choose the filled template to send.")},
    )


class DocumentsForm(forms.Form):
    """One file input per required document of the call. The files are
    checked by ``solidaire.documents`` (through the attachment services),
    not here: this form only collects them, so that every upload of the
    product takes the same path."""

    ACCEPT = ".pdf,.docx,.xlsx,.odt,.ods,.jpg,.jpeg,.png"

    def __init__(self, *args: Any, documents: Iterable[RequiredDocument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = list(documents)
        for document in self.documents:
            self.fields[f"document_{document.pk}"] = forms.FileField(
                label=document.text("name"),
                required=False,
                # Empty and long-named files are refused (or renamed) with
                # the reason by the one validation path.
                allow_empty_file=True,
                widget=forms.FileInput(attrs={"accept": self.ACCEPT}),
            )

    def uploads(self) -> list[tuple[RequiredDocument, Any]]:
        """The slots given a file in this request, with the file."""
        return [
            (d, self.files[f"document_{d.pk}"])
            for d in self.documents
            if self.files.get(f"document_{d.pk}")
        ]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw this proposal?"),
        help_text=_("The programme's coordination reads this reason."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give the reason for withdrawing.")},
    )


class DeadlineExtensionForm(forms.Form):
    """More time for one organisation: the new instant and why."""

    closes_at = InstantField(
        label=_("New closing (Québec time)"),
        help_text=_("The organisation may submit until this instant; everyone else may not."),
        error_messages={
            "required": _("Give the new closing date and time."),
            "invalid": _("Give a date and time, such as 2026-11-30 17:00."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Recorded with the extension and shown to the organisation."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why this organisation gets more time.")},
    )
