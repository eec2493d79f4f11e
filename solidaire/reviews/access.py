"""Access to reviews: an evaluator reaches a proposal only through a review
assigned to them, and never one they are in a conflict of interest with
(declared, or from a tie known in advance)."""

from __future__ import annotations

from django.db.models import Exists
from django.http import Http404

from solidaire.accounts.permissions import Person, check
from solidaire.applications.access import requested_amount_expression, roles_for
from solidaire.reviews.conflicts import proposal_conflicted_expression
from solidaire.reviews.models import Review


def conflicted_expression(user_id: int) -> Exists:
    """True when user ``user_id`` is in a conflict of interest with the review's proposal."""
    return proposal_conflicted_expression(user_id, "proposal")


def review_for_user(user: Person, pk: int) -> Review:
    """Review ``pk`` with its proposal and scores, or 404 when it is not
    ``user``'s or when ``user`` is in a conflict of interest with the proposal."""
    if user.pk is None:
        raise Http404
    review = (
        Review.objects.select_related(
            "proposal__call__programme", "proposal__organisation__territory", "proposal__stream"
        )
        .prefetch_related("scores__criterion", "proposal__territories")
        .annotate(
            conflicted=conflicted_expression(user.pk),
            requested=requested_amount_expression("proposal"),
        )
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404
    allowed, _reason = check(
        roles_for(user),
        "review.view",
        evaluator_id=review.evaluator_id,
        conflicted=review.conflicted,
    )
    if not allowed:
        raise Http404
    return review
