"""Reads for the evaluator's pages: the whole proposal beside the grid and
the next review to do."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from solidaire.accounts.permissions import Person
from solidaire.applications.models import Attachment, BudgetLine, OtherFunding, Proposal
from solidaire.reviews.models import Review
from solidaire.reviews.selectors import reviews_for_evaluator


@dataclass(frozen=True)
class ProposalFile:
    """Everything an evaluator reads of a proposal."""

    budget_lines: list[BudgetLine]
    budget_total: Decimal
    other_funding: list[OtherFunding]
    attachments: list[Attachment]


def proposal_file(proposal: Proposal) -> ProposalFile:
    lines = list(BudgetLine.objects.filter(proposal=proposal).select_related("fiscal_year"))
    return ProposalFile(
        budget_lines=lines,
        budget_total=sum((line.amount for line in lines), Decimal(0)),
        other_funding=list(OtherFunding.objects.filter(proposal=proposal).order_by("id")),
        attachments=list(
            Attachment.objects.filter(proposal=proposal).select_related("document").order_by("id")
        ),
    )


def next_review(user: Person, *, after: Review) -> Review | None:
    """The evaluator's next review still to score, other than ``after``."""
    return (
        reviews_for_evaluator(user)
        .filter(status=Review.Status.ASSIGNED)
        .exclude(pk=after.pk)
        .first()
    )
