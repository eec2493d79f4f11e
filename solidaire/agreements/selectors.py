"""Reads for the trustee (agreements, payments due and made, the ledger's
entries) and for the funded organisation (its agreement, schedule and reports)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from solidaire.agreements.models import Agreement, Payment, PaymentReversal, Report
from solidaire.agreements.services import payment_condition_unmet
from solidaire.applications.access import FUNDED_STATUSES, awarded_amount_expression
from solidaire.applications.models import Proposal
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import money_sums
from solidaire.programmes.models import Programme

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


# ----------------------------------------------------------------------------- trustee's pages


def funded_proposals_for_programmes(programme_ids: Iterable[int]) -> QuerySet[Proposal]:
    """Funded initiatives of these programmes, with their agreement (if any),
    organisation and net committed amount, in one query."""
    return (
        Proposal.objects.filter(
            call__programme__in=list(programme_ids),
            status__in=FUNDED_STATUSES,
            commitment__isnull=False,
        )
        .select_related("organisation", "call__programme", "agreement")
        .annotate(awarded=awarded_amount_expression())
        .order_by("call__programme__name", "call__number", "reference")
    )


@dataclass(frozen=True)
class CommitmentYear:
    """One fiscal year of an initiative's commitment, read from the ledger."""

    label: str
    committed: Decimal
    paid: Decimal

    @property
    def unpaid(self) -> Decimal:
        return self.committed - self.paid


def commitment_years(commitment_id: int | None) -> list[CommitmentYear]:
    """Net committed, paid and unpaid money of a commitment per fiscal year."""
    if commitment_id is None:
        return []
    rows: Any = (
        LedgerEntry.objects.filter(commitment_id=commitment_id)
        .values("fiscal_year__label", "fiscal_year__starts_on")
        .annotate(**money_sums())
        .order_by("fiscal_year__starts_on")
    )
    return [
        CommitmentYear(
            label=row["fiscal_year__label"],
            committed=row["committed"] - row["released"],
            paid=row["paid"],
        )
        for row in rows
    ]


PAYMENT_STATES = ("due", "overdue", "paid")


def payments_in_state(payments: QuerySet[Payment], state: str, today: date) -> QuerySet[Payment]:
    """``due``: scheduled; ``overdue``: scheduled and past its due date;
    ``paid``: made, most recent first. Anything else: every payment."""
    S = Payment.Status
    if state == "due":
        return payments.filter(status=S.SCHEDULED)
    if state == "overdue":
        return payments.filter(status=S.SCHEDULED, due_on__lt=today)
    if state == "paid":
        return payments.filter(status=S.PAID).order_by("-paid_on", "agreement__number", "sequence")
    return payments


def payments_made_for_programmes(programme_ids: Iterable[int]) -> QuerySet[Payment]:
    """Payments made, in the order the accountant reconciles them (by date)."""
    return (
        payments_for_programmes(programme_ids)
        .filter(status=Payment.Status.PAID)
        .select_related("ledger_entry")
        .order_by("paid_on", "agreement__number", "sequence")
    )


def ledger_entries_for_programme(programme: Programme) -> QuerySet[LedgerEntry]:
    """Every ledger entry of a programme, newest first, with what a row shows."""
    return (
        LedgerEntry.objects.filter(fiscal_year__programme=programme)
        .select_related("commitment", "fiscal_year", "actor")
        .order_by("-at", "-id")
    )


# ----------------------------------------------------------------------------- organisation's space


@dataclass(frozen=True)
class ScheduleRow:
    """One payment as the funded organisation reads it: ``state`` is
    ``paid``, ``due`` (its condition is met), ``blocked`` (``why`` says what
    it waits for) or ``cancelled``."""

    payment: Payment
    state: str
    why: str | None = None


@dataclass(frozen=True)
class ReportDueRow:
    """One report the organisation owes: ``received``, ``late`` (past its due
    date and not received) or ``expected``."""

    report: Report
    state: str


@dataclass(frozen=True)
class FundedSpace:
    agreement: Agreement
    schedule: list[ScheduleRow]
    reports: list[ReportDueRow]


