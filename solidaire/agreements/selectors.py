"""Reads for the trustee: payments due and made."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from solidaire.agreements.models import Payment

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_ZERO = Value(Decimal("0.00"))


def payments_for_programmes(programme_ids: Iterable[int]) -> QuerySet[Payment]:
    """Every payment of the agreements of these programmes, by due date, with
    what each row shows (agreement, organisation, fiscal year) in one query."""
    return (
        Payment.objects.filter(agreement__proposal__call__programme__in=list(programme_ids))
        .select_related(
            "agreement__proposal__organisation",
            "agreement__proposal__call__programme",
            "fiscal_year",
        )
        .order_by("due_on", "agreement__number", "sequence")
    )


@dataclass(frozen=True)
class PaymentTotals:
    scheduled: Decimal
    paid: Decimal
    scheduled_count: int
    paid_count: int


def payment_totals(payments: QuerySet[Payment]) -> PaymentTotals:
    """Totals due (scheduled) and made (paid) over ``payments``, one query."""
    row = payments.order_by().aggregate(
        scheduled=Coalesce(
            Sum("amount", filter=Q(status=Payment.Status.SCHEDULED)), _ZERO, output_field=_MONEY
        ),
        paid=Coalesce(
            Sum("amount", filter=Q(status=Payment.Status.PAID)), _ZERO, output_field=_MONEY
        ),
        scheduled_count=Count("pk", filter=Q(status=Payment.Status.SCHEDULED)),
        paid_count=Count("pk", filter=Q(status=Payment.Status.PAID)),
    )
    return PaymentTotals(
        scheduled=row["scheduled"],
        paid=row["paid"],
        scheduled_count=row["scheduled_count"],
        paid_count=row["paid_count"],
    )
