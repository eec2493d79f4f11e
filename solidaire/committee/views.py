"""Pages of the committee step: the meeting on a call (agenda, attendance,
consensus, minutes as a page and a PDF), the reviews overdue before it, the
panel's set-up by the coordination, and the panellists' own pages.

Views parse input, call one service or selector, and render. Every page
reaches its object through an access check: 404 for anyone else, and for a
person in a conflict of interest with the proposal at hand.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from solidaire.accounts.models import User
from solidaire.accounts.permissions import PANELLIST, Roles, allowed
from solidaire.applications.access import roles_for
from solidaire.applications.models import Proposal
from solidaire.calls.models import Call
from solidaire.committee.forms import (
    AttendanceForm,
    ConsensusForm,
    MeetingForm,
    PanelAnswerForm,
    PanelGiveForm,
    PanelQuestionsForm,
)
from solidaire.committee.models import (
    Attendance,
    Consensus,
    PanelAnswer,
    PanelAssignment,
    PanelConsent,
    PanelQuestion,
)
from solidaire.committee.selectors import (
    meeting_agenda,
    meeting_minutes,
    panel_assignments_for,
    panel_results,
)
from solidaire.committee.services import (
    attendance_record,
    consensus_record,
    has_consented,
    meeting_for_call,
    meeting_members,
    meeting_update,
    panel_answer,
    panel_consent,
    panel_give,
    panel_questions_set,
    panellists,
)
from solidaire.committee.tasks import review_remind
from solidaire.common.pdf import pdf_response, render_pdf
from solidaire.programmes.models import Programme
from solidaire.reviews.conflicts import conflicted_proposal_ids, is_conflicted
from solidaire.reviews.models import Review
from solidaire.reviews.scoring import proposal_scores
from solidaire.reviews.views import call_for
from solidaire.views import nav_for


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    roles: Roles,
    programme: Programme | None,
    status: int = 200,
) -> HttpResponse:
    context = {"header_programme": programme, "nav": nav_for(roles), **context}
    return render(request, template, context, status=status)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# ----------------------------------------------------------------------------- the meeting


def _meeting_context(call: Call, roles: Roles, request: HttpRequest) -> dict[str, Any]:
    meeting = meeting_for_call(call)
    members = meeting_members(call.programme)
    present = list(
        Attendance.objects.filter(meeting=meeting, present=True).values_list("person_id", flat=True)
    )
    return {
        "call": call,
        "meeting": meeting,
        "agenda": meeting_agenda(call, viewer_id=_user(request).pk),
        "can_record": allowed(roles, "meeting.record", programme_id=call.programme_id),
        "meeting_form": MeetingForm(instance=meeting),
        "attendance_form": AttendanceForm(members=members, present=present),
        "members": members,
        "present_ids": set(present),
    }


@login_required
def meeting(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The agenda of the committee's meeting, per stream in ranking order."""
    call, roles = call_for(request, programme, number, "meeting.view")
    return _render(
        request,
        "committee/meeting.html",
        _meeting_context(call, roles, request),
        roles=roles,
        programme=call.programme,
    )


