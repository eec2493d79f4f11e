"""Selection pages: the committee's scenarios for a call, each solved by the
engine and set beside the spreadsheet's rank-and-cut, compared, explored
("what if this pool had more"), and adopted as the decision.

Views parse input, call one service or selector, and render; the selectors
compute every figure before the template runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from solidaire.accounts.models import User
from solidaire.accounts.permissions import Roles, allowed, check
from solidaire.applications.access import roles_for
from solidaire.applications.cycle import cycle_check
from solidaire.applications.models import Proposal
from solidaire.calls.models import Call
from solidaire.ledger.services import LedgerError
from solidaire.programmes.models import Priority, Territory
from solidaire.selection.engine import InstanceError
from solidaire.selection.forms import AdoptForm, LocksForm, ScenarioForm, SensitivityForm
from solidaire.selection.models import Scenario
from solidaire.selection.selectors import (
    Sensitivity,
    call_decision,
    call_selection,
    scenario_detail,
    scenario_options,
    scenario_sensitivity,
    scenarios_compare,
)
from solidaire.selection.services import (
    SCORE_REVIEWS,
    SELECTABLE,
    SelectionError,
    competing_proposals,
    conflicted_references,
    decision_adopt,
    decision_blockers,
    scenario_create,
    scenario_solve,
)

# A committee waits for the answer at the meeting: the engine returns the
# best selection it found within this many seconds, with its proven gap.
SOLVE_TIME_LIMIT = 10.0


# ----------------------------------------------------------------------------- access
# Rules in the shape of solidaire.accounts.permissions (pure, (allowed, reason)).


def call_for_selection(request: HttpRequest, programme: str, number: int) -> tuple[Call, Roles]:
    """The call if the person may build its scenarios, else 404 (a stranger
    learns nothing, not even that the call exists)."""
    call = (
        Call.objects.select_related("programme__region")
        .filter(programme__slug=programme, number=number)
        .first()
    )
    if call is None:
        raise Http404
    roles = roles_for(request.user)
    if not allowed(roles, "selection.build", programme_id=call.programme_id):
        raise Http404
    return call, roles


def scenario_for_selection(call: Call, pk: int) -> Scenario:
    scenario = Scenario.objects.filter(call=call, pk=pk).first()
    if scenario is None:
        raise Http404
    scenario.call = call
    return scenario


def _person(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _urls(call: Call) -> dict[str, str]:
    args = [call.programme.slug, call.number]
    return {
        "selection_url": reverse("selection:call", args=args),
        "compare_url": reverse("selection:compare", args=args),
    }


def _render(
    request: HttpRequest, template: str, call: Call, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"call": call, "header_programme": call.programme, **_urls(call), **context}
    return render(request, template, context, status=status)


# ----------------------------------------------------------------------------- the call's scenarios


def _scenario_form(call: Call, data: Any = None) -> ScenarioForm:
    territories = Territory.objects.filter(region_id=call.programme.region_id).order_by("name")
    priorities = Priority.objects.filter(work_plan__programme_id=call.programme_id)
    return ScenarioForm(data, territories=list(territories), priorities=list(priorities))


def _create_and_solve(
    *,
    call: Call,
    name: str,
    actor: Any,
    method: str,
    objective: str,
    rules: dict[str, Any],
    partial_funding: Decimal | None,
    locks: dict[str, str] | None = None,
    score_source: str = SCORE_REVIEWS,
) -> Scenario:
    # One scenario, solved, or nothing at all: a scenario without a result
    # would sit in the list as a puzzle. On SQLite this holds the write lock
    # while the engine runs (milliseconds for a call of a hundred proposals,
    # at most the time limit).
    with transaction.atomic():
        scenario = scenario_create(
            call=call,
            name=name,
            actor=actor,
            method=method,
            objective=objective,
            rules=rules,
            partial_funding=partial_funding,
            locks=locks,
            score_source=score_source,
        )
        return scenario_solve(scenario=scenario, time_limit=SOLVE_TIME_LIMIT)


@login_required
@require_http_methods(["GET", "POST"])
def call_scenarios(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The call's scenarios, the decision if there is one, and a form that
    builds and solves a new scenario."""
    call, roles = call_for_selection(request, programme, number)
    form = _scenario_form(call, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = _create_and_solve(
                call=call,
                name=form.cleaned_data["name"],
                actor=request.user,
                method=form.cleaned_data["method"],
                objective=form.cleaned_data["objective"],
                rules=form.rules(),
                partial_funding=form.partial_funding(),
                score_source=form.cleaned_data["score_source"] or SCORE_REVIEWS,
            )
        except (InstanceError, ValidationError, SelectionError) as exc:
            form.add_error(None, _describe(exc))
        else:
            messages.success(request, _("Scenario “%(name)s” solved.") % {"name": scenario.name})
            return redirect(
                "selection:scenario", programme=programme, number=number, pk=scenario.pk
            )
    return _render(
        request,
        "selection/call_scenarios.html",
        call,
        {
            "selection": call_selection(call),
            "before": _before_the_decision(call),
            "form": form,
            "may_adopt": allowed(roles, "selection.adopt", programme_id=call.programme_id),
        },
    )


def _before_the_decision(call: Call) -> dict[str, list[str]]:
    """What the coordination must settle before the decision, in words, and
    the proposals in the running that no scenario can fund (no review yet)."""
    allowed_now, why_not = cycle_check("selection.adopt", call=call.status)
    blockers = ([] if allowed_now else [why_not]) + decision_blockers(call)
    competing = competing_proposals(call).values_list("pk", flat=True)
    not_competing = (
        Proposal.objects.filter(call=call, status__in=SELECTABLE)
        .exclude(pk__in=competing)
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    return {"blockers": blockers, "not_competing": list(not_competing)}


def _describe(exc: Exception) -> str:
    if isinstance(exc, InstanceError):
        return _("The engine refused the scenario (%(field)s): %(message)s") % {
            "field": exc.field,
            "message": exc.message,
        }
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


# ----------------------------------------------------------------------------- one scenario


def _detail_page(
    request: HttpRequest,
    call: Call,
    roles: Roles,
    scenario: Scenario,
    *,
    adopt_form: AdoptForm | None = None,
    locks_form: LocksForm | None = None,
    adopt_error: str = "",
) -> HttpResponse:
    hidden = conflicted_references(_person(request), call)
    allowed_now, why_not = cycle_check("selection.adopt", call=call.status)
    detail = scenario_detail(
        scenario,
        decision=call_decision(call),
        hidden=hidden,
        blockers=[why_not] if not allowed_now else decision_blockers(call),
    )
    sensitivity_form = SensitivityForm(
        request.GET if "delta" in request.GET else None,
        pools=detail.pools,
        fiscal_years=detail.fiscal_years,
    )
    sensitivity: Sensitivity | None = None
    if sensitivity_form.is_bound and sensitivity_form.is_valid():
        sensitivity = scenario_sensitivity(
            scenario,
            pool=sensitivity_form.cleaned_data["pool"],
            fiscal_year=sensitivity_form.cleaned_data["fiscal_year"],
            delta=sensitivity_form.cleaned_data["delta"],
            hidden=hidden,
        )
    if locks_form is None:
        locks_form = LocksForm(
            initial={"name": _("%(name)s, with locks") % {"name": scenario.name}},
            references=[
                (p.reference, f"{p.reference} — {p.title}")
                for p in detail.proposals
                if not p.recused
            ],
            current=detail.locks,
        )
    return _render(
        request,
        "selection/scenario_detail.html",
        call,
        {
            "detail": detail,
            "sensitivity_form": sensitivity_form,
            "sensitivity": sensitivity,
            "locks_form": locks_form,
            "adopt_form": adopt_form or AdoptForm(),
            "adopt_error": adopt_error,
            "may_adopt": allowed(roles, "selection.adopt", programme_id=call.programme_id),
            "lock_rows": list(
                zip(
                    [p for p in detail.proposals if not p.recused],
                    locks_form.lock_bound_fields(),
                    strict=True,
                )
            ),
        },
    )


@login_required
def scenario_page(request: HttpRequest, programme: str, number: int, pk: int) -> HttpResponse:
    """A scenario: funded set and totals, reasons, the rank-and-cut beside it,
    the sensitivity form (GET, nothing stored), locks, and adoption."""
    call, roles = call_for_selection(request, programme, number)
    return _detail_page(request, call, roles, scenario_for_selection(call, pk))


@login_required
@require_POST
def scenario_locks(request: HttpRequest, programme: str, number: int, pk: int) -> HttpResponse:
    """A new scenario built like this one, with proposals forced in or out."""
    call, roles = call_for_selection(request, programme, number)
    scenario = scenario_for_selection(call, pk)
    hidden = conflicted_references(_person(request), call)
    references = [
        (item["id"], item["id"])
        for item in scenario.instance.get("proposals", [])
        if item["id"] not in hidden
    ]
    form = LocksForm(request.POST, references=references)
    if form.is_valid():
        partial, _locks = scenario_options(scenario.instance)
        try:
            new = _create_and_solve(
                call=call,
                name=form.cleaned_data["name"],
                actor=request.user,
                method=scenario.method,
                objective=scenario.objective,
                rules=scenario.instance.get("rules") or {},
                partial_funding=partial,
                locks=form.locks(),
            )
        except (InstanceError, ValidationError, SelectionError) as exc:
            form.add_error(None, _describe(exc))
        else:
            messages.success(request, _("Scenario “%(name)s” solved.") % {"name": new.name})
            return redirect("selection:scenario", programme=programme, number=number, pk=new.pk)
    return _detail_page(request, call, roles, scenario, locks_form=form)


@login_required
@require_POST
def scenario_adopt(request: HttpRequest, programme: str, number: int, pk: int) -> HttpResponse:
    """Adopt the scenario as the committee's decision (one transaction in
    the service: decision, ledger commitments, proposals funded or declined)."""
    call, roles = call_for_selection(request, programme, number)
    scenario = scenario_for_selection(call, pk)
    may, reason = check(roles, "selection.adopt", programme_id=call.programme_id)
    if not may:
        return _detail_page(request, call, roles, scenario, adopt_error=reason)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, call, roles, scenario, adopt_form=form)
    assert isinstance(request.user, User)  # login_required
    try:
        decision = decision_adopt(
            scenario=scenario,
            actor=request.user,
            resolution_number=form.cleaned_data["resolution_number"],
        )
    except (SelectionError, LedgerError) as exc:
        return _detail_page(request, call, roles, scenario, adopt_form=form, adopt_error=str(exc))
    except ValidationError as exc:
        return _detail_page(
            request, call, roles, scenario, adopt_form=form, adopt_error=_describe(exc)
        )
    messages.success(
        request,
        _("Scenario “%(name)s” adopted by resolution %(number)s; the ledger holds its commitments.")
        % {"name": scenario.name, "number": decision.resolution_number},
    )
    return redirect("selection:call", programme=programme, number=number)


# ----------------------------------------------------------------------------- comparison


@login_required
def compare(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """Several scenarios side by side: ``?s=1&s=2&s=3``."""
    call, _roles = call_for_selection(request, programme, number)
    ids = [int(v) for v in request.GET.getlist("s") if v.isdigit()]
    comparison = scenarios_compare(call, ids, conflicted_references(_person(request), call))
    return _render(request, "selection/compare.html", call, {"comparison": comparison})
