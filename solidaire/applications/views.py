"""The applicant's pages: start a proposal, edit the draft, submit it, read
the receipt, withdraw. Views parse input, call the application services and
render; every proposal is fetched through ``proposal_for_user`` and every
action is asked of the permission rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from solidaire.accounts.models import User
from solidaire.accounts.permissions import Roles, allowed, check
from solidaire.applications.access import proposal_for_user, roles_for
from solidaire.applications.attachments import (
    attachment_download,
    attachment_put,
    attachment_remove,
    attachment_slots,
)
from solidaire.applications.budget import (
    BudgetSheetRefused,
    budget_template,
    call_fiscal_years,
    proposal_budget_rows,
    year_totals,
)
from solidaire.applications.cycle import CycleRefused, cycle_allows, cycle_check
from solidaire.applications.deadlines import (
    call_status_for,
    deadline_extension_grant,
    deadline_for,
    may_extend_deadline,
)
from solidaire.applications.forms import (
    BUDGET_BLANK_ROWS,
    FUNDING_ROWS_MIN,
    BudgetFormSet,
    BudgetImportForm,
    DeadlineExtensionForm,
    DocumentsForm,
    DraftForm,
    FundingFormSet,
    WithdrawForm,
    amount_for_input,
    budget_amount_name,
    requested_field_name,
)
from solidaire.applications.models import BudgetLine, Organisation, Proposal
from solidaire.applications.organisation_selectors import acting_organisation_id
from solidaire.applications.receipts import receipt_context, receipt_filename, receipt_pdf
from solidaire.applications.services import (
    DraftChanged,
    SubmissionClosed,
    attestation_text,
    proposal_completeness_errors,
    proposal_create_draft,
    proposal_import_budget,
    proposal_reopen,
    proposal_submit,
    proposal_update_draft,
    proposal_withdraw,
)
from solidaire.applications.submission_forms import AttestationForm
from solidaire.applications.versions import (
    latest_version,
    may_see_versions,
    version_of,
)
from solidaire.calls.models import Call, RequiredDocument, Stream
from solidaire.common.money import ZERO
from solidaire.common.pdf import pdf_response
from solidaire.documents.validation import UploadRefused
from solidaire.programmes.models import FiscalYear, Priority, Territory

S = Proposal.Status

# Completeness errors that belong to no single input of the form.
SECTION_ERRORS = ("requested", "other_funding")


# ----------------------------------------------------------------------------- selectors


@dataclass(frozen=True)
class Startable:
    organisation: Organisation
    call: Call

    @property
    def key(self) -> str:
        """Which start form of the page an answer belongs to."""
        return f"{self.call.pk}-{self.organisation.pk}"


def startable_calls(
    roles: Roles, now: datetime | None = None, organisation_id: int | None = None
) -> list[Startable]:
    """The open calls each of the person's organisations may answer: calls of
    programmes of the organisation's region (two queries whatever the count).
    ``organisation_id`` keeps only the organisation the person acts for."""
    now = now or timezone.now()
    ids = roles.organisation_ids
    if organisation_id is not None:
        ids = ids & {organisation_id}
    organisations = list(Organisation.objects.filter(pk__in=ids).select_related("territory"))
    regions = {o.territory.region_id for o in organisations}
    calls = list(
        Call.objects.filter(
            programme__region_id__in=regions,
            published=True,
            decided_at__isnull=True,
            opens_at__lte=now,
            closes_at__gt=now,
        )
        .select_related("programme")
        .order_by("closes_at", "pk")
    )
    return [
        Startable(organisation=o, call=c)
        for o in organisations
        for c in calls
        if c.programme.region_id == o.territory.region_id
    ]


def proposal_actions(roles: Roles, proposal: Proposal) -> dict[str, bool]:
    """What the person may do with a proposal, for the buttons of its pages."""
    facts = {"organisation_id": proposal.organisation_id}
    call_status = proposal.call.status
    return {
        "edit": allowed(roles, "proposal.edit", status=proposal.status, **facts),
        "withdraw": allowed(
            roles,
            "proposal.withdraw",
            withdrawable=_withdrawable(proposal),
            **facts,
        ),
        "request_cancellation": organisation_member(roles, proposal)
        and cycle_allows(
            "proposal.request_cancellation", call=call_status, proposal=proposal.status
        ),
        "receipt": bool(proposal.receipt_number),
        "reopen": allowed(roles, "proposal.reopen", reopenable=_reopenable(proposal), **facts),
    }


def _reopenable(proposal: Proposal) -> bool:
    if proposal.status != S.SUBMITTED:
        return False
    return cycle_allows(
        "proposal.reopen", call=call_status_for(proposal, timezone.now()), proposal=proposal.status
    )


def _withdrawable(proposal: Proposal) -> bool:
    return cycle_allows("proposal.withdraw", call=proposal.call.status, proposal=proposal.status)


def organisation_member(roles: Roles, proposal: Proposal) -> bool:
    return proposal.organisation_id in roles.organisation_ids


def _fiscal_years(proposal: Proposal) -> list[FiscalYear]:
    """The programme's fiscal years an initiative of this call may run in,
    and any other year the draft already asks or budgets money for."""
    saved = {ra.fiscal_year_id for ra in proposal.requested_amounts.all()}
    saved |= set(
        BudgetLine.objects.filter(proposal=proposal).values_list("fiscal_year_id", flat=True)
    )
    return call_fiscal_years(proposal.call, also=saved)


def _form_options(proposal: Proposal) -> dict[str, Any]:
    call = proposal.call
    return {
        "streams": list(Stream.objects.filter(call=call).order_by("id")),
        "territories": list(Territory.objects.filter(region_id=call.programme.region_id)),
        "priorities": list(
            Priority.objects.filter(work_plan__programme_id=call.programme_id).order_by(
                "work_plan__starts_on", "order", "code"
            )
        ),
        "fiscal_years": _fiscal_years(proposal),
    }


# ----------------------------------------------------------------------------- access


def _proposal_to_act_on(request: HttpRequest, pk: int) -> tuple[Proposal, Roles]:
    """The proposal if the person belongs to its organisation, else 404
    (the coordination may read a proposal, never act for the organisation)."""
    proposal = proposal_for_user(request.user, pk)
    roles = roles_for(request.user)
    if proposal.organisation_id not in roles.organisation_ids:
        raise Http404
    return proposal, roles


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    roles: Roles,
    programme: Any = None,
    status: int = 200,
) -> HttpResponse:
    # The main menu comes from the navigation context processor.
    context.setdefault("header_programme", programme)
    return render(request, template, context, status=status)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# ----------------------------------------------------------------------------- start


@login_required
@require_http_methods(["GET", "POST"])
def proposal_start(request: HttpRequest) -> HttpResponse:
    """The open calls the person's organisations may answer; a POST starts a
    draft through the service and opens its form."""
    roles = roles_for(request.user)
    acting = acting_organisation_id(request.session, roles)
    startable = startable_calls(roles, organisation_id=acting)
    if request.method == "POST":
        chosen = next(
            (
                s
                for s in startable
                if str(s.call.pk) == request.POST.get("call")
                and str(s.organisation.pk) == request.POST.get("organisation")
            ),
            None,
        )
        if chosen is None:
            # Not a member, not an open call of the organisation's region, or
            # a call that closed since the page was shown.
            posted = request.POST.get("organisation") or ""
            _allowed, reason = check(
                roles,
                "proposal.start",
                organisation_id=int(posted) if posted.isdigit() else 0,
                call_open=False,
            )
            messages.error(request, reason)
            return redirect("applications:start")
        title = request.POST.get("title", "").strip()
        if not title:
            # A draft starts with its title, so that the list never fills
            # with untitled drafts from a click made to look around.
            start_error = {
                "key": chosen.key,
                "message": _("Give the initiative a title to start its draft."),
            }
            return _start_page(request, roles, startable, acting, start_error, status=400)
        if len(title) > 200:
            start_error = {
                "key": chosen.key,
                "message": _("A title has at most 200 characters."),
                "title": title,
            }
            return _start_page(request, roles, startable, acting, start_error, status=400)
        try:
            proposal = proposal_create_draft(
                call=chosen.call,
                organisation=chosen.organisation,
                actor=_user(request),
                fields={"title": title},
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("applications:start")
        messages.success(request, _("Your draft is started. It is saved each time you save it."))
        return redirect("applications:edit", pk=proposal.pk)
    return _start_page(request, roles, startable, acting)


def _start_page(
    request: HttpRequest,
    roles: Roles,
    startable: list[Startable],
    acting: int | None,
    start_error: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    several = len(roles.organisation_ids) > 1
    return _render(
        request,
        "applications/proposal_start.html",
        {
            "startable": startable,
            "several": several,
            "acting": Organisation.objects.filter(pk=acting).first()
            if several and acting is not None
            else None,
            "start_error": start_error,
        },
        roles,
        status=status,
    )


# ----------------------------------------------------------------------------- edit


def _initial(proposal: Proposal, form_fy: list[FiscalYear]) -> dict[str, Any]:
    saved = {ra.fiscal_year_id: ra.amount for ra in proposal.requested_amounts.all()}
    initial: dict[str, Any] = {
        "version": proposal.updated_at.isoformat(),
        "title": proposal.title,
        "summary": proposal.summary,
        "stream": str(proposal.stream_id or ""),
        "scope": proposal.scope,
        "territories": [str(t.pk) for t in proposal.territories.all()],
        "priorities": [str(p.pk) for p in proposal.priorities.all()],
        "poverty_participation": proposal.poverty_participation,
        "partners": proposal.partners,
        "starts_on": proposal.starts_on,
        "ends_on": proposal.ends_on,
        "total_cost": proposal.total_cost if proposal.total_cost else None,
    }
    for fy in form_fy:
        if fy.pk in saved:
            initial[requested_field_name(fy)] = saved[fy.pk]
    return initial


def _funding_initial(proposal: Proposal) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"source": f.source, "amount": f.amount, "confirmed": f.confirmed}
        for f in proposal.other_funding.all().order_by("pk")
    ]
    blanks = max(FUNDING_ROWS_MIN - len(rows), 1)
    return rows + [{} for _ in range(blanks)]


def _budget_initial(proposal: Proposal, fiscal_years: list[FiscalYear]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for row in proposal_budget_rows(proposal):
        initial: dict[str, Any] = {"category": row.category, "description": row.description}
        for fy in fiscal_years:
            if row.amounts.get(fy.pk):
                initial[budget_amount_name(fy)] = row.amounts[fy.pk]
        rows.append(initial)
    return rows + [{} for _ in range(BUDGET_BLANK_ROWS)]


def _budget_formset(
    options: dict[str, Any], data: Any = None, initial: list[dict[str, Any]] | None = None
) -> Any:
    return BudgetFormSet(
        data,
        initial=initial,
        prefix="budget",
        form_kwargs={"fiscal_years": options["fiscal_years"]},
    )


@dataclass
class PostedDraft:
    """A posted draft page, parsed: its forms, and the arguments of
    ``proposal_update_draft`` made of the answers that passed validation."""

    form: DraftForm
    funding: Any
    budget: Any
    valid: bool
    changes: dict[str, Any]


def _parse_draft(proposal: Proposal, data: Any, options: dict[str, Any]) -> PostedDraft:
    form = DraftForm(data, **options)
    funding = FundingFormSet(data, prefix="funding")
    # A post without the budget table (an older page) leaves the budget as saved.
    budget_posted = "budget-TOTAL_FORMS" in data
    budget = (
        _budget_formset(options, data)
        if budget_posted
        else _budget_formset(options, initial=_budget_initial(proposal, options["fiscal_years"]))
    )
    form_ok = form.is_valid()
    funding_ok = funding.is_valid()
    budget_ok = budget.is_valid() if budget_posted else True
    saved_requested = {ra.fiscal_year_id: ra.amount for ra in proposal.requested_amounts.all()}
    other_funding = (
        [
            (
                f.cleaned_data["source"].strip(),
                f.cleaned_data["amount"],
                f.cleaned_data["confirmed"],
            )
            for f in funding.forms
            if not f.is_blank
        ]
        if funding_ok
        else None
    )
    return PostedDraft(
        form=form,
        funding=funding,
        budget=budget,
        valid=form_ok and funding_ok and budget_ok,
        changes={
            "fields": form.valid_fields(),
            "requested": form.valid_requested(saved_requested),
            "territories": form.valid_choices("territories"),
            "priorities": form.valid_choices("priorities"),
            "other_funding": other_funding,
            # A budget with a wrong cell keeps the saved lines: a row saved
            # without its wrong amount would silently change the totals.
            "budget": budget.rows() if budget_posted and budget_ok else None,
        },
    )


def _parse_version(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _differences(form: DraftForm, saved: Proposal) -> list[dict[str, str]]:
    """The text answers where the saved draft now differs from what the
    person typed, to show what the other save changed."""
    rows = []
    for name in ("title", "summary", "poverty_participation", "partners"):
        typed = (form.data.get(name) or "").strip()
        kept = (getattr(saved, name) or "").strip()
        if typed != kept:
            rows.append({"label": str(form[name].label), "saved": kept or "—"})
    if saved.total_cost != (form.cleaned_data.get("total_cost") or Decimal("0")):
        rows.append(
            {"label": str(form["total_cost"].label), "saved": amount_for_input(saved.total_cost)}
        )
    return rows


def _deadline(proposal: Proposal, now: datetime) -> dict[str, Any]:
    """The deadline this proposal's page shows: the one submission honours
    (the call's closing, or the organisation's extension)."""
    deadline = deadline_for(proposal)
    return {
        "closes_at": timezone.localtime(deadline.closes_at),
        "extension": deadline.extension,
        "is_open": call_status_for(proposal, now, deadline) == Call.Status.OPEN,
        "now": now,
    }


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft's one-page form. "Save draft" keeps every valid answer even
    when others are wrong; "Review and submit" saves, then opens the review
    step (:func:`proposal_review`), where the proposal is submitted."""
    proposal, roles = _proposal_to_act_on(request, pk)
    ok, reason = check(
        roles, "proposal.edit", organisation_id=proposal.organisation_id, status=proposal.status
    )
    if not ok:
        messages.info(request, reason)
        return redirect("proposal_detail", pk=proposal.pk)
    options = _form_options(proposal)
    now = timezone.now()
    context: dict[str, Any] = {"proposal": proposal, **_deadline(proposal, now)}
    documents = list(RequiredDocument.objects.filter(call_id=proposal.call_id).order_by("id"))

    if request.method == "GET":
        context["documents_form"] = DocumentsForm(documents=documents)
        form = DraftForm(initial=_initial(proposal, options["fiscal_years"]), **options)
        funding = FundingFormSet(initial=_funding_initial(proposal), prefix="funding")
        context["budget"] = _budget_formset(
            options, initial=_budget_initial(proposal, options["fiscal_years"])
        )
        return _edit_page(request, roles, context, form, funding)

    data = request.POST.copy()
    # Files first, each on its own: a refused file is reported beside its
    # slot while the typed answers below are saved as usual.
    documents_form = DocumentsForm(data, request.FILES, documents=documents)
    context["documents_form"] = documents_form
    _apply_documents(request, proposal, documents_form)
    posted = _parse_draft(proposal, data, options)
    form, funding = posted.form, posted.funding
    context["budget"] = posted.budget
    try:
        proposal_update_draft(
            proposal=proposal,
            actor=_user(request),
            **posted.changes,
            expected_version=_parse_version(data.get("version", "")),
        )
    except DraftChanged as exc:
        saved = Proposal.objects.get(pk=proposal.pk)
        context["conflict"] = {"message": exc.messages[0], "differences": _differences(form, saved)}
        # The next save from this page is the person's deliberate choice to
        # keep their version, made after reading what changed.
        data["version"] = saved.updated_at.isoformat()
        return _edit_page(request, roles, context, form, funding, status=409)
    except ValidationError as exc:
        # The service refused the whole save (nothing was written).
        _attach(form, exc)
        data["version"] = (
            Proposal.objects.values_list("updated_at", flat=True).get(pk=proposal.pk).isoformat()
        )
        return _edit_page(request, roles, context, form, funding)
    data["version"] = proposal.updated_at.isoformat()

    if not (posted.valid and not documents_form.errors):
        context["partial_save"] = True
        context["not_submitted"] = "review" in data
        return _edit_page(request, roles, context, form, funding)
    if "review" in data:
        # Submitting happens on the review page, after the person has read
        # the whole proposal, its checklist and the attestation.
        return redirect("applications:review", pk=proposal.pk)
    messages.success(request, _("Your draft is saved."))
    if data.get("save") == "documents" or "remove_document" in data:
        return redirect(f"{reverse('applications:edit', args=[proposal.pk])}#documents")
    return redirect("applications:edit", pk=proposal.pk)


