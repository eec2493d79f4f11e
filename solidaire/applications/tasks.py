"""Background work of the applications step: the receipt e-mailed to the
organisation's members once a submission is committed."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solidaire.applications.models import OrganisationMember, ProposalVersion, ReceiptEmail
from solidaire.applications.receipts import receipt_filename, receipt_pdf
from solidaire.common.templatetags.solidaire import date as date_filter

logger = logging.getLogger(__name__)


def _mail(version: ProposalVersion) -> tuple[str, str]:
    proposal = version.proposal
    local = timezone.localtime(version.submitted_at)
    values = {
        "reference": proposal.reference,
        "title": proposal.title,
        "number": version.number,
        "call": proposal.call.title,
        "organisation": proposal.organisation.legal_name,
        "date": date_filter(local, "DATE_FORMAT"),
        "time": date_filter(local, "TIME_FORMAT"),
        "sha256": version.sha256,
    }
    subject = _("Receipt of your proposal %(reference)s (version %(number)s)") % values
    body = (
        _(
            "The proposal %(reference)s “%(title)s” of %(organisation)s to the call "
            "“%(call)s” was received on %(date)s at %(time)s (Québec time), version %(number)s."
        )
        % values
        + "\n\n"
        + _("Fingerprint (SHA-256) of the content received: %(sha256)s") % values
        + "\n\n"
        + _("The receipt is attached as a PDF. Keep it.")
        + "\n"
    )
    return subject, body


@task
def receipt_send(version_id: int) -> int:
    """E-mail the receipt of a submitted version, with its PDF, to every
    member of the organisation, each in their language. Returns the number of
    e-mails sent.

    The receipt is not a notification one may turn off: every member gets it.
    Each sending is recorded (:class:`ReceiptEmail`) under a lock of the
    version, so that the task run twice (a retry, a second worker) sends
    nobody the receipt twice.
    """
    sent = 0
    pdfs: dict[str, bytes] = {}
    with transaction.atomic():
        # Two runs of this task for one version wait for each other here;
        # the second finds the recipients already recorded and sends nothing.
        version = (
            ProposalVersion.objects.select_for_update(of=("self",))
            .select_related("proposal__organisation", "proposal__call__programme", "submitted_by")
            .get(pk=version_id)
        )
        done = set(ReceiptEmail.objects.filter(version=version).values_list("user_id", flat=True))
        members = (
            OrganisationMember.objects.filter(organisation_id=version.proposal.organisation_id)
            .exclude(user_id__in=done)
            .select_related("user")
            .order_by("user_id")
        )
        for membership in members:
            user = membership.user
            if not user.email or not user.is_active:
                continue
            language = user.preferred_language or settings.LANGUAGE_CODE
            with translation.override(language):
                subject, body = _mail(version)
                if language not in pdfs:
                    pdfs[language] = receipt_pdf(version.proposal, version)
            email = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            email.attach(receipt_filename(version), pdfs[language], "application/pdf")
            try:
                email.send()
            except (OSError, smtplib.SMTPException):
                # The submission holds whatever the mail server says; the
                # receipt is on the proposal's page, and a later run of this
                # task sends it to whoever it missed.
                logger.exception("Could not e-mail receipt %s to user %s", version.pk, user.pk)
                continue
            ReceiptEmail.objects.create(version=version, user=user)
            sent += 1
    return sent
