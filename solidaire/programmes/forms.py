"""Forms of a programme's set-up: identity and dates, fiscal years and
their envelopes, the work plan and its priorities, and the committee.

The envelope rules (Québec fiscal years, consecutive, inside the
programme's dates, adding up to the total) are checked here, across the
forms of the page, so that every mistake is shown beside its field with
everything else that was typed kept; :mod:`solidaire.programmes.services`
then writes all of it or nothing."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from solidaire.common.fiscal import fiscal_year_bounds, fiscal_year_label
from solidaire.common.forms import amount_for_input
from solidaire.common.money import ZERO, format_money, to_money
from solidaire.programmes.models import (
    FiscalYear,
    Priority,
    Programme,
    ProgrammeInvitation,
    ProgrammeRole,
    WorkPlan,
)

# Addresses under /programmes/ that a programme's short name must not take.
RESERVED_SLUGS = frozenset({"nouveau", "invitation"})
_LABEL = re.compile(r"^(\d{4})-(\d{4})$")
_SPACES = re.compile(r"[\s\u00a0\u202f$]")


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "narrow-date"})


def _date_errors() -> dict[str, Any]:
    return {
        "required": _("Enter a date."),
        "invalid": _("Enter a date as year-month-day, for example 2021-04-01."),
    }


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


class AmountInput(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return str(amount_for_input(value))
        return super().format_value(value)


class AmountField(forms.Field):
    """A non-negative amount in dollars, typed the Québec way (``840 000``,
    ``840 000,50``) or the English way (``840,000.50``); exact, never a float."""

    widget = AmountInput
    default_error_messages = {
        "invalid": _("Enter an amount in dollars, for example 840 000 or 840 000,00."),
        "negative": _("An amount cannot be negative."),
        "large": _("This amount is too large."),
    }

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, Decimal):
            return value
        text = _SPACES.sub("", str(value or ""))
        if not text:
            return None
        if text.startswith(("-", "−")):
            raise ValidationError(self.error_messages["negative"], code="negative")
        if "," in text and "." in text:
            # With both marks, the last one separates the cents.
            grouping = "," if text.rfind(".") > text.rfind(",") else "."
            text = text.replace(grouping, "")
        text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if amount >= Decimal("1000000000000"):
            raise ValidationError(self.error_messages["large"], code="large")
        return to_money(amount)


def _marked_removed(form: forms.BaseForm) -> bool:
    """Whether the row's "remove" box is ticked."""
    return bool(getattr(form, "cleaned_data", {}).get("DELETE", False))


# ----------------------------------------------------------------------------- programme


class ProgrammeForm(forms.ModelForm):
    """Who runs the programme, for whom, and when; the total envelope is
    typed here and checked against the fiscal years' envelopes."""

    envelope_total = AmountField(
        label=_("Total envelope"),
        help_text=_("The sum of the fiscal years' envelopes below."),
    )

    class Meta:
        model = Programme
        fields = ["region", "name", "slug", "trustee", "funder", "starts_on", "ends_on"]
        widgets = {"starts_on": _date_input(), "ends_on": _date_input()}
        help_texts = {
            "slug": _(
                "Letters, digits and hyphens, used in the programme's addresses "
                "(for example capitale-nationale). Left empty, it is made from the name."
            ),
        }
        error_messages = {
            "starts_on": _date_errors(),
            "ends_on": _date_errors(),
            "slug": {"unique": _("Another programme already has this short name.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["funder"].help_text = _("For example: Fonds québécois d'initiatives sociales.")
        self.fields["region"].empty_label = _("Choose a region")  # type: ignore[attr-defined]

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.data.get(self.add_prefix("name"), ""))
        slug = slug[:50]
        if not slug:
            raise ValidationError(_("Enter a short name (letters, digits and hyphens)."))
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("This short name is reserved; choose another one."))
        clash = Programme.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("Another programme already has this short name."))
        return slug

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The programme must end after it starts."))
        return data

    def _post_clean(self) -> None:  # type: ignore[misc]
        # The model's own check of the dates would repeat the message above
        # without a field; the form's message is the one people read.
        starts, ends = self.cleaned_data.get("starts_on"), self.cleaned_data.get("ends_on")
        if starts and ends and ends <= starts:
            return
        super()._post_clean()  # type: ignore[misc]