def _attach(
    form: DraftForm, exc: ValidationError, documents_form: DocumentsForm | None = None
) -> None:
    """Put a service's messages next to the inputs they are about."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        if documents_form is not None and name in documents_form.fields:
            for message in errors:
                documents_form.add_error(name, message)
            continue
        target: str | None = name
        if name == "requested" and form.fiscal_years:
            # Beside the first amount the person typed: that is what the
            # message is about, not an empty year.
            typed = [
                requested_field_name(fy)
                for fy in form.fiscal_years
                if str(form.data.get(requested_field_name(fy), "")).strip()
            ]
            target = typed[0] if typed else requested_field_name(form.fiscal_years[0])
        elif name not in form.fields:
            target = None
        for message in errors:
            if target is not None and target in form.errors and message in form.errors[target]:
                continue
            form.add_error(target, message)


def _describe_errors(forms: list[Any]) -> None:
    """Tie each error message to its input, so that a screen reader reads the
    message when the input gets the focus (WCAG 3.3.1)."""
    for form in forms:
        for name in form.errors:
            if name not in form.fields:
                continue
            bound = form[name]
            ids = [f"{bound.auto_id}_error"]
            if bound.help_text:
                ids.append(f"{bound.auto_id}_helptext")
            form.fields[name].widget.attrs.update(
                {"aria-describedby": " ".join(ids), "aria-invalid": "true"}
            )


def checklist(missing: dict[str, list[str]]) -> list[dict[str, str]]:
    """The completeness errors as links to the editor's inputs (see the
    anchors documented by ``proposal_completeness_errors``)."""
    return [
        {"anchor": f"id_{name}", "message": message}
        for name, errors in missing.items()
        for message in errors
    ]


def _edit_page(
    request: HttpRequest,
    roles: Roles,
    context: dict[str, Any],
    form: DraftForm,
    funding: Any,
    status: int = 200,
) -> HttpResponse:
    proposal: Proposal = context["proposal"]
    documents_form: DocumentsForm = context["documents_form"]
    budget = context["budget"]
    _describe_errors([form, *funding.forms, *budget.forms, documents_form])
    slots = attachment_slots(proposal)
    used = sum(a.size for _d, a in slots if a is not None)
    saved_rows = proposal_budget_rows(proposal)
    totals = year_totals(saved_rows, form.fiscal_years)
    requested = sum((ra.amount for ra in proposal.requested_amounts.all()), ZERO)
    context.update(
        {
            "form": form,
            "funding": funding,
            "funding_errors": [(i + 1, f) for i, f in enumerate(funding.forms) if f.errors],
            "budget_errors": [(i + 1, f) for i, f in enumerate(budget.forms) if f.errors],
            "budget_years": list(zip(form.fiscal_years, totals, strict=True)),
            "budget_total": sum(totals, ZERO),
            "requested_total": requested,
            "import_form": context.get("import_form") or BudgetImportForm(),
            "checklist": checklist(proposal_completeness_errors(proposal)),
            "has_errors": bool(form.errors)
            or any(f.errors for f in funding.forms)
            or any(f.errors for f in budget.forms)
            or bool(budget.non_form_errors())
            or bool(documents_form.errors)
            or bool(context.get("import_errors")),
            "document_slots": [
                {
                    "document": document,
                    "attachment": attachment,
                    "field": documents_form[f"document_{document.pk}"],
                }
                for document, attachment in slots
            ],
            "uploads_used": used,
            "upload_max_bytes": settings.UPLOAD_MAX_BYTES,
            "proposal_uploads_max_bytes": settings.PROPOSAL_UPLOADS_MAX_BYTES,
        }
    )
    return _render(
        request,
        "applications/proposal_edit.html",
        context,
        roles,
        proposal.call.programme,
        status=status,
    )


def _saved_at(instant: datetime) -> str:
    return _("Saved at %(time)s") % {
        "time": formats.time_format(timezone.localtime(instant), "TIME_FORMAT")
    }


@login_required
@require_http_methods(["POST"])
def proposal_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """The editor's autosave: the same answers as "Save draft" (files
    aside), saved the same way (valid answers kept, wrong ones reported),
    answered in JSON. A save from a stale page is refused with 409 and
    writes nothing, as the page's own save does."""
    proposal, roles = _proposal_to_act_on(request, pk)
    ok, reason = check(
        roles, "proposal.edit", organisation_id=proposal.organisation_id, status=proposal.status
    )
    if not ok:
        return JsonResponse({"saved": False, "message": str(reason)}, status=403)
    version = _parse_version(request.POST.get("version", ""))
    if version is None:
        # An autosave without the page's version would overwrite blindly.
        return JsonResponse(
            {"saved": False, "message": _("This page is out of date; reload it.")}, status=400
        )
    options = _form_options(proposal)
    posted = _parse_draft(proposal, request.POST, options)
    try:
        proposal_update_draft(
            proposal=proposal, actor=_user(request), **posted.changes, expected_version=version
        )
    except DraftChanged as exc:
        return JsonResponse(
            {"saved": False, "conflict": True, "message": exc.messages[0]}, status=409
        )
    except ValidationError as exc:
        return JsonResponse({"saved": False, "message": " ".join(exc.messages)}, status=400)
    errors: dict[str, list[str]] = {}
    for bound_form in [posted.form, *posted.budget.forms, *posted.funding.forms]:
        for name, messages_ in bound_form.errors.items():
            key = bound_form[name].auto_id if name in bound_form.fields else "errors"
            errors.setdefault(key, []).extend(messages_)
    missing = proposal_completeness_errors(proposal)
    return JsonResponse(
        {
            "saved": True,
            "version": proposal.updated_at.isoformat(),
            "message": _saved_at(proposal.updated_at),
            "errors": errors,
            "checklist": render_to_string(
                "applications/_checklist.html", {"checklist": checklist(missing)}, request
            ),
        }
    )