def funded_space(proposal: Proposal, today: date) -> FundedSpace | None:
    """The agreement of a funded initiative, its payment schedule (paid, due,
    blocked and why) and the reports it owes, read-only; ``None`` when no
    agreement was issued yet. Three queries whatever the number of payments
    and reports: each payment's condition is judged on the reports read once."""
    agreement = Agreement.objects.filter(proposal_id=proposal.pk).first()
    if agreement is None:
        return None
    reports = list(
        Report.objects.filter(agreement=agreement)
        .select_related("fiscal_year")
        .order_by("due_on", "pk")
    )
    S = Payment.Status
    schedule = []
    for payment in (
        Payment.objects.filter(agreement=agreement)
        .select_related("fiscal_year")
        .order_by("sequence")
    ):
        payment.agreement = agreement
        if payment.status == S.PAID:
            schedule.append(ScheduleRow(payment, "paid"))
        elif payment.status == S.CANCELLED:
            schedule.append(ScheduleRow(payment, "cancelled"))
        else:
            why = payment_condition_unmet(payment, today, reports=reports)
            schedule.append(ScheduleRow(payment, "blocked" if why else "due", why))
    rows = [
        ReportDueRow(
            report,
            "received"
            if report.received_on is not None
            else ("late" if report.due_on < today else "expected"),
        )
        for report in reports
    ]
    return FundedSpace(agreement=agreement, schedule=schedule, reports=rows)


# ----------------------------------------------------------------------------- payment queue


@dataclass(frozen=True)
class QueueRow:
    """One payment as the trustee's queue reads it. ``state``: ``paid``,
    ``cancelled``, ``blocked`` (``why`` says what its condition waits for),
    ``overdue`` (payable, past its due date), ``due`` (payable today) or
    ``upcoming`` (payable, due later). ``late``: past its due date and
    unpaid, whether blocked or not."""

    payment: Payment
    state: str
    why: str | None = None
    late: bool = False


def payment_queue(payments: Iterable[Payment], today: date) -> list[QueueRow]:
    """The rows of a page of the payment queue, each condition judged on
    the agreements' reports read in one query (whatever the number of rows)."""
    payments = list(payments)
    reports: dict[int, list[Report]] = {}
    for report in Report.objects.filter(
        agreement__in={p.agreement_id for p in payments}
    ).select_related("fiscal_year"):
        reports.setdefault(report.agreement_id, []).append(report)
    rows = []
    S = Payment.Status
    for payment in payments:
        if payment.status == S.PAID:
            rows.append(QueueRow(payment, "paid"))
            continue
        if payment.status == S.CANCELLED:
            rows.append(QueueRow(payment, "cancelled"))
            continue
        late = payment.due_on < today
        why = payment_condition_unmet(payment, today, reports=reports.get(payment.agreement_id, []))
        if why:
            rows.append(QueueRow(payment, "blocked", why, late))
        elif late:
            rows.append(QueueRow(payment, "overdue", None, late))
        elif payment.due_on == today:
            rows.append(QueueRow(payment, "due"))
        else:
            rows.append(QueueRow(payment, "upcoming"))
    return rows


def payments_for_run(programme_ids: Iterable[int], on: date) -> QuerySet[Payment]:
    """The payment file of a day: payments made that day, and those still
    unpaid that are due on or before it (due and overdue), by due date."""
    S = Payment.Status
    return (
        payments_for_programmes(programme_ids)
        .filter(Q(status=S.PAID, paid_on=on) | Q(status=S.SCHEDULED, due_on__lte=on))
        .select_related("ledger_entry")
    )


def ledger_memos(entries: Iterable[LedgerEntry]) -> dict[int, str]:
    """Each entry's memo in the reader's language: a payment or its
    reversal is described from the payment it records (one query); any
    other entry keeps the memo written with it."""
    entries = list(entries)
    memos = {e.pk: e.memo for e in entries}
    ids = [e.pk for e in entries if e.kind in (LedgerEntry.Kind.PAY, LedgerEntry.Kind.REFUND)]
    for payment in Payment.objects.filter(ledger_entry__in=ids).select_related("agreement"):
        memos[payment.ledger_entry_id] = _("Payment %(n)s of agreement %(number)s") % {  # type: ignore[index]
            "n": payment.sequence,
            "number": payment.agreement.number,
        }
    for reversal in PaymentReversal.objects.filter(entry__in=ids).select_related(
        "payment__agreement"
    ):
        memos[reversal.entry_id] = _("Reversal of payment %(n)s of agreement %(number)s") % {
            "n": reversal.payment.sequence,
            "number": reversal.payment.agreement.number,
        }
    return memos
