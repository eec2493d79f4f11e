from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from solidaire.applications.models import Proposal
from solidaire.calls.models import Call


class Scenario(models.Model):
    """A selection scenario: the engine's instance (pools, rules, objective)
    built from the committee's scores, and the result it gave."""

    class Method(models.TextChoices):
        OPTIMAL = "optimal", _("Best selection, proven")
        RANK = "rank", _("Rank and cut")

    class Objective(models.TextChoices):
        MERIT_ORDER = "merit_order", _("Respect the ranking")
        TOTAL_SCORE = "total_score", _("Most merit for the money")
        SCORE_DOLLARS = "score_dollars", _("Money to the best-scored")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="scenarios", verbose_name=_("call")
    )
    name = models.CharField(_("name"), max_length=200)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default="optimal")
    objective = models.CharField(
        _("objective"), max_length=20, choices=Objective.choices, default="merit_order"
    )
    instance = models.JSONField(_("instance"), default=dict)
    result = models.JSONField(_("result"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["call", "-created_at"]

    def __str__(self) -> str:
        return self.name


class Decision(models.Model):
    """The committee's decision on a call: the adopted scenario."""

    call = models.OneToOneField(
        Call, on_delete=models.PROTECT, related_name="decision", verbose_name=_("call")
    )
    scenario = models.ForeignKey(
        Scenario, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("scenario")
    )
    resolution_number = models.CharField(_("resolution number"), max_length=60)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.call} — {self.resolution_number}"


class Award(models.Model):
    """A proposal funded by a decision, and the share of its request granted.
    The amounts themselves are the ledger's commitments."""

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="awards", verbose_name=_("decision")
    )
    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, related_name="award", verbose_name=_("proposal")
    )
    fraction = models.DecimalField(_("share of the request"), max_digits=7, decimal_places=6)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(
                condition=Q(fraction__gt=0) & Q(fraction__lte=1), name="award_fraction_range"
            )
        ]
