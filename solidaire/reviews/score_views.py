"""The committee's scores beyond the table: each proposal's reviews with
their comments, reopening a submitted review, and the Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from solidaire.accounts.models import User
from solidaire.accounts.permissions import allowed
from solidaire.applications.models import Proposal
from solidaire.reviews.conflicts import is_conflicted
from solidaire.reviews.exports import scores_workbook
from solidaire.reviews.followup import review_reopen
from solidaire.reviews.forms import ReleaseForm
from solidaire.reviews.models import Review
from solidaire.reviews.views import call_for
from solidaire.views import nav_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def scores_export(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The scores table as an Excel workbook."""
    call, _roles = call_for(request, programme, number, "call.view_scores")
    data = scores_workbook(call, person_id=_user(request).pk)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="notes-{programme}-{number}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def proposal_reviews(request: HttpRequest, programme: str, number: int, pk: int) -> HttpResponse:
    """One proposal's submitted reviews, each evaluator's scores and
    comments; the coordination may reopen one, with a reason."""
    call, roles = call_for(request, programme, number, "call.view_scores")
    proposal = Proposal.objects.filter(call=call, pk=pk).select_related("organisation").first()
    if proposal is None or is_conflicted(_user(request).pk, proposal.pk):
        raise Http404
    proposal.call = call
    reviews = list(
        Review.objects.filter(proposal=proposal, status=Review.Status.SUBMITTED)
        .select_related("evaluator")
        .prefetch_related("scores__criterion")
        .order_by("id")
    )
    can_reopen = allowed(roles, "review.reopen", programme_id=call.programme_id)
    failed_pk = None
    failed_form = None
    if request.method == "POST":
        if not can_reopen:
            raise Http404
        target = next((r for r in reviews if str(r.pk) == request.POST.get("review")), None)
        if target is None:
            raise Http404
        target.proposal = proposal
        form = ReleaseForm(request.POST, prefix=f"r{target.pk}")
        if form.is_valid():
            try:
                review_reopen(
                    review=target, actor=_user(request), reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form.add_error("reason", exc.messages)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _reopened_message(target))
                return redirect("reviews:proposal_reviews", programme, number, proposal.pk)
        failed_pk, failed_form = target.pk, form
    items = [
        (
            review,
            sorted(review.scores.all(), key=lambda s: (s.criterion.order, s.criterion_id)),
            failed_form if review.pk == failed_pk else ReleaseForm(prefix=f"r{review.pk}"),
        )
        for review in reviews
    ]
    return render(
        request,
        "reviews/proposal_reviews.html",
        {
            "call": call,
            "proposal": proposal,
            "items": items,
            "can_reopen": can_reopen,
            "header_programme": call.programme,
            "nav": nav_for(roles),
        },
        status=400 if failed_form is not None else 200,
    )


def _reopened_message(review: Review) -> str:
    return _("The review of %(person)s is reopened: it no longer counts until resubmitted.") % {
        "person": review.evaluator
    }
