"""E-mails of the committee step, sent after the page has answered."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import formats, translation
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.audit.services import audit_record
from solidaire.committee.models import Meeting
from solidaire.reviews.models import Review

logger = logging.getLogger(__name__)


@task
def review_remind(review_id: int, link: str = "", actor_id: int | None = None) -> bool:
    """E-mail an evaluator that their review is overdue, in their language.
    Returns whether the e-mail left."""
    review = Review.objects.select_related("evaluator", "proposal__call__programme").get(
        pk=review_id
    )
    evaluator = review.evaluator
    if review.status != Review.Status.ASSIGNED or not evaluator.email or not evaluator.is_active:
        return False
    meeting = Meeting.objects.filter(call_id=review.proposal.call_id).first()
    with translation.override(evaluator.preferred_language or settings.LANGUAGE_CODE):
        values = {
            "reference": review.proposal.reference,
            "title": review.proposal.title,
            "programme": review.proposal.call.programme.name,
            "due": formats.date_format(meeting.reviews_due_on, "DATE_FORMAT")
            if meeting and meeting.reviews_due_on
            else "—",
        }
        subject = _("Reminder: your review of %(reference)s is overdue") % values
        body = (
            _(
                "Your review of the proposal %(reference)s “%(title)s” for %(programme)s "
                "was due on %(due)s and is not submitted yet."
            )
            % values
            + "\n\n"
        )
        if link:
            body += _("Score it on Solidaire:") + f"\n{link}\n"
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [evaluator.email]).send()
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not remind evaluator %s of review %s", evaluator.pk, review.pk)
        return False
    audit_record(
        actor=User.objects.filter(pk=actor_id).first() if actor_id else None,
        event_type="review.reminded",
        target=review,
    )
    return True
