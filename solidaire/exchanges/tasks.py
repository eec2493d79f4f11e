"""E-mails of the questions and answers, sent after the message is saved."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solidaire.exchanges.models import Message, MessageReceipt
from solidaire.exchanges.notifications import MESSAGE, wants_email

logger = logging.getLogger(__name__)


def _mail(message: Message, link: str) -> tuple[str, str]:
    values = {
        "reference": message.proposal.reference,
        "title": message.proposal.title,
        "author": str(message.author),
        "organisation": message.proposal.organisation.legal_name,
        "programme": message.proposal.call.programme.name,
    }
    if message.side == Message.Side.COORDINATION:
        subject = _("Question from the coordination on your proposal %(reference)s") % values
        intro = (
            _(
                "%(author)s, of the coordination of %(programme)s, wrote about the proposal "
                "%(reference)s “%(title)s”:"
            )
            % values
        )
    else:
        subject = _("Answer from %(organisation)s on proposal %(reference)s") % values
        intro = (
            _(
                "%(author)s, for %(organisation)s, wrote about the proposal %(reference)s “%(title)s”:"
            )
            % values
        )
    body = f"{intro}\n\n{message.body}\n\n"
    names = [a.name for a in message.attachments.all()]
    if names:
        body += _("Documents sent with this message: %(names)s") % {"names": ", ".join(names)}
        body += "\n\n"
    if link:
        body += _("Read the thread and answer on Solidaire:") + f"\n{link}\n"
    return subject, body


@task
def message_notify(message_id: int, link: str = "") -> int:
    """E-mail a message to each recipient who wants it, in their preferred
    language. Returns the number of e-mails sent."""
    message = Message.objects.select_related(
        "author", "proposal__organisation", "proposal__call__programme"
    ).get(pk=message_id)
    sent = 0
    receipts = MessageReceipt.objects.filter(
        message=message, emailed_at__isnull=True
    ).select_related("user")
    for receipt in receipts:
        user = receipt.user
        if not user.email or not user.is_active or not wants_email(user, MESSAGE):
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject, body = _mail(message, link)
        try:
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
        except (OSError, smtplib.SMTPException):
            # The message is saved and shown in the thread and the unread
            # list; a mail server that is down must not lose it.
            logger.exception("Could not e-mail message %s to user %s", message.pk, user.pk)
            continue
        MessageReceipt.objects.filter(pk=receipt.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
