"""Reads of the ledger: balances per fiscal year, per call, per pool."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, Q, Sum
from django.db.models.functions import Coalesce

from solidaire.calls.models import Allocation, Call
from solidaire.common.fiscal import quebec_today
from solidaire.common.money import ZERO
from solidaire.ledger.models import CarryOver, LedgerEntry
from solidaire.programmes.models import FiscalYear, Programme

K = LedgerEntry.Kind
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum_of(kind: str) -> Coalesce:
    return Coalesce(Sum("amount", filter=Q(kind=kind)), ZERO, output_field=_MONEY)


def money_sums() -> dict[str, Any]:
    """Committed, released and paid totals of a set of ledger entries, as
    aggregate or annotate expressions (no entry: zero). Paid is net of money
    returned (a payment reversed, unspent money repaid)."""
    return {
        "committed": _sum_of(K.COMMIT),
        "released": _sum_of(K.RELEASE),
        "paid": ExpressionWrapper(_sum_of(K.PAY) - _sum_of(K.REFUND), output_field=_MONEY),
    }


def _rows(queryset: Any) -> list[dict[str, Any]]:
    """Rows of a ``values().annotate()`` query, typed loosely for the sums."""
    return list(queryset)


@dataclass(frozen=True)
class FiscalYearBalance:
    """One fiscal year's figures. ``envelope`` is the amount as voted;
    ``carried_over`` is signed (negative when sent to a later year, positive
    when received); ``lapsed`` is what an ended year left uncommitted and did
    not carry over (never negative), so that
    ``available = envelope + carried_over − net committed − lapsed``."""

    label: str
    starts_on: date
    ends_on: date
    envelope: Decimal
    committed: Decimal
    released: Decimal
    paid: Decimal
    carried_over: Decimal = ZERO
    ended: bool = False
    # Totals over several years add the years' lapsed amounts.
    lapsed_total: Decimal | None = None

    @property
    def net_committed(self) -> Decimal:
        return self.committed - self.released

    @property
    def lapsed(self) -> Decimal:
        if self.lapsed_total is not None:
            return self.lapsed_total
        if not self.ended:
            return ZERO
        return max(self.envelope + self.carried_over - self.net_committed, ZERO)

    @property
    def available(self) -> Decimal:
        return self.envelope + self.carried_over - self.net_committed - self.lapsed

    @property
    def unpaid(self) -> Decimal:
        return self.net_committed - self.paid


def _carried_over(fiscal_year_ids: Iterable[int]) -> dict[int, Decimal]:
    """Signed carry-overs per fiscal year: received minus sent (one query)."""
    ids = list(fiscal_year_ids)
    carried: dict[int, Decimal] = {}
    for row in _rows(
        CarryOver.objects.filter(Q(source__in=ids) | Q(target__in=ids)).values(
            "source", "target", "amount"
        )
    ):
        carried[row["source"]] = carried.get(row["source"], ZERO) - row["amount"]
        carried[row["target"]] = carried.get(row["target"], ZERO) + row["amount"]
    return carried


def _balance(
    fy: FiscalYear, sums: dict[str, Any], carried: Decimal, today: date
) -> FiscalYearBalance:
    return FiscalYearBalance(
        label=fy.label,
        starts_on=fy.starts_on,
        ends_on=fy.ends_on,
        envelope=fy.envelope,
        committed=Decimal(sums.get("committed", ZERO)),
        released=Decimal(sums.get("released", ZERO)),
        paid=Decimal(sums.get("paid", ZERO)),
        carried_over=carried,
        ended=fy.has_ended(today),
    )


def programme_balances(programme: Programme) -> list[FiscalYearBalance]:
    """Envelope, committed, released, paid, carried over, lapsed and
    available per fiscal year."""
    return programmes_balances([programme])[programme.pk]


def programmes_balances(programmes: Iterable[Programme]) -> dict[int, list[FiscalYearBalance]]:
    """Balances of several programmes in three queries (for list pages and the API)."""
    programmes = list(programmes)
    ids = [p.pk for p in programmes]
    rows: dict[int, dict[str, Any]] = {
        row["fiscal_year"]: row
        for row in _rows(
            LedgerEntry.objects.filter(fiscal_year__programme__in=ids)
            .values("fiscal_year")
            .annotate(**money_sums())
        )
    }
    years = list(FiscalYear.objects.filter(programme__in=ids).order_by("starts_on"))
    carried = _carried_over(fy.pk for fy in years)
    today = quebec_today()
    result: dict[int, list[FiscalYearBalance]] = {pk: [] for pk in ids}
    for fy in years:
        result[fy.programme_id].append(
            _balance(fy, rows.get(fy.pk, {}), carried.get(fy.pk, ZERO), today)
        )
    return result


def balance_totals(balances: Iterable[FiscalYearBalance]) -> FiscalYearBalance | None:
    balances = list(balances)
    if not balances:
        return None
    return FiscalYearBalance(
        label="",
        starts_on=balances[0].starts_on,
        ends_on=balances[-1].ends_on,
        envelope=sum((b.envelope for b in balances), ZERO),
        committed=sum((b.committed for b in balances), ZERO),
        released=sum((b.released for b in balances), ZERO),
        paid=sum((b.paid for b in balances), ZERO),
        carried_over=sum((b.carried_over for b in balances), ZERO),
        ended=all(b.ended for b in balances),
        lapsed_total=sum((b.lapsed for b in balances), ZERO),
    )


def carry_overs_for_programme(programme: Programme) -> Any:
    """The programme's carry-overs, newest first, with their years and author."""
    return (
        CarryOver.objects.filter(programme=programme)
        .select_related("source", "target", "actor")
        .order_by("-at", "-id")
    )


