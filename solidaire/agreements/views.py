"""The trustee's pages: agreements and their schedules, reports received,
payments made, and the ledger the accountant reconciles with the trustee's
books.

Views parse input, call one service or selector, and render. Every write
goes through a service of :mod:`solidaire.agreements.services`, which writes
all or nothing; a refusal is shown next to the form it answers, with what
was typed kept. The programme's coordination sees every page but changes
nothing: only the trustee's finance officers issue, sign, receive and pay.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from solidaire.accounts.permissions import COORDINATOR, TRUSTEE_FINANCE, Roles, allowed
from solidaire.agreements.document_forms import CountersignForm
from solidaire.agreements.document_panels import signing_context
from solidaire.agreements.documents import agreement_countersign, agreement_document_issue
from solidaire.agreements.forms import (
    CancellationForm,
    IssueForm,
    PaymentFileForm,
    PaymentForm,
    ReportForm,
)
from solidaire.agreements.models import (
    Agreement,
    CancellationRequest,
    Payment,
    PaymentMethod,
    Report,
)
from solidaire.agreements.selectors import (
    commitment_years,
    funded_proposals_for_programmes,
    ledger_entries_for_programme,
    ledger_memos,
    payment_queue,
    payments_for_run,
    payments_made_for_programmes,
)
from solidaire.agreements.services import (
    PaymentRefused,
    agreement_issue,
    cancellation_request,
    commitment_amounts,
    initiative_cancel,
    payment_condition_unmet,
    payment_plan,
    payment_record,
    report_receive,
)
from solidaire.applications.access import FUNDED_STATUSES, proposal_for_user, roles_for
from solidaire.applications.cycle import cycle_check
from solidaire.applications.models import Proposal
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import balance_totals, programme_balances
from solidaire.ledger.services import LedgerError
from solidaire.programmes.models import Programme

PER_PAGE = 50
# Status of a page re-rendered with a refusal: the input was not accepted.
REFUSED = 400

# ----------------------------------------------------------------------------- access


def _programme_ids(roles: Roles) -> frozenset[int]:
    """Programmes whose agreements this person sees (trustee or coordination)."""
    if roles.superuser:
        return frozenset(Programme.objects.values_list("pk", flat=True))
    return roles.programmes_with(TRUSTEE_FINANCE, COORDINATOR)


def agreement_for_user(request: HttpRequest, key: str) -> tuple[Agreement, Roles]:
    """Agreement ``key`` (its number, or its id) with what its page shows, or
    404 when the person may not see it (a stranger learns nothing, not even
    that it exists)."""
    agreements = Agreement.objects.select_related(
        "proposal__organisation__territory", "proposal__call__programme", "proposal__stream"
    )
    agreement = agreements.filter(number=key).first()
    if agreement is None and key.isdigit():
        agreement = agreements.filter(pk=int(key)).first()
    if agreement is None:
        raise Http404
    roles = roles_for(request.user)
    if not allowed(roles, "agreement.view", programme_id=agreement.proposal.call.programme_id):
        raise Http404
    return agreement, roles


def _require(roles: Roles, action: str, programme_id: int) -> None:
    """A write this person may not make: 404 for strangers (they learn
    nothing), 403 for the coordination, who sees the page but not the forms."""
    if allowed(roles, action, programme_id=programme_id):
        return
    if allowed(roles, "agreement.view", programme_id=programme_id):
        raise PermissionDenied
    raise Http404


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _add_refusal(form: forms.Form, exc: Exception) -> None:
    """Put a service's refusal next to the field it names, or on the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return
    form.add_error(None, _refusal(exc))


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


# ----------------------------------------------------------------------------- agreements list


@login_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    """Funded initiatives of the person's programmes, with or without their
    agreement; the trustee issues the missing ones from here."""
    roles = roles_for(request.user)
    programme_ids = _programme_ids(roles)
    if not programme_ids:
        raise Http404
    page = _page(request, funded_proposals_for_programmes(programme_ids))
    programmes = list(Programme.objects.filter(pk__in=programme_ids).order_by("name"))
    return render(
        request,
        "agreements/agreement_list.html",
        {
            "page": page,
            "programmes": programmes,
            "issuing_programmes": roles.programmes_with(TRUSTEE_FINANCE),
            "template_programmes": roles.programmes_with(COORDINATOR),
            "header_programme": programmes[0] if len(programmes) == 1 else None,
        },
    )


