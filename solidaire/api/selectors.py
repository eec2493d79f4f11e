"""Reads behind the public API: programmes with their ledger figures.

Every figure comes from a fixed number of queries whatever the number of
programmes and calls (see ``test_api_programmes.py``): the programmes and their
regions, their published calls annotated with proposal counts, then the ledger
balances and call figures computed in bulk by ``solidaire.ledger.selectors``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from solidaire.api.schemas import (
    CallOut,
    EnvelopeOut,
    FiscalYearOut,
    ProgrammeOut,
    RegionOut,
)
from solidaire.applications.models import Proposal
from solidaire.calls.models import Call
from solidaire.common.money import ZERO, to_money
from solidaire.ledger.selectors import calls_figures, programmes_balances
from solidaire.programmes.models import Programme

FUNDED_STATUSES = (Proposal.Status.FUNDED, Proposal.Status.ACTIVE, Proposal.Status.CLOSED)


def money_text(value: Decimal) -> str:
    """``Decimal("1200000")`` → ``"1200000.00"``, never in exponent notation."""
    return f"{to_money(value):.2f}"


def _public_calls() -> QuerySet[Call]:
    # A proposal counts as received once it was submitted: ``submitted_at`` is
    # set by submission and kept when it is later withdrawn (a withdrawn draft
    # has none), which is how the press release counts "69 proposals received".
    funded = Q(proposals__status__in=FUNDED_STATUSES)
    return (
        Call.objects.filter(published=True)
        .annotate(
            proposals_received=Count(
                "proposals", filter=Q(proposals__submitted_at__isnull=False), distinct=True
            ),
            proposals_funded=Count("proposals", filter=funded, distinct=True),
            organisations_funded=Count("proposals__organisation", filter=funded, distinct=True),
        )
        .order_by("number")
    )


def public_programmes(*, programme_id: int | None = None) -> list[ProgrammeOut]:
    """Programmes with envelope figures per fiscal year and their published calls."""
    programmes_qs = (
        Programme.objects.select_related("region")
        .prefetch_related(Prefetch("calls", queryset=_public_calls(), to_attr="public_calls"))
        .order_by("region__code", "name", "pk")
    )
    if programme_id is not None:
        programmes_qs = programmes_qs.filter(pk=programme_id)
    programmes = list(programmes_qs)
    if not programmes:
        return []
    balances = programmes_balances(programmes)
    calls = [call for programme in programmes for call in programme.public_calls]  # type: ignore[attr-defined]
    figures = calls_figures(calls)
    now = timezone.now()

    result = []
    for programme in programmes:
        years = balances[programme.pk]
        result.append(
            ProgrammeOut(
                id=programme.pk,
                name=programme.name,
                region=RegionOut(code=programme.region.code, name=programme.region.name),
                trustee=programme.trustee,
                envelope=EnvelopeOut(
                    total=money_text(sum((y.envelope for y in years), ZERO)),
                    fiscal_years=[
                        FiscalYearOut(
                            label=y.label,
                            start=y.starts_on,
                            end=y.ends_on,
                            amount=money_text(y.envelope),
                            committed=money_text(y.net_committed),
                            paid=money_text(y.paid),
                            carried_over=money_text(y.carried_over),
                            lapsed=money_text(y.lapsed),
                            available=money_text(y.available),
                        )
                        for y in years
                    ],
                ),
                calls=[
                    CallOut(
                        id=call.pk,
                        number=call.number,
                        title=call.title,
                        status=call.status_at(now),  # type: ignore[arg-type]
                        # Shown in Québec's time, with the offset, so that a
                        # deadline reads as the call announced it.
                        opens_at=timezone.localtime(call.opens_at),
                        closes_at=timezone.localtime(call.closes_at),
                        available=money_text(figures[call.pk].available),
                        proposals_received=call.proposals_received,  # type: ignore[attr-defined]
                        proposals_funded=call.proposals_funded,  # type: ignore[attr-defined]
                        organisations_funded=call.organisations_funded,  # type: ignore[attr-defined]
                        amount_awarded=money_text(figures[call.pk].committed),
                    )
                    for call in programme.public_calls  # type: ignore[attr-defined]
                ],
            )
        )
    return result
