from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from solidaire.calls.models import Call, RequiredDocument, Stream
from solidaire.common.money import MoneyField
from solidaire.ledger.models import Commitment
from solidaire.programmes.models import FiscalYear, Priority, Territory

# The Quebec enterprise number (NEQ): ten digits, the first two of which say
# how the entity was registered (11, 22, 33 or 88).
neq_validator = RegexValidator(
    r"^(11|22|33|88)\d{8}$",
    _("A Québec enterprise number (NEQ) has 10 digits and starts with 11, 22, 33 or 88."),
)


# A Canadian postal code as Canada Post prints it: letter, digit, letter,
# space, digit, letter, digit (the letters D, F, I, O, Q and U are never used).
postal_code_validator = RegexValidator(
    r"^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] [0-9][ABCEGHJ-NPRSTV-Z][0-9]$",
    _("A postal code reads like G1K 3A9: letter, digit, letter, space, digit, letter, digit."),
)
MISSION_MAX_LENGTH = 2000
# The longest answers a proposal's text questions take: enough for a page of
# text each, short enough that the committee reads every proposal whole.
# The editor counts the characters left against these.
SUMMARY_MAX_LENGTH = 4000
PARTICIPATION_MAX_LENGTH = 4000
PARTNERS_MAX_LENGTH = 2000


class Organisation(models.Model):
    """An organisation (organisme) that applies for money."""

    class Type(models.TextChoices):
        NONPROFIT = "nonprofit", _("Non-profit organisation (OBNL)")
        COOPERATIVE = "cooperative", _("Cooperative treated as non-profit")
        MUNICIPAL = "municipal", _("Municipal body or MRC")
        BAND_COUNCIL = "band_council", _("Band council or other Indigenous body")
        RESEARCH = "research", _("Research centre working on poverty")
        OTHER = "other", _("Other (not eligible)")

    legal_name = models.CharField(_("legal name"), max_length=200)
    neq = models.CharField(
        _("Québec enterprise number (NEQ)"), max_length=10, unique=True, validators=[neq_validator]
    )
    org_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("territory"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("municipality"), max_length=120, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=7, blank=True, validators=[postal_code_validator]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    mission = models.TextField(_("mission"), max_length=MISSION_MAX_LENGTH, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OrganisationMember",
        related_name="organisations",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(neq__regex=r"^(11|22|33|88)[0-9]{8}$"), name="organisation_neq_format"
            )
        ]

    def __str__(self) -> str:
        return self.legal_name