def _funded_proposal_for_issue(request: HttpRequest, pk: int) -> tuple[Proposal, Roles]:
    proposal = (
        Proposal.objects.select_related("organisation", "call__programme", "agreement")
        .filter(pk=pk, status__in=FUNDED_STATUSES, commitment__isnull=False)
        .first()
    )
    if proposal is None:
        raise Http404
    roles = roles_for(request.user)
    programme_id = proposal.call.programme_id
    if not allowed(roles, "agreement.view", programme_id=programme_id):
        raise Http404
    _require(roles, "agreement.issue", programme_id)
    return proposal, roles


@login_required
@require_http_methods(["GET", "POST"])
def agreement_issue_page(request: HttpRequest, proposal_pk: int) -> HttpResponse:
    """Issue the agreement of a funded initiative: the schedule it will get
    is shown before the trustee confirms."""
    proposal, _roles = _funded_proposal_for_issue(request, proposal_pk)
    existing = getattr(proposal, "agreement", None)
    if existing is not None and request.method == "GET":
        return redirect("agreements:detail", key=existing.number)
    form = IssueForm(request.POST or None, initial={"issued_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            number = form.cleaned_data["number"] or None
            try:
                agreement = agreement_issue(
                    proposal=proposal,
                    actor=request.user,  # type: ignore[arg-type]
                    issued_on=form.cleaned_data["issued_on"],
                    number=number,
                )
            except ValidationError as exc:
                _add_refusal(form, exc)
            except IntegrityError:
                # Two tabs issuing the same agreement, or a number already
                # taken: the database's unique constraints have the last word.
                form.add_error(
                    "number" if number else None,
                    _("This number is already used by another agreement.")
                    if number and Agreement.objects.filter(number=number).exists()
                    else _("This proposal already has an agreement."),
                )
            else:
                # Its document, in the organisation's language, issued now and kept.
                agreement_document_issue(agreement=agreement, actor=request.user)  # type: ignore[arg-type]
                messages.success(
                    request,
                    _("Agreement %(number)s issued with its payment schedule.")
                    % {"number": agreement.number},
                )
                return redirect("agreements:detail", key=agreement.number)
        status = REFUSED
    amounts = commitment_amounts(proposal)
    return render(
        request,
        "agreements/agreement_issue.html",
        {
            "proposal": proposal,
            "form": form,
            "amounts": list(amounts.items()),
            "total": sum(amounts.values(), Decimal("0.00")),
            "plan": payment_plan(amounts),
            "header_programme": proposal.call.programme,
        },
        status=status,
    )


# ----------------------------------------------------------------------------- one agreement


@dataclass
class PaymentRow:
    payment: Payment
    unmet: str | None
    form: PaymentForm | None = None
    failed: bool = False


@dataclass
class ReportRow:
    report: Report
    form: ReportForm | None = None
    failed: bool = False


@dataclass
class DetailForms:
    """Bound forms of a refused POST, keyed by what they answer."""

    sign: CountersignForm | None = None
    payments: dict[int, PaymentForm] = field(default_factory=dict)
    reports: dict[int, ReportForm] = field(default_factory=dict)


def _detail(
    request: HttpRequest,
    agreement: Agreement,
    roles: Roles,
    bound: DetailForms | None = None,
    status: int = 200,
) -> HttpResponse:
    # Imported here: closing_views imports this module's access function.
    from solidaire.agreements.closing_views import closing_context

    bound = bound or DetailForms()
    today = timezone.localdate()
    programme_id = agreement.proposal.call.programme_id
    can_pay = allowed(roles, "payment.record", programme_id=programme_id)
    can_receive = allowed(roles, "report.receive", programme_id=programme_id)
    payment_rows = []
    for payment in agreement.payments.select_related("fiscal_year").order_by("sequence"):
        payment.agreement = agreement
        scheduled = payment.status == Payment.Status.SCHEDULED
        form = bound.payments.get(payment.pk)
        payment_rows.append(
            PaymentRow(
                payment=payment,
                unmet=payment_condition_unmet(payment, today) if scheduled else None,
                form=form
                or (
                    PaymentForm(prefix=f"pay{payment.pk}", initial={"paid_on": today})
                    if can_pay and scheduled
                    else None
                ),
                failed=form is not None,
            )
        )
    report_rows = []
    for report in agreement.reports.select_related("fiscal_year").order_by("due_on", "pk"):
        report_form = bound.reports.get(report.pk)
        report_rows.append(
            ReportRow(
                report=report,
                form=report_form
                or (
                    ReportForm(prefix=f"report{report.pk}", initial={"received_on": today})
                    if can_receive and report.received_on is None
                    else None
                ),
                failed=report_form is not None,
            )
        )
    years = commitment_years(agreement.proposal.commitment_id)
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "proposal": agreement.proposal,
            "years": years,
            "years_total": {
                "committed": sum((y.committed for y in years), Decimal("0.00")),
                "paid": sum((y.paid for y in years), Decimal("0.00")),
                "unpaid": sum((y.unpaid for y in years), Decimal("0.00")),
            },
            "payment_rows": payment_rows,
            "report_rows": report_rows,
            "closing": closing_context(agreement, roles),
            **signing_context(agreement, roles, bound.sign),
            "today": today,
            "header_programme": agreement.proposal.call.programme,
        },
        status=status,
    )


