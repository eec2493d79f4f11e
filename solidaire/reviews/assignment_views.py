"""The call's assignment page: each evaluator's workload, the proposals and
their reviews (ticked by hand), and the automatic assignment — asked,
shown as a proposal, then applied."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from solidaire.accounts.models import User
from solidaire.accounts.permissions import Roles
from solidaire.calls.models import Call
from solidaire.common.text import sort_key
from solidaire.reviews.assignment import (
    assignment_apply,
    assignment_propose,
    assignment_settings,
    assignment_settings_save,
    evaluator_capacities,
    signed_pairs,
)
from solidaire.reviews.conflicts import call_conflict_pairs
from solidaire.reviews.forms import AssignForm, AutomaticAssignmentForm
from solidaire.reviews.models import Review
from solidaire.reviews.selectors import (
    assignment_proposals,
    assignment_rows,
    call_evaluators,
    call_workloads,
)
from solidaire.reviews.views import PER_PAGE, _render, call_for


@dataclass(frozen=True)
class LoadRow:
    """An evaluator's reviews of the call before and after a proposed assignment."""

    evaluator: User
    before: int
    after: int
    capacity: int


def _page_context(
    request: HttpRequest, call: Call, form: AutomaticAssignmentForm | None = None
) -> dict[str, Any]:
    evaluators = call_evaluators(call)
    settings = assignment_settings(call)
    capacities = evaluator_capacities(call, evaluators, settings.reviews_per_proposal)
    if form is None:
        form = AutomaticAssignmentForm(
            evaluators=evaluators,
            capacities=capacities,
            reviews_per_proposal=settings.reviews_per_proposal,
            due_on=settings.due_on,
        )
    conflicts = call_conflict_pairs(call.pk)
    proposals = assignment_proposals(call)
    # Proposals a recusal left short of reviewers: the alert above the list.
    short = [
        row
        for row in assignment_rows(
            # A subquery, not a join: a join here would multiply the counts.
            proposals.filter(
                pk__in=Review.objects.filter(
                    proposal__call=call, status=Review.Status.RECUSED
                ).values("proposal_id")
            ),
            conflicts,
            wanted=settings.reviews_per_proposal,
        )
        if row.short_after_recusal
    ]
    page = Paginator(proposals, PER_PAGE).get_page(request.GET.get("page"))
    rows = assignment_rows(page.object_list, conflicts, wanted=settings.reviews_per_proposal)
    items = [
        (
            row,
            AssignForm(
                evaluators=evaluators,
                assigned=row.assigned_ids,
                locked=frozenset(r.evaluator_id for r in row.reviews if r.status == "submitted"),
                prefix=f"p{row.proposal.pk}",
            ),
        )
        for row in rows
    ]
    return {
        "page": page,
        "items": items,
        "evaluators": evaluators,
        "workloads": call_workloads(call, evaluators, capacities),
        "auto_form": form,
        "settings": settings,
        "short": short,
    }


@login_required
def assignments(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """Eligible proposals and the evaluators assigned to each, each
    evaluator's workload, and the automatic assignment's settings."""
    call, roles = call_for(request, programme, number, "review.assign")
    return _render(
        request, "reviews/assignments.html", _page_context(request, call), roles=roles, call=call
    )


def _proposal_groups(call: Call, pairs: frozenset[tuple[int, int]]) -> list[dict[str, Any]]:
    """The new reviews of a proposed assignment, per proposal in reference
    order, evaluators in the order French sorts their names."""
    people = {e.pk: e for e in call_evaluators(call)}
    by_proposal: dict[int, list[User]] = defaultdict(list)
    for e, p in pairs:
        by_proposal[p].append(people[e])
    proposals = assignment_proposals(call).filter(pk__in=list(by_proposal))
    return [
        {
            "proposal": proposal,
            "evaluators": sorted(
                by_proposal[proposal.pk],
                key=lambda u: sort_key(u.last_name, u.first_name, u.username),
            ),
        }
        for proposal in proposals
    ]


def _rerender(
    request: HttpRequest, call: Call, roles: Roles, form: AutomaticAssignmentForm
) -> HttpResponse:
    return _render(
        request,
        "reviews/assignments.html",
        _page_context(request, call, form),
        roles=roles,
        call=call,
        status=400,
    )


@login_required
@require_POST
def automatic_propose(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """Record the settings asked and show the assignment that meets them
    best; nothing is assigned until the coordinator applies it."""
    call, roles = call_for(request, programme, number, "review.assign")
    evaluators = call_evaluators(call)
    settings = assignment_settings(call)
    form = AutomaticAssignmentForm(
        request.POST,
        evaluators=evaluators,
        capacities=evaluator_capacities(call, evaluators, settings.reviews_per_proposal),
        reviews_per_proposal=settings.reviews_per_proposal,
    )
    if not form.is_valid():
        return _rerender(request, call, roles, form)
    assert isinstance(request.user, User)
    try:
        settings = assignment_settings_save(
            call=call,
            reviews_per_proposal=form.cleaned_data["reviews_per_proposal"],
            due_on=form.cleaned_data["due_on"],
            capacities=form.capacities(),
            actor=request.user,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _rerender(request, call, roles, form)
    proposal = assignment_propose(
        call,
        reviews_per_proposal=settings.reviews_per_proposal,
        capacities=form.capacities(),
    )
    people = {e.pk: e for e in evaluators}
    capacities = form.capacities()
    kept: dict[int, int] = defaultdict(int)
    for e, _p in proposal.problem.kept:
        kept[e] += 1
    loads = sorted(
        (
            LoadRow(people[e], kept[e], load, capacities.get(e, 0))
            for e, load in proposal.outcome.loads.items()
        ),
        key=lambda row: sort_key(
            row.evaluator.last_name, row.evaluator.first_name, row.evaluator.username
        ),
    )
    return _render(
        request,
        "reviews/assignment_proposal.html",
        {
            "proposal": proposal,
            "groups": _proposal_groups(call, proposal.new_pairs),
            "loads": loads,
            "settings": settings,
            "n_new": len(proposal.new_pairs),
        },
        roles=roles,
        call=call,
    )


@login_required
@require_POST
def automatic_apply(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """Apply the assignment the coordinator read, all or nothing."""
    call, _roles = call_for(request, programme, number, "review.assign")
    assert isinstance(request.user, User)
    try:
        pairs = signed_pairs(call, request.POST.get("plan", ""))
        count = assignment_apply(
            call=call, pairs=pairs, due_on=assignment_settings(call).due_on, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext("%(count)d new review assigned.", "%(count)d new reviews assigned.", count)
            % {"count": count},
        )
    return redirect("reviews:assignments", programme=programme, number=number)