@login_required
@require_POST
def meeting_settings(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The meeting's date, the reviews' due date, the tie-break rule and the
    panel's weight; refused input is shown again with its errors."""
    call, roles = call_for(request, programme, number, "meeting.record")
    context = _meeting_context(call, roles, request)
    form = MeetingForm(request.POST, instance=meeting_for_call(call))
    if form.is_valid():
        try:
            meeting_update(
                meeting=context["meeting"],
                held_on=form.cleaned_data["held_on"],
                reviews_due_on=form.cleaned_data["reviews_due_on"],
                tie_break_rule=form.cleaned_data["tie_break_rule"],
                panel_weight=form.cleaned_data["panel_weight"],
                actor=_user(request),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The meeting's details are recorded."))
            return redirect("committee:meeting", programme=programme, number=number)
    context["meeting_form"] = form
    return _render(
        request,
        "committee/meeting.html",
        context,
        roles=roles,
        programme=call.programme,
        status=400,
    )


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    call, roles = call_for(request, programme, number, "meeting.record")
    context = _meeting_context(call, roles, request)
    form = AttendanceForm(request.POST, members=context["members"], present=[])
    if form.is_valid():
        try:
            attendance_record(
                meeting=context["meeting"],
                present=form.cleaned_data["present"],
                actor=_user(request),
            )
        except ValidationError as exc:
            form.add_error("present", exc.messages)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect("committee:meeting", programme=programme, number=number)
    context["attendance_form"] = form
    return _render(
        request,
        "committee/meeting.html",
        context,
        roles=roles,
        programme=call.programme,
        status=400,
    )


def _agenda_proposal(call: Call, request: HttpRequest, pk: int) -> Proposal:
    """A proposal of the meeting's agenda, or 404 (also for a person in a
    conflict of interest with it)."""
    proposal = (
        Proposal.objects.filter(call=call, pk=pk, reviews__isnull=False)
        .exclude(status__in=[Proposal.Status.WITHDRAWN, Proposal.Status.INELIGIBLE])
        .select_related("organisation", "stream")
        .distinct()
        .first()
    )
    if proposal is None or is_conflicted(_user(request).pk, proposal.pk):
        raise Http404
    proposal.call = call
    return proposal


@login_required
@require_http_methods(["GET", "POST"])
def consensus(request: HttpRequest, programme: str, number: int, pk: int) -> HttpResponse:
    """One proposal at the meeting: the reviewers' figures and the panel's
    opinion, and the form recording the committee's consensus."""
    call, roles = call_for(request, programme, number, "meeting.view")
    proposal = _agenda_proposal(call, request, pk)
    meeting = meeting_for_call(call)
    can_record = allowed(roles, "meeting.record", programme_id=call.programme_id)
    existing = Consensus.objects.filter(meeting=meeting, proposal=proposal).first()
    initial = (
        {
            "score": str(existing.score).replace(".", ","),
            "rationale": existing.rationale,
            "recommendation": existing.recommendation,
        }
        if existing
        else None
    )
    form = ConsensusForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if not can_record:
            raise Http404
        if form.is_valid():
            try:
                consensus_record(
                    meeting=meeting,
                    proposal=proposal,
                    score=form.cleaned_data["score"],
                    rationale=form.cleaned_data["rationale"],
                    recommendation=form.cleaned_data["recommendation"],
                    actor=_user(request),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(
                    request,
                    _("Consensus on %(reference)s recorded.") % {"reference": proposal.reference},
                )
                url = reverse("committee:meeting", args=[programme, number])
                return redirect(f"{url}#p{proposal.pk}")
    return _render(
        request,
        "committee/consensus.html",
        {
            "call": call,
            "proposal": proposal,
            "form": form,
            "can_record": can_record,
            "summary": proposal_scores(call).get(proposal.pk),
            "panel": panel_results(call).get(proposal.pk),
            "consensus": existing,
        },
        roles=roles,
        programme=call.programme,
        status=400 if form.errors else 200,
    )


@login_required
def minutes(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The minutes of the meeting as a page."""
    call, roles = call_for(request, programme, number, "meeting.view")
    return _render(
        request,
        "committee/minutes.html",
        {"call": call, "minutes": meeting_minutes(call, viewer_id=_user(request).pk)},
        roles=roles,
        programme=call.programme,
    )


@login_required
def minutes_pdf(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The minutes as a PDF, naming the recusals."""
    call, _roles = call_for(request, programme, number, "meeting.view")
    pdf = render_pdf(
        "pdf/minutes.html",
        {
            "call": call,
            "minutes": meeting_minutes(call, viewer_id=_user(request).pk),
            "issued_at": timezone.now(),
        },
    )
    return pdf_response(pdf, f"proces-verbal-{call.programme.slug}-{call.number}.pdf")


# ----------------------------------------------------------------------------- overdue reviews


def _overdue(call: Call, request: HttpRequest) -> list[Review]:
    meeting = meeting_for_call(call)
    due = meeting.reviews_due_on
    if due is None or timezone.localdate() <= due:
        return []
    rows = list(
        Review.objects.filter(
            proposal__call=call,
            status=Review.Status.ASSIGNED,
            proposal__status=Proposal.Status.UNDER_REVIEW,
        )
        .select_related("evaluator", "proposal")
        .order_by("evaluator__last_name", "proposal__reference")
    )
    hidden = conflicted_proposal_ids(_user(request).pk, [r.proposal_id for r in rows])
    return [r for r in rows if r.proposal_id not in hidden]


@login_required
def overdue(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """Reviews not submitted by their due date, each with a reminder button."""
    call, roles = call_for(request, programme, number, "meeting.record")
    return _render(
        request,
        "committee/overdue.html",
        {"call": call, "meeting": meeting_for_call(call), "reviews": _overdue(call, request)},
        roles=roles,
        programme=call.programme,
    )


@login_required
@require_POST
def remind(request: HttpRequest, programme: str, number: int, pk: int) -> HttpResponse:
    """E-mail an evaluator that their review is overdue (in the background)."""
    call, _roles = call_for(request, programme, number, "meeting.record")
    review = next((r for r in _overdue(call, request) if r.pk == pk), None)
    if review is None:
        raise Http404
    link = request.build_absolute_uri(reverse("reviews:score", args=[review.pk]))
    review_remind.enqueue(review.pk, link, _user(request).pk)
    messages.success(
        request,
        _("A reminder is on its way to %(person)s.") % {"person": review.evaluator},
    )
    return redirect("committee:overdue", programme=programme, number=number)


# ----------------------------------------------------------------------------- the panel's set-up


def _panel_proposals(call: Call, request: HttpRequest) -> list[Proposal]:
    rows = list(
        Proposal.objects.filter(call=call, status=Proposal.Status.UNDER_REVIEW).order_by(
            "reference"
        )
    )
    hidden = conflicted_proposal_ids(_user(request).pk, [p.pk for p in rows])
    return [p for p in rows if p.pk not in hidden]


@login_required
@require_http_methods(["GET", "POST"])
def panel_setup(request: HttpRequest, programme: str, number: int) -> HttpResponse:
    """The panel's questions on the call, and the proposals given to each panellist."""
    call, roles = call_for(request, programme, number, "meeting.record")
    questions = list(PanelQuestion.objects.filter(call=call))
    people = panellists(call.programme)
    proposals = _panel_proposals(call, request)
    action = request.POST.get("action") if request.method == "POST" else None
    questions_form = PanelQuestionsForm(
        request.POST if action == "questions" else None, questions=questions
    )
    give_form = PanelGiveForm(
        request.POST if action == "give" else None, panellists=people, proposals=proposals
    )
    if action == "questions" and questions_form.is_valid():
        try:
            panel_questions_set(call=call, questions=questions_form.pairs(), actor=_user(request))
        except ValidationError as exc:
            questions_form.add_service_errors(exc)
        else:
            messages.success(request, _("The panel's questions are recorded."))
            return redirect("committee:panel_setup", programme=programme, number=number)
    if action == "give" and give_form.is_valid():
        chosen = {p.pk: p for p in proposals}
        try:
            panel_give(
                proposals=[chosen[pk] for pk in give_form.cleaned_data["proposals"]],
                panellist=next(p for p in people if p.pk == give_form.cleaned_data["panellist"]),
                actor=_user(request),
            )
        except ValidationError as exc:
            give_form.add_service_errors(exc)
        else:
            messages.success(request, _("The proposals are given to the panellist."))
            return redirect("committee:panel_setup", programme=programme, number=number)
    given = (
        PanelAssignment.objects.filter(proposal__call=call)
        .exclude(
            proposal_id__in=conflicted_proposal_ids(_user(request).pk, [p.pk for p in proposals])
        )
        .select_related("panellist", "proposal")
        .order_by("panellist__last_name", "proposal__reference")
    )
    consents = {
        c.person_id: c
        for c in PanelConsent.objects.filter(programme=call.programme, person__in=people)
    }
    return _render(
        request,
        "committee/panel_setup.html",
        {
            "call": call,
            "questions_form": questions_form,
            "give_form": give_form,
            "given": list(given),
            "panellists": [(p, consents.get(p.pk)) for p in people],
        },
        roles=roles,
        programme=call.programme,
        status=400 if questions_form.errors or give_form.errors else 200,
    )


# ----------------------------------------------------------------------------- the panellist's pages


def _panel_programmes(roles: Roles) -> list[Programme]:
    return list(Programme.objects.filter(pk__in=roles.programmes_with(PANELLIST)).order_by("name"))


@login_required
def panel_home(request: HttpRequest) -> HttpResponse:
    """A panellist's home: consent per programme, then the proposals given."""
    roles = roles_for(request.user)
    programmes = _panel_programmes(roles)
    if not programmes:
        raise Http404
    user = _user(request)
    consented = {
        c.programme_id for c in PanelConsent.objects.filter(person=user, withdrawn_at__isnull=True)
    }
    assignments = [
        a for a in panel_assignments_for(user.pk) if a.proposal.call.programme_id in consented
    ]
    return _render(
        request,
        "committee/panel_home.html",
        {
            "programmes": [(p, p.pk in consented) for p in programmes],
            "assignments": assignments,
        },
        roles=roles,
        programme=programmes[0] if len(programmes) == 1 else None,
    )


@login_required
@require_POST
def panel_consent_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Give or withdraw consent to take part in a programme's panel."""
    roles = roles_for(request.user)
    programme = next((p for p in _panel_programmes(roles) if p.slug == slug), None)
    if programme is None:
        raise Http404
    give = request.POST.get("consent") == "give"
    panel_consent(programme=programme, person=_user(request), given=give)
    messages.success(
        request,
        _("Thank you: your consent is recorded.")
        if give
        else _("Your consent is withdrawn. You can give it again at any time."),
    )
    return redirect("committee:panel_home")


@login_required
@require_http_methods(["GET", "POST"])
def panel_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel's questions on one proposal given to the panellist: large
    radio cards, one group per question. Without consent: refused."""
    user = _user(request)
    assignment = (
        PanelAssignment.objects.filter(pk=pk, panellist=user)
        .exclude(proposal__status=Proposal.Status.WITHDRAWN)
        .select_related("proposal__call__programme", "proposal__organisation")
        .first()
    )
    if assignment is None or is_conflicted(user.pk, assignment.proposal_id):
        raise Http404
    proposal = assignment.proposal
    roles = roles_for(user)
    consented = has_consented(programme_id=proposal.call.programme_id, person_id=user.pk)
    if not allowed(
        roles, "panel.answer", programme_id=proposal.call.programme_id, consented=consented
    ):
        if roles.has_role(proposal.call.programme_id, PANELLIST):
            messages.error(request, _("Give your consent before answering the panel's questions."))
            return redirect("committee:panel_home")
        raise Http404
    questions = list(PanelQuestion.objects.filter(call_id=proposal.call_id))
    initial = dict(
        PanelAnswer.objects.filter(assignment=assignment).values_list("question_id", "value")
    )
    form = PanelAnswerForm(
        request.POST if request.method == "POST" else None, questions=questions, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            panel_answer(assignment=assignment, answers=form.answers(), actor=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Thank you, your answers are recorded."))
            following = next(
                (
                    a
                    for a in panel_assignments_for(user.pk)
                    if a.completed_at is None and a.pk != assignment.pk
                ),
                None,
            )
            if following is not None:
                return redirect("committee:panel_proposal", pk=following.pk)
            return redirect("committee:panel_home")
    return _render(
        request,
        "committee/panel_proposal.html",
        {"assignment": assignment, "proposal": proposal, "form": form},
        roles=roles,
        programme=proposal.call.programme,
        status=400 if form.errors else 200,
    )
