"""The person's unread messages (``/messages/``). The thread itself is on
the proposal's page (``/demandes/<pk>/``), which gathers several apps."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from solidaire.applications.access import roles_for
from solidaire.documents.responses import attachment_response
from solidaire.exchanges.selectors import message_attachment_for_user, unread_receipts

PER_PAGE = 50


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Messages the person has not read yet, newest first; each opens its
    proposal's thread, which marks it read."""
    receipts = unread_receipts(roles_for(request.user))
    page = Paginator(receipts, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "exchanges/inbox.html", {"page": page})


@login_required
@require_GET
def message_document(request: HttpRequest, pk: int) -> FileResponse:
    """A document sent with a message, as a download (attachment, nosniff),
    for the two sides of its thread only."""
    attachment = message_attachment_for_user(request.user, pk)
    return attachment_response(
        stored_name=attachment.stored_name,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
