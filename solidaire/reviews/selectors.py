"""Reads of the reviews step: evaluators' lists, the coordination's
screening and assignment tables, and the committee's scores."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from solidaire.accounts.models import User
from solidaire.accounts.permissions import Person
from solidaire.applications.access import requested_amount_expression
from solidaire.applications.cycle import cycle_allows
from solidaire.applications.models import BudgetLine, Organisation, Proposal
from solidaire.calls.models import Call, Criterion, EligibilityRule
from solidaire.common.bilingual import local_text
from solidaire.common.text import sort_key
from solidaire.programmes.models import ProgrammeRole
from solidaire.reviews.access import conflicted_expression
from solidaire.reviews.models import EligibilityResult, Review, Score
from solidaire.reviews.scoring import ScoreSummary, call_grid, proposal_scores, weighted_score


def reviews_for_evaluator(user: Person) -> QuerySet[Review]:
    """The reviews assigned to ``user``, without those on proposals ``user``
    declared a conflict on (the declaration may come after the assignment)
    and those closed without a score, with how many criteria are scored."""
    if user.pk is None:
        return Review.objects.none()
    return (
        Review.objects.filter(evaluator_id=user.pk)
        # Released by the coordination, or closed with a withdrawn proposal:
        # nothing left to do.
        .exclude(status=Review.Status.RELEASED)
        .exclude(status=Review.Status.ASSIGNED, proposal__status=Proposal.Status.WITHDRAWN)
        .annotate(
            conflicted=conflicted_expression(user.pk),
            scored=Count("scores", filter=Q(scores__value__isnull=False)),
        )
        .filter(conflicted=False)
        .select_related("proposal__call__programme", "proposal__organisation")
        # Reviews still to do first, those of the earliest meeting first.
        .annotate(
            done=Case(When(status=Review.Status.ASSIGNED, then=Value(0)), default=Value(1)),
            # The review's own due date, set at assignment, else the meeting's.
            due_by=Coalesce("due_on", "proposal__call__meeting__reviews_due_on"),
        )
        .order_by(
            "done",
            F("due_by").asc(nulls_last=True),
            "proposal__call__programme__name",
            "proposal__call__number",
            "proposal__reference",
        )
    )


# ----------------------------------------------------------------------------- screening

S = Proposal.Status
K = EligibilityRule.Kind
# Statuses the screening page lists; a proposal under review keeps the
# results it was admitted with (the workflow allows no way back).
SCREENED_STATUSES = (S.SUBMITTED, S.ELIGIBLE, S.INELIGIBLE, S.UNDER_REVIEW)
# Statuses whose screening may still be recorded or corrected.
SCREENABLE_STATUSES = (S.SUBMITTED, S.ELIGIBLE, S.INELIGIBLE)
_MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class Suggestion:
    """What the data says about one rule: ``passed`` is None when the data
    cannot tell (the coordinator decides); ``figures`` hold what the page
    shows as the reason (amounts, share, territories)."""

    kind: str
    passed: bool | None
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScreeningRow:
    proposal: Proposal
    rules: list[tuple[EligibilityRule, EligibilityResult | None, Suggestion]]
    screenable: bool

    @property
    def failing(self) -> int:
        """Rules the automatic checks say the proposal fails."""
        return sum(1 for _r, _res, s in self.rules if s.passed is False)

    @property
    def unknown(self) -> int:
        """Rules the data cannot tell: the coordinator judges them."""
        return sum(1 for _r, _res, s in self.rules if s.passed is None)


def _budget_total_expression() -> Coalesce:
    rows = BudgetLine.objects.filter(proposal=OuterRef("pk")).values("proposal")
    return Coalesce(
        Subquery(rows.annotate(total=Sum("amount")).values("total")[:1], output_field=_MONEY),
        Value(Decimal("0.00")),
        output_field=_MONEY,
    )


def screening_proposals(call: Call, status: str = "") -> QuerySet[Proposal]:
    """The call's proposals that have been submitted (``status`` narrows
    them), with everything the automatic checks read."""
    statuses = [status] if status in SCREENED_STATUSES else list(SCREENED_STATUSES)
    return (
        Proposal.objects.filter(call=call, status__in=statuses)
        .select_related("organisation__territory", "stream")
        .prefetch_related("territories", "eligibility_results")
        .annotate(requested=requested_amount_expression(), budget_total=_budget_total_expression())
        .order_by("reference")
    )


def screening_counts(call: Call) -> dict[str, int]:
    """How many of the call's proposals stand in each screening status."""
    counts: dict[str, int] = dict.fromkeys(SCREENED_STATUSES, 0)
    rows = (
        Proposal.objects.filter(call=call, status__in=SCREENED_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    counts.update({status: n for status, n in rows})
    return counts


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``, a started month counting."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months + (1 if end.day >= start.day else 0)


def eligibility_suggestion(rule: EligibilityRule, proposal: Proposal, call: Call) -> Suggestion:
    """The automatic check of ``rule`` on ``proposal``, from data already
    loaded (``requested`` and ``budget_total`` annotations, prefetched
    territories): a suggestion the coordinator confirms, never a decision."""
    kind = rule.kind
    requested: Decimal = proposal.requested  # type: ignore[attr-defined]
    if kind == K.AMOUNT_RANGE:
        low, high = call.min_request, call.max_request
        ok = requested >= low and (high is None or requested <= high)
        return Suggestion(kind, ok, {"requested": requested, "min": low, "max": high})
    if kind == K.EXPENSE_SHARE:
        budget: Decimal = proposal.budget_total  # type: ignore[attr-defined]
        if budget <= 0:
            return Suggestion(kind, None, {"max_share": call.max_share_of_expenses})
        share = (requested * 100 / budget).quantize(Decimal("0.1"))
        return Suggestion(
            kind,
            share <= call.max_share_of_expenses,
            {"share": share, "max_share": call.max_share_of_expenses, "budget": budget},
        )
    if kind == K.ORGANISATION_TYPE:
        org = proposal.organisation
        return Suggestion(
            kind, org.org_type != Organisation.Type.OTHER, {"type": org.get_org_type_display()}
        )
    if kind == K.TERRITORY:
        territories = list(proposal.territories.all())
        outside = [t.name for t in territories if t.region_id != call.programme.region_id]
        if not territories:
            return Suggestion(kind, False, {"outside": [], "none": True})
        return Suggestion(kind, not outside, {"outside": outside, "none": False})
    if kind == K.DURATION and proposal.starts_on and proposal.ends_on:
        months = _months_between(proposal.starts_on, proposal.ends_on)
        ok = (call.max_duration_months is None or months <= call.max_duration_months) and (
            call.latest_end_on is None or proposal.ends_on <= call.latest_end_on
        )
        return Suggestion(
            kind,
            ok,
            {
                "months": months,
                "max_months": call.max_duration_months,
                "ends_on": proposal.ends_on,
                "latest_end_on": call.latest_end_on,
            },
        )
    return Suggestion(kind, None)


def screening_rows(call: Call, proposals: Iterable[Proposal]) -> list[ScreeningRow]:
    """Each proposal with its rules, the recorded result of each and the
    automatic suggestion (one query for the rules, whatever the page size)."""
    rules = list(EligibilityRule.objects.filter(call=call))
    rows = []
    for proposal in proposals:
        results = {r.rule_id: r for r in proposal.eligibility_results.all()}
        rows.append(
            ScreeningRow(
                proposal=proposal,
                rules=[
                    (rule, results.get(rule.pk), eligibility_suggestion(rule, proposal, call))
                    for rule in rules
                ],
                screenable=cycle_allows(
                    "screening.record", call=call.status, proposal=proposal.status
                ),
            )
        )
    return rows


# ----------------------------------------------------------------------------- assignment

ASSIGNABLE_STATUSES = (S.ELIGIBLE, S.UNDER_REVIEW)
# Reviews that no longer count as assigned: recused for a conflict, or
# released by the coordination.
_NOT_COUNTED = (Review.Status.RECUSED, Review.Status.RELEASED)


@dataclass(frozen=True)
class AssignmentRow:
    proposal: Proposal
    assigned_ids: frozenset[int]
    recused_ids: frozenset[int]
    pending: list[Review]  # reviews still in progress, which the coordination may release
    conflicted_ids: frozenset[int]
    n_assigned: int
    n_submitted: int
    wanted: int = 0
    reviews: list[Review] = field(default_factory=list)

    @property
    def missing(self) -> int:
        """Reviews still to assign for the call's number of reviews per proposal."""
        return max(0, self.wanted - self.n_assigned)

    @property
    def short_after_recusal(self) -> bool:
        """A recusal left the proposal short of reviewers."""
        return self.missing > 0 and bool(self.recused_ids)


def call_evaluators(call: Call) -> list[User]:
    """The people who hold the evaluator role in the call's programme, in
    the order French sorts their names (Bélanger before Boucher, whatever
    the database's collation)."""
    people = User.objects.filter(
        programme_roles__programme_id=call.programme_id,
        programme_roles__role=ProgrammeRole.Role.EVALUATOR,
    ).distinct()
    return sorted(people, key=lambda u: sort_key(u.last_name, u.first_name, u.username))


@dataclass(frozen=True)
class Workload:
    """An evaluator's reviews of a call: in progress, submitted, and the
    capacity the coordination gave them."""

    evaluator: User
    sector: str
    in_progress: int
    submitted: int
    capacity: int | None

    @property
    def assigned(self) -> int:
        return self.in_progress + self.submitted


def call_workloads(
    call: Call, evaluators: Sequence[User], capacities: Mapping[int, int]
) -> list[Workload]:
    """Each evaluator's load on the call (one query), in the order given."""
    counts = {
        evaluator_id: (in_progress, submitted)
        for evaluator_id, in_progress, submitted in Review.objects.filter(proposal__call=call)
        .values("evaluator_id")
        .annotate(
            in_progress=Count("pk", filter=Q(status=Review.Status.ASSIGNED)),
            submitted=Count("pk", filter=Q(status=Review.Status.SUBMITTED)),
        )
        .values_list("evaluator_id", "in_progress", "submitted")
    }
    sectors = dict(
        ProgrammeRole.objects.filter(
            programme_id=call.programme_id, role=ProgrammeRole.Role.EVALUATOR
        ).values_list("user_id", "sector")
    )
    labels = dict(ProgrammeRole.Sector.choices)
    return [
        Workload(
            evaluator=e,
            sector=str(labels.get(sectors.get(e.pk, ""), "")),
            in_progress=counts.get(e.pk, (0, 0))[0],
            submitted=counts.get(e.pk, (0, 0))[1],
            capacity=capacities.get(e.pk),
        )
        for e in evaluators
    ]


def assignment_proposals(call: Call) -> QuerySet[Proposal]:
    """Eligible proposals and those under review, with their review counts
    (recused reviews are not counted as assigned)."""
    return (
        Proposal.objects.filter(call=call, status__in=ASSIGNABLE_STATUSES)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("evaluator")
                .annotate(drafted=Count("scores"))
                .only(
                    "pk",
                    "proposal_id",
                    "evaluator_id",
                    "status",
                    "due_on",
                    "comment",
                    "evaluator__first_name",
                    "evaluator__last_name",
                    "evaluator__username",
                ),
            ),
        )
        .annotate(
            n_assigned=Count("reviews", filter=~Q(reviews__status__in=_NOT_COUNTED)),
            n_submitted=Count("reviews", filter=Q(reviews__status=Review.Status.SUBMITTED)),
        )
        .order_by("reference")
    )


