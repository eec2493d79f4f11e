"""Pages that gather several apps: the home of each role, and the lists and
detail pages reached from it. Each view parses its input, asks one access
function or selector, and renders; every figure is computed before the
template runs (templates never query)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from solidaire.accounts.permissions import (
    COMMITTEE,
    COORDINATOR,
    EVALUATOR,
    PANELLIST,
    TRUSTEE_FINANCE,
    Roles,
    allowed,
)
from solidaire.agreements.forms import PaymentFileForm
from solidaire.agreements.models import Agreement, CancellationRequest
from solidaire.agreements.selectors import (
    PAYMENT_STATES,
    funded_space,
    payment_queue,
    payment_totals,
    payments_for_programmes,
    payments_in_state,
)
from solidaire.applications.access import (
    FUNDED_STATUSES,
    proposal_for_user,
    proposals_for_user,
    roles_for,
)
from solidaire.applications.cycle import cycle_allows
from solidaire.applications.deadlines import call_status_for, deadline_for, may_extend_deadline
from solidaire.applications.models import Organisation, Proposal
from solidaire.applications.organisation_selectors import acting_organisation_id
from solidaire.applications.versions import may_see_versions, versions_of
from solidaire.applications.views import proposal_actions, startable_calls
from solidaire.calls.access import set_up_calls
from solidaire.exchanges.forms import MessageForm
from solidaire.exchanges.permissions import COORDINATION, message_side, take_part
from solidaire.exchanges.selectors import thread_for, unread_count
from solidaire.exchanges.services import message_post, messages_mark_read
from solidaire.programmes.access import programme_for_user
from solidaire.programmes.models import Programme
from solidaire.programmes.selectors import programmes_with_figures_for
from solidaire.reporting.selectors import programme_overviews, public_programmes_with_calls
from solidaire.reviews.access import review_for_user
from solidaire.reviews.conflicts import declared_by
from solidaire.reviews.evaluator import next_review
from solidaire.reviews.selectors import reviews_for_evaluator

PER_PAGE = 50
# The home page shows the first rows of each list and links to the full one.
HOME_ROWS = 10


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    # Unread items behind the entry (messages), shown beside its label.
    count: int = 0


def nav_for(roles: Roles) -> list[NavItem]:
    """The main menu: one entry per thing this person does."""
    items = [NavItem("home", _("Home"))]
    if roles.ministry_observer:
        # The ministry reads every programme's figures in one table; it pays
        # nothing and signs nothing, so payments and agreements are not its pages.
        items.append(NavItem("reporting:ministry", _("All programmes")))
    if roles.is_applicant:
        items.append(NavItem("proposal_list", _("Our proposals")))
    if roles.is_applicant or not (roles.programme_roles or roles.ministry_observer):
        # A newcomer with no role yet starts by registering or joining one.
        items.append(NavItem("organisations:list", _("My organisations")))
    if roles.is_applicant or roles.has_any_role(COORDINATOR):
        # The organisation's members and the coordination exchange questions
        # and answers; one query counts what the person has not read.
        items.append(NavItem("exchanges:inbox", _("Messages"), unread_count(roles)))
    if roles.has_any_role(EVALUATOR):
        items.append(NavItem("review_list", _("My reviews")))
    if roles.has_any_role(EVALUATOR, COMMITTEE):
        # Ties known in advance keep their proposals away without a declaration.
        items.append(NavItem("reviews:ties", _("My ties")))
    if roles.has_any_role(PANELLIST):
        items.append(NavItem("committee:panel_home", _("Panel")))
    if roles.has_any_role(TRUSTEE_FINANCE, COORDINATOR):
        items.append(NavItem("agreements:list", _("Agreements")))
        items.append(NavItem("payment_list", _("Payments")))
    return items


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _single_programme(programmes: list[Programme]) -> Programme | None:
    """The programme a page is about, for the header, when there is only one."""
    distinct = {p.pk: p for p in programmes}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def _call_tools(roles: Roles, programmes: list[Programme]) -> dict[str, set[int]]:
    """Per page of a call's work (set-up, screening, assignment, scores, selection),
    the programmes whose calls this person may open it for."""
    actions = {
        "screening": "screening.record",
        "assignments": "review.assign",
        "scores": "call.view_scores",
        "meeting": "meeting.view",
        "selection": "selection.build",
    }
    tools = {
        page: {p.pk for p in programmes if allowed(roles, action, programme_id=p.pk)}
        for page, action in actions.items()
    }
    tools["setup"] = {p.pk for p in programmes if set_up_calls(roles, programme_id=p.pk)[0]}
    return tools


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    roles: Roles,
    programme: Programme | None = None,
) -> HttpResponse:
    context.setdefault("nav", nav_for(roles))
    context.setdefault("header_programme", programme)
    context.setdefault("is_staff", request.user.is_staff)
    return render(request, template, context)


def home(request: HttpRequest) -> HttpResponse:
    """The public landing page, or the home of each role the person holds."""
    if not request.user.is_authenticated:
        programmes = public_programmes_with_calls()
        return render(
            request,
            "home_public.html",
            {
                "programmes": programmes,
                "header_programme": programmes[0].programme if len(programmes) == 1 else None,
            },
        )
    roles = roles_for(request.user)
    overviews = programme_overviews(programmes_with_figures_for(roles))
    context: dict[str, Any] = {
        "roles": roles,
        "overviews": overviews,
        "is_observer": roles.ministry_observer,
        "row_limit": HOME_ROWS,
        "call_tools": _call_tools(roles, [o.programme for o in overviews]),
    }
    if roles.has_any_role(EVALUATOR):
        reviews = reviews_for_evaluator(request.user)
        context["reviews"] = list(reviews[:HOME_ROWS])
        context["reviews_count"] = reviews.count()
    trustee_programmes = roles.programmes_with(TRUSTEE_FINANCE)
    if trustee_programmes:
        payments = payments_for_programmes(trustee_programmes)
        context["payments"] = payment_queue(payments[:HOME_ROWS], timezone.localdate())
        context["payments_count"] = payments.count()
        context["payment_totals"] = payment_totals(payments)
    if roles.is_applicant:
        proposals = proposals_for_user(request.user)
        context["proposals"] = list(proposals[:HOME_ROWS])
        context["proposals_count"] = proposals.count()
    shown = [o.programme for o in overviews]
    shown += [r.proposal.call.programme for r in context.get("reviews", [])]
    shown += [r.payment.agreement.proposal.call.programme for r in context.get("payments", [])]
    shown += [p.call.programme for p in context.get("proposals", [])]
    return _render(request, "home.html", context, roles, _single_programme(shown))


@login_required
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A programme's figures: envelope by fiscal year and its calls."""
    programme = programme_for_user(request.user, slug)
    (overview,) = programme_overviews([programme])
    return _render(
        request,
        "programmes/programme_detail.html",
        {
            "overview": overview,
            "call_tools": _call_tools(roles_for(request.user), [programme]),
            "can_edit": allowed(
                roles_for(request.user), "programme.edit", programme_id=programme.pk
            ),
        },
        roles_for(request.user),
        programme,
    )


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    """The proposals of the person's organisations, and the open calls they
    may answer."""
    roles = roles_for(request.user)
    # A person in several organisations sees the one they act for, once
    # they chose it (all of them until then).
    acting = acting_organisation_id(request.session, roles)
    proposals = proposals_for_user(request.user)
    if acting is not None:
        proposals = proposals.filter(organisation_id=acting)
    page = _page(request, proposals)
    return _render(
        request,
        "applications/proposal_list.html",
        {
            "page": page,
            "startable": startable_calls(roles, organisation_id=acting),
            "acting": Organisation.objects.filter(pk=acting).first()
            if acting is not None and len(roles.organisation_ids) > 1
            else None,
            "several": len(roles.organisation_ids) > 1,
        },
        roles,
        _single_programme([p.call.programme for p in page]),
    )


