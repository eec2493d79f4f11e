from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from solidaire.applications.models import BudgetLine, Proposal
from solidaire.common.money import MoneyField
from solidaire.ledger.models import LedgerEntry
from solidaire.programmes.models import FiscalYear


class Agreement(models.Model):
    """The financial-assistance agreement (convention d'aide financière) the
    trustee issues for a funded initiative."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        SIGNED = "signed", _("Signed")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, related_name="agreement", verbose_name=_("proposal")
    )
    number = models.CharField(_("number"), max_length=30, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ISSUED
    )
    issued_on = models.DateField(_("issued on"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signatory = models.CharField(_("signatory"), max_length=200, blank=True)
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True) | Q(signed_on__gte=models.F("issued_on")),
                name="agreement_signed_after_issued",
            )
        ]

    def __str__(self) -> str:
        return self.number


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    DEPOSIT = "deposit", _("Direct deposit")
    CHEQUE = "cheque", _("Cheque")


class Payment(models.Model):
    """One scheduled payment (versement) of an agreement."""

    class Condition(models.TextChoices):
        # Read as conditions ("paid once …"), never as a state: whether the
        # condition is met is said beside it.
        SIGNATURE = "signature", _("Once the agreement is signed")
        PROGRESS_REPORT = "progress_report", _("Once the previous year's progress report is in")
        FINAL_REPORT = "final_report", _("Once the final report is in")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="payments", verbose_name=_("agreement")
    )
    sequence = models.PositiveSmallIntegerField(_("number"))
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="payments", verbose_name=_("fiscal year")
    )
    due_on = models.DateField(_("due on"))
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    early_reason = models.CharField(
        _("why paid before its due date"), max_length=300, blank=True, default=""
    )
    method = models.CharField(
        _("method"), max_length=12, choices=PaymentMethod.choices, blank=True, default=""
    )
    reference = models.CharField(_("payment reference"), max_length=100, blank=True, default="")
    ledger_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
        verbose_name=_("ledger entry"),
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["agreement", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "sequence"], name="payment_sequence_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=~Q(status="paid")
                | (Q(paid_on__isnull=False) & Q(ledger_entry__isnull=False)),
                name="payment_paid_has_date_and_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} #{self.sequence}"


class ReportState(models.TextChoices):
    OPEN = "open", _("To write")
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    CHANGES_REQUESTED = "changes", _("Changes requested")
    APPROVED = "approved", _("Approved")


class Report(models.Model):
    """A progress or final report of a funded initiative, with its indicators
    and its spending against the budget."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress report")
        FINAL = "final", _("Final report")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="reports", verbose_name=_("agreement")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("fiscal year")
    )
    due_on = models.DateField(_("due on"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    people_in_poverty_involved = models.PositiveIntegerField(
        _("people living in poverty involved in the work"), null=True, blank=True
    )
    partners_mobilised = models.PositiveIntegerField(_("partners mobilised"), null=True, blank=True)
    spent = MoneyField(_("amount spent"), null=True, blank=True, validators=[MinValueValidator(0)])
    narrative = models.TextField(_("narrative"), blank=True)
    early_closing = models.CharField(
        _("why the initiative closes early"), max_length=300, blank=True, default=""
    )
    # Written by the organisation in its space, then approved by the
    # coordination (approval sets ``received_on``: the payment it releases
    # waits for that date).
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.OPEN
    )
    poverty_planning = models.PositiveIntegerField(
        _("people living in poverty taking part in planning"), null=True, blank=True
    )
    poverty_action = models.PositiveIntegerField(
        _("people living in poverty taking part in the activities"), null=True, blank=True
    )
    poverty_evaluation = models.PositiveIntegerField(
        _("people living in poverty taking part in the evaluation"), null=True, blank=True
    )
    activities_held = models.PositiveIntegerField(_("activities held"), null=True, blank=True)
    draft_saved_at = models.DateTimeField(_("draft saved at"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    review_comment = models.TextField(_("coordination's comment"), blank=True, default="")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["agreement", "due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind", "fiscal_year"], name="report_unique_per_year"
            ),
            models.CheckConstraint(
                condition=Q(spent__isnull=True) | Q(spent__gte=0), name="report_spent_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.fiscal_year}"


# ----------------------------------------------------------------------------- follow-up
# Reversals of payments, money owed back by an organisation, and reminders
# sent: every one of them a record beside the ledger entries it explains.


class PaymentReversal(models.Model):
    """A payment recorded in error, given back: the ledger gets a new entry
    returning the money (never an edit) and the payment is due again."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="reversals", verbose_name=_("payment")
    )
    reversed_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("payment entry reversed"),
    )
    entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        related_name="reversal",
        verbose_name=_("ledger entry"),
    )
    reason = models.CharField(_("reason"), max_length=500)
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("payment reversal")
        verbose_name_plural = _("payment reversals")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="payment_reversal_has_reason")
        ]


class Repayment(models.Model):
    """Money an organisation owes back: paid in a fiscal year and reported
    unspent. When repaid, the ledger returns it (a refund entry) and
    releases it to the envelope (a release entry) of that fiscal year."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="repayments", verbose_name=_("agreement")
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("fiscal year")
    )
    amount = MoneyField(_("amount owed"))
    recorded_on = models.DateField(_("recorded on"))
    repaid_on = models.DateField(_("repaid on"), null=True, blank=True)
    refund_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repayment",
        verbose_name=_("refund entry"),
    )
    release_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repayment_release",
        verbose_name=_("release entry"),
    )

    class Meta:
        verbose_name = _("money owed")
        verbose_name_plural = _("money owed")
        ordering = ["agreement", "fiscal_year"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_gt_0"),
            models.UniqueConstraint(
                fields=["agreement", "fiscal_year"], name="repayment_once_per_year"
            ),
            models.CheckConstraint(
                condition=(
                    Q(repaid_on__isnull=True)
                    & Q(refund_entry__isnull=True)
                    & Q(release_entry__isnull=True)
                )
                | (
                    Q(repaid_on__isnull=False)
                    & Q(refund_entry__isnull=False)
                    & Q(release_entry__isnull=False)
                ),
                name="repayment_repaid_has_entries",
            ),
        ]


