"""When the database does not answer: a plain page that says so, never a 500.

A request that meets a database that is down, restarting or refusing
connections (``OperationalError``, ``InterfaceError``) gets 503 with a short
message and ``Retry-After``: an HTML page for people, JSON for the API and
the pages' background saves. The answer is built without the database: no
context processor, no ``request.user``, the language taken from the same
cookie (or, for the API, the same ``Accept-Language``) the locale middleware
reads. Nothing is half written: every service that writes more than one row
does so inside ``transaction.atomic``, so the failed statement takes the
others of its transaction with it.

Two paths lead here. A view (or its template) that fails is caught by
:class:`DatabaseUnavailableMiddleware`; a middleware that fails (a session
saved after the view, say) is turned into a response by Django before any
outer middleware sees it, so :func:`server_error`, the project's
``handler500``, looks at the exception being handled and answers the same.
Either way one JSON error line is logged, and Django's own "Service
Unavailable" line is not added to it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("solidaire.unavailable")

RETRY_AFTER_SECONDS = 30
# The pages' background saves answer JSON, and read a refusal's "message".
JSON_URL_NAMES = {"applications:autosave", "agreements:report_autosave"}
DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(exception: BaseException | None) -> bool:
    return isinstance(exception, DATABASE_ERRORS)


def unavailable_message() -> str:
    return _(
        "The service is temporarily unavailable: the database is not answering. "
        "Your data already saved is not affected; try again in a few moments."
    )


def _language(request: HttpRequest) -> str:
    chosen = getattr(request, "LANGUAGE_CODE", None)
    if chosen:
        return str(chosen)
    # The locale middleware had not run yet: ask it, it reads no database.
    from solidaire.common.middleware import FrenchFirstLocaleMiddleware

    return FrenchFirstLocaleMiddleware(lambda r: HttpResponse()).language_for(request)


def _wants_json(request: HttpRequest) -> bool:
    if request.headers.get("x-requested-with"):
        return True
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return True
    try:
        return resolve(request.path_info).view_name in JSON_URL_NAMES
    except Resolver404:
        return False


def unavailable_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """503 with the message, in the person's language, without the database."""
    logger.error(
        "The database does not answer: %s %s",
        request.method,
        request.path,
        extra={
            "fields": {
                "event": "database_unavailable",
                "method": request.method,
                "path": request.path,
                "error": f"{type(exception).__name__}: {str(exception).strip()[:300]}",
            }
        },
    )
    with translation.override(_language(request)):
        message = unavailable_message()
        response: HttpResponse
        if request.path.startswith("/api/"):
            # The API's error shape, as its other errors.
            response = JsonResponse({"detail": message, "code": "database_unavailable"}, status=503)
        elif _wants_json(request):
            # The shape of the background saves' refusals, read by their scripts.
            response = JsonResponse({"saved": False, "message": message}, status=503)
        else:
            # Rendered without the request: no context processor runs.
            html = loader.get_template("503_database.html").render(
                {"message": message, "language": translation.get_language()}
            )
            response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # Logged above, once: Django would add a line of its own for any 5xx.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        return unavailable_response(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the database page when the database is the cause."""
    exception = sys.exc_info()[1]
    if database_unavailable(exception):
        assert exception is not None
        return unavailable_response(request, exception)
    return defaults.server_error(request)
