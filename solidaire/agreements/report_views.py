"""Pages of the reports: the organisation writes its report in its space
(``/demandes/<pk>/rapports/<report>/``, with an autosave endpoint), the
coordination reviews it on the agreement (approve, or ask for changes;
move its due date). A stranger gets 404 on each of them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solidaire.accounts.permissions import allowed
from solidaire.agreements.forms import ReportDueForm, ReportReviewForm, ReportWriteForm
from solidaire.agreements.models import Report, ReportDocument, ReportSpending
from solidaire.agreements.reports import (
    EDITABLE,
    INDICATORS,
    ReportDraft,
    report_budget_lines,
    report_document_add,
    report_due_change,
    report_review,
    report_save_draft,
    report_submit,
)
from solidaire.agreements.views import agreement_for_user
from solidaire.applications.access import proposal_for_user, roles_for
from solidaire.documents.responses import attachment_response
from solidaire.documents.validation import UploadRefused

REFUSED = 400


def report_for_organisation(request: HttpRequest, pk: int, report_pk: int) -> Report:
    """A report of proposal ``pk`` for a member of its organisation; 404 for
    anyone else (a stranger learns nothing, not even that it exists)."""
    proposal = proposal_for_user(request.user, pk)
    if not allowed(
        roles_for(request.user), "report.write", organisation_id=proposal.organisation_id
    ):
        raise Http404
    report = (
        Report.objects.select_related("agreement__proposal__call__programme", "fiscal_year")
        .filter(pk=report_pk, agreement__proposal=proposal)
        .first()
    )
    if report is None:
        raise Http404
    return report


def _initial(report: Report) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(report, name) for name in INDICATORS}
    initial["narrative"] = report.narrative
    initial["spent"] = report.spent
    initial["early_closing"] = report.early_closing
    for spending in ReportSpending.objects.filter(report=report):
        initial[f"line_{spending.budget_line_id}"] = spending.spent
    return initial


def _draft(form: ReportWriteForm) -> ReportDraft:
    data = form.cleaned_data
    return ReportDraft(
        indicators={name: data.get(name) for name in INDICATORS},
        narrative=data.get("narrative", ""),
        spent=data.get("spent"),
        lines={line.pk: data.get(f"line_{line.pk}") for line in form.lines},
    )


def _add_refusal(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _write_page(
    request: HttpRequest, report: Report, form: ReportWriteForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "agreements/report_write.html",
        {
            "report": report,
            "proposal": report.agreement.proposal,
            "form": form,
            "editable": report.state in EDITABLE,
            "documents": list(report.documents.order_by("uploaded_at", "pk")),
            "spending": list(
                ReportSpending.objects.filter(report=report).select_related(
                    "budget_line__fiscal_year"
                )
            ),
            "header_programme": report.agreement.proposal.call.programme,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_write(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """The organisation's report: save the draft, add a document, submit."""
    report = report_for_organisation(request, pk, report_pk)
    lines = list(report_budget_lines(report))
    if request.method == "GET":
        form = ReportWriteForm(initial=_initial(report), lines=lines)
        return _write_page(request, report, form)
    form = ReportWriteForm(request.POST, request.FILES, lines=lines)
    if not form.is_valid():
        return _write_page(request, report, form, REFUSED)
    action = request.POST.get("action", "save")
    try:
        report = report_save_draft(report=report, actor=request.user, draft=_draft(form))  # type: ignore[arg-type]
        if form.cleaned_data.get("document"):
            try:
                report_document_add(
                    report=report,
                    actor=request.user,  # type: ignore[arg-type]
                    file=form.cleaned_data["document"],
                )
            except UploadRefused as exc:
                # Beside the file's field; the report's text is saved above.
                form.add_error("document", exc.messages)
                report.refresh_from_db()
                return _write_page(request, report, form, REFUSED)
        if action == "submit":
            report_submit(
                report=report,
                actor=request.user,  # type: ignore[arg-type]
                early_closing=form.cleaned_data.get("early_closing", ""),
            )
    except ValidationError as exc:
        _add_refusal(form, exc)
        report.refresh_from_db()
        return _write_page(request, report, form, REFUSED)
    if action == "submit":
        messages.success(request, _("Your report is submitted to the coordination."))
        return redirect("proposal_detail", pk=pk)
    messages.success(request, _("Your report is saved."))
    return redirect(reverse("agreements:report_write", args=[pk, report.pk]))