@dataclass(frozen=True)
class CallFigures:
    committed: Decimal
    paid: Decimal
    available: Decimal


def calls_figures(calls: Iterable[Call]) -> dict[int, CallFigures]:
    """Net committed, paid and available money of each call, in a few queries.

    A call with allocations (streams, sub-envelopes) has available, per fiscal
    year, what its own pools have left, capped by what the programme's
    envelope (with carry-overs) has left. A call without allocations draws on
    the programme's remaining envelope: that is how a second call's amount
    follows from what the first did not commit. Only fiscal years still open
    count: an ended year's money has lapsed or been carried over.
    """
    calls = list(calls)
    if not calls:
        return {}
    programme_ids = {c.programme_id for c in calls}
    programme_left: dict[int, Decimal] = {}  # fiscal year id -> available
    years_of: dict[int, list[int]] = {pk: [] for pk in programme_ids}
    years = list(FiscalYear.objects.filter(programme__in=programme_ids).order_by("starts_on"))
    carried = _carried_over(fy.pk for fy in years)
    today = quebec_today()
    for fy in years:
        programme_left[fy.pk] = fy.envelope + carried.get(fy.pk, ZERO)
        # An ended year's money has lapsed or been carried over: no call draws on it.
        if not fy.has_ended(today):
            years_of[fy.programme_id].append(fy.pk)
    for row in _rows(
        LedgerEntry.objects.filter(fiscal_year__programme__in=programme_ids)
        .values("fiscal_year")
        .annotate(**money_sums())
    ):
        programme_left[row["fiscal_year"]] -= row["committed"] - row["released"]

    per_call_fy: dict[tuple[int, int], dict[str, Any]] = {}
    for row in _rows(
        LedgerEntry.objects.filter(commitment__call__in=[c.pk for c in calls])
        .values("commitment__call", "fiscal_year")
        .annotate(**money_sums())
    ):
        per_call_fy[(row["commitment__call"], row["fiscal_year"])] = row

    # A stream's pool in a year is its stream-level allocation, or, when it
    # has none, the sum of its territorial sub-envelopes.
    pools: dict[tuple[int, int, int], dict[str, Decimal]] = {}
    for alloc in _rows(
        Allocation.objects.filter(stream__call__in=[c.pk for c in calls]).values(
            "stream__call", "stream", "fiscal_year", "territory", "amount"
        )
    ):
        key = (alloc["stream__call"], alloc["stream"], alloc["fiscal_year"])
        slot = pools.setdefault(key, {"stream": ZERO, "territories": ZERO, "has_stream": ZERO})
        if alloc["territory"] is None:
            slot["stream"] = alloc["amount"]
            slot["has_stream"] = Decimal(1)
        else:
            slot["territories"] += alloc["amount"]
    call_pool_fy: dict[tuple[int, int], Decimal] = {}
    for (call_id, _stream, fy_id), slot in pools.items():
        amount = slot["stream"] if slot["has_stream"] else slot["territories"]
        call_pool_fy[(call_id, fy_id)] = call_pool_fy.get((call_id, fy_id), ZERO) + amount

    figures: dict[int, CallFigures] = {}
    for call in calls:
        committed = paid = available = ZERO
        call_has_pools = any(key[0] == call.pk for key in call_pool_fy)
        for (call_id, _fy_id), row in per_call_fy.items():
            if call_id == call.pk:
                committed += row["committed"] - row["released"]
                paid += row["paid"]
        for fy_id in years_of[call.programme_id]:
            left_in_programme = max(programme_left[fy_id], ZERO)
            if call_has_pools:
                pool = call_pool_fy.get((call.pk, fy_id))
                if pool is None:
                    continue
                fy_row: dict[str, Any] = per_call_fy.get((call.pk, fy_id), {})
                left_in_call = pool - (fy_row.get("committed", ZERO) - fy_row.get("released", ZERO))
                available += min(max(left_in_call, ZERO), left_in_programme)
            else:
                available += left_in_programme
        figures[call.pk] = CallFigures(committed=committed, paid=paid, available=available)
    return figures
