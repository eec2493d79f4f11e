"""The committee's meeting on a call and the panel of people living in poverty.

The meeting turns the evaluators' private scores into the committee's own
judgement: for each proposal, a consensus score with its rationale and a
recommendation, the people present, and the rule that breaks ties at the
funding line. The panel gives people living in poverty a say on the same
proposals through a few plain-language questions chosen by the coordination.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from solidaire.applications.models import Proposal
from solidaire.calls.models import Call
from solidaire.programmes.models import Programme


class Meeting(models.Model):
    """The committee's meeting on one call."""

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, related_name="meeting", verbose_name=_("call")
    )
    held_on = models.DateField(_("date of the meeting"), null=True, blank=True)
    reviews_due_on = models.DateField(
        _("reviews due on"),
        null=True,
        blank=True,
        help_text=_("Evaluators submit their reviews by this date."),
    )
    tie_break_rule = models.TextField(
        _("rule that breaks ties at the funding line"),
        blank=True,
        help_text=_(
            "Recorded before the ranking is read, e.g. « the proposal that involves more people "
            "living in poverty comes first, then a draw »."
        ),
    )
    panel_weight = models.DecimalField(
        _("weight of the panel's opinion"),
        max_digits=6,
        decimal_places=2,
        default=0,
        help_text=_(
            "Counted as one more criterion of the grid, with this weight; 0 keeps the panel's "
            "opinion beside the scores without counting it."
        ),
    )

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        constraints = [
            models.CheckConstraint(condition=Q(panel_weight__gte=0), name="meeting_panel_weight")
        ]

    def __str__(self) -> str:
        return str(self.call)


class Attendance(models.Model):
    """Whether a committee member attended the meeting."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique")
        ]


class Consensus(models.Model):
    """The committee's agreed score and recommendation on one proposal."""

    class Recommendation(models.TextChoices):
        RECOMMEND = "recommend", _("Recommend")
        DECLINE = "decline", _("Do not recommend")
        RESERVE = "reserve", _("Reserve")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="consensuses", verbose_name=_("meeting")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="consensuses", verbose_name=_("proposal")
    )
    score = models.DecimalField(_("consensus score (out of 100)"), max_digits=5, decimal_places=2)
    rationale = models.TextField(_("rationale"))
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("consensus")
        verbose_name_plural = _("consensuses")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "proposal"], name="consensus_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="consensus_score_range"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="consensus_has_rationale"),
        ]


class PanelConsent(models.Model):
    """A panellist's consent to take part in a programme's panel. Withdrawn,
    it stays recorded with the instant of withdrawal, and the panellist's
    pages are closed until consent is given again."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="panel_consents",
        verbose_name=_("person"),
    )
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("panel consent")
        verbose_name_plural = _("panel consents")
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="panel_consent_unique")
        ]


class PanelQuestion(models.Model):
    """A plain-language question the panel answers on each proposal of a call."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="panel_questions", verbose_name=_("call")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question (French)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("panel question")
        verbose_name_plural = _("panel questions")
        ordering = ["call", "position"]
        constraints = [
            models.UniqueConstraint(fields=["call", "position"], name="panel_question_position")
        ]


class PanelAssignment(models.Model):
    """A proposal given to a panellist: the only proposals they see."""

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        related_name="panel_assignments",
        verbose_name=_("proposal"),
    )
    panellist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="panel_assignments",
        verbose_name=_("panellist"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal given to the panel")
        verbose_name_plural = _("proposals given to the panel")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "panellist"], name="panel_assignment_unique"
            )
        ]


class PanelAnswer(models.Model):
    """A panellist's answer to one question on one proposal, from 1 (not at
    all) to 4 (a lot)."""

    assignment = models.ForeignKey(
        PanelAssignment,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("assignment"),
    )
    question = models.ForeignKey(
        PanelQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    value = models.PositiveSmallIntegerField(_("answer"))

    class Meta:
        verbose_name = _("panel answer")
        verbose_name_plural = _("panel answers")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "question"], name="panel_answer_unique"),
            models.CheckConstraint(
                condition=Q(value__gte=1) & Q(value__lte=4), name="panel_answer_range"
            ),
        ]