def _detail_actions(roles: Roles, proposal: Proposal) -> dict[str, bool]:
    """The applicant's actions, and the coordination's cancellation of a
    funded initiative (which the applications app cannot see: it reads the
    agreement)."""
    actions = proposal_actions(roles, proposal)
    agreement = Agreement.objects.filter(proposal=proposal).only("status").first()
    actions["cancel"] = allowed(
        roles, "proposal.cancel", programme_id=proposal.call.programme_id
    ) and cycle_allows(
        "proposal.cancel",
        call=proposal.call.status,
        proposal=proposal.status,
        agreement=agreement.status if agreement else "",
    )
    actions["cancellation_requested"] = CancellationRequest.objects.filter(
        proposal=proposal, handled_at__isnull=True
    ).exists()
    if actions["cancellation_requested"]:
        actions["request_cancellation"] = False
    return actions


def _thread_context(
    request: HttpRequest, roles: Roles, proposal: Proposal, form: MessageForm | None
) -> dict[str, Any]:
    """The questions and answers of the proposal for a person who takes part
    (nothing for anyone else), the form to write, and the thread marked read."""
    side = message_side(
        roles, programme_id=proposal.call.programme_id, organisation_id=proposal.organisation_id
    )
    if side is None:
        return {"thread": None}
    label = _("Your question") if side == COORDINATION else _("Your answer or question")
    thread = thread_for(proposal)
    messages_mark_read(proposal=proposal, user=request.user)  # type: ignore[arg-type]
    return {
        "thread": thread,
        "side": side,
        "message_form": form or MessageForm(label=str(label)),
    }


