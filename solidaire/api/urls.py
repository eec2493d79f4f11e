"""The JSON API: ``/api/v1/`` (schema at ``/api/v1/openapi.json``, docs at
``/api/v1/docs``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.translation import gettext as _

from solidaire.api.api import api_v1
from solidaire.api.views import api_not_found


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    # django-ninja answers a wrong method with a plain-text 405; clients of
    # this API read every error as JSON, so the same answer is rewritten here.
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            rewritten = JsonResponse(
                {"detail": _("This method is not allowed here."), "code": "method_not_allowed"},
                status=405,
            )
            rewritten["Allow"] = response["Allow"]
            return rewritten
        return response

    return wrapper


def _v1_patterns() -> list[URLPattern | URLResolver]:
    patterns, _app_name, _namespace = api_v1.urls
    return [
        URLPattern(p.pattern, _json_method_not_allowed(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]


urlpatterns = [
    path("v1/", include((_v1_patterns(), "api-v1"), namespace="api-v1")),
    re_path(r"^(?P<rest>.*)$", api_not_found, name="api-not-found"),
]