class ReportSpending(models.Model):
    """What a report says was spent on one line of the initiative's budget."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="spending", verbose_name=_("report")
    )
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("budget line")
    )
    spent = MoneyField(_("amount spent"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("spending line")
        verbose_name_plural = _("spending lines")
        ordering = ["report", "budget_line__fiscal_year__starts_on", "budget_line_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "budget_line"], name="report_spending_once_per_line"
            ),
            models.CheckConstraint(condition=Q(spent__gte=0), name="report_spending_gte_0"),
        ]


class ReportDocument(models.Model):
    """A document joined to a report (through the one upload validation path)."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="documents", verbose_name=_("report")
    )
    stored_name = models.CharField(_("stored file"), max_length=255, unique=True)
    name = models.CharField(_("original name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")
        ordering = ["report", "uploaded_at", "id"]


class ReminderSent(models.Model):
    """One reminder e-mailed: ``key`` names what it is about and at which
    stage (``report:12:due``), so that the daily run never sends it twice."""

    key = models.CharField(_("about"), max_length=80)
    recipient = models.EmailField(_("recipient"))
    sent_on = models.DateField(_("sent on"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="reminder_sent_once")
        ]


class CancellationRequest(models.Model):
    """A funded organisation's request that the coordination cancel its
    initiative; handled when the coordination cancels it."""

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        related_name="cancellation_requests",
        verbose_name=_("proposal"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    reason = models.CharField(_("reason"), max_length=1000)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        verbose_name = _("cancellation request")
        verbose_name_plural = _("cancellation requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(handled_at__isnull=True),
                name="one_open_cancellation_request",
            )
        ]
