"""Reminders of reports and signatures coming due or overdue, for the daily
``manage.py send_reminders``. Each reminder is recorded before it is queued
(``ReminderSent``, unique per subject, stage and recipient): a second run,
the same day or later, never sends the same reminder twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import formats, translation
from django.utils.translation import gettext as _

from solidaire.agreements.models import Agreement, ReminderSent, Report
from solidaire.applications.models import OrganisationMember

# A report is recalled two weeks before it is due, and again once late; an
# unsigned agreement two weeks after it was issued.
AHEAD = timedelta(days=14)

Mail = Callable[[], tuple[str, str]]


@task
def reminder_send(recipient: str, subject: str, body: str) -> None:
    """Send one reminder e-mail."""
    EmailMessage(subject=subject, body=body, to=[recipient]).send()


def _recipients(organisation_id: int) -> list[tuple[str, str]]:
    """(e-mail, language) of the organisation's members who have an address."""
    rows = (
        OrganisationMember.objects.filter(organisation_id=organisation_id)
        .exclude(user__email="")
        .values_list("user__email", "user__preferred_language")
    )
    return sorted({(email, language or settings.LANGUAGE_CODE) for email, language in rows})


def _queue(key: str, recipients: list[tuple[str, str]], today: date, mail: Mail) -> int:
    sent = 0
    for recipient, language in recipients:
        try:
            with transaction.atomic():
                ReminderSent.objects.create(key=key, recipient=recipient, sent_on=today)
        except IntegrityError:
            continue  # already sent
        with translation.override(language):
            subject, body = mail()
        reminder_send.enqueue(recipient, subject, body)
        sent += 1
    return sent


def _report_mail(report: Report, stage: str) -> Mail:
    def mail() -> tuple[str, str]:
        values = {
            "kind": report.get_kind_display(),
            "fy": report.fiscal_year.label,
            "reference": report.agreement.proposal.reference,
            "date": formats.date_format(report.due_on, "DATE_FORMAT"),
        }
        if stage == "overdue":
            return (
                _("Overdue: %(kind)s %(fy)s of %(reference)s") % values,
                _("The %(kind)s %(fy)s of %(reference)s was due on %(date)s.") % values,
            )
        return (
            _("Coming due: %(kind)s %(fy)s of %(reference)s") % values,
            _("The %(kind)s %(fy)s of %(reference)s is due on %(date)s.") % values,
        )

    return mail


def _signature_mail(agreement: Agreement) -> Mail:
    def mail() -> tuple[str, str]:
        values = {"number": agreement.number}
        return (
            _("Agreement %(number)s awaits your signature") % values,
            _("The agreement %(number)s was issued and is not signed yet.") % values,
        )

    return mail


def reminders_send(*, today: date) -> int:
    """Queue every reminder due on ``today`` not sent before, each in its
    recipient's language; returns how many."""
    sent = 0
    reports = Report.objects.filter(
        received_on__isnull=True,
        due_on__lte=today + AHEAD,
        agreement__status=Agreement.Status.SIGNED,
    ).select_related("agreement__proposal", "fiscal_year")
    for report in reports:
        stage = "overdue" if report.due_on < today else "due"
        sent += _queue(
            f"report:{report.pk}:{stage}",
            _recipients(report.agreement.proposal.organisation_id),
            today,
            _report_mail(report, stage),
        )
    unsigned = Agreement.objects.filter(
        status=Agreement.Status.ISSUED, issued_on__lte=today - AHEAD
    ).select_related("proposal")
    for agreement in unsigned:
        sent += _queue(
            f"agreement:{agreement.pk}:signature",
            _recipients(agreement.proposal.organisation_id),
            today,
            _signature_mail(agreement),
        )
    return sent
