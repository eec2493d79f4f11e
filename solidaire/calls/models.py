from __future__ import annotations

from datetime import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from solidaire.common.bilingual import Bilingual
from solidaire.common.money import MoneyField
from solidaire.programmes.models import FiscalYear, Programme, Territory


class Call(models.Model):
    """A call for initiatives (appel d'initiatives) of a programme."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        UPCOMING = "upcoming", _("Upcoming")
        OPEN = "open", _("Open")
        CLOSED = "closed", pgettext_lazy("call status", "Closed")
        DECIDED = "decided", _("Decided")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="calls", verbose_name=_("programme")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    min_request = MoneyField(_("minimum per initiative"), default=0)
    max_request = MoneyField(_("maximum per initiative"), null=True, blank=True)
    max_share_of_expenses = models.DecimalField(
        _("maximum share of eligible expenses (%)"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    max_duration_months = models.PositiveSmallIntegerField(
        _("maximum duration (months)"), null=True, blank=True
    )
    latest_end_on = models.DateField(_("initiatives must end by"), null=True, blank=True)

    class Meta:
        verbose_name = _("call for initiatives")
        verbose_name_plural = _("calls for initiatives")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="call_number_unique"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(min_request__gte=0), name="call_min_request_gte_0"),
            models.CheckConstraint(
                condition=Q(max_request__isnull=True) | Q(max_request__gte=F("min_request")),
                name="call_max_request_gte_min",
            ),
            models.CheckConstraint(
                condition=Q(max_share_of_expenses__gte=0) & Q(max_share_of_expenses__lte=100),
                name="call_share_between_0_and_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def status_at(self, now: datetime) -> str:
        if self.decided_at is not None:
            return self.Status.DECIDED
        if not self.published:
            return self.Status.DRAFT
        if now < self.opens_at:
            return self.Status.UPCOMING
        if now < self.closes_at:
            return self.Status.OPEN
        return self.Status.CLOSED

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    def is_open_at(self, now: datetime) -> bool:
        return self.status_at(now) == self.Status.OPEN


class Stream(Bilingual, models.Model):
    """A stream (volet) of a call, with its own amounts."""

    class Scope(models.TextChoices):
        LOCAL = "local", _("Local")
        REGIONAL = "regional", _("Regional")
        ANY = "any", _("Local or regional")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="streams", verbose_name=_("call")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default="any")
    territorial = models.BooleanField(_("split into territorial sub-envelopes"), default=False)

    class Meta:
        verbose_name = _("stream")
        verbose_name_plural = _("streams")
        ordering = ["call", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="stream_code_unique")]

    def __str__(self) -> str:
        return str.__str__(self.text("name"))


class Allocation(models.Model):
    """The amount a stream may commit in one fiscal year; with a territory,
    that territory's sub-envelope inside the stream."""

    stream = models.ForeignKey(
        Stream, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("stream")
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("territory"),
    )
    fiscal_year = models.ForeignKey(
        FiscalYear,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("fiscal year"),
    )
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "territory", "fiscal_year"],
                condition=Q(territory__isnull=False),
                name="allocation_territory_unique",
            ),
            models.UniqueConstraint(
                fields=["stream", "fiscal_year"],
                condition=Q(territory__isnull=True),
                name="allocation_stream_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_amount_gte_0"),
        ]

    def __str__(self) -> str:
        where = f" / {self.territory}" if self.territory_id else ""
        return f"{self.stream}{where} {self.fiscal_year}"


class Criterion(Bilingual, models.Model):
    """A criterion of a call's evaluation grid."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call")
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.DecimalField(
        _("weight (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["call", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="criterion_code_unique"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=100), name="criterion_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return str.__str__(self.text("name"))


class ScaleLevel(Bilingual, models.Model):
    """One level of the scoring scale of a call, with what it means."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="scale", verbose_name=_("call")
    )
    value = models.PositiveSmallIntegerField(_("value"))
    label = models.CharField(_("label (French)"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=60, blank=True)
    descriptor = models.TextField(_("descriptor (French)"), blank=True)
    descriptor_en = models.TextField(_("descriptor (English)"), blank=True)

    class Meta:
        verbose_name = _("scale level")
        verbose_name_plural = _("scale levels")
        ordering = ["call", "value"]
        constraints = [models.UniqueConstraint(fields=["call", "value"], name="scale_value_unique")]

    def __str__(self) -> str:
        return f"{self.value} — {self.text('label')}"


class EligibilityRule(Bilingual, models.Model):
    """A rule each proposal must pass before evaluation."""

    class Kind(models.TextChoices):
        ORGANISATION_TYPE = "organisation_type", _("Eligible type of organisation")
        AMOUNT_RANGE = "amount_range", _("Amount within the call's limits")
        EXPENSE_SHARE = "expense_share", _("Share of eligible expenses")
        DURATION = "duration", _("Duration and end date")
        TERRITORY = "territory", _("Territories within the region")
        DOCUMENTS = "documents", _("Required documents attached")
        MANUAL = "manual", _("Checked by the coordinator")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="eligibility_rules", verbose_name=_("call")
    )
    code = models.SlugField(_("code"), max_length=60)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    description = models.CharField(_("description (French)"), max_length=300)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        ordering = ["call", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="eligibility_rule_code_unique")
        ]

    def __str__(self) -> str:
        return str.__str__(self.text("description"))


class RequiredDocument(Bilingual, models.Model):
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="required_documents", verbose_name=_("call")
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["call", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="required_document_code_unique")
        ]

    def __str__(self) -> str:
        return str.__str__(self.text("name"))


class CallNotice(models.Model):
    """A change announced to applicants on a published call: an extension of
    the closing instant, or a change made after proposals came in, with the
    coordinator's reason. The audit trail records the same change for the
    record; this is what applicants read."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("Closing extended")
        CHANGE = "change", _("Call changed")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="notices", verbose_name=_("call")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    posted_at = models.DateTimeField(_("posted at"))
    reason = models.TextField(_("reason"))
    old_closes_at = models.DateTimeField(_("previous closing"), null=True, blank=True)
    new_closes_at = models.DateTimeField(_("new closing"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice to applicants")
        verbose_name_plural = _("notices to applicants")
        ordering = ["call", "-posted_at", "-id"]
        constraints = [
            # An extension names both instants and only ever moves the closing later.
            models.CheckConstraint(
                condition=~Q(kind="extension")
                | (
                    Q(old_closes_at__isnull=False)
                    & Q(new_closes_at__isnull=False)
                    & Q(new_closes_at__gt=F("old_closes_at"))
                ),
                name="call_notice_extension_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call} — {self.get_kind_display()}"
