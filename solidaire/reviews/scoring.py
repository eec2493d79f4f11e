"""The committee's numbers: each proposal's weighted score out of 100.

Only submitted reviews count; a recused review (declared conflict) never
reaches the totals. The score is

    Σ_c weight_c × mean_value_c / max_scale × 100 / Σ_c weight_c

where ``mean_value_c`` is the mean, over the proposal's submitted reviews, of
the values given to criterion c, and ``max_scale`` is the highest level of the
call's scale. The spread is the sample standard deviation of the reviews'
own weighted scores: a wide spread tells the committee that its evaluators
disagree and that the proposal deserves discussion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max

from solidaire.calls.models import Call, Criterion, ScaleLevel
from solidaire.reviews.models import Review, Score

HUNDRED = Decimal(100)
SCORE_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class ScoreSummary:
    """A proposal's weighted score (0–100), its spread, and how many reviews count."""

    mean: Decimal
    spread: Decimal
    n_reviews: int


def weighted_score(
    *, means: Mapping[int, Decimal], weights: Mapping[int, Decimal], max_scale: int
) -> Decimal:
    """Weighted score out of 100 from per-criterion mean values (criterion id → value).

    A criterion without a value counts as zero: an incomplete evaluation must
    not score better than a complete one.
    """
    total_weight = sum(weights.values(), Decimal(0))
    if total_weight <= 0 or max_scale <= 0:
        return Decimal("0.00")
    raw = sum(
        (weights[c] * means.get(c, Decimal(0)) / max_scale for c in weights),
        Decimal(0),
    )
    return (raw * HUNDRED / total_weight).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def summarise(
    *,
    reviews: Sequence[Mapping[int, int]],
    weights: Mapping[int, Decimal],
    max_scale: int,
) -> ScoreSummary:
    """Summary of several reviews, each a mapping criterion id → value.

    Pure, so that the demo can plan its ranking with the very arithmetic the
    committee's pages use.
    """
    n = len(reviews)
    if n == 0:
        return ScoreSummary(mean=Decimal("0.00"), spread=Decimal("0.00"), n_reviews=0)
    means = {c: Decimal(sum(r.get(c, 0) for r in reviews)) / n for c in weights}
    mean = weighted_score(means=means, weights=weights, max_scale=max_scale)
    per_review = [
        weighted_score(
            means={c: Decimal(v) for c, v in r.items()}, weights=weights, max_scale=max_scale
        )
        for r in reviews
    ]
    if n < 2:
        spread = Decimal("0.00")
    else:
        centre = sum(per_review, Decimal(0)) / n
        variance = sum(((s - centre) ** 2 for s in per_review), Decimal(0)) / (n - 1)
        spread = variance.sqrt().quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
    return ScoreSummary(mean=mean, spread=spread, n_reviews=n)


def call_grid(call: Call) -> tuple[dict[int, Decimal], int]:
    """The call's criterion weights (id → weight) and the top of its scale."""
    weights = dict(Criterion.objects.filter(call=call).values_list("pk", "weight"))
    max_scale = ScaleLevel.objects.filter(call=call).aggregate(top=Max("value"))["top"] or 0
    return weights, int(max_scale)


def proposal_scores(call: Call) -> dict[int, ScoreSummary]:
    """Weighted score, spread and review count of every reviewed proposal of
    ``call`` (proposal id → summary), in three queries whatever the size."""
    weights, max_scale = call_grid(call)
    by_review: dict[int, dict[int, int]] = defaultdict(dict)
    proposal_of: dict[int, int] = {}
    rows = Score.objects.filter(
        review__proposal__call=call, review__status=Review.Status.SUBMITTED
    ).values_list("review__proposal_id", "review_id", "criterion_id", "value")
    for proposal_id, review_id, criterion_id, value in rows:
        if value is None:  # only a draft leaves a value empty
            continue
        by_review[review_id][criterion_id] = value
        proposal_of[review_id] = proposal_id
    reviews_of: dict[int, list[Mapping[int, int]]] = defaultdict(list)
    for review_id in sorted(by_review):
        reviews_of[proposal_of[review_id]].append(by_review[review_id])
    return {
        proposal_id: summarise(reviews=reviews, weights=weights, max_scale=max_scale)
        for proposal_id, reviews in reviews_of.items()
    }