def _apply_documents(request: HttpRequest, proposal: Proposal, form: DocumentsForm) -> None:
    """Remove the document asked for and attach every file chosen, each
    through the attachment services; a refusal becomes an error beside its
    slot, and the other files and answers go on."""
    form.is_valid()
    removed = request.POST.get("remove_document", "")
    if removed:
        try:
            name = attachment_remove(
                proposal=proposal,
                attachment_id=int(removed) if removed.isdigit() else 0,
                actor=_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("“%(name)s” is removed.") % {"name": name})
    for document, upload in form.uploads():
        try:
            attachment = attachment_put(
                proposal=proposal, document=document, file=upload, actor=_user(request)
            )
        except ValidationError as exc:
            form.add_error(f"document_{document.pk}", exc.messages)
        else:
            messages.success(
                request,
                _("“%(name)s” is attached as “%(document)s”.")
                % {"name": attachment.name, "document": document.name},
            )


# ----------------------------------------------------------------------------- budget template


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET"])
def proposal_budget_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The call's budget template, filled with the draft's saved lines."""
    proposal, _roles = _proposal_to_act_on(request, pk)
    content = budget_template(
        fiscal_years=_fiscal_years(proposal), rows=proposal_budget_rows(proposal)
    )
    return xlsx_response(content, f"budget-{proposal.reference}.xlsx")


@login_required
@require_http_methods(["POST"])
def proposal_budget_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill the draft's budget lines from the call's Excel template. A
    refused file changes nothing and its errors are listed, cell by cell,
    above the budget."""
    proposal, roles = _proposal_to_act_on(request, pk)
    ok, reason = check(
        roles, "proposal.edit", organisation_id=proposal.organisation_id, status=proposal.status
    )
    if not ok:
        messages.info(request, reason)
        return redirect("proposal_detail", pk=proposal.pk)
    options = _form_options(proposal)
    import_form = BudgetImportForm(request.POST, request.FILES)
    errors: list[str] = []
    if import_form.is_valid():
        try:
            rows = proposal_import_budget(
                proposal=proposal,
                file=import_form.cleaned_data["workbook"],
                fiscal_years=options["fiscal_years"],
                actor=_user(request),
            )
        except (BudgetSheetRefused, UploadRefused, ValidationError) as exc:
            errors = list(exc.messages)
        else:
            messages.success(
                request,
                _("The budget now has the %(count)s lines of the file.") % {"count": len(rows)},
            )
            return redirect(f"{reverse('applications:edit', args=[proposal.pk])}#budget")
    else:
        errors = [str(e) for field_errors in import_form.errors.values() for e in field_errors]
    now = timezone.now()
    documents = list(RequiredDocument.objects.filter(call_id=proposal.call_id).order_by("id"))
    context: dict[str, Any] = {
        "proposal": proposal,
        **_deadline(proposal, now),
        "documents_form": DocumentsForm(documents=documents),
        "budget": _budget_formset(
            options, initial=_budget_initial(proposal, options["fiscal_years"])
        ),
        "import_errors": errors,
        "import_form": import_form,
    }
    form = DraftForm(initial=_initial(proposal, options["fiscal_years"]), **options)
    funding = FundingFormSet(initial=_funding_initial(proposal), prefix="funding")
    return _edit_page(request, roles, context, form, funding, status=400)


