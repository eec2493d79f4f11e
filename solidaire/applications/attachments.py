"""The documents of a proposal: attaching a file to a required-document slot
(a new file replaces the old one), removing it, reading it back.

Every file goes through ``solidaire.documents.validate_upload`` before
anything is written; a refused file leaves no row and no file behind.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.accounts.permissions import Person
from solidaire.applications.access import proposal_for_user
from solidaire.applications.models import Attachment, Proposal
from solidaire.audit.services import audit_record
from solidaire.calls.models import RequiredDocument
from solidaire.documents.responses import attachment_response
from solidaire.documents.storage import discard, store
from solidaire.documents.validation import UploadRefused, validate_upload

FOLDER = "attachments"


def _check_draft(proposal: Proposal) -> None:
    if proposal.status != Proposal.Status.DRAFT:
        raise ValidationError(
            _("Only a draft's documents can be changed; this proposal was submitted.")
        )


def attachment_put(
    *, proposal: Proposal, document: RequiredDocument, file: Any, actor: User | None
) -> Attachment:
    """Validate ``file`` and attach it to ``proposal`` in the slot of
    ``document``, replacing the file already there.

    Raises :class:`~solidaire.documents.validation.UploadRefused` (or a
    ``ValidationError``) with the reason, and writes nothing, when the file
    is refused, when the proposal is no longer a draft, or when the
    proposal's documents together would exceed
    ``settings.PROPOSAL_UPLOADS_MAX_BYTES``.
    """
    _check_draft(proposal)
    if document.call_id != proposal.call_id:
        raise ValidationError(_("This document is not one the call asks for."))
    upload = validate_upload(file)
    stored_name = store(upload, folder=FOLDER)
    replaced = ""
    try:
        with transaction.atomic():
            # The row lock serialises two uploads to one proposal, so both
            # cannot pass the total-size check with what the other adds.
            Proposal.objects.select_for_update().filter(pk=proposal.pk).values("pk").get()
            previous = Attachment.objects.filter(proposal=proposal, document=document).first()
            siblings = Attachment.objects.filter(proposal=proposal)
            if previous is not None:
                siblings = siblings.exclude(pk=previous.pk)
            others = siblings.aggregate(total=Sum("size"))["total"] or 0
            limit = int(settings.PROPOSAL_UPLOADS_MAX_BYTES)
            if others + upload.size > limit:
                raise UploadRefused(
                    _("“%(name)s” was refused: %(reason)s"),
                    code="proposal_too_large",
                    params={
                        "name": upload.name,
                        "reason": _("the proposal's documents together would exceed %(limit)s.")
                        % {"limit": filesizeformat(limit)},
                    },
                )
            if previous is not None:
                replaced = previous.stored_name
                previous.delete()
            attachment = Attachment.objects.create(
                proposal=proposal,
                document=document,
                stored_name=stored_name,
                name=upload.name,
                size=upload.size,
                content_type=upload.content_type,
                sha256=upload.sha256,
                uploaded_by=actor,
            )
            audit_record(
                actor=actor,
                event_type="proposal.document_attached",
                target=proposal,
                new_value=upload.name,
                data={"document": document.code, "sha256": upload.sha256, "size": upload.size},
            )
            if replaced:
                transaction.on_commit(lambda: discard(replaced))
    except BaseException:
        # Nothing was recorded: the stored file must not stay behind.
        discard(stored_name)
        raise
    return attachment


def attachment_remove(*, proposal: Proposal, attachment_id: int, actor: User | None) -> str:
    """Remove a draft's attachment and its file; return the file's name."""
    _check_draft(proposal)
    with transaction.atomic():
        attachment = Attachment.objects.filter(proposal=proposal, pk=attachment_id).first()
        if attachment is None:
            raise ValidationError(_("This document was already removed."))
        name, stored_name = attachment.name, attachment.stored_name
        attachment.delete()
        audit_record(
            actor=actor, event_type="proposal.document_removed", target=proposal, old_value=name
        )
        transaction.on_commit(lambda: discard(stored_name))
    return name


def attachment_download(*, user: Person, proposal_pk: int, attachment_pk: int) -> FileResponse:
    """The file of an attachment, for those who may see its proposal (404
    for anyone else, who learns nothing of the file)."""
    proposal = proposal_for_user(user, proposal_pk)
    attachment = Attachment.objects.filter(proposal=proposal, pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return attachment_response(
        stored_name=attachment.stored_name,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )


def document_field_name(document: RequiredDocument) -> str:
    """The name of a required document's slot in the editor's form (and of
    its completeness error)."""
    return f"document_{document.pk}"


def attachment_slots(proposal: Proposal) -> list[tuple[RequiredDocument, Attachment | None]]:
    """The call's required documents, each with the file in its slot (two queries)."""
    documents = list(RequiredDocument.objects.filter(call_id=proposal.call_id).order_by("id"))
    attached = {
        a.document_id: a
        for a in Attachment.objects.filter(proposal=proposal, document__isnull=False)
    }
    return [(d, attached.get(d.pk)) for d in documents]