class CoordinatorInviteForm(forms.Form):
    """On a new programme: whom to invite as its first coordinator."""

    coordinator_email = forms.EmailField(
        label=_("Coordinator's e-mail address"),
        help_text=_("An invitation to coordinate the programme is sent to this address."),
        error_messages={
            "required": _("Enter the e-mail address of the programme's coordinator."),
            "invalid": _("Enter a valid e-mail address, for example name@example.org."),
        },
    )


# ----------------------------------------------------------------------------- fiscal years


class FiscalYearForm(forms.ModelForm):
    """One fiscal year, named by its label (``2020-2021``: 1 April 2020 to
    31 March 2021), and its envelope."""

    envelope = AmountField(label=_("Envelope"))

    class Meta:
        model = FiscalYear
        fields = ["label", "envelope"]
        labels = {"label": _("Fiscal year")}

    def __init__(self, *args: Any, in_use: frozenset[int] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_use = in_use
        self.fields["label"].help_text = _("For example 2020-2021 (1 April 2020 to 31 March 2021).")
        self.fields["label"].error_messages["required"] = _("Enter the fiscal year.")
        self.fields["envelope"].error_messages["required"] = _("Enter the fiscal year's envelope.")

    @property
    def start_year(self) -> int | None:
        match = _LABEL.match(self.cleaned_data.get("label") or "")
        return int(match.group(1)) if match else None

    def clean_label(self) -> str:
        label = (self.cleaned_data.get("label") or "").strip().replace("–", "-")
        match = _LABEL.match(label)
        if not match or int(match.group(2)) != int(match.group(1)) + 1:
            raise ValidationError(
                _(
                    "Write a Québec fiscal year as two following years, for example "
                    "2020-2021 (1 April 2020 to 31 March 2021)."
                )
            )
        return label

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start = self.start_year
        if start is not None:
            self.instance.starts_on, self.instance.ends_on = fiscal_year_bounds(start)
        if self.instance.pk in self.in_use:
            was_label, was_envelope = self.initial["label"], Decimal(self.initial["envelope"])
            if data.get("label") and data["label"] != was_label:
                self.add_error(
                    "label",
                    gettext("%(year)s already holds money or requests; it cannot be renamed.")
                    % {"year": was_label},
                )
            envelope = data.get("envelope")
            if envelope is not None and envelope < was_envelope:
                self.add_error(
                    "envelope",
                    gettext(
                        "%(year)s already holds money or requests: its envelope can be "
                        "raised here, not lowered below %(amount)s."
                    )
                    % {"year": was_label, "amount": format_money(was_envelope)},
                )
        return data

    def _post_clean(self) -> None:  # type: ignore[misc]
        # Duplicated labels are reported by the formset, with a clearer message.
        self._validate_unique = False
        super()._post_clean()  # type: ignore[misc]


class BaseFiscalYearFormSet(BaseInlineFormSet):
    """The fiscal years together: Québec fiscal years, each once, following
    one another without a gap. Their fit with the programme's dates and
    total is checked by :func:`check_envelope`, which sees both."""

    def __init__(self, *args: Any, in_use: frozenset[int] = frozenset(), **kwargs: Any) -> None:
        self.in_use = in_use
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "in_use": self.in_use}

    def validate_unique(self) -> None:
        # Duplicates are reported by ``clean`` beside the row, in plain words.
        pass

    def kept(self) -> list[Any]:
        """The rows that stay: filled in and not marked for removal."""
        return [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (_marked_removed(form))
        ]

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            removed = _marked_removed(form)
            if removed and form.instance.pk and form.instance.pk in self.in_use:
                form.add_error(
                    None,
                    gettext("%(year)s already holds money or requests; it cannot be removed.")
                    % {"year": form.instance.label},
                )
        years: dict[int, FiscalYearForm] = {}
        for form in self.kept():
            start = form.start_year if hasattr(form, "cleaned_data") else None
            if start is None:
                continue
            if start in years:
                form.add_error(
                    "label",
                    gettext("%(year)s is listed twice: fiscal years cannot overlap.")
                    % {"year": fiscal_year_label(start)},
                )
                continue
            years[start] = form
        starts = sorted(years)
        for before, after in itertools.pairwise(starts):
            if after != before + 1:
                missing = ", ".join(fiscal_year_label(y) for y in range(before + 1, after))
                years[after].add_error(
                    "label",
                    gettext(
                        "Fiscal years must follow one another: %(missing)s is missing "
                        "between %(before)s and %(after)s."
                    )
                    % {
                        "missing": missing,
                        "before": fiscal_year_label(before),
                        "after": fiscal_year_label(after),
                    },
                )
        if not starts and not any(form.errors for form in self.forms):
            raise ValidationError(_("Enter at least one fiscal year and its envelope."))


