"""Reads of the questions and answers: a proposal's thread, a person's
unread messages and their count (constant queries)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from solidaire.accounts.permissions import COORDINATOR, Roles
from solidaire.applications.models import Proposal
from solidaire.exchanges.models import Message, MessageReceipt


def thread_for(proposal: Proposal) -> list[Message]:
    """Every message of ``proposal``, oldest first, with its author (one query)."""
    return list(
        Message.objects.filter(proposal=proposal).select_related("author").order_by("sent_at", "pk")
    )


def _still_in_reach(roles: Roles) -> Q:
    """Receipts of proposals the person still takes part in: a member who
    left the organisation, or a coordinator who left the programme, no
    longer sees its messages."""
    return Q(
        message__proposal__organisation_id__in=roles.organisation_ids,
        message__side="coordination",
    ) | Q(
        message__proposal__call__programme_id__in=roles.programmes_with(COORDINATOR),
        message__side="organisation",
    )


def unread_receipts(roles: Roles) -> QuerySet[MessageReceipt]:
    """The person's unread messages, newest first, with what the list shows."""
    if roles.user_id is None:
        return MessageReceipt.objects.none()
    return (
        MessageReceipt.objects.filter(user_id=roles.user_id, read_at__isnull=True)
        .filter(_still_in_reach(roles))
        .select_related(
            "message__author", "message__proposal__organisation", "message__proposal__call"
        )
        .order_by("-message__sent_at", "-pk")
    )


def unread_count(roles: Roles) -> int:
    """How many messages the person has not read (one query; none for a
    person who takes part in no thread)."""
    if not roles.authenticated or not (
        roles.organisation_ids or roles.programmes_with(COORDINATOR)
    ):
        return 0
    return unread_receipts(roles).order_by().count()
