from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.common.bilingual import Bilingual
from solidaire.common.fiscal import fiscal_year_has_ended
from solidaire.common.money import MoneyField


class Region(models.Model):
    """One of Québec's 17 administrative regions (03 is Capitale-Nationale)."""

    code = models.CharField(
        _("code"), max_length=2, unique=True, validators=[RegexValidator(r"^\d{2}$")]
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Territory(models.Model):
    """A territory of a region: an MRC, an agglomeration, or a First Nation
    community. Used for equity in selection and in reporting."""

    class Kind(models.TextChoices):
        MRC = "mrc", _("Regional county municipality (MRC)")
        AGGLOMERATION = "agglomeration", _("Agglomeration")
        NATION = "nation", _("First Nation community")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="territories", verbose_name=_("region")
    )
    code = models.CharField(_("geographic code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    population = models.PositiveIntegerField(_("population (2021 census)"), null=True, blank=True)
    within = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enclaves",
        verbose_name=_("enclosed by"),
    )

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """A regional committee's multi-year programme and its trustee."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    trustee = models.CharField(
        _("trustee organisation"),
        max_length=200,
        help_text=_("Signs the agreements and records the payments."),
    )
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["region__code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="programme_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class FiscalYear(models.Model):
    """One Québec fiscal year (1 April – 31 March) of a programme's envelope,
    with the amount the programme may commit in it."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="fiscal_years",
        verbose_name=_("programme"),
    )
    label = models.CharField(
        _("fiscal year"), max_length=9, validators=[RegexValidator(r"^\d{4}-\d{4}$")]
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    envelope = MoneyField(_("envelope"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        ordering = ["programme", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "label"], name="fiscal_year_unique"),
            models.CheckConstraint(condition=Q(envelope__gte=0), name="fiscal_year_envelope_gte_0"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="fiscal_year_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def has_ended(self, today: date | None = None) -> bool:
        """Ended: its last day is before today in Québec. An ended year takes
        no new commitment; its uncommitted money lapses unless carried over."""
        return fiscal_year_has_ended(self.ends_on, today)


class WorkPlan(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="work_plans", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="work_plan_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Priority(Bilingual, models.Model):
    work_plan = models.ForeignKey(
        WorkPlan, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("work plan")
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["work_plan", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["work_plan", "code"], name="priority_code_unique")
        ]

    def __str__(self) -> str:
        return str.__str__(self.text("name"))


class ProgrammeRole(models.Model):
    """A person's role in a programme. Committee members carry their sector."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Programme coordinator")
        COMMITTEE = "committee", _("Committee member")
        EVALUATOR = "evaluator", _("Evaluator")
        TRUSTEE_FINANCE = "trustee_finance", _("Trustee finance officer")
        PANELLIST = "panellist", _("Panellist (person living in poverty)")

    class Sector(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal")
        GOVERNMENT = "government", _("Governmental")
        COMMUNITY = "community", _("Community")
        PHILANTHROPIC = "philanthropic", _("Philanthropic")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="roles", verbose_name=_("programme")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="programme_roles",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("programme role")
        verbose_name_plural = _("programme roles")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user", "role"], name="programme_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class ProgrammeInvitation(models.Model):
    """An invitation, sent by e-mail, to take a role in a programme's
    committee. Only a hash of its token is kept: the link in the e-mail is
    the only copy of the token. It is used once and expires."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("programme"),
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=ProgrammeRole.Role.choices)
    sector = models.CharField(
        _("sector"), max_length=20, choices=ProgrammeRole.Sector.choices, blank=True
    )
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitations",
        verbose_name=_("accepted by"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_invitations",
        verbose_name=_("invited by"),
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["programme", "-created_at"]
        constraints = [
            # One pending invitation per address and role: inviting twice is
            # refused by the service with a message, and by the database.
            models.UniqueConstraint(
                fields=["programme", "email", "role"],
                condition=Q(accepted_at__isnull=True),
                name="invitation_pending_unique",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="invitation_expires_after_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.get_role_display()}"
