"""Reads for accountability: programme figures (envelope, calls) for the
dashboards, the public list of funded initiatives of a decided call, and the
public pages of the calls themselves (what they fund, for whom, until when)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from solidaire.accounts.permissions import ANONYMOUS, check
from solidaire.applications.access import FUNDED_STATUSES, awarded_amount_expression
from solidaire.applications.models import Organisation, Proposal
from solidaire.calls.models import (
    Allocation,
    Call,
    Criterion,
    EligibilityRule,
    RequiredDocument,
    ScaleLevel,
    Stream,
)
from solidaire.common.bilingual import local_text
from solidaire.common.money import ZERO
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import (
    FiscalYearBalance,
    balance_totals,
    calls_figures,
    money_sums,
    programmes_balances,
)
from solidaire.programmes.models import Programme, ProgrammeRole, Territory

S = Proposal.Status
# Every status a proposal reaches once it passed eligibility screening.
PASSED_ELIGIBILITY = (
    S.ELIGIBLE,
    S.UNDER_REVIEW,
    S.RECOMMENDED,
    S.NOT_RECOMMENDED,
    S.FUNDED,
    S.DECLINED,
    S.ACTIVE,
    S.CLOSED,
)


@dataclass(frozen=True)
class CallRow:
    call: Call
    status: str
    status_label: str
    received: int
    eligible: int
    funded: int
    organisations_funded: int
    awarded: Decimal
    paid: Decimal
    available: Decimal

    @property
    def results_are_public(self) -> bool:
        return self.status == Call.Status.DECIDED and self.call.published


@dataclass(frozen=True)
class ProgrammeOverview:
    programme: Programme
    balances: list[FiscalYearBalance]
    totals: FiscalYearBalance | None
    calls: list[CallRow]


def calls_with_counts(programme_ids: Iterable[int]) -> QuerySet[Call]:
    """Calls of these programmes with their proposal counts, in one query."""
    in_status = "proposals__status__in"
    return (
        Call.objects.filter(programme__in=list(programme_ids))
        .annotate(
            received=Count("proposals", filter=Q(proposals__submitted_at__isnull=False)),
            eligible=Count("proposals", filter=Q(**{in_status: PASSED_ELIGIBILITY})),
            funded=Count("proposals", filter=Q(**{in_status: FUNDED_STATUSES})),
            organisations_funded=Count(
                "proposals__organisation", filter=Q(**{in_status: FUNDED_STATUSES}), distinct=True
            ),
        )
        .order_by("programme", "number")
    )


def programme_overviews(programmes: Iterable[Programme]) -> list[ProgrammeOverview]:
    """Envelope by fiscal year (with totals) and calls with their counts and
    money, for each programme; a fixed number of queries however many calls
    and years there are."""
    programmes = list(programmes)
    balances = programmes_balances(programmes)
    calls = list(calls_with_counts(p.pk for p in programmes))
    figures = calls_figures(calls)
    rows: dict[int, list[CallRow]] = {p.pk: [] for p in programmes}
    for call in calls:
        money = figures[call.pk]
        status = call.status
        rows[call.programme_id].append(
            CallRow(
                call=call,
                status=status,
                status_label=str(Call.Status(status).label),
                received=call.received,  # type: ignore[attr-defined]
                eligible=call.eligible,  # type: ignore[attr-defined]
                funded=call.funded,  # type: ignore[attr-defined]
                organisations_funded=call.organisations_funded,  # type: ignore[attr-defined]
                awarded=money.committed,
                paid=money.paid,
                available=money.available,
            )
        )
    return [
        ProgrammeOverview(
            programme=p,
            balances=balances[p.pk],
            totals=balance_totals(balances[p.pk]),
            calls=rows[p.pk],
        )
        for p in programmes
    ]


@dataclass(frozen=True)
class PublicProgramme:
    programme: Programme
    calls: list[Call]


def public_programmes_with_calls() -> list[PublicProgramme]:
    """Programmes and their published calls, for the public landing page."""
    programmes = Programme.objects.select_related("region").prefetch_related(
        Prefetch("calls", queryset=Call.objects.filter(published=True).order_by("number"))
    )
    return [PublicProgramme(programme=p, calls=list(p.calls.all())) for p in programmes]


def decided_call(programme_slug: str, number: int) -> Call:
    """A call whose results are public, or 404."""
    call = (
        Call.objects.select_related("programme__region", "decision")
        .filter(programme__slug=programme_slug, number=number)
        .first()
    )
    if call is None:
        raise Http404
    allowed, _reason = check(
        ANONYMOUS,
        "call.view_results",
        decided=call.decided_at is not None,
        published=call.published,
    )
    if not allowed:
        raise Http404
    return call


@dataclass(frozen=True)
class FundedInitiative:
    organisation: str
    title: str
    territory: str
    amount: Decimal


@dataclass(frozen=True)
class CallResults:
    call: Call
    initiatives: list[FundedInitiative]
    total: Decimal

    @property
    def organisations(self) -> int:
        return len({row.organisation for row in self.initiatives})


def funded_initiatives(call: Call) -> CallResults:
    """The initiatives a decided call funds, with the amount the ledger holds
    for each; two queries however many there are."""
    proposals = (
        Proposal.objects.filter(call=call, status__in=FUNDED_STATUSES)
        .select_related("organisation__territory")
        .prefetch_related("territories")
        .annotate(awarded=awarded_amount_expression())
        .order_by("organisation__legal_name", "title")
    )
    rows = []
    for proposal in proposals:
        # The territories the initiative serves, or, when none was recorded,
        # where the organisation is based.
        served = sorted(t.name for t in proposal.territories.all())
        rows.append(
            FundedInitiative(
                organisation=proposal.organisation.legal_name,
                title=proposal.title,
                territory=", ".join(served) or proposal.organisation.territory.name,
                amount=proposal.awarded,  # type: ignore[attr-defined]
            )
        )
    return CallResults(call=call, initiatives=rows, total=sum((r.amount for r in rows), ZERO))


# ----------------------------------------------------------------------------- public call pages


@dataclass(frozen=True)
class PublicCallRow:
    """A published call as the public list shows it."""

    call: Call
    status: str
    status_label: str
    # Open calls only: whole days from today to the closing day, in Québec
    # time (0 when the call closes today).
    days_left: int | None
    # What the call's streams may commit, all fiscal years together; None
    # while no stream has an amount (the amount is announced later).
    allocated: Decimal | None


@dataclass(frozen=True)
class PublicCallIndex:
    open: list[PublicCallRow]
    upcoming: list[PublicCallRow]
    closed: list[PublicCallRow]  # closed and decided, the latest first

    @property
    def empty(self) -> bool:
        return not (self.open or self.upcoming or self.closed)


def _days_left(call: Call, status: str, now: datetime) -> int | None:
    if status != Call.Status.OPEN:
        return None
    return (timezone.localdate(call.closes_at) - timezone.localdate(now)).days


def _row(call: Call, now: datetime, allocated: Decimal | None) -> PublicCallRow:
    status = call.status_at(now)
    return PublicCallRow(
        call=call,
        status=status,
        status_label=str(Call.Status(status).label),
        days_left=_days_left(call, status, now),
        allocated=allocated,
    )


def public_call_index(now: datetime | None = None) -> PublicCallIndex:
    """Every programme's published calls, grouped into open (closing soonest
    first), upcoming (opening soonest first) and closed or decided (latest
    first); one query whatever the number of calls."""
    now = now or timezone.now()
    calls = (
        Call.objects.filter(published=True)
        .select_related("programme__region")
        .annotate(allocated=Sum("streams__allocations__amount"))
        .order_by("closes_at", "pk")
    )
    groups: dict[str, list[PublicCallRow]] = {"open": [], "upcoming": [], "closed": []}
    for call in calls:
        row = _row(call, now, call.allocated)  # type: ignore[attr-defined]
        group = row.status if row.status in ("open", "upcoming") else "closed"
        groups[group].append(row)
    groups["upcoming"].sort(key=lambda r: (r.call.opens_at, r.call.pk))
    groups["closed"].reverse()
    return PublicCallIndex(**groups)


def published_call(programme_slug: str, number: int) -> Call:
    """A published call of a programme, or 404: a call in preparation does
    not exist for the public."""
    call = (
        Call.objects.select_related("programme__region")
        .filter(programme__slug=programme_slug, number=number, published=True)
        .first()
    )
    if call is None:
        raise Http404
    return call


@dataclass(frozen=True)
class StreamAmounts:
    """A stream with what it may commit, by fiscal year and by territory
    (territorial sub-envelopes); ``total`` is None while nothing is set."""

    stream: Stream
    by_year: list[tuple[str, Decimal]]
    by_territory: list[tuple[str, Decimal]]
    total: Decimal | None


@dataclass(frozen=True)
class Contact:
    name: str
    email: str


@dataclass(frozen=True)
class PublicCallPage:
    """Everything an organisation needs to decide whether to apply."""

    row: PublicCallRow
    streams: list[StreamAmounts]
    criteria: list[Criterion]
    scale: list[ScaleLevel]
    eligibility_rules: list[EligibilityRule]
    organisation_types: list[str]
    territories: list[Territory]
    documents: list[RequiredDocument]
    contacts: list[Contact]

    @property
    def call(self) -> Call:
        return self.row.call

    @property
    def total(self) -> Decimal | None:
        amounts = [s.total for s in self.streams if s.total is not None]
        return sum(amounts, ZERO) if amounts else None


def _stream_amounts(stream: Stream) -> StreamAmounts:
    by_year: dict[str, Decimal] = {}
    by_territory: dict[str, Decimal] = {}
    for allocation in stream.allocations.all():
        label = allocation.fiscal_year.label
        by_year[label] = by_year.get(label, ZERO) + allocation.amount
        if allocation.territory is not None:
            name = allocation.territory.name
            by_territory[name] = by_territory.get(name, ZERO) + allocation.amount
    return StreamAmounts(
        stream=stream,
        by_year=sorted(by_year.items()),
        by_territory=sorted(by_territory.items()),
        total=sum(by_year.values(), ZERO) if by_year else None,
    )


def public_call_page(call: Call, now: datetime | None = None) -> PublicCallPage:
    """The public page of a published call: streams and their amounts, who
    may apply, the evaluation grid, the documents and whom to ask; a fixed
    number of queries however many streams, criteria or documents."""
    now = now or timezone.now()
    streams = list(
        Stream.objects.filter(call=call)
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("fiscal_year", "territory"),
            )
        )
        .order_by("id")
    )
    amounts = [_stream_amounts(s) for s in streams]
    allocated = [s.total for s in amounts if s.total is not None]
    coordinators = (
        ProgrammeRole.objects.filter(
            programme_id=call.programme_id, role=ProgrammeRole.Role.COORDINATOR
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    return PublicCallPage(
        row=_row(call, now, sum(allocated, ZERO) if allocated else None),
        streams=amounts,
        criteria=list(Criterion.objects.filter(call=call).order_by("order", "id")),
        scale=list(ScaleLevel.objects.filter(call=call).order_by("value")),
        eligibility_rules=list(EligibilityRule.objects.filter(call=call).order_by("order", "id")),
        # Every type but "other" is eligible: the screening's automatic check
        # reads the same list (solidaire.reviews.selectors).
        organisation_types=[
            str(label)
            for value, label in Organisation.Type.choices
            if value != Organisation.Type.OTHER
        ],
        territories=list(Territory.objects.filter(region_id=call.programme.region_id)),
        documents=list(RequiredDocument.objects.filter(call=call).order_by("-mandatory", "id")),
        contacts=[
            Contact(name=role.user.get_full_name() or role.affiliation, email=role.user.email)
            for role in coordinators
        ],
    )


# ----------------------------------------------------------------------------- the ministry's table


def _balance_has(name: str) -> bool:
    """Whether the ledger's fiscal-year balance carries ``name`` (lapsed and
    carried-over money are read from the ledger when it records them)."""
    return name in getattr(FiscalYearBalance, "__dataclass_fields__", {}) or hasattr(
        FiscalYearBalance, name
    )


@dataclass(frozen=True)
class MinistryRow:
    """One programme's figures, all fiscal years together (``programme`` is
    None on the total row)."""

    programme: Programme | None
    fiscal_years: int
    envelope: Decimal
    committed: Decimal
    paid: Decimal
    lapsed: Decimal | None
    carried_over: Decimal | None
    available: Decimal
    calls: int
    received: int
    funded: int


@dataclass(frozen=True)
class StreamRow:
    """Money of one stream of a programme, all its calls together (streams
    of successive calls with the same code are the same stream)."""

    programme: Programme
    code: str
    name: str
    calls: int
    committed: Decimal
    paid: Decimal


@dataclass(frozen=True)
class MinistryTable:
    rows: list[MinistryRow]
    total: MinistryRow
    streams: list[StreamRow]
    has_lapsed: bool
    has_carried_over: bool


def _figure(balance: FiscalYearBalance, name: str) -> Decimal:
    """A figure of a fiscal year's balance, named (some are recorded by the
    ledger only in later versions: see :func:`_balance_has`)."""
    return Decimal(getattr(balance, name))


def _sum_of(balances: list[FiscalYearBalance], name: str) -> Decimal:
    return sum((_figure(b, name) for b in balances), ZERO)


def _carried_forward(balances: list[FiscalYearBalance]) -> Decimal:
    """Money carried over from one fiscal year to a later one of the same
    programme. The ledger signs each year's figure (sent negative, received
    positive), so over a whole programme they cancel out: what the ministry
    reads is the amount moved, the sum of what the later years received."""
    return sum((max(_figure(b, "carried_over"), ZERO) for b in balances), ZERO)


def ministry_table() -> MinistryTable:
    """Every programme side by side, and their total: envelope, committed,
    paid, lapsed and carried over (when the ledger records them), available,
    calls and proposals received and funded; and the money of each stream.

    The money is the ledger's, fiscal year by fiscal year, summed here; a
    fixed number of queries however many programmes, calls and proposals."""
    has_lapsed, has_carried = _balance_has("lapsed"), _balance_has("carried_over")
    programmes = list(Programme.objects.select_related("region").order_by("region__code", "name"))
    ids = [p.pk for p in programmes]
    balances = programmes_balances(programmes)
    counts: dict[int, dict[str, Any]] = {
        row["call__programme"]: row
        for row in cast(
            list[dict[str, Any]],
            Proposal.objects.filter(call__programme__in=ids)
            .values("call__programme")
            .annotate(
                received=Count("pk", filter=Q(submitted_at__isnull=False)),
                funded=Count("pk", filter=Q(status__in=FUNDED_STATUSES)),
            ),
        )
    }
    calls = {
        row["programme"]: row["n"]
        for row in Call.objects.filter(programme__in=ids)
        .values("programme")
        .annotate(n=Count("pk"))
    }
    rows = []
    for p in programmes:
        years = balances[p.pk]
        rows.append(
            MinistryRow(
                programme=p,
                fiscal_years=len(years),
                envelope=_sum_of(years, "envelope"),
                committed=_sum_of(years, "net_committed"),
                paid=_sum_of(years, "paid"),
                lapsed=_sum_of(years, "lapsed") if has_lapsed else None,
                carried_over=_carried_forward(years) if has_carried else None,
                available=_sum_of(years, "available"),
                calls=calls.get(p.pk, 0),
                received=counts.get(p.pk, {}).get("received", 0),
                funded=counts.get(p.pk, {}).get("funded", 0),
            )
        )

    def total(name: str) -> Any:
        values = [getattr(r, name) for r in rows]
        if any(v is None for v in values):
            return None
        return sum(values, ZERO if name not in _COUNTS else 0)

    total_row = MinistryRow(programme=None, **{name: total(name) for name in _TOTALLED})

    # Streams: names from each programme's latest call, money from the ledger.
    names: dict[tuple[int, str], str] = {}
    stream_calls: dict[tuple[int, str], set[int]] = {}
    for stream in (
        Stream.objects.filter(call__programme__in=ids)
        .order_by("call__programme", "call__number", "pk")
        .values("call__programme", "call_id", "code", "name", "name_en")
    ):
        key = (stream["call__programme"], stream["code"])
        names[key] = local_text(stream["name"], stream["name_en"])
        stream_calls.setdefault(key, set()).add(stream["call_id"])
    money: dict[tuple[int, str], dict[str, Any]] = {}
    for row in cast(
        list[dict[str, Any]],
        LedgerEntry.objects.filter(commitment__programme__in=ids)
        .values("commitment__programme", "commitment__stream__code")
        .annotate(**money_sums()),
    ):
        money[(row["commitment__programme"], row["commitment__stream__code"] or "")] = row
    by_id = {p.pk: p for p in programmes}
    streams = []
    for key in sorted(set(names) | set(money), key=lambda k: (ids.index(k[0]), k[1] == "", k[1])):
        sums = money.get(key, {})
        streams.append(
            StreamRow(
                programme=by_id[key[0]],
                code=key[1],
                name=names.get(key, ""),
                calls=len(stream_calls.get(key, ())),
                committed=Decimal(sums.get("committed", ZERO))
                - Decimal(sums.get("released", ZERO)),
                paid=Decimal(sums.get("paid", ZERO)),
            )
        )
    return MinistryTable(
        rows=rows,
        total=total_row,
        streams=streams,
        has_lapsed=has_lapsed,
        has_carried_over=has_carried,
    )


_COUNTS = ("fiscal_years", "calls", "received", "funded")
_TOTALLED = (
    "fiscal_years",
    "envelope",
    "committed",
    "paid",
    "lapsed",
    "carried_over",
    "available",
    "calls",
    "received",
    "funded",
)
