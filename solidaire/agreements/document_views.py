"""Pages of the agreement as a document: the coordination's template, the
PDF of each version, the organisation's signature in its space, the
trustee's countersignature, and amendments.

Every page fetches its object through an access function: a stranger gets
404 and learns nothing. The writes are services of ``agreements.documents``
and ``agreements.amendments``; a refusal is shown beside the form, what was
typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solidaire.accounts.permissions import Roles, allowed
from solidaire.agreements.amendments import (
    amendment_addable_years,
    amendment_approve,
    amendment_propose,
    amendment_reject,
)
from solidaire.agreements.document_forms import (
    AgreementTemplateForm,
    AmendmentDecisionForm,
    AmendmentForm,
    OrganisationSignForm,
)
from solidaire.agreements.documents import (
    LANGUAGES,
    PLACEHOLDERS,
    SECTIONS,
    SigningState,
    agreement_document_get,
    agreement_sign_organisation,
    agreement_template_for,
    agreement_template_save,
    document_content,
    organisation_is_manager,
    organisation_language,
    signing_state,
)
from solidaire.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementSignature,
    AgreementVersion,
    Amendment,
    Payment,
)
from solidaire.agreements.services import commitment_amounts
from solidaire.agreements.views import REFUSED, _add_refusal, _require, agreement_for_user
from solidaire.applications.access import proposal_for_user, roles_for
from solidaire.common.pdf import pdf_response
from solidaire.documents.responses import attachment_response
from solidaire.documents.validation import UploadRefused
from solidaire.programmes.models import Programme

# ----------------------------------------------------------------------------- shared


def _version(agreement: Agreement, number: int) -> AgreementVersion:
    version = AgreementVersion.objects.filter(agreement=agreement, number=number).first()
    if version is None:
        raise Http404
    return version


def _pdf(request: HttpRequest, agreement: Agreement, number: int, language: str) -> HttpResponse:
    if language not in LANGUAGES:
        raise Http404
    version = _version(agreement, number)
    try:
        document = agreement_document_get(
            version=version,
            language=language,
            actor=request.user,  # type: ignore[arg-type]
        )
        content = document_content(document)
    except ValidationError as exc:
        # A store that cannot take the new document is a passing fault (503:
        # try again later); a stored file that no longer matches is not (409).
        status = 503 if getattr(exc, "code", None) == "storage_failed" else 409
        return render(request, "refused.html", {"messages_list": exc.messages}, status=status)
    return pdf_response(content, f"{agreement.number}-v{version.number}-{language}.pdf")


def _signed_copy(agreement: Agreement, signature_pk: int) -> HttpResponseBase:
    signature = (
        AgreementSignature.objects.filter(pk=signature_pk, version__agreement=agreement)
        .exclude(copy_stored_name="")
        .first()
    )
    if signature is None:
        raise Http404
    return attachment_response(
        stored_name=signature.copy_stored_name,
        filename=signature.copy_name,
        content_type=signature.copy_content_type or "application/octet-stream",
    )


# ----------------------------------------------------------------------------- trustee's side


@login_required
@require_GET
def agreement_pdf_view(request: HttpRequest, key: str, version: int, language: str) -> HttpResponse:
    """A version's PDF for the trustee and the coordination."""
    agreement, _roles = agreement_for_user(request, key)
    return _pdf(request, agreement, version, language)


@login_required
@require_GET
def agreement_copy_view(request: HttpRequest, key: str, pk: int) -> HttpResponseBase:
    agreement, _roles = agreement_for_user(request, key)
    return _signed_copy(agreement, pk)


# ----------------------------------------------------------------------------- template


def _programme_for_template(request: HttpRequest, slug: str) -> Programme:
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404
    if not allowed(roles_for(request.user), "agreement.edit_template", programme_id=programme.pk):
        raise Http404
    return programme


