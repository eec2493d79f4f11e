"""Public pages: what a decided call funds."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from solidaire.reporting.selectors import decided_call, funded_initiatives


def call_results(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The funded initiatives of a decided call: organisation, title,
    territory, amount, and the total. Public, no sign-in."""
    results = funded_initiatives(decided_call(programme, number))
    return render(
        request,
        "reporting/call_results.html",
        {"results": results, "header_programme": results.call.programme},
    )
