"""Forms of the selection pages: they parse what the committee asks for into
the arguments of the selection services, and nothing more."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext_lazy as _

from solidaire.programmes.models import Priority, Territory
from solidaire.selection.models import Scenario
from solidaire.selection.services import SCORE_CONSENSUS, SCORE_REVIEWS

OBJECTIVE_HELP: dict[str, object] = {
    Scenario.Objective.MERIT_ORDER: _(
        "Proposals are taken from the best score down; one is skipped only when the money "
        "or a rule leaves no room. Minimums and locks may bring a lower-scored proposal in, "
        "and the page says why."
    ),
    Scenario.Objective.TOTAL_SCORE: _(
        "Adds up the scores of the funded proposals and makes the sum as large as possible: "
        "this tends to fund more, smaller initiatives."
    ),
    Scenario.Objective.SCORE_DOLLARS: _(
        "Weighs each score by the money requested: the money goes to the best-scored "
        "proposals, whatever their size."
    ),
}
METHOD_HELP: dict[str, object] = {
    Scenario.Method.OPTIMAL: _(
        "Tries every combination the money allows and keeps the best one, proven so."
    ),
    Scenario.Method.RANK: _(
        "The spreadsheet way: by score, fund a proposal fully if it still fits, else skip it."
    ),
}


def _count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "narrow"}),
    )


class ScenarioForm(forms.Form):
    """A new scenario: its name, method, objective, partial funding and rules.

    One minimum per territory of the region and one per priority of the
    programme's work plans, each an ordinary field so that its error sits
    next to it.
    """

    PARTIAL_NONE = "none"
    PARTIAL_ALLOWED = "partial"

    name = forms.CharField(label=_("Name of the scenario"), max_length=200)
    method = forms.ChoiceField(
        label=_("Method"),
        choices=Scenario.Method.choices,
        initial=Scenario.Method.OPTIMAL,
        widget=forms.RadioSelect,
    )
    objective = forms.ChoiceField(
        label=_("What counts as the best selection"),
        choices=Scenario.Objective.choices,
        initial=Scenario.Objective.MERIT_ORDER,
        widget=forms.RadioSelect,
    )
    score_source = forms.ChoiceField(
        label=_("Scores the scenario ranks by"),
        choices=[
            (SCORE_REVIEWS, _("The reviewers' weighted mean")),
            (SCORE_CONSENSUS, _("The committee's consensus score, recorded at its meeting")),
        ],
        initial=SCORE_REVIEWS,
        required=False,
        widget=forms.RadioSelect,
    )
    partial = forms.ChoiceField(
        label=_("Partial funding"),
        choices=[
            (PARTIAL_NONE, _("All or nothing: a proposal gets its full request or nothing")),
            (PARTIAL_ALLOWED, _("A proposal may get part of its request")),
        ],
        initial=PARTIAL_NONE,
        widget=forms.RadioSelect,
    )
    min_share = forms.IntegerField(
        label=_("Smallest share of a request granted (%)"),
        help_text=_("For instance 50: a proposal gets between 50 % and 100 % of its request."),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "narrow"}),
    )
    max_per_organisation = forms.IntegerField(
        label=_("Most funded initiatives per organisation"),
        help_text=_("Leave empty for no limit."),
        required=False,
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "narrow"}),
    )
    min_score = forms.DecimalField(
        label=_("Lowest score that may be funded (out of 100)"),
        help_text=_("Leave empty to let every evaluated proposal compete."),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": "narrow"}),
    )

    def __init__(
        self,
        *args: Any,
        territories: Iterable[Territory] = (),
        priorities: Iterable[Priority] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.territory_fields: list[tuple[str, str]] = []  # (field name, territory code)
        self.priority_fields: list[tuple[str, str]] = []
        for t in territories:
            name = f"min_territory_{t.code}"
            self.fields[name] = _count_field(t.name)
            self.territory_fields.append((name, t.code))
        for p in priorities:
            name = f"min_priority_{p.code}"
            self.fields[name] = _count_field(p.name)
            self.priority_fields.append((name, p.code))

    def options_with_help(self, name: str) -> list[tuple[BoundWidget, object]]:
        """The radio buttons of ``name``, each with its plain-language help,
        tied to the button by ``aria-describedby``."""
        all_helps: dict[str, Mapping[str, object]] = {
            "method": METHOD_HELP,
            "objective": OBJECTIVE_HELP,
        }
        helps = all_helps.get(name, {})
        options = []
        for radio in self[name]:
            help_text = helps.get(str(radio.data["value"]), "")
            if help_text:
                radio.data["attrs"]["aria-describedby"] = f"{radio.id_for_label}_help"
            options.append((radio, help_text))
        return options

    def method_options(self) -> list[tuple[BoundWidget, object]]:
        return self.options_with_help("method")

    def objective_options(self) -> list[tuple[BoundWidget, object]]:
        return self.options_with_help("objective")

    def territory_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _code in self.territory_fields]

    def priority_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _code in self.priority_fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wants_partial = data.get("partial") == self.PARTIAL_ALLOWED
        if wants_partial and data.get("min_share") is None and "min_share" not in self.errors:
            self.add_error("min_share", _("Give the smallest share granted, between 1 and 99 %."))
        return data

    def rules(self) -> dict[str, Any]:
        """The engine's ``rules`` object (only the rules actually set)."""
        data = self.cleaned_data
        rules: dict[str, Any] = {}
        if data.get("max_per_organisation") is not None:
            rules["max_per_organisation"] = data["max_per_organisation"]
        if data.get("min_score") is not None:
            rules["min_score"] = str(data["min_score"])
        territories = {code: data[name] for name, code in self.territory_fields if data.get(name)}
        priorities = {code: data[name] for name, code in self.priority_fields if data.get(name)}
        if territories:
            rules["min_per_territory"] = territories
        if priorities:
            rules["min_per_priority"] = priorities
        return rules

    def partial_funding(self) -> Decimal | None:
        if self.cleaned_data.get("partial") != self.PARTIAL_ALLOWED:
            return None
        return Decimal(self.cleaned_data["min_share"]) / 100