@login_required
@require_http_methods(["GET", "POST"])
def agreement_template_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The coordination edits the clauses of its programme's agreements."""
    programme = _programme_for_template(request, slug)
    template = agreement_template_for(programme)
    initial = {name: getattr(template, name) for s in SECTIONS for name in (s, f"{s}_en")}
    form = AgreementTemplateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                agreement_template_save(
                    programme=programme,
                    texts=form.cleaned_data,
                    actor=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                _add_refusal(form, exc)
            else:
                messages.success(
                    request,
                    _("The agreement template is saved; agreements issued from now on use it."),
                )
                return redirect("agreements:template", slug=programme.slug)
        status = REFUSED
    return render(
        request,
        "agreements/agreement_template.html",
        {
            "programme": programme,
            "form": form,
            "sections": [(form[s], form[f"{s}_en"]) for s in SECTIONS],
            "placeholders": [(f"{{{name}}}", meaning) for name, meaning in PLACEHOLDERS.items()],
            "header_programme": programme,
        },
        status=status,
    )


# ----------------------------------------------------------------------------- organisation's side


def _funded_for_member(request: HttpRequest, pk: int) -> tuple[Agreement, Roles]:
    """The agreement of an initiative, for a member of its organisation (a
    terminated one stays readable); 404 for anyone else and when no
    agreement was issued."""
    proposal = proposal_for_user(request.user, pk)
    roles = roles_for(request.user)
    if proposal.organisation_id not in roles.organisation_ids:
        raise Http404
    agreement = (
        Agreement.objects.select_related("proposal__organisation", "proposal__call__programme")
        .filter(proposal=proposal)
        .first()
    )
    if agreement is None:
        raise Http404
    return agreement, roles


def _organisation_page(
    request: HttpRequest,
    agreement: Agreement,
    roles: Roles,
    form: OrganisationSignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    language = request.GET.get("langue", "")
    if language not in LANGUAGES:
        language = organisation_language(agreement.proposal.organisation_id)
    state: SigningState = signing_state(agreement)
    # The document the manager reads (and signs) is issued the first time
    # this page is opened, then kept as issued.
    document = state.documents.get(language) or agreement_document_get(
        version=state.version,
        language=language,
        actor=request.user,  # type: ignore[arg-type]
    )
    state.documents[language] = document
    may_sign = allowed(
        roles,
        "agreement.sign_for_organisation",
        organisation_id=agreement.proposal.organisation_id,
        manager=organisation_is_manager(request.user, agreement.proposal.organisation_id),  # type: ignore[arg-type]
    )
    open_for_signature = (
        state.organisation is None
        and agreement.status in (Agreement.Status.ISSUED, Agreement.Status.SIGNED)
        and (agreement.status == Agreement.Status.ISSUED or agreement.amendment_unsigned)
    )
    if form is None and may_sign and open_for_signature:
        membership = request.user.organisation_memberships.filter(  # type: ignore[union-attr]
            organisation_id=agreement.proposal.organisation_id
        ).first()
        form = OrganisationSignForm(
            prefix="sign",
            initial={
                "document": document.pk,
                "name": request.user.get_full_name(),  # type: ignore[union-attr]
                "title": membership.title if membership else "",
            },
        )
    return render(
        request,
        "agreements/organisation_agreement.html",
        {
            "agreement": agreement,
            "proposal": agreement.proposal,
            "signing": state,
            "document": document,
            "language": language,
            "other_language": "en" if language == "fr" else "fr",
            "form": form,
            "may_sign": may_sign,
            "header_programme": agreement.proposal.call.programme,
        },
        status=status,
    )


@login_required
@require_GET
def organisation_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation reads its agreement and, as manager, signs it."""
    agreement, roles = _funded_for_member(request, pk)
    return _organisation_page(request, agreement, roles)


@login_required
@require_POST
def organisation_sign(request: HttpRequest, pk: int) -> HttpResponse:
    agreement, roles = _funded_for_member(request, pk)
    organisation_id = agreement.proposal.organisation_id
    if not allowed(
        roles,
        "agreement.sign_for_organisation",
        organisation_id=organisation_id,
        manager=organisation_is_manager(request.user, organisation_id),  # type: ignore[arg-type]
    ):
        raise PermissionDenied
    form = OrganisationSignForm(request.POST, request.FILES, prefix="sign")
    if form.is_valid():
        document = AgreementDocument.objects.filter(
            pk=form.cleaned_data["document"], version__agreement=agreement
        ).first()
        if document is None:
            form.add_error(None, _("This document is not one of this agreement's."))
        else:
            try:
                agreement_sign_organisation(
                    agreement=agreement,
                    document=document,
                    actor=request.user,  # type: ignore[arg-type]
                    name=form.cleaned_data["name"],
                    title=form.cleaned_data["title"],
                    signed_copy=form.cleaned_data["signed_copy"],
                )
            except UploadRefused as exc:
                form.add_error("signed_copy", exc.messages)
            except ValidationError as exc:
                _add_refusal(form, exc)
            else:
                messages.success(
                    request,
                    _("Your signature is recorded; the trustee countersigns next."),
                )
                return redirect(reverse("agreements:organisation", args=[pk]) + "#signatures")
    return _organisation_page(request, agreement, roles, form=form, status=REFUSED)


@login_required
@require_GET
def organisation_pdf(request: HttpRequest, pk: int, version: int, language: str) -> HttpResponse:
    agreement, _roles = _funded_for_member(request, pk)
    return _pdf(request, agreement, version, language)


@login_required
@require_GET
def organisation_copy(request: HttpRequest, pk: int, signature: int) -> HttpResponseBase:
    agreement, _roles = _funded_for_member(request, pk)
    return _signed_copy(agreement, signature)


# ----------------------------------------------------------------------------- amendments


def _unpaid(agreement: Agreement) -> list[Payment]:
    return list(
        Payment.objects.filter(agreement=agreement, status=Payment.Status.SCHEDULED).order_by(
            "sequence"
        )
    )


def _amendments_page(
    request: HttpRequest,
    agreement: Agreement,
    roles: Roles,
    form: AmendmentForm | None = None,
    decision: tuple[int, AmendmentDecisionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    programme_id = agreement.proposal.call.programme_id
    can_propose = allowed(roles, "amendment.propose", programme_id=programme_id)
    can_approve = allowed(roles, "amendment.approve", programme_id=programme_id)
    amendments = list(
        Amendment.objects.filter(agreement=agreement)
        .select_related("proposed_by", "decided_by", "version")
        .prefetch_related("lines__fiscal_year", "due_dates__payment")
        .order_by("-proposed_at")
    )
    pending = any(a.status == Amendment.Status.PROPOSED for a in amendments)
    if form is None and can_propose and not pending:
        form = AmendmentForm(
            prefix="amend",
            years=list(commitment_amounts(agreement.proposal).items()),
            payments=_unpaid(agreement),
            addable=amendment_addable_years(agreement),
            initial={"ends_on": agreement.ends_on},
        )
    decision_forms = {}
    if can_approve:
        for amendment in amendments:
            if amendment.status == Amendment.Status.PROPOSED:
                decision_forms[amendment.pk] = (
                    decision[1]
                    if decision and decision[0] == amendment.pk
                    else AmendmentDecisionForm(prefix=f"decide{amendment.pk}")
                )
    return render(
        request,
        "agreements/amendments.html",
        {
            "agreement": agreement,
            "proposal": agreement.proposal,
            "amendments": [(a, decision_forms.get(a.pk)) for a in amendments],
            "form": form if can_propose else None,
            "pending": pending,
            "header_programme": agreement.proposal.call.programme,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def amendments_page(request: HttpRequest, key: str) -> HttpResponse:
    """An agreement's amendments; the coordination proposes one here."""
    agreement, roles = agreement_for_user(request, key)
    if request.method == "GET":
        return _amendments_page(request, agreement, roles)
    _require(roles, "amendment.propose", agreement.proposal.call.programme_id)
    form = AmendmentForm(
        request.POST,
        prefix="amend",
        years=list(commitment_amounts(agreement.proposal).items()),
        payments=_unpaid(agreement),
        addable=amendment_addable_years(agreement),
    )
    if form.is_valid():
        try:
            amendment_propose(
                agreement=agreement,
                actor=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
                amounts=form.amounts(),
                ends_on=form.cleaned_data["ends_on"],
                due_dates=form.due_dates(),
            )
        except ValidationError as exc:
            _add_refusal(form, exc)
        else:
            messages.success(request, _("The amendment is proposed; the trustee approves it."))
            return redirect("agreements:amendments", key=agreement.number)
    return _amendments_page(request, agreement, roles, form=form, status=REFUSED)


@login_required
@require_POST
def amendment_decide(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """The trustee approves or rejects a proposed amendment."""
    agreement, roles = agreement_for_user(request, key)
    _require(roles, "amendment.approve", agreement.proposal.call.programme_id)
    amendment = Amendment.objects.filter(pk=pk, agreement=agreement).first()
    if amendment is None:
        raise Http404
    form = AmendmentDecisionForm(request.POST, prefix=f"decide{amendment.pk}")
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                version = amendment_approve(
                    amendment=amendment,
                    actor=request.user,  # type: ignore[arg-type]
                )
                messages.success(
                    request,
                    _("The amendment is approved: version %(n)s awaits both signatures.")
                    % {"n": version.number},
                )
            else:
                amendment_reject(
                    amendment=amendment,
                    actor=request.user,  # type: ignore[arg-type]
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("The amendment is rejected."))
        except ValidationError as exc:
            _add_refusal(form, exc)
        else:
            return redirect("agreements:amendments", key=agreement.number)
    return _amendments_page(
        request, agreement, roles, decision=(amendment.pk, form), status=REFUSED
    )
