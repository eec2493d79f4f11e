from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.applications.models import BudgetLine, Proposal
from solidaire.common.bilingual import Bilingual
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
    # An approved amendment whose new version both parties have not signed
    # yet: no payment is made under terms one of them has not accepted.
    amendment_unsigned = models.BooleanField(_("amendment awaiting signatures"), default=False)

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


# ----------------------------------------------------------------------------- documents, signatures, amendments
#
# The agreement as a document: the coordination's template per programme, each
# version of the agreement's terms (the first one, then one per approved
# amendment), the PDF issued for a version in a language (kept as issued, never
# rendered again in place), and the signatures of both parties on a version.


class AgreementTemplate(Bilingual, models.Model):
    """The clauses of a programme's agreements, edited by its coordination.

    A fixed set of sections of plain text, in French (required) and English
    (``<section>_en``, optional), where a few documented placeholders
    (``{organisation}``, ``{total}``…) are replaced by the agreement's facts;
    nothing else is interpreted. Parties, amounts, schedule and reports are
    tables the document draws from the agreement itself."""

    programme = models.OneToOneField(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="agreement_template",
        verbose_name=_("programme"),
    )
    purpose = models.TextField(_("purpose of the agreement"), max_length=5000)
    purpose_en = models.TextField(
        _("purpose of the agreement (English)"), max_length=5000, blank=True
    )
    payment_terms = models.TextField(_("payment terms"), max_length=5000)
    payment_terms_en = models.TextField(_("payment terms (English)"), max_length=5000, blank=True)
    conditions = models.TextField(_("conditions"), max_length=5000)
    conditions_en = models.TextField(_("conditions (English)"), max_length=5000, blank=True)
    reporting = models.TextField(_("reporting duties"), max_length=5000)
    reporting_en = models.TextField(_("reporting duties (English)"), max_length=5000, blank=True)
    visibility = models.TextField(_("visibility clause"), max_length=5000)
    visibility_en = models.TextField(_("visibility clause (English)"), max_length=5000, blank=True)
    duration = models.TextField(_("duration and end"), max_length=5000)
    duration_en = models.TextField(_("duration and end (English)"), max_length=5000, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")

    def __str__(self) -> str:
        return str(self.programme)


class AgreementVersion(models.Model):
    """One version of an agreement's terms: the first as issued, then one per
    approved amendment. ``terms`` is the snapshot every document of the
    version is rendered from (parties, amounts, schedule, reports, clauses),
    so that a document asked later in the other language says the same."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="versions", verbose_name=_("agreement")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    terms = models.JSONField(_("terms"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    amendment = models.OneToOneField(
        "Amendment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="version",
        verbose_name=_("amendment"),
    )

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="agreement_version_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="agreement_version_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"


class AgreementDocument(models.Model):
    """The PDF of a version in one language, exactly as issued: its bytes in
    the private store, its SHA-256 beside them. Never rendered again."""

    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("version"),
    )
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    stored_name = models.CharField(_("stored name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["version", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language"], name="agreement_document_unique"
            ),
            models.CheckConstraint(
                condition=Q(language__in=["fr", "en"]), name="agreement_document_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.language})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # As issued: a document is written once, never replaced in place.
        if self.pk is not None and not self._state.adding:
            raise ValueError("An issued agreement document is never changed.")
        super().save(*args, **kwargs)


class AgreementSignature(models.Model):
    """A party's signature on a version: who, with what title, when, and the
    SHA-256 of the document signed; or the signed copy the party sent."""

    class Party(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        TRUSTEE = "trustee", _("Trustee")

    class Method(models.TextChoices):
        ONLINE = "online", _("Signed in Solidaire")
        COPY = "copy", _("Signed copy sent")

    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("version"),
    )
    document = models.ForeignKey(
        AgreementDocument,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("document"),
    )
    party = models.CharField(_("party"), max_length=12, choices=Party.choices)
    method = models.CharField(_("method"), max_length=6, choices=Method.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signer_name = models.CharField(_("name"), max_length=200)
    signer_title = models.CharField(_("title"), max_length=120)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    document_sha256 = models.CharField(_("SHA-256 of the document signed"), max_length=64)
    copy_stored_name = models.CharField(_("stored name"), max_length=200, blank=True)
    copy_name = models.CharField(_("file name"), max_length=200, blank=True)
    copy_content_type = models.CharField(_("content type"), max_length=120, blank=True)
    copy_sha256 = models.CharField(_("SHA-256 of the signed copy"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("agreement signature")
        verbose_name_plural = _("agreement signatures")
        ordering = ["version", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party"], name="one_signature_per_party"),
            models.CheckConstraint(
                condition=Q(party__in=["organisation", "trustee"]), name="signature_party_valid"
            ),
            models.CheckConstraint(
                condition=Q(method="online", copy_sha256="")
                | (Q(method="copy") & ~Q(copy_sha256="") & ~Q(copy_stored_name="")),
                name="signature_copy_kept",
            ),
            models.CheckConstraint(
                condition=~Q(signer_name="") & ~Q(signer_title=""), name="signature_names_signer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} — {self.get_party_display()}"


class Amendment(models.Model):
    """A change of an agreement's amounts per fiscal year or end date,
    proposed by the coordination with a reason and approved by the trustee.
    Approval writes new ledger entries and a new version both parties sign."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("agreement")
    )
    reason = models.TextField(_("reason"), max_length=2000)
    ends_on = models.DateField(_("new end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("why it was rejected"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["agreement", "proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(status="proposed"),
                name="one_proposed_amendment_per_agreement",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(decided_at__isnull=False),
                name="amendment_decided_has_instant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} — {self.get_status_display()}"


class AmendmentLine(models.Model):
    """The amount an amendment gives a fiscal year (what the year had before
    is kept beside it, as read when the amendment was proposed). Zero
    before: the year is added; zero after: the year is dropped."""

    amendment = models.ForeignKey(
        Amendment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("amendment")
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("fiscal year")
    )
    previous = MoneyField(_("previous amount"))
    amount = MoneyField(_("new amount"))

    class Meta:
        verbose_name = _("amendment line")
        verbose_name_plural = _("amendment lines")
        ordering = ["amendment", "fiscal_year__starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "fiscal_year"], name="amendment_line_unique"
            ),
            # Zero before: a year the amendment adds; zero after: a year it
            # drops; never both.
            models.CheckConstraint(condition=Q(amount__gte=0), name="amendment_line_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(previous__gte=0), name="amendment_line_previous_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(previous__gt=0),
                name="amendment_line_not_zero_to_zero",
            ),
        ]


class AmendmentDueDate(models.Model):
    """A new due date an amendment gives an unpaid payment of the schedule."""

    amendment = models.ForeignKey(
        Amendment, on_delete=models.CASCADE, related_name="due_dates", verbose_name=_("amendment")
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="+", verbose_name=_("payment")
    )
    previous = models.DateField(_("previous due date"))
    due_on = models.DateField(_("new due date"))

    class Meta:
        verbose_name = _("amendment due date")
        verbose_name_plural = _("amendment due dates")
        ordering = ["amendment", "payment__sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "payment"], name="amendment_due_date_unique"
            ),
        ]
