"""Plain Django views of the machine-readable surface outside the versioned API."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a trivial query, 503 otherwise.

    Load balancers and ``.ci/run`` poll this: it must stay cheap and must not
    need a session, a user or any table of ours.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer.")
        return JsonResponse(
            {"status": "error", "detail": _("The database does not answer.")}, status=503
        )
    return JsonResponse({"status": "ok"})


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under ``/api/``: a JSON 404, never an HTML page.

    This route matches everything, so it would defeat ``APPEND_SLASH``; it
    redirects to the slashed address itself when that one exists.
    """
    path = request.path_info
    if not path.endswith("/"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