@login_required
@require_POST
def report_autosave(request: HttpRequest, pk: int, report_pk: int) -> JsonResponse:
    """The page's debounced save of the draft, as JSON: ``saved_at`` in the
    reader's language, or the errors by field."""
    report = report_for_organisation(request, pk, report_pk)
    form = ReportWriteForm(request.POST, lines=list(report_budget_lines(report)))
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=REFUSED)
    try:
        report = report_save_draft(report=report, actor=request.user, draft=_draft(form))  # type: ignore[arg-type]
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return JsonResponse({"errors": errors}, status=REFUSED)
    when = timezone.localtime(report.draft_saved_at)
    return JsonResponse(
        {"saved_at": _("Draft saved at %(time)s.") % {"time": formats.time_format(when)}}
    )


@login_required
@require_GET
def report_document(request: HttpRequest, pk: int, report_pk: int, doc_pk: int) -> FileResponse:
    """A report's document, for its organisation (the coordination reads it
    from the review page)."""
    report = report_for_organisation(request, pk, report_pk)
    document = ReportDocument.objects.filter(pk=doc_pk, report=report).first()
    if document is None:
        raise Http404
    return attachment_response(
        stored_name=document.stored_name, filename=document.name, content_type=document.content_type
    )


# ----------------------------------------------------------------------------- coordination


def _review_report(request: HttpRequest, key: str, pk: int) -> tuple[Report, bool]:
    agreement, roles = agreement_for_user(request, key)
    report = (
        Report.objects.select_related("agreement__proposal__call__programme", "fiscal_year")
        .filter(pk=pk, agreement=agreement)
        .first()
    )
    if report is None:
        raise Http404
    may_review = allowed(roles, "report.review", programme_id=agreement.proposal.call.programme_id)
    return report, may_review


def _review_page(
    request: HttpRequest,
    report: Report,
    may_review: bool,
    form: ReportReviewForm | None = None,
    due_form: ReportDueForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "agreements/report_review.html",
        {
            "report": report,
            "agreement": report.agreement,
            "proposal": report.agreement.proposal,
            "may_review": may_review,
            "form": form or ReportReviewForm(),
            "due_form": due_form or ReportDueForm(initial={"due_on": report.due_on}),
            "documents": list(report.documents.order_by("uploaded_at", "pk")),
            "spending": list(
                ReportSpending.objects.filter(report=report).select_related(
                    "budget_line__fiscal_year"
                )
            ),
            "header_programme": report.agreement.proposal.call.programme,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_review_page(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """The coordination reads a report and approves it or asks for changes."""
    report, may_review = _review_report(request, key, pk)
    if request.method == "GET":
        return _review_page(request, report, may_review)
    if not may_review:
        raise PermissionDenied
    form = ReportReviewForm(request.POST)
    if form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            report_review(
                report=report,
                actor=request.user,  # type: ignore[arg-type]
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            _add_refusal(form, exc)
        else:
            messages.success(
                request,
                _("The report is approved; the payment it conditions may be made.")
                if approve
                else _("The organisation is asked for changes."),
            )
            return redirect(
                reverse("agreements:detail", args=[report.agreement.number]) + "#reports"
            )
    return _review_page(request, report, may_review, form=form, status=REFUSED)


@login_required
@require_POST
def report_due_page(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """The coordination moves a report's due date for this agreement."""
    report, may_review = _review_report(request, key, pk)
    if not may_review:
        raise PermissionDenied
    due_form = ReportDueForm(request.POST)
    if due_form.is_valid():
        try:
            report_due_change(
                report=report,
                actor=request.user,  # type: ignore[arg-type]
                due_on=due_form.cleaned_data["due_on"],
            )
        except ValidationError as exc:
            _add_refusal(due_form, exc)
        else:
            messages.success(request, _("The report's due date is changed."))
            return redirect("agreements:report_review", key=key, pk=pk)
    return _review_page(request, report, may_review, due_form=due_form, status=REFUSED)


@login_required
@require_GET
def report_document_for_review(
    request: HttpRequest, key: str, pk: int, doc_pk: int
) -> FileResponse:
    """A report's document, for those who see the agreement."""
    report, _may_review = _review_report(request, key, pk)
    document = ReportDocument.objects.filter(pk=doc_pk, report=report).first()
    if document is None:
        raise Http404
    return attachment_response(
        stored_name=document.stored_name, filename=document.name, content_type=document.content_type
    )
