"""Public and accountability pages: the calls for initiatives (what they
fund, until when, how to apply, the deadline as a calendar file), what a
decided call funds, and the ministry's table of every programme side by
side, with its CSV and Excel copies."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from solidaire.accounts.permissions import allowed
from solidaire.applications.access import roles_for
from solidaire.applications.budget import budget_template, call_fiscal_years
from solidaire.reporting.calendar import deadline_calendar
from solidaire.reporting.selectors import (
    MinistryRow,
    MinistryTable,
    decided_call,
    funded_initiatives,
    ministry_table,
    public_call_index,
    public_call_page,
    published_call,
)

# Where the sign-up page lives when accounts can be created on this site.
SIGNUP_PATH = "/inscription/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


@require_GET
def call_budget_template(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The call's budget template (.xlsx), empty, in the page's language:
    one sheet "Budget", fiscal years of the call as columns. Public."""
    call = published_call(programme, number)
    content = budget_template(fiscal_years=call_fiscal_years(call))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"appel-{call.programme.slug}-{call.number}-budget.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ----------------------------------------------------------------------------- the ministry


def _ministry_only(request: HttpRequest) -> None:
    """The ministry's table is for the ministry and the site administrator;
    anyone else gets 404, as for every page they cannot use."""
    if not allowed(roles_for(request.user), "ministry.view"):
        raise Http404


def _as_of(now: datetime) -> str:
    return formats.date_format(timezone.localtime(now), "DATETIME_FORMAT")


@login_required
@require_GET
def ministry(request: HttpRequest) -> HttpResponse:
    """Every programme side by side and in total, read-only, with the date
    of the figures and links to each programme's own page."""
    _ministry_only(request)
    now = timezone.now()
    return render(
        request,
        "reporting/ministry.html",
        {"table": ministry_table(), "as_of": now},
    )


def _columns(table: MinistryTable) -> list[tuple[str, str]]:
    """(attribute, heading) of the table's columns, in order: lapsed and
    carried over only when the ledger records them."""
    columns = [
        ("envelope", _("Envelope")),
        ("committed", _("Committed")),
        ("paid", _("Paid")),
    ]
    if table.has_lapsed:
        columns.append(("lapsed", _("Lapsed")))
    if table.has_carried_over:
        columns.append(("carried_over", _("Carried over")))
    columns += [
        ("available", _("Available")),
        ("calls", _("Calls")),
        ("received", _("Proposals received")),
        ("funded", _("Proposals funded")),
    ]
    return columns


def _table_rows(table: MinistryTable) -> tuple[list[str], list[list[Any]]]:
    """The ministry's table as a header and rows of plain values (the last
    row is the total), shared by the CSV and Excel copies."""
    columns = _columns(table)
    header = [_("Region code"), _("Region"), _("Programme"), _("Trustee")]
    header += [heading for _name, heading in columns]

    def values(row: MinistryRow) -> list[Any]:
        return [getattr(row, name) for name, _heading in columns]

    rows = [
        [p.region.code, p.region.name, p.name, p.trustee, *values(r)]
        for r in table.rows
        if (p := r.programme) is not None
    ]
    rows.append(["", "", _("Total"), "", *values(table.total)])
    return header, rows


def _filename(now: datetime, extension: str) -> str:
    return f"{_('programmes')}-{timezone.localdate(now).isoformat()}.{extension}"


class _Echo:
    """A file-like object whose ``write`` returns the line, so that the CSV
    writer formats and the response streams."""

    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def ministry_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The ministry's table as CSV: amounts with a dot and two places."""
    _ministry_only(request)
    now = timezone.now()
    header, rows = _table_rows(ministry_table())
    writer = csv.writer(_Echo())

    def cell(value: Any) -> Any:
        return f"{value:.2f}" if isinstance(value, Decimal) else value

    def lines() -> Iterator[str]:
        # The byte-order mark tells spreadsheet programs that the file is
        # UTF-8, so that the regions' accents survive.
        yield "\ufeff"
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(now, "csv")}"'
    return response


@login_required
@require_GET
def ministry_xlsx(request: HttpRequest) -> HttpResponse:
    """The ministry's table as an Excel workbook: the table, then the money
    by stream on a second sheet; amounts are numbers, totals in bold."""
    _ministry_only(request)
    now = timezone.now()
    table = ministry_table()
    header, rows = _table_rows(table)
    money = '#,##0.00 "$"'
    bold = Font(bold=True)

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Programmes")[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = bold
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, Decimal):
                cell.number_format = money
    sheet.append([])
    sheet.append([_("Figures as of %(when)s.") % {"when": _as_of(now)}])
    sheet.freeze_panes = "A2"
    for index, width in enumerate([8, 28, 44, 36] + [16] * (len(header) - 4), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    streams = book.create_sheet(_("Streams")[:31])
    streams.append(
        [_("Region code"), _("Programme"), _("Stream"), _("Calls"), _("Committed"), _("Paid")]
    )
    for cell in streams[1]:
        cell.font = bold
    for s in table.streams:
        streams.append(
            [
                s.programme.region.code,
                s.programme.name,
                str(s.name) or _("Outside the streams"),
                s.calls,
                s.committed,
                s.paid,
            ]
        )
        for cell in streams[streams.max_row][4:]:
            cell.number_format = money
    for index, width in enumerate([8, 44, 40, 8, 16, 16], start=1):
        streams.column_dimensions[get_column_letter(index)].width = width

    book.properties.title = _("Programmes side by side")
    book.properties.created = now.replace(tzinfo=None)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(now, "xlsx")}"'
    return response
