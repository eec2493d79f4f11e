"""Forms of the reviews step. They parse and keep what was typed; the rules
(a failure needs a reason, every criterion scored, no conflicted evaluator)
live in :mod:`solidaire.reviews.services`, whose errors the views put back
next to the field they concern."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.models import User
from solidaire.calls.models import Criterion, EligibilityRule, ScaleLevel
from solidaire.programmes.models import Programme, Territory
from solidaire.reviews.models import ConflictDeclaration, EligibilityResult, Review, Score, Tie
from solidaire.reviews.scoring import weighted_score
from solidaire.reviews.selectors import Suggestion

PASS, FAIL = "pass", "fail"


class ScreeningForm(forms.Form):
    """One proposal's eligibility: each rule passes or fails, with a reason.

    Initial answers come from the recorded results, else from the automatic
    suggestions, which the coordinator confirms by saving."""

    def __init__(
        self,
        data: Any = None,
        *,
        rules: Sequence[tuple[EligibilityRule, EligibilityResult | None, Suggestion]],
        prefix: str | None = None,
    ) -> None:
        super().__init__(data, prefix=prefix)
        self.rows = list(rules)
        self.rules = [rule for rule, _result, _suggestion in rules]
        for rule, result, suggestion in rules:
            if result is not None:
                initial: str | None = PASS if result.passed else FAIL
                reason = result.reason
            elif suggestion.passed is not None:
                initial, reason = (PASS if suggestion.passed else FAIL), ""
            else:
                initial, reason = None, ""
            self.fields[f"passed_{rule.code}"] = forms.ChoiceField(
                label=rule.text("description"),
                choices=[(PASS, _("Passes")), (FAIL, _("Fails"))],
                widget=forms.RadioSelect,
                initial=initial,
                error_messages={"required": _("Say whether the proposal passes this rule.")},
            )
            self.fields[f"reason_{rule.code}"] = forms.CharField(
                label=_("Reason if it fails"),
                required=False,
                max_length=400,
                initial=reason,
            )

    def results(self) -> dict[str, tuple[bool, str]]:
        """Rule code → (passed, reason), for ``eligibility_record``."""
        return {
            rule.code: (
                self.cleaned_data[f"passed_{rule.code}"] == PASS,
                self.cleaned_data[f"reason_{rule.code}"],
            )
            for rule in self.rules
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's errors (per rule code) next to the rule: a
        missing reason beside the reason, anything else beside the answer."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for code, errors in error.message_dict.items():
            answer = self.cleaned_data.get(f"passed_{code}")
            name = f"reason_{code}" if answer == FAIL else f"passed_{code}"
            for message in errors:
                self.add_error(name if name in self.fields else None, message)

    def rule_fields(
        self,
    ) -> list[
        tuple[
            EligibilityRule,
            EligibilityResult | None,
            Suggestion,
            forms.BoundField,
            forms.BoundField,
        ]
    ]:
        """Each rule with its recorded result, suggestion and two fields."""
        return [
            (rule, result, suggestion, self[f"passed_{rule.code}"], self[f"reason_{rule.code}"])
            for rule, result, suggestion in self.rows
        ]


class AssignForm(forms.Form):
    """Evaluators to assign to one proposal: ticking assigns, unticking
    unassigns (the review is released, its history kept); a submitted
    review cannot be unticked; a conflicted evaluator is refused by the
    service and the refusal shown beside the list."""

    evaluators = forms.TypedMultipleChoiceField(
        label=_("Evaluators"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        data: Any = None,
        *,
        evaluators: Sequence[User],
        assigned: frozenset[int] = frozenset(),
        locked: frozenset[int] = frozenset(),
        prefix: str | None = None,
    ) -> None:
        super().__init__(data, prefix=prefix, initial={"evaluators": sorted(assigned)})
        self.locked = locked
        self.people = {e.pk: e for e in evaluators}
        field = self.fields["evaluators"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(e.pk, e.get_full_name() or e.username) for e in evaluators]
        self.assigned = assigned

    def chosen(self) -> list[User]:
        """The evaluators ticked who are not assigned yet."""
        return [
            self.people[pk] for pk in self.cleaned_data["evaluators"] if pk not in self.assigned
        ]

    def removed(self) -> list[User]:
        """The evaluators assigned whose box was unticked (a submitted
        review's box cannot be: it is shown disabled and never sent)."""
        kept = set(self.cleaned_data["evaluators"])
        return [
            self.people[pk]
            for pk in sorted(self.assigned)
            if pk not in kept and pk not in self.locked and pk in self.people
        ]


class ScoreForm(forms.Form):
    """An evaluator's scores: one group of radio buttons per criterion (the
    call's scale levels), a comment per criterion, and an overall comment.
    Nothing is required here: a draft may be partial, and submitting checks
    that every criterion is scored (``review_submit``)."""

    comment = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self,
        data: Any = None,
        *,
        criteria: Sequence[Criterion],
        levels: Sequence[ScaleLevel],
        review: Review,
        scores: Sequence[Score] = (),
    ) -> None:
        existing = {s.criterion_id: s for s in scores}
        super().__init__(data, initial={"comment": review.comment})
        self.criteria = list(criteria)
        self.levels = list(levels)
        for criterion in self.criteria:
            score = existing.get(criterion.pk)
            self.fields[f"score_{criterion.code}"] = forms.TypedChoiceField(
                label=criterion.text("name"),
                choices=[
                    (level.value, format_html("{} — {}", level.value, level.text("label")))
                    for level in self.levels
                ],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=score.value if score else None,
            )
            self.fields[f"comment_{criterion.code}"] = forms.CharField(
                label=_("Comment on this criterion"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=score.comment if score else "",
            )

    def scores(self) -> dict[str, tuple[int | None, str] | None]:
        """Criterion code → (value, comment); the value is None when not
        chosen yet, and the whole entry None when nothing was typed."""
        result: dict[str, tuple[int | None, str] | None] = {}
        for criterion in self.criteria:
            value = self.cleaned_data.get(f"score_{criterion.code}")
            note = self.cleaned_data.get(f"comment_{criterion.code}", "")
            result[criterion.code] = None if value is None and not note.strip() else (value, note)
        return result

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for code, errors in error.message_dict.items():
            name = f"score_{code}"
            for message in errors:
                self.add_error(name if name in self.fields else None, message)

    def recap(self) -> list[tuple[Criterion, int | None, str]]:
        """Each criterion with the value chosen and its comment."""
        return [
            (
                c,
                self.cleaned_data.get(f"score_{c.code}"),
                self.cleaned_data.get(f"comment_{c.code}", ""),
            )
            for c in self.criteria
        ]

    def weighted_total(self) -> Decimal:
        """The review's weighted score out of 100 (the committee's arithmetic)."""
        top = max((level.value for level in self.levels), default=0)
        return weighted_score(
            means={c.pk: Decimal(v) for c, v, _note in self.recap() if v is not None},
            weights={c.pk: c.weight for c in self.criteria},
            max_scale=top,
        )

    def criterion_fields(
        self,
    ) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.code}"], self[f"comment_{c.code}"]) for c in self.criteria]


