"""Forms of the committee step. They parse and keep what was typed; the
rules live in :mod:`solidaire.committee.services`, whose errors the views
put back beside the field they concern."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.models import User
from solidaire.applications.models import Proposal
from solidaire.committee.models import Consensus, Meeting, PanelQuestion
from solidaire.committee.services import MAX_QUESTIONS
from solidaire.common.bilingual import local_text


class ServiceErrorsMixin:
    def add_service_errors(self, error: ValidationError) -> None:
        form: Any = self
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)


class MeetingForm(ServiceErrorsMixin, forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # « 12,5 » in French, « 12.5 » in English, as the page's numbers read.
        weight = self.fields["panel_weight"]
        weight.localize = True
        weight.widget = forms.TextInput(attrs={"inputmode": "decimal", "class": "narrow"})
        weight.widget.is_localized = True

    class Meta:
        model = Meeting
        fields = ["held_on", "reviews_due_on", "tie_break_rule", "panel_weight"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reviews_due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "tie_break_rule": forms.Textarea(attrs={"rows": 3}),
        }


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Present at the meeting"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self, data: Any = None, *, members: Sequence[User], present: Sequence[int]
    ) -> None:
        super().__init__(data, initial={"present": list(present)})
        field = self.fields["present"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(m.pk, m.get_full_name() or m.username) for m in members]


class ConsensusForm(ServiceErrorsMixin, forms.Form):
    score = forms.CharField(
        label=_("Consensus score (out of 100)"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Give a score between 0 and 100.")},
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the committee agreed on, in a few sentences: it goes into the minutes."),
        error_messages={"required": _("Say how the committee reached this score.")},
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=Consensus.Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a recommendation.")},
    )

    def clean_score(self) -> str:
        text: str = self.cleaned_data["score"]
        try:
            value = Decimal(text.replace(",", ".").replace("\xa0", "").strip())
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
            raise ValidationError(_("Give a score between 0 and 100."))
        return text


class PanelQuestionsForm(ServiceErrorsMixin, forms.Form):
    """Three or four questions, each in French and in English."""

    def __init__(self, data: Any = None, *, questions: Sequence[PanelQuestion] = ()) -> None:
        super().__init__(data)
        existing = list(questions)
        for n in range(1, MAX_QUESTIONS + 1):
            q = existing[n - 1] if n <= len(existing) else None
            self.fields[f"text_{n}"] = forms.CharField(
                label=_("Question %(n)d (French)") % {"n": n},
                max_length=300,
                required=False,
                initial=q.text if q else "",
            )
            self.fields[f"text_en_{n}"] = forms.CharField(
                label=_("Question %(n)d (English)") % {"n": n},
                max_length=300,
                required=False,
                initial=q.text_en if q else "",
            )
        self.fields["questions"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def pairs(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data[f"text_{n}"], self.cleaned_data[f"text_en_{n}"])
            for n in range(1, MAX_QUESTIONS + 1)
        ]

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"text_{n}"], self[f"text_en_{n}"]) for n in range(1, MAX_QUESTIONS + 1)]


class PanelGiveForm(ServiceErrorsMixin, forms.Form):
    panellist = forms.TypedChoiceField(
        label=_("Panellist"), coerce=int, error_messages={"required": _("Choose a panellist.")}
    )
    proposals = forms.TypedMultipleChoiceField(
        label=_("Proposals given"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one proposal.")},
    )

    def __init__(
        self, data: Any = None, *, panellists: Sequence[User], proposals: Sequence[Proposal]
    ) -> None:
        super().__init__(data)
        panellist = self.fields["panellist"]
        assert isinstance(panellist, forms.TypedChoiceField)
        panellist.choices = [("", "—")] + [
            (p.pk, p.get_full_name() or p.username) for p in panellists
        ]
        field = self.fields["proposals"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(p.pk, f"{p.reference} — {p.title}") for p in proposals]


ANSWERS = (
    (1, _("Not at all")),
    (2, _("A little")),
    (3, _("Quite a lot")),
    (4, _("A lot")),
)


class PanelAnswerForm(ServiceErrorsMixin, forms.Form):
    """One group of four large radio cards per question."""

    def __init__(
        self, data: Any = None, *, questions: Sequence[PanelQuestion], initial: dict[int, int]
    ) -> None:
        super().__init__(data)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[f"q{q.pk}"] = forms.TypedChoiceField(
                label=local_text(q.text, q.text_en),
                choices=ANSWERS,
                coerce=int,
                widget=forms.RadioSelect,
                required=False,
                empty_value=None,
                initial=initial.get(q.pk),
                error_messages={"invalid_choice": _("Choose one of the four answers.")},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for q in self.questions:
            name = f"q{q.pk}"
            if name not in self.errors and cleaned.get(name) is None:
                self.add_error(name, _("Choose an answer."))
        return cleaned

    def answers(self) -> dict[int, int | None]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
