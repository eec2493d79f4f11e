"""Reminders of reports and signatures coming due or overdue, for the daily
``manage.py send_reminders``. Each reminder is recorded before it is queued
(``ReminderSent``, unique per subject, stage and recipient): a second run,
the same day or later, never sends the same reminder twice."""

from __future__ import annotations

from datetime import date, timedelta

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


@task
def reminder_send(recipient: str, subject: str, body: str) -> None:
    """Send one reminder e-mail."""
    EmailMessage(subject=subject, body=body, to=[recipient]).send()


def _recipients(organisation_id: int) -> list[str]:
    return sorted(
        set(
            OrganisationMember.objects.filter(organisation_id=organisation_id)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _queue(key: str, recipients: list[str], today: date, subject: str, body: str) -> int:
    sent = 0
    for recipient in recipients:
        try:
            with transaction.atomic():
                ReminderSent.objects.create(key=key, recipient=recipient, sent_on=today)
        except IntegrityError:
            continue  # already sent
        reminder_send.enqueue(recipient, subject, body)
        sent += 1
    return sent


def reminders_send(*, today: date) -> int:
    """Queue every reminder due on ``today`` not sent before; returns how many."""
    sent = 0
    with translation.override("fr"):
        reports = Report.objects.filter(
            received_on__isnull=True,
            due_on__lte=today + AHEAD,
            agreement__status__in=[Agreement.Status.SIGNED],
        ).select_related("agreement__proposal", "fiscal_year")
        for report in reports:
            proposal = report.agreement.proposal
            stage = "overdue" if report.due_on < today else "due"
            values = {
                "kind": report.get_kind_display(),
                "fy": report.fiscal_year.label,
                "reference": proposal.reference,
                "date": formats.date_format(report.due_on, "DATE_FORMAT"),
            }
            if stage == "overdue":
                subject = _("Overdue: %(kind)s %(fy)s of %(reference)s") % values
                body = _("The %(kind)s %(fy)s of %(reference)s was due on %(date)s.") % values
            else:
                subject = _("Coming due: %(kind)s %(fy)s of %(reference)s") % values
                body = _("The %(kind)s %(fy)s of %(reference)s is due on %(date)s.") % values
            sent += _queue(
                f"report:{report.pk}:{stage}",
                _recipients(proposal.organisation_id),
                today,
                subject,
                body,
            )
        unsigned = Agreement.objects.filter(
            status=Agreement.Status.ISSUED, issued_on__lte=today - AHEAD
        ).select_related("proposal")
        for agreement in unsigned:
            values = {"number": agreement.number}
            sent += _queue(
                f"agreement:{agreement.pk}:signature",
                _recipients(agreement.proposal.organisation_id),
                today,
                _("Agreement %(number)s awaits your signature") % values,
                _("The agreement %(number)s was issued and is not signed yet.") % values,
            )
    return sent
