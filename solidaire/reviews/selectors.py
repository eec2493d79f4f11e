"""Reads for evaluators."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from solidaire.accounts.permissions import Person
from solidaire.reviews.access import conflicted_expression
from solidaire.reviews.models import Review


def reviews_for_evaluator(user: Person) -> QuerySet[Review]:
    """The reviews assigned to ``user``, without those on proposals ``user``
    declared a conflict on (the declaration may come after the assignment),
    with how many criteria are scored."""
    if user.pk is None:
        return Review.objects.none()
    return (
        Review.objects.filter(evaluator_id=user.pk)
        .annotate(conflicted=conflicted_expression(user.pk), scored=Count("scores"))
        .filter(conflicted=False)
        .select_related("proposal__call__programme", "proposal__organisation")
        .order_by(
            "proposal__call__programme__name", "proposal__call__number", "proposal__reference"
        )
    )
