from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships:
    programme roles (coordinator, evaluator, committee, trustee finance),
    organisation membership (applicant), or the ministry observer flag."""

    is_ministry_observer = models.BooleanField(
        _("ministry observer"),
        default=False,
        help_text=_("Read-only access to every region's programme figures."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("fr", _("French")), ("en", _("English"))],
        default="fr",
        help_text=_("Pages and e-mails are in this language after you sign in."),
    )
    # What the person wants to receive by e-mail; the in-app list shows
    # everything whatever these say.
    notify_messages = models.BooleanField(
        _("messages about my proposals and files"),
        default=True,
        help_text=_("A question from the programme's coordination, or an answer to yours."),
    )
    notify_deadlines = models.BooleanField(
        _("deadline reminders"),
        default=True,
        help_text=_("A few days before a call closes or a report is due."),
    )
    notify_decisions = models.BooleanField(
        _("decisions"),
        default=True,
        help_text=_("Eligibility, funding decisions, agreements and payments."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Notification(models.TextChoices):
    """The kinds of e-mail a person may turn off on their account page."""

    MESSAGES = "messages", _("messages")
    DEADLINES = "deadlines", _("deadline reminders")
    DECISIONS = "decisions", _("decisions")


NOTIFICATION_FIELDS = {
    Notification.MESSAGES: "notify_messages",
    Notification.DEADLINES: "notify_deadlines",
    Notification.DECISIONS: "notify_decisions",
}
