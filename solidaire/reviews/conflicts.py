"""Who is in a conflict of interest with which proposal: the one answer every
page, export and API asks.

A person is conflicted with a proposal when they declared it. Everything that
hides a proposal from a conflicted person (review access, scores, the
committee's pages, exports, the minutes' recusals) asks these functions, so
that a new source of conflicts (ties known in advance) changes one module.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from solidaire.applications.models import Proposal
from solidaire.reviews.models import ConflictDeclaration


def conflicted_person_ids(proposal: Proposal) -> frozenset[int]:
    """The people in a conflict of interest with ``proposal``."""
    return frozenset(
        ConflictDeclaration.objects.filter(proposal=proposal).values_list("user_id", flat=True)
    )


def conflicted_proposal_ids(
    person_id: int, proposals: Iterable[int] | None = None
) -> frozenset[int]:
    """The proposals (among ``proposals`` when given) that person ``person_id``
    is in a conflict of interest with."""
    declared = ConflictDeclaration.objects.filter(user_id=person_id)
    if proposals is not None:
        declared = declared.filter(proposal_id__in=list(proposals))
    return frozenset(declared.values_list("proposal_id", flat=True))


def is_conflicted(person_id: int, proposal_id: int) -> bool:
    return ConflictDeclaration.objects.filter(user_id=person_id, proposal_id=proposal_id).exists()


def proposal_conflicted_expression(person_id: int, proposal_ref: str = "pk") -> Exists:
    """A query expression: true on rows whose proposal (``proposal_ref``, an
    ``OuterRef`` path to the proposal's id) person ``person_id`` is conflicted with."""
    return Exists(
        ConflictDeclaration.objects.filter(Q(user_id=person_id), proposal=OuterRef(proposal_ref))
    )


def declared_by(person_id: int) -> list[ConflictDeclaration]:
    """The conflicts of interest ``person_id`` declared, newest first, with
    their proposal: the person's own list."""
    return list(
        ConflictDeclaration.objects.filter(user_id=person_id)
        .select_related("proposal__call__programme")
        .order_by("-declared_at")
    )
