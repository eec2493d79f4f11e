"""Objects of the cycle at a chosen moment, for the tests of its rules.

The programme runs from the fiscal year before today's to four years after,
so that today's fiscal year is open whatever day the suite runs.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from solidaire.agreements.models import Agreement
from solidaire.agreements.services import agreement_issue, agreement_sign
from solidaire.applications import cycle
from solidaire.applications.models import Proposal
from solidaire.calls.models import Call
from solidaire.common.fiscal import fiscal_year_start
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.reviews.models import Review
from solidaire.testing import factories as f

S = Proposal.Status
R = Review.Status
A = Agreement.Status
DAY = timedelta(days=1)


def current_programme() -> Any:
    first = fiscal_year_start(timezone.localdate()) - 1
    return f.ProgrammeFactory(
        starts_on=date(first, 4, 1),
        ends_on=date(first + 5, 3, 31),
        years=[Decimal("840000.00")] * 5,
    )


def open_year(programme: Any) -> Any:
    """Today's fiscal year of ``programme``."""
    today = timezone.localdate()
    return programme.fiscal_years.get(starts_on__lte=today, ends_on__gte=today)


def call_at(programme: Any, moment: str) -> Call:
    now = timezone.now()
    dates = {
        cycle.DRAFT_CALL: (now - 10 * DAY, now + 10 * DAY),
        cycle.UPCOMING: (now + 10 * DAY, now + 40 * DAY),
        cycle.OPEN: (now - 10 * DAY, now + 10 * DAY),
        cycle.CLOSED: (now - 40 * DAY, now - 10 * DAY),
        cycle.DECIDED: (now - 40 * DAY, now - 10 * DAY),
    }[moment]
    call = f.CallFactory(
        programme=programme,
        opens_at=dates[0],
        closes_at=dates[1],
        published=moment != cycle.DRAFT_CALL,
        decided_at=now - DAY if moment == cycle.DECIDED else None,
    )
    for value in range(1, 6):
        f.ScaleLevelFactory(call=call, value=value)
    f.CriterionFactory(call=call, code="inclusion", weight=Decimal("100"))
    f.EligibilityRuleFactory(call=call, code="manuel")
    assert call.status == moment
    return call


def complete_draft(call: Call, organisation: Any = None) -> Proposal:
    fy = open_year(call.programme)
    proposal = f.ProposalFactory(
        call=call,
        organisation=organisation or f.OrganisationFactory(),
        summary="Une épicerie solidaire.",
        poverty_participation="Un comité de personnes concernées décide.",
        starts_on=fy.starts_on,
        ends_on=fy.ends_on,
        total_cost=Decimal("50000.00"),
    )
    proposal.territories.set([f.territory()])
    f.RequestedAmountFactory(proposal=proposal, fiscal_year=fy, amount=Decimal("20000.00"))
    return proposal


def with_status(call: Call, status: str) -> Proposal:
    proposal = complete_draft(call)
    Proposal.objects.filter(pk=proposal.pk).update(
        status=status, submitted_at=None if status == S.DRAFT else timezone.now() - 20 * DAY
    )
    proposal.refresh_from_db()
    return proposal


def submitted_review(proposal: Proposal, value: int = 4) -> Review:
    review = f.ReviewFactory(proposal=proposal, status=R.SUBMITTED, submitted_at=timezone.now())
    for criterion in proposal.call.criteria.all():
        f.ScoreFactory(review=review, criterion=criterion, value=value)
    return review


def funded(call: Call, status: str = S.FUNDED, amount: str = "20000.00") -> Proposal:
    proposal = with_status(call, status)
    commitment = commitment_create(
        programme=call.programme,
        reference=f"proposal:{proposal.pk}",
        label=proposal.title,
        call=call,
    )
    ledger_commit(
        commitment=commitment,
        amounts={open_year(call.programme): Decimal(amount)},
        actor=None,
        effective_on=timezone.localdate(),
    )
    Proposal.objects.filter(pk=proposal.pk).update(commitment=commitment)
    proposal.refresh_from_db()
    return proposal


def agreement_at(proposal: Proposal, state: str) -> Agreement | None:
    """The proposal's agreement in ``state`` ("" for none), made through
    the services where they exist."""
    if state == cycle.NO_AGREEMENT:
        return None
    today = timezone.localdate()
    status = proposal.status
    if status != S.FUNDED:
        Proposal.objects.filter(pk=proposal.pk).update(status=S.FUNDED)
        proposal.refresh_from_db()
    agreement = agreement_issue(proposal=proposal, actor=None, issued_on=today - 5 * DAY)
    if state in (A.SIGNED, A.COMPLETED):
        agreement_sign(agreement=agreement, actor=None, signed_on=today - 4 * DAY, signatory="D")
    if state in (A.TERMINATED, A.COMPLETED):
        Agreement.objects.filter(pk=agreement.pk).update(status=state)
    Proposal.objects.filter(pk=proposal.pk).update(status=status)
    proposal.refresh_from_db()
    agreement.refresh_from_db()
    return agreement