def assignment_rows(
    proposals: Iterable[Proposal],
    conflicts: frozenset[tuple[int, int]] = frozenset(),
    *,
    wanted: int = 0,
) -> list[AssignmentRow]:
    """Each proposal's reviews; ``conflicts`` are the call's (person,
    proposal) pairs in conflict (:func:`solidaire.reviews.conflicts.call_conflict_pairs`),
    ``wanted`` the reviews each proposal should have."""
    rows = []
    for proposal in proposals:
        reviews = list(proposal.reviews.all())
        rows.append(
            AssignmentRow(
                proposal=proposal,
                assigned_ids=frozenset(
                    r.evaluator_id for r in reviews if r.status not in _NOT_COUNTED
                ),
                pending=[r for r in reviews if r.status == Review.Status.ASSIGNED],
                recused_ids=frozenset(
                    r.evaluator_id for r in reviews if r.status == Review.Status.RECUSED
                ),
                conflicted_ids=frozenset(e for e, p in conflicts if p == proposal.pk),
                n_assigned=proposal.n_assigned,  # type: ignore[attr-defined]
                n_submitted=proposal.n_submitted,  # type: ignore[attr-defined]
                wanted=wanted,
                reviews=sorted(
                    reviews,
                    key=lambda r: sort_key(
                        r.evaluator.last_name, r.evaluator.first_name, r.evaluator.username
                    ),
                ),
            )
        )
    return rows


