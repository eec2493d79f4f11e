"""The scores table as an Excel workbook: the numbers of the scores page,
one row per proposal and reviewer, with the grid's weights.

The page's figures come from :func:`solidaire.reviews.selectors.call_score_rows`
and the export reads the very same rows, so that the two never disagree. A
proposal the person exporting is in a conflict of interest with is left out
entirely.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from solidaire.calls.models import Call, Criterion
from solidaire.common.bilingual import local_text
from solidaire.reviews.conflicts import conflicted_proposal_ids
from solidaire.reviews.models import Review, Score
from solidaire.reviews.scoring import call_grid, weighted_score
from solidaire.reviews.selectors import call_score_rows


def scores_workbook(call: Call, *, person_id: int) -> bytes:
    """The workbook's bytes (one sheet, header row frozen)."""
    proposal_ids = list(call.proposals.values_list("pk", flat=True))
    hidden = conflicted_proposal_ids(person_id, proposal_ids)
    rows = [r for r in call_score_rows(call, order="score", hidden=hidden) if not r.hidden]
    criteria = list(Criterion.objects.filter(call=call).order_by("order", "pk"))
    weights, max_scale = call_grid(call)
    values: dict[int, dict[int, int]] = defaultdict(dict)
    reviews: dict[int, list[Review]] = defaultdict(list)
    submitted = (
        Review.objects.filter(proposal__call=call, status=Review.Status.SUBMITTED)
        .exclude(proposal_id__in=hidden)
        .select_related("evaluator")
        .order_by("proposal_id", "id")
    )
    for review in submitted:
        reviews[review.proposal_id].append(review)
    for review_id, criterion_id, value in Score.objects.filter(
        review__in=submitted, value__isnull=False
    ).values_list("review_id", "criterion_id", "value"):
        if value is not None:
            values[review_id][criterion_id] = value

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Scores")[:31]
    header = [
        _("Reference"),
        _("Title"),
        _("Mean score (out of 100)"),
        _("Spread"),
        _("Reviews counted"),
        _("Evaluator"),
        _("Review's weighted score (out of 100)"),
    ] + [
        _("%(criterion)s (weight %(weight)s)")
        % {"criterion": local_text(c.name, c.name_en), "weight": _plain(c.weight)}
        for c in criteria
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        summary = row.summary
        common = [
            row.proposal.reference,
            row.proposal.title,
            summary.mean if summary else None,
            summary.spread if summary and summary.n_reviews > 1 else None,
            summary.n_reviews if summary else 0,
        ]
        if not reviews[row.proposal.pk]:
            sheet.append(common)
            continue
        for review in reviews[row.proposal.pk]:
            given = values[review.pk]
            own = weighted_score(
                means={c: Decimal(v) for c, v in given.items()},
                weights=weights,
                max_scale=max_scale,
            )
            sheet.append(
                [*common, str(review.evaluator), own, *[given.get(c.pk) for c in criteria]]
            )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain(value: Decimal) -> str:
    """60 for 60.00, 12.5 for 12.50."""
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
