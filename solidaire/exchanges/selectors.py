"""Reads of the questions and answers: a proposal's thread, a person's
unread messages and their count (constant queries)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from solidaire.accounts.permissions import COORDINATOR, Person, Roles
from solidaire.applications.access import roles_for
from solidaire.applications.models import Proposal
from solidaire.exchanges.models import Message, MessageAttachment, MessageReceipt
from solidaire.exchanges.permissions import take_part


def thread_for(proposal: Proposal) -> list[Message]:
    """Every message of ``proposal``, oldest first, with its author and
    documents (two queries)."""
    return list(
        Message.objects.filter(proposal=proposal)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("sent_at", "pk")
    )


def message_attachment_for_user(user: Person, pk: int) -> MessageAttachment:
    """A document of a message, for a person who takes part in its thread
    (the organisation's members, the programme's coordination); 404 for
    anyone else, who learns nothing of it."""
    attachment = (
        MessageAttachment.objects.select_related("message__proposal__call").filter(pk=pk).first()
    )
    if attachment is None:
        raise Http404
    proposal = attachment.message.proposal
    allowed, _reason = take_part(
        roles_for(user),
        programme_id=proposal.call.programme_id,
        organisation_id=proposal.organisation_id,
    )
    if not allowed:
        raise Http404
    return attachment


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
