"""The facts call set-up needs from the floors above ``calls``: what the
ledger has available per fiscal year, whether a call already received
proposals, and who applied to it (to announce a change)."""

from __future__ import annotations

from solidaire.applications.models import OrganisationMember, Proposal
from solidaire.calls.models import Call
from solidaire.calls.services import YearFunds
from solidaire.ledger.selectors import programme_balances
from solidaire.programmes.models import Programme


def ledger_funds(programme: Programme) -> dict[int, YearFunds]:
    """Fiscal year id → label, end and what the ledger has available in it."""
    available = {b.label: b.available for b in programme_balances(programme)}
    return {
        fy.pk: YearFunds(label=fy.label, ends_on=fy.ends_on, available=available[fy.label])
        for fy in programme.fiscal_years.order_by("starts_on")
    }


def submissions_received(call: Call) -> bool:
    """Whether any proposal was ever submitted to ``call`` (a withdrawn one
    too: it was read under the call's rules)."""
    return Proposal.objects.filter(call=call, submitted_at__isnull=False).exists()


def applicant_addresses(call: Call) -> list[str]:
    """E-mail addresses of the organisations that wrote a proposal to
    ``call``, drafts included, and of their members."""
    organisations = Proposal.objects.filter(call=call).values("organisation")
    members = OrganisationMember.objects.filter(organisation__in=organisations).values_list(
        "user__email", flat=True
    )
    own = Proposal.objects.filter(call=call).values_list("organisation__email", flat=True)
    return sorted({address for address in [*members, *own] if address})