@login_required
@require_GET
def agreement_detail(request: HttpRequest, key: str) -> HttpResponse:
    agreement, roles = agreement_for_user(request, key)
    return _detail(request, agreement, roles)


def _back(agreement: Agreement, anchor: str) -> HttpResponse:
    return redirect(reverse("agreements:detail", args=[agreement.number]) + anchor)


@login_required
@require_POST
def agreement_sign_view(request: HttpRequest, key: str) -> HttpResponse:
    """The trustee countersigns the version the organisation signed; the
    agreement is then in force (see ``agreements.documents``)."""
    agreement, roles = agreement_for_user(request, key)
    _require(roles, "agreement.countersign", agreement.proposal.call.programme_id)
    form = CountersignForm(request.POST, prefix="sign")
    if form.is_valid():
        try:
            agreement_countersign(
                agreement=agreement,
                actor=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            _add_refusal(form, exc)
            # The service may have changed the object before refusing.
            agreement.refresh_from_db()
        else:
            messages.success(request, _("The agreement is countersigned: it is in force."))
            return _back(agreement, "#signature")
    return _detail(request, agreement, roles, DetailForms(sign=form), status=REFUSED)


@login_required
@require_POST
def payment_record_view(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    agreement, roles = agreement_for_user(request, key)
    _require(roles, "payment.record", agreement.proposal.call.programme_id)
    payment = agreement.payments.select_related("fiscal_year").filter(pk=pk).first()
    if payment is None:
        raise Http404
    payment.agreement = agreement
    form = PaymentForm(request.POST, prefix=f"pay{payment.pk}")
    if form.is_valid():
        try:
            # The service locks the payment row and re-reads it: the second of
            # two tabs (or two officers) finds it paid and is refused.
            payment_record(
                payment=payment,
                actor=request.user,  # type: ignore[arg-type]
                paid_on=form.cleaned_data["paid_on"],
                early_reason=form.cleaned_data["early_reason"],
                amount=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                reference=form.cleaned_data["reference"],
            )
        except (PaymentRefused, LedgerError, ValidationError) as exc:
            _add_refusal(form, exc)
        else:
            messages.success(
                request,
                _("Payment %(n)s of agreement %(number)s is recorded.")
                % {"n": payment.sequence, "number": agreement.number},
            )
            return _back(agreement, "#schedule")
    return _detail(
        request, agreement, roles, DetailForms(payments={payment.pk: form}), status=REFUSED
    )


@login_required
@require_POST
def report_receive_view(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    agreement, roles = agreement_for_user(request, key)
    _require(roles, "report.receive", agreement.proposal.call.programme_id)
    report = agreement.reports.select_related("fiscal_year").filter(pk=pk).first()
    if report is None:
        raise Http404
    form = ReportForm(request.POST, prefix=f"report{report.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            report_receive(
                report=report,
                actor=request.user,  # type: ignore[arg-type]
                received_on=data["received_on"],
                people_reached=data["people_reached"],
                people_in_poverty_involved=data["people_in_poverty_involved"],
                partners_mobilised=data["partners_mobilised"],
                spent=data["spent"],
                narrative=data["narrative"],
                early_closing=data["early_closing"],
            )
        except ValidationError as exc:
            _add_refusal(form, exc)
        else:
            messages.success(
                request,
                _("%(report)s marked as received.") % {"report": report.get_kind_display()},
            )
            return _back(agreement, "#reports")
    return _detail(
        request, agreement, roles, DetailForms(reports={report.pk: form}), status=REFUSED
    )


# ----------------------------------------------------------------------------- leaving the cycle


def _cancellation_page(
    request: HttpRequest, proposal: Proposal, form: CancellationForm, *, coordination: bool
) -> HttpResponse:
    pending = (
        CancellationRequest.objects.filter(proposal=proposal, handled_at__isnull=True)
        .select_related("requested_by")
        .first()
    )
    agreement = Agreement.objects.filter(proposal=proposal).first()
    return render(
        request,
        "agreements/initiative_cancel.html",
        {
            "proposal": proposal,
            "form": form,
            "coordination": coordination,
            "pending": pending,
            "agreement": agreement,
            "years": commitment_years(proposal.commitment_id),
            "header_programme": proposal.call.programme,
        },
        status=REFUSED if form.errors else 200,
    )


def _cycle_refusal(request: HttpRequest, proposal: Proposal, action: str) -> HttpResponse | None:
    agreement = Agreement.objects.filter(proposal=proposal).only("status").first()
    ok, why = cycle_check(
        action,
        call=proposal.call.status,
        proposal=proposal.status,
        agreement=agreement.status if agreement else "",
    )
    if ok:
        return None
    messages.info(request, why)
    return redirect("proposal_detail", pk=proposal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def cancellation_request_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A funded organisation asks the coordination to cancel its initiative."""
    proposal = proposal_for_user(request.user, pk)
    roles = roles_for(request.user)
    if not allowed(
        roles, "proposal.request_cancellation", organisation_id=proposal.organisation_id
    ):
        raise Http404
    if (refused := _cycle_refusal(request, proposal, "proposal.request_cancellation")) is not None:
        return refused
    form = CancellationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancellation_request(
                proposal=proposal,
                actor=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _add_refusal(form, exc)
        else:
            messages.success(
                request,
                _("Your request is sent to the coordination, who will confirm the cancellation."),
            )
            return redirect("proposal_detail", pk=proposal.pk)
    return _cancellation_page(request, proposal, form, coordination=False)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_cancel_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordination cancels a funded initiative: its unpaid money goes
    back to the envelope, its agreement and unpaid payments end."""
    proposal = proposal_for_user(request.user, pk)
    roles = roles_for(request.user)
    if not allowed(roles, "proposal.cancel", programme_id=proposal.call.programme_id):
        raise Http404
    if (refused := _cycle_refusal(request, proposal, "proposal.cancel")) is not None:
        return refused
    form = CancellationForm(request.POST if request.method == "POST" else None, confirm=True)
    if request.method == "POST" and form.is_valid():
        try:
            initiative_cancel(
                proposal=proposal,
                actor=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, LedgerError) as exc:
            _add_refusal(form, exc)
        else:
            messages.success(
                request,
                _("The initiative %(reference)s is cancelled; its unpaid money is released.")
                % {"reference": proposal.reference},
            )
            return redirect("proposal_detail", pk=proposal.pk)
    return _cancellation_page(request, proposal, form, coordination=True)


# ----------------------------------------------------------------------------- CSV exports


class _Echo:
    """A file-like object whose ``write`` returns the line: the CSV writer
    formats, the response streams (no export held whole in memory)."""

    def write(self, value: str) -> str:
        return value


def _csv_response(
    filename: str, header: list[str], rows: Iterable[list[Any]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        # The byte-order mark tells spreadsheet programs (Excel in
        # particular) that the file is UTF-8, so accents survive.
        yield "\ufeff"
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _plain(amount: Decimal) -> str:
    """An amount for a spreadsheet: a dot, two places, no grouping."""
    return f"{amount:.2f}"


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


@login_required
@require_GET
def payments_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Payments made, one line each, for the accountant's reconciliation."""
    roles = roles_for(request.user)
    programme_ids = _programme_ids(roles)
    if not programme_ids:
        raise Http404
    # Headers in the reader's language, computed now: the rows stream after
    # the view has returned.
    header = [
        _("Agreement"),
        _("Payment number"),
        _("Organisation"),
        _("NEQ"),
        _("Initiative"),
        _("Fiscal year"),
        _("Due on"),
        _("Paid on"),
        _("Amount"),
        _("Ledger entry"),
    ]

    def rows() -> Iterator[list[Any]]:
        for p in payments_made_for_programmes(programme_ids).iterator(chunk_size=500):
            proposal = p.agreement.proposal
            yield [
                p.agreement.number,
                p.sequence,
                proposal.organisation.legal_name,
                proposal.organisation.neq,
                proposal.reference,
                p.fiscal_year.label,
                _iso(p.due_on),
                _iso(p.paid_on),
                _plain(p.amount),
                p.ledger_entry_id or "",
            ]

    return _csv_response(_("payments-made") + ".csv", header, rows())


@login_required
@require_GET
def payment_file(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The payment file of a chosen day (CSV or Excel): payments made that
    day, and those unpaid and due or overdue by then, with whether each may
    be paid and why not, for the trustee's accounting."""
    roles = roles_for(request.user)
    programme_ids = _programme_ids(roles)
    if not programme_ids:
        raise Http404
    form = PaymentFileForm(request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("payment_list")
    on: date = form.cleaned_data["on"]
    header = [
        _("Agreement"),
        _("Payment number"),
        _("Organisation"),
        _("NEQ"),
        _("Initiative"),
        _("Fiscal year"),
        _("Due on"),
        _("Amount"),
        _("State"),
        _("Why it cannot be paid"),
        _("Paid on"),
        _("Method"),
        _("Reference"),
        _("Ledger entry"),
    ]
    states = {
        "paid": _("Paid"),
        "blocked": _("Blocked"),
        "overdue": _("Overdue"),
        "due": _("Due"),
        "upcoming": _("Due"),
        "cancelled": _("Cancelled"),
    }
    methods = dict(PaymentMethod.choices)
    rows: list[list[Any]] = []
    payments = payments_for_run(programme_ids, on)
    # The file of one day is read whole (a day's payments), judged in chunks.
    chunk: list[Payment] = []

    def flush() -> None:
        for row in payment_queue(chunk, on):
            p = row.payment
            proposal = p.agreement.proposal
            rows.append(
                [
                    p.agreement.number,
                    p.sequence,
                    proposal.organisation.legal_name,
                    proposal.organisation.neq,
                    proposal.reference,
                    p.fiscal_year.label,
                    p.due_on,
                    p.amount,
                    states[row.state],
                    row.why or "",
                    p.paid_on,
                    str(methods.get(p.method, "")),
                    p.reference,
                    p.ledger_entry_id or "",
                ]
            )
        chunk.clear()

    for payment in payments.iterator(chunk_size=500):
        chunk.append(payment)
        if len(chunk) == 500:
            flush()
    flush()
    name = f"{_('payments')}-{on.isoformat()}"
    if form.cleaned_data["format"] == "xlsx":
        return _xlsx_response(f"{name}.xlsx", header, rows)
    return _csv_response(
        f"{name}.csv",
        header,
        (
            [
                _iso(v) if isinstance(v, date) else _plain(v) if isinstance(v, Decimal) else v
                for v in row
            ]
            for row in rows
        ),
    )


def _xlsx_response(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    """An Excel workbook: dates as dates, amounts as numbers in dollars."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, Decimal):
                cell.number_format = '#,##0.00 "$"'
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ----------------------------------------------------------------------------- the ledger


def programme_ledger_for_user(request: HttpRequest, slug: str) -> Programme:
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404
    if not allowed(roles_for(request.user), "ledger.view", programme_id=programme.pk):
        raise Http404
    return programme


@login_required
@require_GET
def ledger(request: HttpRequest, slug: str) -> HttpResponse:
    """Per fiscal year envelope, committed, released, paid and available,
    and every entry behind those figures, newest first."""
    programme = programme_ledger_for_user(request, slug)
    balances = programme_balances(programme)
    page = _page(request, ledger_entries_for_programme(programme))
    memos = ledger_memos(page.object_list)
    for entry in page.object_list:
        entry.display_memo = memos[entry.pk]
    return render(
        request,
        "agreements/ledger.html",
        {
            "programme": programme,
            "balances": balances,
            "totals": balance_totals(balances),
            "page": page,
            "header_programme": programme,
        },
    )


@login_required
@require_GET
def ledger_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Every entry of the programme's ledger, oldest first."""
    programme = programme_ledger_for_user(request, slug)
    kinds = {value: str(label) for value, label in LedgerEntry.Kind.choices}
    header = [
        _("Entry"),
        _("Effective on"),
        _("Recorded at"),
        _("Kind"),
        _("Commitment reference"),
        _("Commitment"),
        _("Fiscal year"),
        _("Amount"),
        _("Recorded by"),
        _("Memo"),
    ]
    entries = ledger_entries_for_programme(programme).order_by("at", "id")

    def rows() -> Iterator[list[Any]]:
        for entry in entries.iterator(chunk_size=500):
            yield [
                entry.pk,
                _iso(entry.effective_on),
                timezone.localtime(entry.at).isoformat(),
                kinds[entry.kind],
                entry.commitment.reference,
                entry.commitment.label,
                entry.fiscal_year.label,
                _plain(entry.amount),
                str(entry.actor) if entry.actor else "",
                entry.memo,
            ]

    return _csv_response(f"{_('ledger')}-{programme.slug}.csv", header, rows())
