"""French first: pages are in French unless the person chose English.

Django's LocaleMiddleware follows the browser's Accept-Language, so a
workstation set up in English would get an English site by default. For a
Québec public programme French is the default whatever the browser says; the
language switch (a cookie) is the only way to English. The JSON API keeps the
usual negotiation, since its clients are programs that say what they want.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class FrenchFirstLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def language_for(self, request: HttpRequest) -> str:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in SUPPORTED:
            return str(chosen)
        if request.path.startswith("/api/"):
            return translation.get_language_from_request(request)
        return settings.LANGUAGE_CODE

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self.language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        response.headers.setdefault("Content-Language", language)
        return response


class RefusalMiddleware:
    """A service's refusal that no view caught becomes a page that says why.

    Services refuse with a ``ValidationError`` (the cycle's rules, an
    illegal status change, a date out of bounds). Views catch the refusals
    they expect and show them beside the form; one that slips through — two
    people acting on the same proposal at once, say — must still read as a
    plain message, never as a server error. Nothing was written: the
    services refuse before, or inside, their transaction.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ValidationError):
            return None
        return render(
            request,
            "refused.html",
            {"messages_list": exception.messages, "back": _safe_back(request)},
            status=409,
        )


def _safe_back(request: HttpRequest) -> str:
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"
