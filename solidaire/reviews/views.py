"""Pages of the reviews step: the coordination screens a call's proposals and
assigns evaluators, evaluators score (or declare a conflict of interest), and
the committee reads the scores gathered.

Views parse input, call one service or selector, and render. Every page
reaches its object through an access check (404 for anyone else, so a
stranger learns nothing); a refused input is shown again with its errors
beside the fields, and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from solidaire.accounts.models import User
from solidaire.accounts.permissions import Roles, allowed
from solidaire.applications.access import roles_for
from solidaire.applications.cycle import cycle_check
from solidaire.applications.models import Proposal
from solidaire.calls.models import Call, Criterion, ScaleLevel
from solidaire.reviews.access import review_for_user
from solidaire.reviews.assignment import assignment_settings
from solidaire.reviews.conflicts import call_conflict_pairs, conflicted_proposal_ids
from solidaire.reviews.evaluator import proposal_file
from solidaire.reviews.forms import (
    AssignForm,
    ConflictForm,
    ReleaseForm,
    ScoreForm,
    ScreeningForm,
)
from solidaire.reviews.models import Review
from solidaire.reviews.selectors import (
    DISAGREEMENT_LEVELS,
    DISAGREEMENT_SPREAD,
    SCREENED_STATUSES,
    AssignmentRow,
    assignment_proposals,
    assignment_rows,
    call_evaluators,
    call_score_rows,
    screening_counts,
    screening_proposals,
    screening_rows,
)
from solidaire.reviews.services import (
    conflict_declare,
    eligibility_record,
    review_assign,
    review_check_complete,
    review_release,
    review_save_draft,
    review_submit,
)
from solidaire.views import nav_for

PER_PAGE = 20

# ----------------------------------------------------------------------------- access


def call_for(request: HttpRequest, programme: str, number: int, action: str) -> tuple[Call, Roles]:
    """The call if the person may do ``action`` on it, else 404."""
    call = (
        Call.objects.select_related("programme__region")
        .filter(programme__slug=programme, number=number)
        .first()
    )
    if call is None:
        raise Http404
    roles = roles_for(request.user)
    if not allowed(roles, action, programme_id=call.programme_id):
        raise Http404
    return call, roles


def _proposal_of(call: Call, queryset: Any, pk: int) -> Proposal:
    proposal = queryset.filter(pk=pk).first()
    if proposal is None:
        raise Http404
    proposal.call = call
    return proposal


def _call_links(call: Call, roles: Roles) -> list[tuple[str, str]]:
    """The call's coordination pages this person may open: (label, url)."""
    args = [call.programme.slug, call.number]
    links = []
    if allowed(roles, "screening.record", programme_id=call.programme_id):
        links.append((_("Eligibility"), reverse("reviews:screening", args=args)))
    if allowed(roles, "review.assign", programme_id=call.programme_id):
        links.append((_("Evaluators"), reverse("reviews:assignments", args=args)))
    if allowed(roles, "call.view_scores", programme_id=call.programme_id):
        links.append((_("Scores"), reverse("reviews:scores", args=args)))
    if allowed(roles, "meeting.view", programme_id=call.programme_id):
        links.append((_("Committee meeting"), reverse("committee:meeting", args=args)))
    return links


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    roles: Roles,
    call: Call,
    status: int = 200,
) -> HttpResponse:
    context = {
        "call": call,
        "header_programme": call.programme,
        "nav": nav_for(roles),
        "call_links": _call_links(call, roles) if "review" not in context else [],
        **context,
    }
    return render(request, template, context, status=status)


# ----------------------------------------------------------------------------- screening


def _status_filter(request: HttpRequest) -> str:
    status = request.GET.get("statut", request.POST.get("statut", ""))
    return status if status in SCREENED_STATUSES else ""


CHECK_FILTERS = ("echec", "reussite", "indetermine")