def fiscal_year_formset_class(extra: int) -> type[BaseFiscalYearFormSet]:
    return forms.inlineformset_factory(  # type: ignore[return-value]
        Programme,
        FiscalYear,
        form=FiscalYearForm,
        formset=BaseFiscalYearFormSet,
        extra=extra,
        can_delete=True,
    )


def check_envelope(programme_form: ProgrammeForm, years: BaseFiscalYearFormSet) -> None:
    """Each fiscal year inside the programme's dates, and their envelopes
    adding up to the total typed: errors go beside the fields concerned."""
    if not programme_form.is_valid() or not years.is_valid():
        return
    starts_on = programme_form.cleaned_data["starts_on"]
    ends_on = programme_form.cleaned_data["ends_on"]
    kept = years.kept()
    for form in kept:
        year_start, year_end = form.instance.starts_on, form.instance.ends_on
        if year_start < starts_on or year_end > ends_on:
            form.add_error(
                "label",
                gettext(
                    "%(year)s (%(start)s to %(end)s) is not inside the programme's dates "
                    "(%(programme_start)s to %(programme_end)s)."
                )
                % {
                    "year": form.cleaned_data["label"],
                    "start": _day(year_start),
                    "end": _day(year_end),
                    "programme_start": _day(starts_on),
                    "programme_end": _day(ends_on),
                },
            )
    total = sum((form.cleaned_data["envelope"] for form in kept), ZERO)
    typed = programme_form.cleaned_data["envelope_total"]
    if total != typed:
        programme_form.add_error(
            "envelope_total",
            gettext(
                "The fiscal years' envelopes add up to %(sum)s, not %(total)s: "
                "correct the total or an envelope (difference: %(difference)s)."
            )
            % {
                "sum": format_money(total),
                "total": format_money(typed),
                "difference": format_money(abs(total - typed)),
            },
        )


# ----------------------------------------------------------------------------- work plan


