"""Public pages: the calls for initiatives (what they fund, until when, how
to apply, the deadline as a calendar file) and what a decided call funds."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from solidaire.reporting.calendar import deadline_calendar
from solidaire.reporting.selectors import (
    decided_call,
    funded_initiatives,
    public_call_index,
    public_call_page,
    published_call,
)

# Where the sign-up page lives when accounts can be created on this site.
SIGNUP_PATH = "/inscription/"


def call_results(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The funded initiatives of a decided call: organisation, title,
    territory, amount, and the total. Public, no sign-in."""
    results = funded_initiatives(decided_call(programme, number))
    return render(
        request,
        "reporting/call_results.html",
        {"results": results, "header_programme": results.call.programme},
    )


@require_GET
def call_list(request: HttpRequest) -> HttpResponse:
    """Every programme's published calls: open, upcoming, closed. Public."""
    return render(request, "reporting/call_list.html", {"index": public_call_index()})


def _signup_url() -> str | None:
    """The sign-up page, when this installation has one."""
    try:
        return reverse("account_signup")
    except NoReverseMatch:
        pass
    try:
        resolve(SIGNUP_PATH)
    except Resolver404:
        return None
    return SIGNUP_PATH


def _apply_url(request: HttpRequest) -> str:
    """Where « Apply » leads: the page that starts a proposal, through the
    sign-in form for a visitor who is not signed in."""
    start = reverse("applications:start")
    if request.user.is_authenticated:
        return start
    return f"{reverse('accounts:login')}?{urlencode({REDIRECT_FIELD_NAME: start})}"


@require_GET
def call_detail(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """A published call: what it funds, for whom, until when, on which
    criteria, with which documents, and the way to apply. Public."""
    page = public_call_page(published_call(programme, number))
    return render(
        request,
        "reporting/call_detail.html",
        {
            "page": page,
            "call": page.call,
            "apply_url": _apply_url(request),
            "signup_url": None if request.user.is_authenticated else _signup_url(),
            "header_programme": page.call.programme,
        },
    )


@require_GET
def call_deadline_ics(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The call's closing instant as a calendar event (text/calendar)."""
    call = published_call(programme, number)
    url = request.build_absolute_uri(
        reverse("reporting:call_detail", args=[call.programme.slug, call.number])
    )
    body = deadline_calendar(call=call, url=url, host=request.get_host(), now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = f"appel-{call.programme.slug}-{call.number}-echeance.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
