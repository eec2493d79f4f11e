from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from solidaire.calls.models import Call, Stream
from solidaire.common.money import MoneyField
from solidaire.programmes.models import FiscalYear, Programme, Territory


class Commitment(models.Model):
    """Money set aside for one purpose (usually one funded initiative), drawn
    from a programme's envelope and, when given, from a call's stream and
    territorial sub-envelope. Its amounts live in ledger entries."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("programme")
    )
    call = models.ForeignKey(
        Call,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("call"),
    )
    stream = models.ForeignKey(
        Stream,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("stream"),
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("territorial sub-envelope"),
    )
    reference = models.CharField(_("reference"), max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["programme", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stream__isnull=True) | Q(call__isnull=False),
                name="commitment_stream_needs_call",
            ),
            models.CheckConstraint(
                condition=Q(territory__isnull=True) | Q(stream__isnull=False),
                name="commitment_territory_needs_stream",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class AppendOnlyQuerySet(models.QuerySet[models.Model]):
    """Bulk writes would bypass the model's append-only guard: refuse them too."""

    def update(self, **kwargs: object) -> int:
        raise ValueError("Ledger entries are append-only; record a correcting entry.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("Ledger entries are append-only; record a correcting entry.")

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise ValueError("Ledger entries are append-only; record a correcting entry.")


class LedgerEntry(models.Model):
    """One append-only movement of money. Corrections are new entries."""

    class Kind(models.TextChoices):
        COMMIT = "commit", _("Commitment")
        RELEASE = "release", _("Release of a commitment")
        PAY = "pay", _("Payment")
        # Money paid that comes back: a payment reversed, or unspent money
        # the organisation repaid. It lowers what was paid, never an edit.
        REFUND = "refund", _("Money returned")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="entries", verbose_name=_("commitment")
    )
    fiscal_year = models.ForeignKey(
        FiscalYear,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("fiscal year"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = MoneyField(_("amount"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)
    effective_on = models.DateField(_("effective on"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("recorded by"),
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    # SHA-256 of what the entry says (see ``entry_digest``), written once:
    # ``ledger_verify`` names any entry altered behind the product's back.
    digest = models.CharField(_("fingerprint"), max_length=64, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_entry_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(kind__in=["commit", "release", "pay", "refund"]),
                name="ledger_entry_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.fiscal_year}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Append-only: the audit trail of money must never be rewritten.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Ledger entries are append-only; record a correcting entry.")
        self.digest = entry_digest(self)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Ledger entries are append-only; record a correcting entry.")


def entry_digest(entry: LedgerEntry) -> str:
    """The fingerprint of what an entry says (see :func:`digest_of`)."""
    return digest_of(
        commitment_id=entry.commitment_id,
        fiscal_year_id=entry.fiscal_year_id,
        kind=entry.kind,
        amount=entry.amount,
        effective_on=entry.effective_on,
        memo=entry.memo,
    )


def digest_of(
    *,
    commitment_id: int,
    fiscal_year_id: int,
    kind: str,
    amount: Decimal,
    effective_on: date,
    memo: str,
) -> str:
    """SHA-256 of an entry's commitment, fiscal year, kind, amount (two
    places), effective date and memo."""
    text = "|".join(
        [
            str(commitment_id),
            str(fiscal_year_id),
            kind,
            f"{amount:.2f}",
            effective_on.isoformat(),
            memo,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


class CarryOver(models.Model):
    """Money an ended fiscal year left uncommitted, moved to a later fiscal
    year of the same programme with the funder's authorisation. The source
    year's available balance falls and the target year's envelope rises by
    exactly ``amount``; without a carry-over the money lapses. Append-only,
    like the ledger's entries."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="carry_overs", verbose_name=_("programme")
    )
    source = models.ForeignKey(
        FiscalYear,
        on_delete=models.PROTECT,
        related_name="carry_overs_sent",
        verbose_name=_("from fiscal year"),
    )
    target = models.ForeignKey(
        FiscalYear,
        on_delete=models.PROTECT,
        related_name="carry_overs_received",
        verbose_name=_("to fiscal year"),
    )
    amount = MoneyField(_("amount"))
    reason = models.CharField(_("reason"), max_length=500)
    authorisation = models.CharField(_("funder's authorisation reference"), max_length=120)
    at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)
    effective_on = models.DateField(_("effective on"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carry_overs",
        verbose_name=_("recorded by"),
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("carry-over")
        verbose_name_plural = _("carry-overs")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="carry_over_amount_gt_0"),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="carry_over_to_another_year"
            ),
            models.CheckConstraint(
                condition=~Q(reason="") & ~Q(authorisation=""), name="carry_over_documented"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} {self.amount}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Carry-overs are append-only; record a correcting entry.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Carry-overs are append-only; record a correcting entry.")