def _deadline_context(roles: Roles, proposal: Proposal) -> dict[str, Any]:
    """For a draft: the deadline that applies to it (an extension shown with
    its reason), and whether the person may extend it."""
    if proposal.status != Proposal.Status.DRAFT:
        return {}
    now = timezone.now()
    deadline = deadline_for(proposal)
    return {
        "deadline": deadline,
        "deadline_open": call_status_for(proposal, now, deadline) == "open",
        "can_extend": may_extend_deadline(roles, programme_id=proposal.call.programme_id)[0]
        and cycle_allows(
            "deadline.extend", call=proposal.call.status_at(now), proposal=proposal.status
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal: its content, its deadline while a draft, its questions and
    answers, and, once funded, the agreement, payments and reports. A POST
    sends a message on the thread."""
    proposal = proposal_for_user(request.user, pk)
    roles = roles_for(request.user)
    form = None
    if request.method == "POST":
        if not take_part(
            roles,
            programme_id=proposal.call.programme_id,
            organisation_id=proposal.organisation_id,
        )[0]:
            raise Http404
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                message = message_post(
                    proposal=proposal,
                    author=request.user,  # type: ignore[arg-type]
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["documents"],
                    link=request.build_absolute_uri(reverse("proposal_detail", args=[pk])),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, texts in exc.message_dict.items():
                        for message_text in texts:
                            form.add_error(name if name in form.fields else "body", message_text)
                else:
                    for message_text in exc.messages:
                        form.add_error("body", message_text)
            else:
                messages.success(request, _("Your message is sent."))
                return redirect(f"{reverse('proposal_detail', args=[pk])}#message-{message.pk}")
    funded = (
        funded_space(proposal, timezone.localdate()) if proposal.status in FUNDED_STATUSES else None
    )
    return _render(
        request,
        "applications/proposal_detail.html",
        {
            "proposal": proposal,
            "requested_amounts": list(proposal.requested_amounts.all()),
            "territories": [t.name for t in proposal.territories.all()],
            "priorities": [p.text("name") for p in proposal.priorities.all()],
            "attachments": list(
                proposal.attachments.select_related("document").order_by("document_id", "id")
            ),
            "actions": _detail_actions(roles, proposal),
            "funded": funded,
            "versions": versions_of(proposal)
            if may_see_versions(
                roles,
                programme_id=proposal.call.programme_id,
                organisation_id=proposal.organisation_id,
            )
            else [],
            "writes_reports": allowed(
                roles, "report.write", organisation_id=proposal.organisation_id
            ),
            **_deadline_context(roles, proposal),
            **_thread_context(request, roles, proposal, form),
        },
        roles,
        proposal.call.programme,
    )


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """The reviews assigned to the person, conflicts left out."""
    page = _page(request, reviews_for_evaluator(request.user))
    return _render(
        request,
        "reviews/review_list.html",
        {"page": page, "conflicts": declared_by(request.user.pk or 0)},
        roles_for(request.user),
        _single_programme([r.proposal.call.programme for r in page]),
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for_user(request.user, pk)
    return _render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "proposal": review.proposal,
            "scores": list(review.scores.all()),
            "next_review": next_review(request.user, after=review),
        },
        roles_for(request.user),
        review.proposal.call.programme,
    )


@login_required
def payment_list(request: HttpRequest) -> HttpResponse:
    """Payments due and made of the programmes the person pays or coordinates,
    filtered by state (``?etat=due|overdue|paid``)."""
    roles = roles_for(request.user)
    programme_ids = roles.programmes_with(TRUSTEE_FINANCE, COORDINATOR)
    if not programme_ids and not roles.superuser:
        # A page for those who pay or coordinate: to anyone else (the
        # ministry, whose figures are on /ministere/, an evaluator, an
        # applicant) it would show an empty list with zero totals.
        raise Http404
    payments = payments_for_programmes(programme_ids)
    state = request.GET.get("etat", "")
    state = state if state in PAYMENT_STATES else ""
    today = timezone.localdate()
    page = _page(request, payments_in_state(payments, state, today))
    return _render(
        request,
        "agreements/payment_list.html",
        {
            "page": page,
            "rows": payment_queue(page.object_list, today),
            "file_form": PaymentFileForm(initial={"on": today, "format": "csv"}),
            "totals": payment_totals(payments),
            "state": state,
            "ledger_programmes": list(Programme.objects.filter(pk__in=programme_ids)),
        },
        roles,
        _single_programme([p.agreement.proposal.call.programme for p in page]),
    )