class WorkPlanForm(forms.ModelForm):
    """The committee's work plan. Optional: left empty, none is recorded;
    its dates default to the programme's."""

    class Meta:
        model = WorkPlan
        fields = ["title", "starts_on", "ends_on", "summary"]
        widgets = {
            "starts_on": _date_input(),
            "ends_on": _date_input(),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"starts_on": _date_errors(), "ends_on": _date_errors()}
        labels = {"title": _("Title of the work plan")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("title", "starts_on", "ends_on"):
            self.fields[name].required = False
        self.fields["starts_on"].help_text = _("Left empty: the programme's start.")
        self.fields["ends_on"].help_text = _("Left empty: the programme's end.")

    @property
    def given(self) -> bool:
        return bool(self.cleaned_data.get("title")) if hasattr(self, "cleaned_data") else False

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if not data.get("title") and (data.get("summary") or self.instance.pk):
            self.add_error("title", _("Enter the work plan's title."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The work plan must end after it starts."))
        return data

    def _post_clean(self) -> None:  # type: ignore[misc]
        # The dates may be left empty (the programme's are used): the model is
        # completed and checked by the service, not here.
        pass


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["name", "name_en", "code", "description", "description_en"]
        labels = {"name": _("Priority (French)"), "name_en": _("Priority (English)")}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "description_en": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Left empty, it is made from the name.")
        self.fields["name"].error_messages["required"] = _("Enter the priority's name.")

    def clean_code(self) -> str:
        code = self.cleaned_data.get("code") or slugify(self.data.get(self.add_prefix("name"), ""))
        return code[:60]

    def _post_clean(self) -> None:  # type: ignore[misc]
        self._validate_unique = False
        super()._post_clean()  # type: ignore[misc]


class BasePriorityFormSet(BaseInlineFormSet):
    """The work plan's priorities, in the order typed. A priority that
    proposals declared may be renamed, not removed."""

    def __init__(self, *args: Any, in_use: frozenset[int] = frozenset(), **kwargs: Any) -> None:
        self.in_use = in_use
        super().__init__(*args, **kwargs)

    def validate_unique(self) -> None:
        # Duplicated codes are reported by ``clean`` beside the row.
        pass

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            removed = _marked_removed(form)
            if removed and form.instance.pk in self.in_use:
                form.add_error(
                    None,
                    gettext("Proposals declared “%(name)s”; it cannot be removed.")
                    % {"name": form.instance.name},
                )
        seen: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or (
                not form.has_changed() and not form.instance.pk
            ):
                continue
            if _marked_removed(form):
                continue
            code = form.cleaned_data.get("code")
            if code and code in seen:
                form.add_error("code", _("Two priorities cannot share a code."))
            seen.add(code or "")


PriorityFormSet = forms.inlineformset_factory(
    WorkPlan, Priority, form=PriorityForm, formset=BasePriorityFormSet, extra=3, can_delete=True
)


@dataclass
class SetupForms:
    """Every form of the set-up page, bound or not."""

    programme: ProgrammeForm
    years: BaseFiscalYearFormSet
    work_plan: WorkPlanForm
    priorities: Any  # the work plan's priorities (an inline formset)
    coordinator: CoordinatorInviteForm | None = None

    def is_valid(self) -> bool:
        valid = [
            self.programme.is_valid(),
            self.years.is_valid(),
            self.work_plan.is_valid(),
            self.priorities.is_valid(),
            self.coordinator.is_valid() if self.coordinator is not None else True,
        ]
        if all(valid):
            check_envelope(self.programme, self.years)
            if self.priorities_without_plan():
                self.work_plan.add_error(
                    "title", _("Enter the work plan's title: the priorities belong to it.")
                )
        return all(valid) and not self.has_errors()

    def priorities_without_plan(self) -> bool:
        return not self.work_plan.given and any(
            form.has_changed() for form in self.priorities.forms
        )

    def summary(self) -> list[tuple[str, str]]:
        """Every error of the page, as (id of the field, message), for the
        summary at its top; an empty id for errors of no single field."""
        rows: list[tuple[str, str]] = []

        def add(form: forms.BaseForm, prefix: str = "") -> None:
            for error in form.non_field_errors():
                rows.append(("", f"{prefix}{error}"))
            for field in form:
                for error in field.errors:
                    rows.append(
                        (
                            field.auto_id,
                            f"{prefix}{field.label}{pgettext('label suffix', ':')} {error}",
                        )
                    )

        add(self.programme)
        for error in self.years.non_form_errors():
            rows.append(("", str(error)))
        for number, form in enumerate(self.years.forms, start=1):
            add(form, gettext("Fiscal year, row %(n)s, ") % {"n": number})
        add(self.work_plan)
        for error in self.priorities.non_form_errors():
            rows.append(("", str(error)))
        for number, form in enumerate(self.priorities.forms, start=1):
            add(form, gettext("Priority, row %(n)s, ") % {"n": number})
        if self.coordinator is not None:
            add(self.coordinator)
        return rows

    def has_errors(self) -> bool:
        forms_: list[forms.BaseForm] = [
            self.programme,
            self.work_plan,
            *self.years.forms,
            *self.priorities.forms,
        ]
        if self.coordinator is not None:
            forms_.append(self.coordinator)
        return (
            any(form.errors for form in forms_)
            or bool(self.years.non_form_errors())
            or bool(self.priorities.non_form_errors())
        )


# ----------------------------------------------------------------------------- committee


class InvitationForm(forms.ModelForm):
    class Meta:
        model = ProgrammeInvitation
        fields = ["email", "role", "sector", "affiliation"]
        error_messages = {
            "email": {
                "required": _("Enter the e-mail address of the person to invite."),
                "invalid": _("Enter a valid e-mail address, for example name@example.org."),
            },
            "role": {"required": _("Choose a role.")},
        }
        help_texts = {"affiliation": _("The organisation the person represents, if any.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a role")),
            *ProgrammeRole.Role.choices,
        ]

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()

    def _post_clean(self) -> None:  # type: ignore[misc]
        # A second invitation is refused by the service, with its own message.
        pass


class RoleForm(forms.ModelForm):
    """A person's role, sector and affiliation, on one row of the committee
    table: its fields name the row's form (``form`` attribute), which sits
    in the row's last cell."""

    class Meta:
        model = ProgrammeRole
        fields = ["role", "sector", "affiliation"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["form"] = self.form_id

    @property
    def form_id(self) -> str:
        return f"role-form-{self.instance.pk}"

    def _post_clean(self) -> None:  # type: ignore[misc]
        pass
