from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from solidaire.applications.models import Organisation, Proposal, neq_validator
from solidaire.calls.models import Call, Criterion, EligibilityRule
from solidaire.programmes.models import Programme, Territory


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
    due_on = models.DateField(_("due on"), null=True, blank=True)
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


class Tie(models.Model):
    """An organisation an evaluator or committee member is tied to, in one
    programme: known in advance, it puts the person in a conflict of interest
    with every proposal of that organisation, or naming it as a partner,
    without any declaration (see :mod:`solidaire.reviews.conflicts`).

    The organisation is the one in the system when it is there; otherwise
    its name (and NEQ when known) is what proposals are matched against."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        BOARD = "board", _("Board member")
        EMPLOYEE = "employee", _("Employee")
        OTHER = "other", _("Other tie")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="ties", verbose_name=_("programme")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ties",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ties",
        verbose_name=_("organisation"),
    )
    organisation_name = models.CharField(_("organisation's name"), max_length=200, blank=True)
    neq = models.CharField(
        _("Québec enterprise number (NEQ)"),
        max_length=10,
        blank=True,
        validators=[neq_validator],
    )
    kind = models.CharField(_("kind of tie"), max_length=10, choices=Kind.choices)
    starts_on = models.DateField(_("since"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("details"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tie")
        verbose_name_plural = _("ties")
        ordering = ["programme", "person", "organisation_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(organisation_name=""),
                name="tie_names_an_organisation",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="tie_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.organisation is not None:
            return self.organisation.legal_name
        return self.organisation_name


class EvaluatorKnowledge(models.Model):
    """The territories an evaluator knows in a programme: the automatic
    assignment prefers them for proposals serving those territories."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="territory_knowledge",
        verbose_name=_("person"),
    )
    territories = models.ManyToManyField(
        Territory, related_name="+", blank=True, verbose_name=_("territories known")
    )

    class Meta:
        verbose_name = _("territories known")
        verbose_name_plural = _("territories known")
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="knowledge_unique")
        ]


class AssignmentSettings(models.Model):
    """What the coordination asks of a call's automatic assignment: reviews
    per proposal, each evaluator's capacity and the reviews' due date."""

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, related_name="assignment_settings", verbose_name=_("call")
    )
    reviews_per_proposal = models.PositiveSmallIntegerField(_("reviews per proposal"), default=3)
    due_on = models.DateField(_("reviews due on"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment settings")
        verbose_name_plural = _("assignment settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(reviews_per_proposal__gte=1), name="assignment_reviews_gte_1"
            )
        ]


class EvaluatorCapacity(models.Model):
    """The most reviews of a call an evaluator takes on, counting those
    already assigned."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="evaluator_capacities", verbose_name=_("call")
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("evaluator"),
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"))

    class Meta:
        verbose_name = _("evaluator's capacity")
        verbose_name_plural = _("evaluators' capacities")
        constraints = [
            models.UniqueConstraint(fields=["call", "evaluator"], name="capacity_unique")
        ]