class OrganisationMember(models.Model):
    """A person acting for an organisation. Managers edit its profile and
    invite or manage members; every member writes its proposals."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
        verbose_name=_("user"),
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, default=Role.MEMBER, db_index=True
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="organisation_member_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["manager", "member"]), name="organisation_member_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class OrganisationInvitation(models.Model):
    """An invitation to join an organisation, sent by e-mail. The link's token
    is never stored: only its SHA-256, so that reading the database does not
    let anyone join. It expires, and works once."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=OrganisationMember.Role.choices,
        default=OrganisationMember.Role.MEMBER,
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="invitation_expires_after"
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_by__isnull=False),
                name="invitation_accepted_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_cancelled",
            ),
            # One open invitation per address and organisation: a new one
            # cancels the previous (see the invitation service).
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class Proposal(models.Model):
    """A proposal (demande) of an organisation to a call. Its status is changed
    only by ``solidaire.applications.workflow``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Ineligible")
        UNDER_REVIEW = "under_review", _("Under review")
        RECOMMENDED = "recommended", _("Recommended")
        NOT_RECOMMENDED = "not_recommended", _("Not recommended")
        FUNDED = "funded", _("Funded")
        DECLINED = "declined", _("Declined")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", pgettext_lazy("proposal status", "Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Scope(models.TextChoices):
        LOCAL = "local", _("Local")
        REGIONAL = "regional", _("Regional")

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("call")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("organisation"),
    )
    stream = models.ForeignKey(
        Stream,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("stream"),
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default="local")
    territories = models.ManyToManyField(
        Territory, related_name="proposals", blank=True, verbose_name=_("territories served")
    )
    priorities = models.ManyToManyField(
        Priority, related_name="proposals", blank=True, verbose_name=_("work-plan priorities")
    )
    poverty_participation = models.TextField(
        _("how people living in poverty take part"),
        max_length=PARTICIPATION_MAX_LENGTH,
        blank=True,
    )
    partners = models.TextField(_("partners"), max_length=PARTNERS_MAX_LENGTH, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    total_cost = MoneyField(
        _("total eligible expenses"), default=0, validators=[MinValueValidator(0)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    commitment = models.OneToOneField(
        Commitment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("commitment"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["call", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(total_cost__gte=0), name="proposal_cost_gte_0"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gt=F("starts_on")),
                name="proposal_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False) | Q(status="withdrawn"),
                name="proposal_submitted_has_instant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class RequestedAmount(models.Model):
    """The amount a proposal asks for in one fiscal year."""

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        related_name="requested_amounts",
        verbose_name=_("proposal"),
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("fiscal year")
    )
    amount = MoneyField(_("amount requested"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("amount requested")
        verbose_name_plural = _("amounts requested")
        ordering = ["proposal", "fiscal_year__starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "fiscal_year"], name="requested_amount_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="requested_amount_gte_0"),
        ]


class BudgetLine(models.Model):
    """A line of the proposal's budget (costs) for one fiscal year.

    The editor shows a budget as rows (a category, a description, one amount
    per fiscal year); a row is stored as one line per fiscal year, zero
    included, written in the row's order so that the rows read back as typed
    (``solidaire.applications.budget.budget_rows``)."""

    class Category(models.TextChoices):
        SALARIES = "salaries", _("Salaries and benefits")
        ACTIVITIES = "activities", _("Activities with participants")
        MATERIALS = "materials", _("Materials and supplies")
        RENT = "rent", _("Rent and premises")
        TRAVEL = "travel", _("Travel")
        ADMINISTRATION = "administration", _("Administration")
        OTHER = "other", _("Other")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("proposal")
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("fiscal year")
    )
    category = models.CharField(_("category"), max_length=100, choices=Category.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["proposal", "fiscal_year__starts_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_gte_0")]


class OtherFunding(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="other_funding", verbose_name=_("proposal")
    )
    source = models.CharField(_("source"), max_length=200)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])
    confirmed = models.BooleanField(_("confirmed"), default=False)

    class Meta:
        verbose_name = _("other funding")
        verbose_name_plural = _("other funding")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="other_funding_gte_0")
        ]


class Attachment(models.Model):
    """A file attached to a proposal, usually in the slot of one of the call's
    required documents. The file itself is in the private store (see
    ``solidaire.documents``) under a random name; only the access-checked
    download view reads it back."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("proposal")
    )
    document = models.ForeignKey(
        RequiredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document type"),
    )
    stored_name = models.CharField(_("stored file"), max_length=255, unique=True)
    name = models.CharField(_("original name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["proposal", "document", "id"]
        constraints = [
            # One file per required document: a new upload replaces it.
            models.UniqueConstraint(
                fields=["proposal", "document"],
                condition=Q(document__isnull=False),
                name="attachment_one_per_required_document",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeadlineExtension(models.Model):
    """More time for one organisation to submit to a call, granted by the
    programme's coordination with a recorded reason (an illness, a fire, a
    mail server down on the last evening). Append-only: a later grant with a
    later instant supersedes the earlier one; the call stays open for that
    organisation's drafts until the latest instant granted
    (``solidaire.applications.deadlines``)."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="deadline_extensions", verbose_name=_("call")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="deadline_extensions",
        verbose_name=_("organisation"),
    )
    closes_at = models.DateTimeField(_("new closing instant"))
    reason = models.CharField(_("reason"), max_length=1000)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["call", "organisation", "-closes_at"]
        indexes = [models.Index(fields=["call", "organisation"], name="extension_call_org")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.call} → {self.closes_at:%Y-%m-%d %H:%M}"


class ProposalVersion(models.Model):
    """What an organisation submitted, frozen at the instant it did.

    Each submission records one version, numbered from 1; a proposal
    reopened and submitted again gets the next number, and the earlier
    versions stay as they were. ``content`` is a snapshot of every answer,
    amount, territory and document (its name and SHA-256); ``sha256`` is the
    fingerprint of that snapshot's canonical JSON, printed on the receipt, so
    that anyone can show later that the text they hold is the one received.
    Rows are written once by ``proposal_submit`` and never changed.
    """

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="versions", verbose_name=_("proposal")
    )
    number = models.PositiveIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    receipt_number = models.CharField(_("receipt number"), max_length=40, unique=True)
    attestation = models.TextField(_("attestation"), blank=True)
    content = models.JSONField(_("content submitted"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="proposal_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal.reference} v{self.number}"


class ReceiptEmail(models.Model):
    """A version's receipt e-mailed to one member of the organisation. The
    unique pair is what makes the e-mail go once, even when the task that
    sends it runs twice."""

    version = models.ForeignKey(
        ProposalVersion,
        on_delete=models.CASCADE,
        related_name="receipt_emails",
        verbose_name=_("submitted version"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("receipt e-mailed")
        verbose_name_plural = _("receipts e-mailed")
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="receipt_email_once"),
        ]
