"""Writing questions and answers, and reading them.

A message is written by one side for the other: the programme's
coordinators when the organisation writes, the organisation's members when
the coordination does. Each of them gets a receipt (the unread list and
count) and, if they want it, an e-mail in their language, sent once the
message is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.accounts.permissions import COORDINATOR
from solidaire.applications.access import roles_for
from solidaire.applications.cycle import cycle_require
from solidaire.applications.models import OrganisationMember, Proposal
from solidaire.documents.storage import discard, store
from solidaire.documents.validation import UploadRefused, ValidatedUpload, validate_upload
from solidaire.exchanges.models import (
    MESSAGE_MAX_FILES,
    MESSAGE_MAX_LENGTH,
    Message,
    MessageAttachment,
    MessageReceipt,
)
from solidaire.exchanges.permissions import COORDINATION, message_side
from solidaire.exchanges.tasks import message_notify
from solidaire.programmes.models import ProgrammeRole


def _recipients(proposal: Proposal, side: str, author: User) -> list[int]:
    """The people of the other side: the organisation's members, or the
    programme's coordinators."""
    ids: set[int]
    if side == COORDINATION:
        ids = set(
            OrganisationMember.objects.filter(organisation_id=proposal.organisation_id).values_list(
                "user_id", flat=True
            )
        )
    else:
        ids = set(
            ProgrammeRole.objects.filter(
                programme_id=proposal.call.programme_id, role=COORDINATOR
            ).values_list("user_id", flat=True)
        )
    return sorted(ids - {author.pk})


FOLDER = "messages"


def _validated(files: Sequence[Any]) -> list[ValidatedUpload]:
    """Every file through the one validation path; all refusals at once, on
    ``documents``, so that the person corrects them in one go."""
    if len(files) > MESSAGE_MAX_FILES:
        raise ValidationError(
            {
                "documents": [
                    _("A message carries at most %(max)d documents; %(n)d were chosen.")
                    % {"max": MESSAGE_MAX_FILES, "n": len(files)}
                ]
            }
        )
    uploads, refusals = [], []
    for file in files:
        try:
            uploads.append(validate_upload(file))
        except ValidationError as exc:
            refusals.extend(exc.messages)
    if refusals:
        raise ValidationError({"documents": refusals})
    return uploads


def message_post(
    *,
    proposal: Proposal,
    author: User,
    body: str,
    link: str = "",
    files: Sequence[Any] = (),
    now: datetime | None = None,
) -> Message:
    """Post ``body`` on ``proposal``'s thread for the side ``author`` speaks
    for, with ``files`` as its documents; deliver it to the other side and
    e-mail them once saved.

    Refused (``PermissionDenied``) for a person who takes no part in the
    thread; an empty or too long message is a ``ValidationError`` on
    ``body``, a refused file one on ``documents`` (nothing is then written:
    no message, no file). ``link`` is the proposal's address for the e-mail.
    """
    side = message_side(
        roles_for(author),
        programme_id=proposal.call.programme_id,
        organisation_id=proposal.organisation_id,
    )
    if side is None:
        raise PermissionDenied(
            _("Only the organisation and the programme's coordination exchange here.")
        )
    cycle_require("message.post")
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": [_("Write your message before sending it.")]})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "body": [
                    _("A message holds at most %(max)d characters; this one has %(n)d.")
                    % {"max": MESSAGE_MAX_LENGTH, "n": len(text)}
                ]
            }
        )
    uploads = _validated(files)
    stored: list[str] = []
    try:
        with transaction.atomic():
            message = _record(proposal, author, side, text, now, link)
            for upload in uploads:
                try:
                    name = store(upload, folder=FOLDER)
                except UploadRefused as exc:
                    # A full disk, said beside the documents like any refusal.
                    raise ValidationError({"documents": exc.messages}) from exc
                stored.append(name)
                MessageAttachment.objects.create(
                    message=message,
                    stored_name=name,
                    name=upload.name,
                    size=upload.size,
                    content_type=upload.content_type,
                    sha256=upload.sha256,
                )
    except BaseException:
        # Nothing was recorded: the stored files must not stay behind.
        for name in stored:
            discard(name)
        raise
    return message


def _record(
    proposal: Proposal, author: User, side: str, text: str, now: datetime | None, link: str
) -> Message:
    with transaction.atomic():
        message = Message.objects.create(
            proposal=proposal, author=author, side=side, body=text, sent_at=now or timezone.now()
        )
        MessageReceipt.objects.bulk_create(
            MessageReceipt(message=message, user_id=user_id)
            for user_id in _recipients(proposal, side, author)
        )
        # Queued after the commit: a message rolled back sends no e-mail.
        transaction.on_commit(lambda: message_notify.enqueue(message.pk, link))
    return message


def messages_mark_read(*, proposal: Proposal, user: User, now: datetime | None = None) -> int:
    """Mark every message of ``proposal`` delivered to ``user`` as read
    (the person opened the thread). Returns how many were unread."""
    return MessageReceipt.objects.filter(
        message__proposal=proposal, user=user, read_at__isnull=True
    ).update(read_at=now or timezone.now())
