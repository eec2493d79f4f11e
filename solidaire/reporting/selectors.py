"""Reads for accountability: programme figures (envelope, calls) for the
dashboards, and the public list of funded initiatives of a decided call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from solidaire.accounts.permissions import ANONYMOUS, check
from solidaire.applications.access import FUNDED_STATUSES, awarded_amount_expression
from solidaire.applications.models import Proposal
from solidaire.calls.models import Call
from solidaire.common.money import ZERO
from solidaire.ledger.selectors import (
    FiscalYearBalance,
    balance_totals,
    calls_figures,
    programmes_balances,
)
from solidaire.programmes.models import Programme

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