# ----------------------------------------------------------------------------- the committee's scores

# Spread (points out of 100) beyond which evaluators are said to disagree.
DISAGREEMENT_SPREAD = Decimal(15)
# Levels apart on one criterion that also flag a disagreement.
DISAGREEMENT_LEVELS = 3
_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class ScoreRow:
    proposal: Proposal
    summary: ScoreSummary | None
    standardised: Decimal | None
    n_assigned: int
    n_recused: int
    wide_spread: bool
    split_criteria: list[str]
    # The person looking declared a conflict on it: only « recused » is shown.
    hidden: bool = False

    @property
    def disagreement(self) -> bool:
        return self.wide_spread or bool(self.split_criteria)


def _population_sd(values: Sequence[Decimal], centre: Decimal) -> Decimal:
    variance = sum(((v - centre) ** 2 for v in values), Decimal(0)) / len(values)
    return variance.sqrt()


def standardised_scores(
    per_review: Mapping[int, tuple[int, int, Decimal]],
) -> dict[int, Decimal]:
    """Each proposal's mean score once every evaluator's habits are taken
    out (proposal id → score on the 0–100 scale).

    ``per_review`` maps a review id to (proposal id, evaluator id, s), s
    being the review's own weighted score out of 100. For each evaluator e,
    with μ_e and σ_e the mean and population standard deviation of e's
    scores over the call,

        z(e, p) = (s(e, p) − μ_e) / σ_e      (0 when σ_e = 0)

    so a lenient and a severe evaluator who rank proposals alike give the
    same z. The proposal's standardised score is

        μ + σ × mean_e z(e, p)

    where μ and σ are the mean and population standard deviation of every
    review's score of the call: the mean z brought back to the 0–100 scale,
    so that it reads beside the raw mean. It can fall outside 0–100 for an
    outlier; it is a reading aid for the committee, not a new grade.
    """
    if not per_review:
        return {}
    by_evaluator: dict[int, list[Decimal]] = defaultdict(list)
    for _proposal_id, evaluator_id, s in per_review.values():
        by_evaluator[evaluator_id].append(s)
    habits = {}
    for evaluator_id, scores in by_evaluator.items():
        centre = sum(scores, Decimal(0)) / len(scores)
        habits[evaluator_id] = (centre, _population_sd(scores, centre))
    everything = [s for _p, _e, s in per_review.values()]
    mu = sum(everything, Decimal(0)) / len(everything)
    sigma = _population_sd(everything, mu)
    zs: dict[int, list[Decimal]] = defaultdict(list)
    for proposal_id, evaluator_id, s in per_review.values():
        centre, sd = habits[evaluator_id]
        zs[proposal_id].append((s - centre) / sd if sd > 0 else Decimal(0))
    return {
        proposal_id: (mu + sigma * sum(z, Decimal(0)) / len(z)).quantize(
            _PLACES, rounding=ROUND_HALF_UP
        )
        for proposal_id, z in zs.items()
    }


