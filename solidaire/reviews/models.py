from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from solidaire.applications.models import Proposal
from solidaire.calls.models import Criterion, EligibilityRule


class EligibilityResult(models.Model):
    """The outcome of one eligibility rule for one proposal."""

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        related_name="eligibility_results",
        verbose_name=_("proposal"),
    )
    rule = models.ForeignKey(
        EligibilityRule, on_delete=models.PROTECT, related_name="results", verbose_name=_("rule")
    )
    passed = models.BooleanField(_("passed"))
    reason = models.CharField(_("reason"), max_length=400, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now=True)

    class Meta:
        verbose_name = _("eligibility result")
        verbose_name_plural = _("eligibility results")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "rule"], name="eligibility_result_unique"),
            models.CheckConstraint(
                condition=Q(passed=True) | ~Q(reason=""), name="eligibility_failure_has_reason"
            ),
        ]


class ConflictDeclaration(models.Model):
    """An evaluator's or committee member's declared conflict of interest with
    a proposal. A declared conflict keeps the person away from the proposal."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("proposal")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("person"),
    )
    reason = models.CharField(_("reason"), max_length=300)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="conflict_unique")]


class Review(models.Model):
    """An evaluator's assignment to a proposal and its private scores."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Submitted")
        RECUSED = "recused", _("Recused")
        RELEASED = "released", _("Released")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("proposal")
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("evaluator"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ASSIGNED
    )
    comment = models.TextField(_("overall comment"), blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["proposal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "evaluator"], name="review_unique"),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="review_submitted_has_instant",
            ),
        ]


class Score(models.Model):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    # Empty only in a draft: an evaluator may write a comment before choosing
    # the value; submitting requires every value.
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_unique")]
