"""The coordination's follow-up of reviews: reopening a submitted review,
with a recorded reason, so that its evaluator may correct it.

A submitted review is locked (see :func:`solidaire.reviews.services.review_submit`);
only the programme's coordination reopens it, and the reason is kept in the
audit log beside the scores the review held when it was reopened.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.accounts.permissions import allowed
from solidaire.applications.access import roles_for
from solidaire.applications.cycle import cycle_require
from solidaire.audit.services import audit_record
from solidaire.reviews.conflicts import is_conflicted
from solidaire.reviews.models import Review


def review_reopen(
    *, review: Review, actor: User, reason: str, now: datetime | None = None
) -> Review:
    """Reopen a submitted review: it goes back to its evaluator as a draft
    holding the scores it had, and stops counting until submitted again."""
    if not allowed(
        roles_for(actor), "review.reopen", programme_id=review.proposal.call.programme_id
    ):
        raise PermissionDenied(_("Only the programme's coordination reopens a review."))
    if is_conflicted(actor.pk, review.proposal_id):
        raise PermissionDenied(_("You are in a conflict of interest with this proposal."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the review is reopened.")]})
    with transaction.atomic():
        locked = (
            Review.objects.select_for_update().select_related("proposal__call").get(pk=review.pk)
        )
        if locked.status != Review.Status.SUBMITTED:
            raise ValidationError({"reason": [_("Only a submitted review can be reopened.")]})
        # The scoring rule's own moment: a decided call reopens nothing.
        cycle_require(
            "review.score",
            call=locked.proposal.call.status_at(now or timezone.now()),
            proposal=locked.proposal.status,
            review=Review.Status.ASSIGNED,
        )
        scores = {s.criterion_id: s.value for s in locked.scores.all()}
        locked.status = Review.Status.ASSIGNED
        locked.submitted_at = None
        locked.save(update_fields=["status", "submitted_at"])
        audit_record(
            actor=actor,
            event_type="review.reopened",
            target=locked,
            old_value=Review.Status.SUBMITTED,
            new_value=Review.Status.ASSIGNED,
            reason=reason.strip(),
            data={"scores": {str(k): v for k, v in scores.items()}},
        )
    review.status = locked.status
    review.submitted_at = None
    return review