def call_score_rows(
    call: Call, *, order: str = "score", hidden: frozenset[int] = frozenset()
) -> list[ScoreRow]:
    """Every proposal of ``call`` with at least one review, withdrawn ones
    left out, and those in ``hidden`` (the ids of proposals the person
    looking declared a conflict on) shown as recused without any figure: its weighted
    score and spread (from :func:`solidaire.reviews.scoring.proposal_scores`,
    submitted reviews only), the standardised score, the recused reviews left
    out, and whether its evaluators disagree. A constant number of queries.

    ``order`` is "score" (best first; unscored last) or "reference".
    """
    summaries = proposal_scores(call)
    weights, max_scale = call_grid(call)
    criteria = {
        pk: local_text(name, name_en)
        for pk, name, name_en in Criterion.objects.filter(call=call).values_list(
            "pk", "name", "name_en"
        )
    }
    values: dict[int, dict[int, int]] = defaultdict(dict)
    owner: dict[int, tuple[int, int]] = {}
    rows = Score.objects.filter(
        review__proposal__call=call, review__status=Review.Status.SUBMITTED
    ).values_list(
        "review_id", "review__proposal_id", "review__evaluator_id", "criterion_id", "value"
    )
    for review_id, proposal_id, evaluator_id, criterion_id, value in rows:
        if value is None:  # only a draft leaves a value empty
            continue
        values[review_id][criterion_id] = value
        owner[review_id] = (proposal_id, evaluator_id)
    per_review = {
        review_id: (
            *owner[review_id],
            weighted_score(
                means={c: Decimal(v) for c, v in scores.items()},
                weights=weights,
                max_scale=max_scale,
            ),
        )
        for review_id, scores in values.items()
    }
    standardised = standardised_scores(per_review)
    ranges: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for review_id, scores in values.items():
        for criterion_id, value in scores.items():
            ranges[owner[review_id][0]][criterion_id].append(value)
    proposals = (
        Proposal.objects.filter(call=call, reviews__isnull=False)
        .exclude(status=Proposal.Status.WITHDRAWN)
        .select_related("organisation")
        .annotate(
            n_assigned=Count("reviews", distinct=True),
            n_recused=Count(
                "reviews", filter=Q(reviews__status=Review.Status.RECUSED), distinct=True
            ),
        )
        .order_by("reference")
    )
    result = []
    for proposal in proposals:
        if proposal.pk in hidden:
            result.append(
                ScoreRow(
                    proposal=proposal,
                    summary=None,
                    standardised=None,
                    n_assigned=0,
                    n_recused=0,
                    wide_spread=False,
                    split_criteria=[],
                    hidden=True,
                )
            )
            continue
        summary = summaries.get(proposal.pk)
        split = [
            criteria[c]
            for c, vs in ranges[proposal.pk].items()
            if len(vs) > 1 and max(vs) - min(vs) >= DISAGREEMENT_LEVELS
        ]
        result.append(
            ScoreRow(
                proposal=proposal,
                summary=summary,
                standardised=standardised.get(proposal.pk),
                n_assigned=proposal.n_assigned,  # type: ignore[attr-defined]
                n_recused=proposal.n_recused,  # type: ignore[attr-defined]
                wide_spread=bool(summary and summary.spread > DISAGREEMENT_SPREAD),
                split_criteria=sorted(split),
            )
        )
    if order == "score":
        result.sort(
            key=lambda r: (r.hidden, r.summary is None, -(r.summary.mean if r.summary else 0))
        )
    return result