# ----------------------------------------------------------------------------- documents


@login_required
@require_http_methods(["GET"])
def proposal_document(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    """A document of a proposal, as a download, for those who may see the
    proposal; 404 for anyone else."""
    return attachment_download(user=request.user, proposal_pk=pk, attachment_pk=attachment_pk)


# ----------------------------------------------------------------------------- receipt


@login_required
def proposal_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt of a submitted proposal, with its PDF."""
    proposal = proposal_for_user(request.user, pk)
    if not proposal.receipt_number:
        raise Http404
    roles = roles_for(request.user)
    return _render(
        request,
        "applications/proposal_receipt.html",
        {
            "proposal": proposal,
            "version": latest_version(proposal),
            "requested_amounts": list(proposal.requested_amounts.all()),
            "actions": proposal_actions(roles, proposal),
        },
        roles,
        proposal.call.programme,
    )


@login_required
@require_http_methods(["GET"])
def proposal_receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF receipt of the version submitted last, in the reader's language."""
    proposal = proposal_for_user(request.user, pk)
    version = latest_version(proposal) if proposal.receipt_number else None
    if version is None:
        raise Http404
    return pdf_response(receipt_pdf(proposal, version), receipt_filename(version))


def _versions_visible(request: HttpRequest, proposal: Proposal) -> Roles:
    roles = roles_for(request.user)
    if not may_see_versions(
        roles, programme_id=proposal.call.programme_id, organisation_id=proposal.organisation_id
    ):
        raise Http404
    return roles


@login_required
@require_http_methods(["GET"])
def proposal_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One submitted version as it was received, for the organisation and the
    programme's coordination (404 for anyone else)."""
    proposal = proposal_for_user(request.user, pk)
    roles = _versions_visible(request, proposal)
    version = version_of(proposal, number)
    return _render(
        request,
        "applications/proposal_version.html",
        {"proposal": proposal, "version": version, **receipt_context(proposal, version)},
        roles,
        proposal.call.programme,
    )


@login_required
@require_http_methods(["GET"])
def proposal_version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The PDF receipt of one submitted version."""
    proposal = proposal_for_user(request.user, pk)
    _versions_visible(request, proposal)
    version = version_of(proposal, number)
    return pdf_response(receipt_pdf(proposal, version), receipt_filename(version))


# ----------------------------------------------------------------------------- review


def _checklist(proposal: Proposal) -> list[dict[str, str]]:
    """What submission still needs, each item a link to its input on the
    editor (the anchors of ``checklist``)."""
    edit = reverse("applications:edit", args=[proposal.pk])
    return [
        {"message": item["message"], "href": f"{edit}#{item['anchor']}"}
        for item in checklist(proposal_completeness_errors(proposal))
    ]


@login_required
@require_http_methods(["GET", "POST"])
def proposal_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The review step: the whole draft as it will be received, what it still
    lacks (each item a link to its input), the deadline, and the attestation;
    a POST submits through the service. Submitting twice (a double click,
    two tabs) lands on the one receipt."""
    proposal, roles = _proposal_to_act_on(request, pk)
    if request.method == "GET" and proposal.status != S.DRAFT:
        if proposal.receipt_number:
            return redirect("applications:receipt", pk=proposal.pk)
        return redirect("proposal_detail", pk=proposal.pk)
    now = timezone.now()
    form = AttestationForm(
        request.POST if request.method == "POST" else None, label=attestation_text()
    )
    closed_message = ""
    if request.method == "POST":
        form.is_valid()
        try:
            proposal_submit(
                proposal=proposal,
                actor=_user(request),
                attested=bool(form.cleaned_data.get("attested")),
                now=now,
            )
        except SubmissionClosed as exc:
            closed_message = exc.messages[0]
        except CycleRefused as exc:
            current = Proposal.objects.filter(pk=proposal.pk).values("status", "receipt_number")
            if current.get()["receipt_number"]:
                # A second click, or another tab, after the submission went
                # through: the one receipt, not an error.
                messages.info(
                    request, _("This proposal is already submitted; here is its receipt.")
                )
                return redirect("applications:receipt", pk=proposal.pk)
            form.add_error(None, exc.reason)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for message in exc.message_dict.get("attestation", []):
                    form.add_error("attested", message)
            else:
                form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Your proposal is submitted. Keep this receipt."))
            return redirect("applications:receipt", pk=proposal.pk)
        proposal = proposal_for_user(request.user, pk)
        if proposal.status != S.DRAFT:
            return redirect("proposal_detail", pk=proposal.pk)
    if form.errors.get("attested"):
        form.fields["attested"].widget.attrs.update(
            {"aria-describedby": "id_attested_error", "aria-invalid": "true"}
        )
    return _render(
        request,
        "applications/proposal_review.html",
        {
            "proposal": proposal,
            "form": form,
            "checklist": _checklist(proposal),
            "closed_message": closed_message,
            "requested_amounts": list(proposal.requested_amounts.all()),
            "territories": [t.name for t in proposal.territories.all()],
            "priorities": [p.text("name") for p in proposal.priorities.all()],
            "other_funding": list(proposal.other_funding.order_by("pk")),
            "budget_lines": list(
                proposal.budget_lines.select_related("fiscal_year").order_by(
                    "fiscal_year__starts_on", "pk"
                )
            ),
            "attachments": list(
                proposal.attachments.select_related("document").order_by("document_id", "id")
            ),
            **_deadline(proposal, now),
        },
        roles,
        proposal.call.programme,
        status=400 if request.method == "POST" else 200,
    )


# ----------------------------------------------------------------------------- reopen


@login_required
@require_http_methods(["GET", "POST"])
def proposal_reopen_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm that the organisation takes its submitted proposal back to
    draft to change it before the deadline."""
    proposal, roles = _proposal_to_act_on(request, pk)
    now = timezone.now()
    ok, why = check(
        roles,
        "proposal.reopen",
        organisation_id=proposal.organisation_id,
        reopenable=_reopenable(proposal),
    )
    if not ok:
        # Say the cycle's own reason (the deadline passed, screening began).
        _allowed, when = cycle_check(
            "proposal.reopen", call=call_status_for(proposal, now), proposal=proposal.status
        )
        messages.info(request, when or why)
        return redirect("proposal_detail", pk=proposal.pk)
    if request.method == "POST":
        try:
            proposal_reopen(proposal=proposal, actor=_user(request), now=now)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("proposal_detail", pk=proposal.pk)
        messages.success(
            request,
            _(
                "Your proposal is a draft again. Submit it again before the deadline: "
                "until then the programme does not count it as submitted."
            ),
        )
        return redirect("applications:edit", pk=proposal.pk)
    return _render(
        request,
        "applications/proposal_reopen.html",
        {"proposal": proposal, **_deadline(proposal, now)},
        roles,
        proposal.call.programme,
    )


# ----------------------------------------------------------------------------- withdraw


@login_required
@require_http_methods(["GET", "POST"])
def proposal_withdraw_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, with a reason, that the organisation withdraws its proposal."""
    proposal, roles = _proposal_to_act_on(request, pk)
    ok, reason = check(
        roles,
        "proposal.withdraw",
        organisation_id=proposal.organisation_id,
        withdrawable=_withdrawable(proposal),
    )
    if not ok:
        messages.info(request, reason)
        return redirect("proposal_detail", pk=proposal.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal_withdraw(
                proposal=proposal, actor=_user(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("proposal_detail", pk=proposal.pk)
        messages.success(request, _("Your proposal is withdrawn."))
        return redirect("proposal_detail", pk=proposal.pk)
    return _render(
        request,
        "applications/proposal_withdraw.html",
        {"proposal": proposal, "form": form},
        roles,
        proposal.call.programme,
    )


# ----------------------------------------------------------------------------- deadline


@login_required
@require_http_methods(["GET", "POST"])
def deadline_extend_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordination gives one organisation more time to submit this
    draft, with a reason. Anyone but the programme's coordination gets 404."""
    proposal = proposal_for_user(request.user, pk)
    roles = roles_for(request.user)
    ok, _reason = may_extend_deadline(roles, programme_id=proposal.call.programme_id)
    if not ok:
        raise Http404
    now = timezone.now()
    allowed_now, why = cycle_check(
        "deadline.extend", call=proposal.call.status_at(now), proposal=proposal.status
    )
    if not allowed_now:
        messages.info(request, why)
        return redirect("proposal_detail", pk=proposal.pk)
    form = DeadlineExtensionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            deadline_extension_grant(
                proposal=proposal,
                closes_at=form.cleaned_data["closes_at"],
                reason=form.cleaned_data["reason"],
                actor=_user(request),
                now=now,
            )
        except ValidationError as exc:
            _attach_to(form, exc)
        else:
            messages.success(
                request,
                _("%(organisation)s may now submit until the new closing.")
                % {"organisation": proposal.organisation.legal_name},
            )
            return redirect("proposal_detail", pk=proposal.pk)
    deadline = deadline_for(proposal)
    return _render(
        request,
        "applications/deadline_extend.html",
        {"proposal": proposal, "form": form, "deadline": deadline},
        roles,
        proposal.call.programme,
        status=200,
    )


def _attach_to(form: Any, exc: ValidationError) -> None:
    """A service's refusal beside the field it is about, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
