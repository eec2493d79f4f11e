"""The public JSON API, version 1 (django-ninja).

django-ninja was chosen over Django REST framework + drf-spectacular because
it declares support for Django 6.1, brings one dependency (pydantic) instead
of five, derives the OpenAPI schema from the same typed schemas that shape
the responses, and ships the Swagger UI assets in its wheel so that the docs
page works offline once ``ninja`` is in ``INSTALLED_APPS``.

Every error is JSON ``{"detail": ..., "code": ...}`` with a message in the
request's language (French unless ``Accept-Language`` asks for English).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from solidaire.api.schemas import ErrorOut, ProgrammeListOut, ProgrammeOut
from solidaire.api.selectors import public_programmes

api_v1 = NinjaAPI(
    title="Solidaire API",
    version="1",
    description=(
        "Public, read-only figures of the grant programmes run with Solidaire: "
        "envelopes per Québec fiscal year, calls for initiatives, proposals received "
        "and funded, money awarded. Amounts are decimal strings in CAD; instants are "
        "ISO 8601 in America/Toronto time with their offset."
    ),
    urls_namespace="api-v1",
)


def error_response(request: HttpRequest, *, status: int, code: str, detail: str) -> HttpResponse:
    return api_v1.create_response(request, {"detail": detail, "code": code}, status=status)


@api_v1.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, status=404, code="not_found", detail=_("Not found."))


@api_v1.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # A path that cannot name an object (``/programmes/abc/``) names nothing:
    # that is a 404, as for a number that matches no programme.
    if any(error.get("loc", ("",))[0] == "path" for error in exc.errors):
        return _not_found(request, exc)
    return api_v1.create_response(
        request,
        {
            "detail": _("The request is not valid."),
            "code": "invalid",
            "errors": [
                {"loc": list(error.get("loc", ())), "msg": error.get("msg", "")}
                for error in exc.errors
            ],
        },
        status=422,
    )


@api_v1.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, status=exc.status_code, code="error", detail=str(exc))


@api_v1.get(
    "/programmes/",
    response=ProgrammeListOut,
    tags=["programmes"],
    summary="Programmes with their envelope and published calls",
)
def programme_list(request: HttpRequest) -> ProgrammeListOut:
    return ProgrammeListOut(results=public_programmes())


@api_v1.get(
    "/programmes/{programme_id}/",
    response={200: ProgrammeOut, 404: ErrorOut},
    tags=["programmes"],
    summary="One programme with its envelope and published calls",
)
def programme_detail(request: HttpRequest, programme_id: int) -> ProgrammeOut:
    found = public_programmes(programme_id=programme_id)
    if not found:
        raise Http404
    return found[0]
