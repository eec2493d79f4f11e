"""Questions and answers between a programme's coordination and an
organisation, on one proposal. The thread is the proposal: every message
belongs to one, in the order sent.

Attachments: a message may carry documents, each a
:class:`MessageAttachment` pointing here, validated by the one upload path
(``solidaire.documents.validate_upload``) and kept in the private store; a
message stays valid without any.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.applications.models import Proposal

MESSAGE_MAX_LENGTH = 5000
# Documents one message may carry.
MESSAGE_MAX_FILES = 5


class Message(models.Model):
    """One question or answer on a proposal, written for one side."""

    class Side(models.TextChoices):
        COORDINATION = "coordination", _("Coordination")
        ORGANISATION = "organisation", _("Organisation")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="messages", verbose_name=_("proposal")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["proposal", "sent_at", "pk"]
        indexes = [models.Index(fields=["proposal", "sent_at"], name="message_thread")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="message_body_not_empty"),
            models.CheckConstraint(
                condition=Q(side__in=["coordination", "organisation"]), name="message_side"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal.reference} · {self.sent_at:%Y-%m-%d %H:%M}"


class MessageReceipt(models.Model):
    """A message delivered to one person of the other side: when it was
    e-mailed to them (if they want e-mail) and when they read it. The unread
    count of the navigation is a count of these."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("message")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="message_receipts",
        verbose_name=_("recipient"),
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message receipt")
        verbose_name_plural = _("message receipts")
        indexes = [models.Index(fields=["user", "read_at"], name="receipt_unread")]
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="receipt_once_per_person")
        ]


class MessageAttachment(models.Model):
    """A document sent with a message. The file is in the private store under
    a random name; only the access-checked download view reads it back."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    stored_name = models.CharField(_("stored file"), max_length=255, unique=True)
    name = models.CharField(_("original name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("content type"), max_length=120)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("message attachment")
        verbose_name_plural = _("message attachments")
        ordering = ["message", "id"]

    def __str__(self) -> str:
        return self.name