LOCK_CHOICES = [
    ("", _("Let the engine choose")),
    ("in", _("Must be funded")),
    ("out", _("Must not be funded")),
]


class LocksForm(forms.Form):
    """A new scenario like this one, with some proposals forced in or out."""

    name = forms.CharField(label=_("Name of the new scenario"), max_length=200)

    def __init__(
        self,
        *args: Any,
        references: Sequence[tuple[str, str]] = (),
        current: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``references``: (reference, label) of every proposal of the scenario."""
        super().__init__(*args, **kwargs)
        self.lock_fields: list[tuple[str, str]] = []
        for reference, label in references:
            name = f"lock_{reference}"
            self.fields[name] = forms.ChoiceField(label=label, choices=LOCK_CHOICES, required=False)
            self.fields[name].initial = (current or {}).get(reference, "")
            self.lock_fields.append((name, reference))

    def lock_bound_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(reference, self[name]) for name, reference in self.lock_fields]

    def locks(self) -> dict[str, str]:
        return {
            reference: self.cleaned_data[name]
            for name, reference in self.lock_fields
            if self.cleaned_data.get(name)
        }


class SensitivityForm(forms.Form):
    """What if a pool had some money more or less (read only)."""

    pool = forms.ChoiceField(label=_("Pool (stream, sub-envelope or envelope)"))
    fiscal_year = forms.ChoiceField(label=_("Fiscal year"), required=False)
    delta = forms.DecimalField(
        label=_("Change in dollars (negative for less)"),
        help_text=_("For instance 25000 or -10000."),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": "narrow"}),
    )

    def __init__(
        self,
        *args: Any,
        pools: Sequence[tuple[str, str]] = (),
        fiscal_years: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        pool_field = self.fields["pool"]
        year_field = self.fields["fiscal_year"]
        assert isinstance(pool_field, forms.ChoiceField)
        assert isinstance(year_field, forms.ChoiceField)
        pool_field.choices = list(pools)
        year_field.choices = [("", _("Each fiscal year"))] + [(fy, fy) for fy in fiscal_years]

    def clean_delta(self) -> Decimal:
        delta: Decimal = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError(_("Give an amount other than zero."))
        return delta


class AdoptForm(forms.Form):
    """The committee's decision: adopt this scenario."""

    resolution_number = forms.CharField(
        label=_("Resolution number of the meeting"),
        help_text=_("As written in the minutes, for instance CR-2020-02-07."),
        max_length=60,
    )
    confirm = forms.BooleanField(
        label=_(
            "I confirm that the committee adopted this scenario: the funded proposals will be "
            "committed in the ledger and the others declined."
        ),
        error_messages={"required": _("Tick the box to confirm the decision.")},
    )

    def clean_resolution_number(self) -> str:
        value: str = self.cleaned_data["resolution_number"].strip()
        if not value:
            raise forms.ValidationError(_("Give the resolution number."))
        return value
