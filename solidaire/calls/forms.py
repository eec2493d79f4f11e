"""Forms of the call set-up pages: the call itself and one inline formset per
part of it (streams, allocations, grid, scale, eligibility rules, required
documents). They check what a single page of input can say is wrong
(closing before opening, weights that do not add up to 100, a one-level
scale, the same code twice); what depends on the call's life (published,
proposals received) is the services' business."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, BaseModelFormSet, inlineformset_factory
from django.forms.models import modelformset_factory
from django.utils.translation import gettext_lazy as _

from solidaire.calls.models import (
    Allocation,
    Call,
    Criterion,
    EligibilityRule,
    RequiredDocument,
    ScaleLevel,
    Stream,
)
from solidaire.common.money import ZERO, format_money
from solidaire.programmes.models import FiscalYear, Programme, Territory

HUNDRED = Decimal("100")


class InstantInput(forms.DateTimeInput):
    """A date and time typed in Québec time (the site's time zone)."""

    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class InstantField(forms.DateTimeField):
    """An instant to the minute, as the page shows it. A stored instant with
    seconds is unchanged when the person leaves the minute as shown."""

    widget = InstantInput

    def has_changed(self, initial: Any, data: Any) -> bool:
        if isinstance(initial, datetime):
            initial = initial.replace(second=0, microsecond=0)
        return super().has_changed(initial, data)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class CallForm(forms.ModelForm):
    """The call's own fields: text, instants and limits per initiative."""

    class Meta:
        model = Call
        fields = [
            "title",
            "description",
            "opens_at",
            "closes_at",
            "min_request",
            "max_request",
            "max_share_of_expenses",
            "max_duration_months",
            "latest_end_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "latest_end_on": DateInput(),
        }
        help_texts = {
            "opens_at": _("Québec time. Applicants can submit from this instant."),
            "closes_at": _("Québec time. The server refuses submissions from this instant."),
        }
        localized_fields = ["min_request", "max_request", "max_share_of_expenses"]
        field_classes = {"opens_at": InstantField, "closes_at": InstantField}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("opens_at", "closes_at"):
            # Shown to the minute: keep the stored instant when left as shown.
            if self.instance.pk and name in data and name not in self.changed_data:
                data[name] = getattr(self.instance, name)
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The call must close after it opens."))
        low, high = data.get("min_request"), data.get("max_request")
        if low is not None and high is not None and high < low:
            self.add_error(
                "max_request", _("The maximum per initiative cannot be below the minimum.")
            )
        return data


class CopyForm(forms.Form):
    """Start a new call from a previous one of the same programme."""

    source = forms.ModelChoiceField(
        label=_("Previous call to copy"), queryset=Call.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Call.objects.filter(programme=programme).order_by("-number")


class ReasonForm(forms.Form):
    """Why a published call changes; required once proposals came in or when
    the closing instant moves."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required to extend the closing instant or to change a call that already "
            "received proposals: it is recorded and shown to applicants."
        ),
    )


def _live(formset: Any) -> list[forms.BaseForm]:
    """The rows kept after this save: valid, filled in, not marked for deletion."""
    return [
        form
        for form in formset.forms
        if form.has_changed() or form.instance.pk
        if not (formset.can_delete and formset._should_delete_form(form))
        if getattr(form, "cleaned_data", None)
    ]


class _CodedInlineFormSet(BaseInlineFormSet):
    """Rows with a code that must be unique within the call."""

    code_message = _("The code “%(code)s” is used twice; each row needs its own code.")

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in _live(self):
            code = form.cleaned_data.get("code")
            if not code:
                continue
            if code in seen:
                form.add_error("code", ValidationError(self.code_message, params={"code": code}))
            seen.add(code)

    def validate_unique(self) -> None:
        # Duplicate codes get a message beside the field in ``clean``; the
        # generic formset message would only repeat it at the top.
        return None


class CriterionFormSet(_CodedInlineFormSet):
    def clean(self) -> None:
        super().clean()
        rows = _live(self)
        if not rows:
            return
        total = sum((f.cleaned_data.get("weight") or ZERO for f in rows), ZERO)
        if total != HUNDRED:
            raise ValidationError(
                _("The criteria's weights add up to %(total)s; they must add up to 100."),
                params={"total": f"{total.normalize():f}"},
                code="weights",
            )


class ScaleFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        rows = _live(self)
        values: set[int] = set()
        for form in rows:
            value = form.cleaned_data.get("value")
            if value is None:
                continue
            if value in values:
                form.add_error("value", _("The value %(value)s is used twice.") % {"value": value})
            values.add(value)
        if len(rows) == 1:
            raise ValidationError(
                _("A scale needs at least two levels to tell proposals apart."), code="scale"
            )

    def validate_unique(self) -> None:
        return None


def _inline(model: type, formset: type, fields: list[str], **kwargs: Any) -> Any:
    return inlineformset_factory(
        Call, model, formset=formset, fields=fields, extra=1, can_delete=True, **kwargs
    )


StreamFormSet = _inline(
    Stream, _CodedInlineFormSet, ["code", "name", "name_en", "scope", "territorial"]
)
CriterionInlineFormSet = _inline(
    Criterion,
    CriterionFormSet,
    ["code", "name", "name_en", "description", "description_en", "weight", "order"],
    widgets={
        "description": forms.Textarea(attrs={"rows": 2}),
        "description_en": forms.Textarea(attrs={"rows": 2}),
    },
    localized_fields=["weight"],
)
ScaleInlineFormSet = _inline(
    ScaleLevel,
    ScaleFormSet,
    ["value", "label", "label_en", "descriptor", "descriptor_en"],
    widgets={
        "descriptor": forms.Textarea(attrs={"rows": 2}),
        "descriptor_en": forms.Textarea(attrs={"rows": 2}),
    },
)
RuleInlineFormSet = _inline(
    EligibilityRule, _CodedInlineFormSet, ["code", "kind", "description", "description_en", "order"]
)
DocumentInlineFormSet = _inline(
    RequiredDocument, _CodedInlineFormSet, ["code", "name", "name_en", "mandatory"]
)


class AllocationForm(forms.ModelForm):
    class Meta:
        model = Allocation
        fields = ["stream", "fiscal_year", "territory", "amount"]
        localized_fields = ["amount"]

    def __init__(
        self,
        *args: Any,
        streams: QuerySet[Stream],
        fiscal_years: QuerySet[FiscalYear],
        territories: QuerySet[Territory],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("stream", streams),
            ("fiscal_year", fiscal_years),
            ("territory", territories),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        self.fields["territory"].help_text = _("Only for a stream split into territories.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stream, territory = data.get("stream"), data.get("territory")
        if stream is not None and stream.territorial and territory is None:
            self.add_error(
                "territory",
                _("The stream “%(stream)s” is split into territories: choose one.")
                % {"stream": stream.text("name")},
            )
        if stream is not None and not stream.territorial and territory is not None:
            self.add_error(
                "territory",
                _("The stream “%(stream)s” is not split into territories: leave this empty.")
                % {"stream": stream.text("name")},
            )
        return data


class AllocationFormSet(BaseModelFormSet):
    """Allocations of a call's streams. ``limits`` (fiscal year id → amount
    the ledger has available), when given, refuses any fiscal year whose
    allocations go beyond it: the set-up page passes them for a published
    call, whose allocations applicants already read."""

    def __init__(
        self, *args: Any, limits: Mapping[int, Decimal] | None = None, **kwargs: Any
    ) -> None:
        self.limits = limits
        super().__init__(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        rows = _live(self)
        seen: set[tuple[int, int | None, int]] = set()
        for form in rows:
            data = form.cleaned_data
            stream, year = data.get("stream"), data.get("fiscal_year")
            if stream is None or year is None:
                continue
            territory = data.get("territory")
            key = (stream.pk, territory.pk if territory else None, year.pk)
            if key in seen:
                form.add_error(
                    "fiscal_year",
                    _("This stream already has an allocation for this fiscal year and territory."),
                )
            seen.add(key)
        if self.limits is None or not self.has_changed():
            # Allocations left as they were are not checked again: once a
            # call is decided, its money is committed and no longer counts
            # as available.
            return
        from solidaire.calls.services import AllocationLine, allocation_excess

        lines = [
            AllocationLine(
                stream=f.cleaned_data["stream"].pk,
                territory=t.pk if (t := f.cleaned_data.get("territory")) else None,
                fiscal_year=f.cleaned_data["fiscal_year"].pk,
                amount=f.cleaned_data["amount"],
            )
            for f in rows
            if f.cleaned_data.get("stream") and f.cleaned_data.get("fiscal_year")
            if f.cleaned_data.get("amount") is not None
        ]
        for year_id, (allocated, available) in allocation_excess(lines, self.limits).items():
            for form in rows:
                year = form.cleaned_data.get("fiscal_year")
                if year is not None and year.pk == year_id:
                    form.add_error(
                        "amount",
                        _(
                            "The allocations of %(year)s add up to %(allocated)s; the ledger "
                            "has %(available)s available in that fiscal year."
                        )
                        % {
                            "year": year.label,
                            "allocated": format_money(allocated),
                            "available": format_money(available),
                        },
                    )


def allocation_formset(
    call: Call,
    data: Mapping[str, Any] | None = None,
    *,
    limits: Mapping[int, Decimal] | None = None,
) -> AllocationFormSet:
    """The allocation rows of ``call``, offering only its own streams, its
    programme's fiscal years and its region's territories."""
    streams = call.streams.all()
    # Enough blank rows for one allocation per stream without a second save.
    factory = modelformset_factory(
        Allocation,
        form=AllocationForm,
        formset=AllocationFormSet,
        extra=max(2, len(streams)),
        can_delete=True,
    )
    formset = factory(
        data,
        queryset=Allocation.objects.filter(stream__call=call)
        .select_related("stream", "fiscal_year", "territory")
        .order_by("stream_id", "fiscal_year__starts_on", "territory__name"),
        prefix="allocations",
        limits=limits,
        form_kwargs={
            "streams": streams,
            "fiscal_years": call.programme.fiscal_years.order_by("starts_on"),
            "territories": Territory.objects.filter(region_id=call.programme.region_id).order_by(
                "name"
            ),
        },
    )
    assert isinstance(formset, AllocationFormSet)
    return formset


INLINE_FORMSETS: dict[str, Any] = {
    "streams": StreamFormSet,
    "criteria": CriterionInlineFormSet,
    "scale": ScaleInlineFormSet,
    "rules": RuleInlineFormSet,
    "documents": DocumentInlineFormSet,
}


class CallSetupForms:
    """Every form of the set-up page of one call, bound together so that the
    page is saved whole or not at all."""

    def __init__(
        self,
        call: Call,
        data: Mapping[str, Any] | None = None,
        *,
        limits: Mapping[int, Decimal] | None = None,
    ) -> None:
        self.call = call
        self.call_form = CallForm(data, instance=call, prefix="call")
        self.inline: dict[str, Any] = {
            name: formset(data, instance=call, prefix=name)
            for name, formset in INLINE_FORMSETS.items()
        }
        self.allocations = allocation_formset(call, data, limits=limits)
        self.reason_form = ReasonForm(data, prefix="change")

    def sections(self) -> list[tuple[str, Any, Any, Any]]:
        """``(id, title, help, formset)`` of each table of the page, in order."""
        return [
            (
                "streams",
                _("Streams"),
                _(
                    "Each stream (volet) has its own amounts. Save a new stream before giving it allocations."
                ),
                self.inline["streams"],
            ),
            (
                "allocations",
                _("Allocations"),
                _(
                    "The amount each stream may commit per fiscal year; for a stream split into "
                    "territories, one row per territory. Amounts in dollars, for example 250000,00."
                ),
                self.allocations,
            ),
            (
                "criteria",
                _("Evaluation grid"),
                _("Criteria and their weights, which must add up to 100."),
                self.inline["criteria"],
            ),
            (
                "scale",
                _("Scoring scale"),
                _("At least two levels, each with what it means."),
                self.inline["scale"],
            ),
            ("rules", _("Eligibility rules"), "", self.inline["rules"]),
            ("documents", _("Required documents"), "", self.inline["documents"]),
        ]

    def all(self) -> Iterable[Any]:
        yield self.call_form
        yield from self.inline.values()
        yield self.allocations
        yield self.reason_form

    def is_valid(self) -> bool:
        # Every form is validated (no short-circuit) so that every error shows.
        return all([f.is_valid() for f in self.all()])

    def has_errors(self) -> bool:
        return any(
            (f.errors if isinstance(f, forms.BaseForm) else f.total_error_count())
            for f in self.all()
        )

    def changed_parts(self) -> set[str]:
        """Which parts of the call this input changes, in the words the
        change rules use (see ``solidaire.calls.services.change_decision``)."""
        parts: set[str] = set()
        changed = set(self.call_form.changed_data)
        if changed & {"title", "description"}:
            parts.add("text")
        if "opens_at" in changed:
            parts.add("opening")
        if "closes_at" in changed:
            parts.add("closing")
        if changed & {
            "min_request",
            "max_request",
            "max_share_of_expenses",
            "max_duration_months",
            "latest_end_on",
        }:
            parts.add("limits")
        for name, formset in self.inline.items():
            if formset.has_changed():
                parts.add({"criteria": "grid", "scale": "grid"}.get(name, name))
        if self.allocations.has_changed():
            parts.add("allocations")
        return parts
