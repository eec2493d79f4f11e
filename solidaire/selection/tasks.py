"""Background work of the selection step: the decision letters.

Queued with Django's tasks framework once the decision's transaction has
committed, so a decision rolled back never sends a letter.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _

from solidaire.applications.models import Proposal
from solidaire.common.money import ZERO, format_money
from solidaire.ledger.models import LedgerEntry
from solidaire.reviews.models import EligibilityResult
from solidaire.selection.models import Decision


def _letter(
    proposal: Proposal, decision: Decision, amount: str | None, reasons: list[str]
) -> tuple[str, str]:
    subject = _("Decision on your proposal %(reference)s") % {"reference": proposal.reference}
    if proposal.status == Proposal.Status.INELIGIBLE:
        body = _(
            "Hello,\n\nThe regional committee of %(programme)s has decided its call "
            "(resolution %(resolution)s). The initiative “%(title)s” of %(organisation)s was "
            "found ineligible, for these reasons:\n\n%(reasons)s\n\nThe coordination team"
        )
    elif amount is not None:
        body = _(
            "Hello,\n\nThe regional committee of %(programme)s has retained the initiative "
            "“%(title)s” of %(organisation)s (resolution %(resolution)s). The amount granted "
            "is %(amount)s. The trustee will send you the financial-assistance agreement.\n\n"
            "The coordination team"
        )
    else:
        body = _(
            "Hello,\n\nThe regional committee of %(programme)s has examined the initiative "
            "“%(title)s” of %(organisation)s (resolution %(resolution)s). We regret that it "
            "was not retained in this call.\n\nThe coordination team"
        )
    return subject, body % {
        "programme": decision.call.programme.name,
        "title": proposal.title,
        "organisation": proposal.organisation.legal_name,
        "resolution": decision.resolution_number,
        "amount": amount,
        "reasons": "\n".join(f"- {reason}" for reason in reasons),
    }


@task
def decision_letters_send(decision_id: int) -> int:
    """Send each organisation of the decided call its decision letter, in
    each recipient's language: funded, declined, or ineligible with the
    reasons of the screening. Returns the number of messages sent."""
    decision = Decision.objects.select_related("call__programme").get(pk=decision_id)
    proposals = (
        Proposal.objects.filter(
            call=decision.call,
            status__in=[
                Proposal.Status.FUNDED,
                Proposal.Status.DECLINED,
                Proposal.Status.INELIGIBLE,
            ],
        )
        .select_related("organisation", "commitment")
        .prefetch_related("organisation__members")
    )
    committed: dict[int, Decimal] = {}
    for entry in LedgerEntry.objects.filter(
        commitment__call=decision.call, kind=LedgerEntry.Kind.COMMIT
    ).values("commitment_id", "amount"):
        key = entry["commitment_id"]
        committed[key] = committed.get(key, ZERO) + entry["amount"]
    reasons: dict[int, list[str]] = {}
    for proposal_id, reason in (
        EligibilityResult.objects.filter(proposal__call=decision.call, passed=False)
        .order_by("rule__order", "rule_id")
        .values_list("proposal_id", "reason")
    ):
        reasons.setdefault(proposal_id, []).append(reason)
    messages = []
    for proposal in proposals:
        recipients: dict[str, list[str]] = {}
        if proposal.organisation.email:
            recipients.setdefault("fr", []).append(proposal.organisation.email)
        for member in proposal.organisation.members.all():
            if member.email:
                recipients.setdefault(member.preferred_language or "fr", []).append(member.email)
        for language, addresses in sorted(recipients.items()):
            with translation.override(language):
                amount = (
                    format_money(committed.get(proposal.commitment_id, ZERO), language)
                    if proposal.commitment_id
                    else None
                )
                subject, body = _letter(proposal, decision, amount, reasons.get(proposal.pk, []))
            messages.append(
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, sorted(set(addresses)))
            )
    for message in messages:
        message.send()
    return len(messages)
