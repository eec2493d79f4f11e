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
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
