"""The receipt of a submitted version, as a PDF.

The receipt is drawn from the frozen version, never from the proposal as it
stands: what it states (the answers' fingerprint, the amounts) is what was
received at that instant, even after the proposal is reopened and changed.
It is rendered in the language active when called; the e-mail task activates
each recipient's language first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from solidaire.applications.models import Proposal, ProposalVersion
from solidaire.common.pdf import render_pdf

TEMPLATE = "pdf/proposal_receipt.html"
QUEBEC = ZoneInfo("America/Toronto")


def receipt_context(proposal: Proposal, version: ProposalVersion) -> dict[str, Any]:
    """What the receipt shows, read from the version's snapshot."""
    content = version.content
    requested = [
        {"fiscal_year": row["fiscal_year"], "amount": Decimal(row["amount"])}
        for row in content.get("requested", [])
    ]
    return {
        "proposal": proposal,
        "call": proposal.call,
        "programme": proposal.call.programme,
        "version": version,
        "content": content,
        # Québec time: the call's deadline is stated in it.
        "submitted_at": timezone.localtime(version.submitted_at, QUEBEC),
        "requested": requested,
        "total_requested": sum((row["amount"] for row in requested), Decimal("0.00")),
        "total_cost": Decimal(content.get("total_cost", "0")),
    }


def receipt_filename(version: ProposalVersion) -> str:
    return f"{version.receipt_number}.pdf"


def receipt_pdf(proposal: Proposal, version: ProposalVersion) -> bytes:
    """The receipt of ``version`` as PDF bytes, in the active language."""
    return render_pdf(TEMPLATE, receipt_context(proposal, version))
