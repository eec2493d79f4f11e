"""The person's unread messages (``/messages/``). The thread itself is on
the proposal's page (``/demandes/<pk>/``), which gathers several apps."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from solidaire.applications.access import roles_for
from solidaire.exchanges.selectors import unread_receipts

PER_PAGE = 50


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Messages the person has not read yet, newest first; each opens its
    proposal's thread, which marks it read."""
    receipts = unread_receipts(roles_for(request.user))
    page = Paginator(receipts, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "exchanges/inbox.html", {"page": page})