@login_required
def screening(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The call's submitted proposals, one per row linked to its screening:
    its automatic checks and recorded outcome, with filters (status, what
    the automatic checks say, a word of the reference, title or
    organisation) and pages."""
    call, roles = call_for(request, programme, number, "screening.record")
    status = _status_filter(request)
    words = request.GET.get("q", "").strip()[:100]
    checks = request.GET.get("verification", "")
    checks = checks if checks in CHECK_FILTERS else ""
    proposals = screening_proposals(call, status)
    if words:
        proposals = proposals.filter(
            Q(reference__icontains=words)
            | Q(title__icontains=words)
            | Q(organisation__legal_name__icontains=words)
        )
    if checks:
        # The checks are computed from the data already loaded, not stored:
        # filtering on them reads the filtered proposals once, then pages.
        wanted = {"echec": False, "reussite": True, "indetermine": None}[checks]
        keep = [
            row.proposal.pk
            for row in screening_rows(call, proposals)
            if any(s.passed is wanted for _r, _res, s in row.rules)
            and (wanted is not True or all(s.passed is True for _r, _res, s in row.rules))
        ]
        proposals = proposals.filter(pk__in=keep)
    page = Paginator(proposals, PER_PAGE).get_page(request.GET.get("page"))
    rows = screening_rows(call, page.object_list)
    counts = screening_counts(call)
    query = {k: v for k, v in (("statut", status), ("q", words), ("verification", checks)) if v}
    return _render(
        request,
        "screening/call_screening.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "words": words,
            "checks": checks,
            "check_filters": [
                ("echec", _("An automatic check fails")),
                ("reussite", _("Every automatic check passes")),
                ("indetermine", _("An automatic check cannot tell")),
            ],
            "statuses": [(s, Proposal.Status(s).label, counts[s]) for s in SCREENED_STATUSES],
            "total": sum(counts.values()),
            "page_query": urlencode(query),
            "filter_query": f"?{urlencode(query)}" if query else "",
        },
        roles=roles,
        call=call,
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening_proposal(request: HttpRequest, programme: str, number: int, pk: int) -> HttpResponse:
    """One proposal's screening: records the rules' outcomes, or shows the
    form again with the error beside the rule and every other answer kept."""
    call, roles = call_for(request, programme, number, "screening.record")
    proposal = _proposal_of(call, screening_proposals(call), pk)
    (row,) = screening_rows(call, [proposal])
    prefix = f"p{proposal.pk}"
    form = ScreeningForm(
        request.POST if request.method == "POST" else None, rules=row.rules, prefix=prefix
    )
    status = _status_filter(request)
    if request.method == "POST":
        if not row.screenable:
            form.add_error(None, _("This proposal is under review: its screening is closed."))
        elif form.is_valid():
            assert isinstance(request.user, User)
            try:
                eligibility_record(proposal=proposal, results=form.results(), actor=request.user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("Screening of %(reference)s recorded: %(status)s.")
                    % {"reference": proposal.reference, "status": proposal.get_status_display()},
                )
                url = reverse("reviews:screening", args=[programme, number])
                query = f"?{urlencode({'statut': status})}" if status else ""
                return redirect(f"{url}{query}#{prefix}")
    return _render(
        request,
        "screening/proposal_screening.html",
        {"row": row, "form": form, "status": status},
        roles=roles,
        call=call,
    )


# ----------------------------------------------------------------------------- assignment


@login_required
@require_http_methods(["GET", "POST"])
def assign_proposal(request: HttpRequest, programme: str, number: int, pk: int) -> HttpResponse:
    """Assign the evaluators ticked to one proposal, all or none: one
    conflicted evaluator refuses the whole change, so the list shown again
    is exactly what was asked and nothing has been written."""
    call, roles = call_for(request, programme, number, "review.assign")
    evaluators = call_evaluators(call)
    proposal = _proposal_of(call, assignment_proposals(call), pk)
    row = _assignment_row(call, proposal)
    prefix = f"p{proposal.pk}"
    form = _assign_form(
        row, evaluators, request.POST if request.method == "POST" else None, prefix=prefix
    )
    if request.method == "POST" and form.is_valid():
        chosen, removed = form.chosen(), form.removed()
        assert isinstance(request.user, User)
        try:
            _assign_and_unassign(call, proposal, row, chosen, removed, request.user)
        except ValidationError as exc:
            form.add_error("evaluators", exc.messages)
        else:
            if chosen:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d review assigned on %(reference)s.",
                        "%(count)d reviews assigned on %(reference)s.",
                        len(chosen),
                    )
                    % {"count": len(chosen), "reference": proposal.reference},
                )
            if removed:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d review withdrawn from %(reference)s.",
                        "%(count)d reviews withdrawn from %(reference)s.",
                        len(removed),
                    )
                    % {"count": len(removed), "reference": proposal.reference},
                )
            url = reverse("reviews:assignments", args=[programme, number])
            page = request.POST.get("page", "")
            query = f"?{urlencode({'page': page})}" if page.isdigit() else ""
            return redirect(f"{url}{query}#{prefix}")
    return _render(
        request,
        "reviews/assign_proposal.html",
        {
            "row": row,
            "form": form,
            "evaluators": evaluators,
            "release_forms": _release_forms(row),
        },
        roles=roles,
        call=call,
    )


@login_required
@require_POST
def review_release_page(
    request: HttpRequest, programme: str, number: int, pk: int, review: int
) -> HttpResponse:
    """Release an evaluator from a review still in progress, with a reason:
    the review stops holding up the decision (its draft is kept, never counted)."""
    call, roles = call_for(request, programme, number, "review.assign")
    proposal = _proposal_of(call, assignment_proposals(call), pk)
    target = Review.objects.filter(pk=review, proposal=proposal).select_related("evaluator").first()
    if target is None:
        raise Http404
    target.proposal = proposal
    form = ReleaseForm(request.POST, prefix=f"r{target.pk}")
    row = _assignment_row(call, proposal)
    if form.is_valid():
        assert isinstance(request.user, User)
        try:
            review_release(
                review=target,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                keep_draft=form.keep_draft,
            )
        except ValidationError as exc:
            form.add_error("reason", exc.messages)
        else:
            messages.success(
                request,
                _("%(person)s is released from the review of %(reference)s.")
                % {"person": target.evaluator, "reference": proposal.reference},
            )
            return redirect("reviews:assign", programme=programme, number=number, pk=proposal.pk)
    evaluators = call_evaluators(call)
    return _render(
        request,
        "reviews/assign_proposal.html",
        {
            "row": row,
            "form": _assign_form(row, evaluators, None, prefix=f"p{proposal.pk}"),
            "evaluators": evaluators,
            "release_forms": _release_forms(row, failed=form, failed_pk=target.pk),
        },
        roles=roles,
        call=call,
    )


def _assignment_row(call: Call, proposal: Proposal) -> AssignmentRow:
    (row,) = assignment_rows(
        [proposal],
        call_conflict_pairs(call.pk),
        wanted=assignment_settings(call).reviews_per_proposal,
    )
    return row


def _assign_form(
    row: AssignmentRow, evaluators: list[User], data: Any, *, prefix: str
) -> AssignForm:
    return AssignForm(
        data,
        evaluators=evaluators,
        assigned=row.assigned_ids,
        locked=frozenset(
            r.evaluator_id for r in row.reviews if r.status == Review.Status.SUBMITTED
        ),
        prefix=prefix,
    )


def _assign_and_unassign(
    call: Call,
    proposal: Proposal,
    row: AssignmentRow,
    chosen: list[User],
    removed: list[User],
    actor: User,
) -> None:
    """Assign the evaluators ticked and unassign those unticked, all or
    nothing. Unticking someone who started a draft is refused: releasing
    them (below the list) asks why and what becomes of the draft."""
    due_on = assignment_settings(call).due_on
    started = {
        r.evaluator_id: r
        for r in row.reviews
        if r.status == Review.Status.ASSIGNED and (r.drafted or r.comment)  # type: ignore[attr-defined]
    }
    refused = [person for person in removed if person.pk in started]
    if refused:
        raise ValidationError(
            _(
                "%(people)s started a draft: release them below instead, saying why "
                "and whether their draft is kept."
            )
            % {"people": ", ".join(str(p) for p in refused)}
        )
    pending = {r.evaluator_id: r for r in row.reviews if r.status == Review.Status.ASSIGNED}
    with transaction.atomic():
        for evaluator in chosen:
            review = review_assign(proposal=proposal, evaluator=evaluator, actor=actor)
            if due_on is not None and review.due_on is None:
                review.due_on = due_on
                review.save(update_fields=["due_on"])
        for person in removed:
            review_release(
                review=pending[person.pk],
                actor=actor,
                reason=_("Unassigned by the coordination."),
            )


def _release_forms(
    row: Any, *, failed: ReleaseForm | None = None, failed_pk: int | None = None
) -> list[tuple[Review, ReleaseForm]]:
    return [
        (r, failed if failed is not None and r.pk == failed_pk else ReleaseForm(prefix=f"r{r.pk}"))
        for r in row.pending
    ]


# ----------------------------------------------------------------------------- the committee's scores


@login_required
def scores(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """Every reviewed proposal's weighted score, spread and disagreement."""
    call, roles = call_for(request, programme, number, "call.view_scores")
    order = "reference" if request.GET.get("tri") == "reference" else "score"
    standardise = request.GET.get("standardiser") == "1"
    hidden = conflicted_proposal_ids(
        request.user.pk or 0, Proposal.objects.filter(call=call).values_list("pk", flat=True)
    )
    rows = call_score_rows(call, order=order, hidden=hidden)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = {"tri": order}
    if standardise:
        query["standardiser"] = "1"
    return _render(
        request,
        "reviews/call_scores.html",
        {
            "page": page,
            "order": order,
            "standardise": standardise,
            "page_query": urlencode(query),
            "spread_threshold": DISAGREEMENT_SPREAD,
            "levels_threshold": DISAGREEMENT_LEVELS,
            "recused_total": sum(r.n_recused for r in rows),
        },
        roles=roles,
        call=call,
    )


# ----------------------------------------------------------------------------- an evaluator's review


def _review_render(
    request: HttpRequest, template: str, review: Review, context: dict[str, Any]
) -> HttpResponse:
    roles = roles_for(request.user)
    return render(
        request,
        template,
        {
            "review": review,
            "proposal": review.proposal,
            "header_programme": review.proposal.call.programme,
            "nav": nav_for(roles),
            **context,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluator's scoring form: "save" keeps a partial draft, "submit"
    checks that every criterion is scored and closes the review."""
    review = review_for_user(request.user, pk)
    editable = allowed(
        roles_for(request.user),
        "review.score",
        evaluator_id=review.evaluator_id,
        conflicted=review.conflicted,  # type: ignore[attr-defined]
        status=review.status,
    )
    open_now, closed_reason = cycle_check(
        "review.score",
        call=review.proposal.call.status,
        proposal=review.proposal.status,
        review=review.status,
    )
    editable = editable and open_now
    call_id = review.proposal.call_id
    criteria = list(Criterion.objects.filter(call_id=call_id))
    levels = list(ScaleLevel.objects.filter(call_id=call_id))
    existing = list(review.scores.all())
    if request.method == "POST" and not editable:
        messages.error(
            request, closed_reason or _("This review is closed: it can no longer be changed.")
        )
        return redirect("review_detail", pk=review.pk)
    form = ScoreForm(
        request.POST if request.method == "POST" else None,
        criteria=criteria,
        levels=levels,
        review=review,
        scores=existing,
    )
    action = request.POST.get("action")
    if request.method == "POST" and form.is_valid() and action == "recap":
        # Before the final submission: the scores read back with the
        # review's weighted total, nothing written yet.
        assert isinstance(request.user, User)
        given = {code: s for code, s in form.scores().items() if s is not None}
        try:
            review_check_complete(review=review, scores=given)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _review_render(
                request,
                "reviews/review_recap.html",
                review,
                {
                    "form": form,
                    "recap": form.recap(),
                    "total": form.weighted_total(),
                },
            )
    elif request.method == "POST" and form.is_valid():
        submitting = action == "submit"
        assert isinstance(request.user, User)
        try:
            if submitting:
                given = {code: s for code, s in form.scores().items() if s is not None}
                review_submit(
                    review=review,
                    scores=given,
                    actor=request.user,
                    comment=form.cleaned_data["comment"],
                )
            else:
                review_save_draft(
                    review=review,
                    scores=form.scores(),
                    actor=request.user,
                    comment=form.cleaned_data["comment"],
                )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            if submitting:
                messages.success(request, _("Review submitted. Thank you."))
                return redirect("review_detail", pk=review.pk)
            messages.success(request, _("Draft saved. The review is not submitted yet."))
            return redirect("reviews:score", pk=review.pk)
    return _review_render(
        request,
        "reviews/review_score.html",
        review,
        {
            "form": form,
            "editable": editable,
            "levels": levels,
            "file": proposal_file(review.proposal),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    """Declare a conflict of interest: the review is recused and the proposal
    leaves the evaluator's pages at once."""
    review = review_for_user(request.user, pk)
    form = ConflictForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        try:
            conflict_declare(
                proposal=review.proposal, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error("reason", exc.messages)
        else:
            messages.success(
                request,
                _(
                    "Conflict of interest declared on %(reference)s. "
                    "The proposal is no longer among your reviews."
                )
                % {"reference": review.proposal.reference},
            )
            return redirect("review_list")
    return _review_render(request, "reviews/review_conflict.html", review, {"form": form})
