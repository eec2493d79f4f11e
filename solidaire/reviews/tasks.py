"""E-mails of the reviews step, sent once the screening is committed."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solidaire.applications.models import OrganisationMember, Proposal
from solidaire.common.bilingual import local_text
from solidaire.common.pdf import render_pdf
from solidaire.reviews.models import EligibilityResult

logger = logging.getLogger(__name__)


def ineligibility_letter_pdf(proposal: Proposal) -> bytes:
    """The letter telling an organisation why its proposal is ineligible,
    in the active language."""
    failed = [
        (local_text(r.rule.description, r.rule.description_en), r.reason)
        for r in EligibilityResult.objects.filter(proposal=proposal, passed=False)
        .select_related("rule")
        .order_by("rule__id")
    ]
    return render_pdf(
        "pdf/ineligibility_letter.html",
        {"proposal": proposal, "failed": failed, "issued_at": timezone.now()},
    )


@task
def ineligibility_letter_send(proposal_id: int) -> int:
    """E-mail the ineligibility letter (PDF attached) to each member of the
    organisation who wants decisions by e-mail, in their language.
    Returns the number of e-mails sent."""
    proposal = Proposal.objects.select_related("organisation", "call__programme").get(
        pk=proposal_id
    )
    if proposal.status != Proposal.Status.INELIGIBLE:
        return 0
    sent = 0
    members = OrganisationMember.objects.filter(
        organisation_id=proposal.organisation_id
    ).select_related("user")
    for member in members:
        user = member.user
        if not user.email or not user.is_active or not user.notify_decisions:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            values = {"reference": proposal.reference, "title": proposal.title}
            subject = _("Your proposal %(reference)s is not eligible") % values
            body = (
                _(
                    "The coordination screened your proposal %(reference)s “%(title)s” and found it "
                    "not eligible. The attached letter gives the reasons, rule by rule."
                )
                % values
            )
            pdf = ineligibility_letter_pdf(proposal)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        message.attach(f"admissibilite-{proposal.reference}.pdf", pdf, "application/pdf")
        try:
            message.send()
        except (OSError, smtplib.SMTPException):
            logger.exception("Could not send the ineligibility letter of %s", proposal.pk)
            continue
        sent += 1
    return sent
