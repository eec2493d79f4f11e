"""The evaluator's own pages beyond scoring: a proposal's documents read
through the review (404 for anyone else, and after a conflict)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from solidaire.applications.models import Attachment
from solidaire.documents.responses import attachment_response
from solidaire.reviews.access import review_for_user


@login_required
def review_document(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A document of the proposal under review, for its evaluator only."""
    review = review_for_user(request.user, pk)
    found = Attachment.objects.filter(proposal_id=review.proposal_id, pk=attachment_pk).first()
    if found is None:
        raise Http404
    return attachment_response(
        stored_name=found.stored_name,
        filename=found.name,
        content_type=found.content_type or "application/octet-stream",
    )