class ConflictForm(forms.ModelForm):
    class Meta:
        model = ConflictDeclaration
        fields = ["reason"]
        labels = {"reason": _("What is the conflict of interest?")}
        help_texts = {
            "reason": _(
                "For example: you sit on the organisation's board, you work with it, "
                "or a relative does."
            )
        }
        error_messages = {"reason": {"required": _("Say what the conflict of interest is.")}}


KEEP, DISCARD = "keep", "discard"


class ReleaseForm(forms.Form):
    """Why the coordination releases an evaluator from a review, and what
    becomes of their draft."""

    reason = forms.CharField(
        label=_("Why is this review released?"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    draft = forms.ChoiceField(
        label=_("Their draft"),
        choices=[
            (KEEP, _("Keep it (found again if they are assigned again)")),
            (DISCARD, _("Discard it")),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )

    @property
    def keep_draft(self) -> bool:
        return self.cleaned_data.get("draft", KEEP) != DISCARD


class TieForm(forms.Form):
    """A tie to an organisation, in one of the person's programmes."""

    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int)
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("Its name as people write it, for example in a proposal's partners."),
    )
    neq = forms.CharField(
        label=_("Québec enterprise number (NEQ), if you know it"),
        max_length=10,
        required=False,
    )
    kind = forms.ChoiceField(label=_("Kind of tie"), choices=Tie.Kind.choices)
    starts_on = forms.DateField(
        label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Until (empty if it lasts)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Details"), max_length=300, required=False)

    def __init__(self, data: Any = None, *, programmes: Sequence[Programme]) -> None:
        super().__init__(data, prefix="tie")
        field = self.fields["programme"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(p.pk, p.name) for p in programmes]
        if len(programmes) == 1:
            field.initial = programmes[0].pk

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class KnowledgeForm(forms.Form):
    """The territories an evaluator knows well in one programme."""

    territories = forms.ModelMultipleChoiceField(
        label=_("Territories I know well"),
        queryset=Territory.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self, data: Any = None, *, programme: Programme, known: frozenset[int] = frozenset()
    ) -> None:
        super().__init__(data, prefix=f"k{programme.pk}", initial={"territories": sorted(known)})
        field = self.fields["territories"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Territory.objects.filter(region_id=programme.region_id).order_by("name")
        self.programme = programme


class AutomaticAssignmentForm(forms.Form):
    """What the automatic assignment is asked: reviews per proposal, the
    reviews' due date and each evaluator's capacity."""

    reviews_per_proposal = forms.IntegerField(
        label=_("Reviews per proposal"),
        min_value=1,
        max_value=10,
        error_messages={
            "required": _("Say how many reviews each proposal gets."),
            "min_value": _("Ask for one review at least."),
            "max_value": _("Ask for ten reviews at most."),
        },
    )
    due_on = forms.DateField(
        label=_("Reviews due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        evaluators: Sequence[User],
        capacities: dict[int, int],
        reviews_per_proposal: int,
        due_on: Any = None,
    ) -> None:
        initial: dict[str, Any] = {"reviews_per_proposal": reviews_per_proposal, "due_on": due_on}
        initial.update({f"capacity_{e.pk}": capacities.get(e.pk, 0) for e in evaluators})
        super().__init__(data, initial=initial, prefix="auto")
        self.evaluators = list(evaluators)
        for e in self.evaluators:
            self.fields[f"capacity_{e.pk}"] = forms.IntegerField(
                label=_("Capacity of %(person)s") % {"person": e.get_full_name() or e.username},
                min_value=0,
                max_value=999,
                error_messages={
                    "required": _("Give a capacity (0 to leave this evaluator out)."),
                    "min_value": _("A capacity cannot be negative."),
                },
                widget=forms.NumberInput(attrs={"class": "input--short"}),
            )

    def capacities(self) -> dict[int, int]:
        return {e.pk: self.cleaned_data[f"capacity_{e.pk}"] for e in self.evaluators}

    def capacity_fields(self) -> list[tuple[User, forms.BoundField]]:
        return [(e, self[f"capacity_{e.pk}"]) for e in self.evaluators]
