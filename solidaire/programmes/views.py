"""A programme's set-up in the product's own pages: creating a programme
(the ministry or the site administrator), changing its dates, envelopes,
work plan and committee (its coordination), and accepting an invitation.

Views parse the forms, call one service and render; a refused change is
shown beside the form it answers, with everything typed kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from solidaire.accounts.models import User
from solidaire.accounts.permissions import check
from solidaire.common.money import ZERO
from solidaire.programmes.access import programme_for_editor, programme_roles_for
from solidaire.programmes.forms import (
    CoordinatorInviteForm,
    InvitationForm,
    PriorityFormSet,
    ProgrammeForm,
    RoleForm,
    SetupForms,
    WorkPlanForm,
    fiscal_year_formset_class,
)
from solidaire.programmes.models import FiscalYear, Priority, Programme, ProgrammeRole, WorkPlan
from solidaire.programmes.selectors import (
    committee_of,
    current_work_plan,
    fiscal_years_in_use,
    pending_invitations,
    priorities_in_use,
)
from solidaire.programmes.services import (
    R,
    SetupRefused,
    invitation_accept,
    invitation_for_token,
    invitation_refusal,
    invitation_send,
    programme_role_change,
    programme_role_remove,
    programme_setup_save,
)

REFUSED = 400
# Blank fiscal-year rows offered on a new programme (a five-year programme
# is the usual case) and on an existing one.
NEW_YEAR_ROWS = 5
MORE_YEAR_ROWS = 1


def _setup_forms(
    request: HttpRequest, programme: Programme, *, bound: bool, creating: bool
) -> SetupForms:
    data = request.POST if bound else None
    plan = current_work_plan(programme) or WorkPlan()
    years_class = fiscal_year_formset_class(NEW_YEAR_ROWS if creating else MORE_YEAR_ROWS)
    total = (
        sum((fy.envelope for fy in programme.fiscal_years.all()), ZERO) if programme.pk else None
    )
    return SetupForms(
        programme=ProgrammeForm(
            data, instance=programme, prefix="programme", initial={"envelope_total": total}
        ),
        years=years_class(
            data,
            instance=programme,
            prefix="years",
            in_use=fiscal_years_in_use(programme),
            queryset=FiscalYear.objects.filter(programme=programme).order_by("starts_on")
            if programme.pk
            else FiscalYear.objects.none(),
        ),
        work_plan=WorkPlanForm(data, instance=plan, prefix="plan"),
        priorities=PriorityFormSet(
            data,
            instance=plan,
            prefix="priorities",
            in_use=priorities_in_use(plan),
            queryset=plan.priorities.order_by("order", "code")
            if plan.pk
            else Priority.objects.none(),
        ),
        coordinator=CoordinatorInviteForm(data, prefix="invite") if creating else None,
    )


def _invitation_link(request: HttpRequest) -> Any:
    def link_for(token: str) -> str:
        return request.build_absolute_uri(reverse("programmes:invitation", args=[token]))

    return link_for


def _page(
    request: HttpRequest,
    programme: Programme,
    setup: SetupForms,
    *,
    creating: bool,
    status: int = 200,
    invitation: InvitationForm | None = None,
    role_forms: dict[int, RoleForm] | None = None,
    refusal: str = "",
    refusal_for: str = "",
) -> HttpResponse:
    committee = [] if creating else committee_of(programme)
    bound_roles = role_forms or {}
    context = {
        "programme": programme,
        "creating": creating,
        "setup": setup,
        "has_errors": setup.has_errors() if setup.programme.is_bound else False,
        "invitation_form": invitation or InvitationForm(prefix="invitation"),
        "committee": [
            (role, bound_roles.get(role.pk) or RoleForm(instance=role, prefix=f"role-{role.pk}"))
            for role in committee
        ],
        "invitations": [] if creating else pending_invitations(programme),
        "refusal": refusal,
        "refusal_for": refusal_for,
        "header_programme": None if creating else programme,
    }
    return render(request, "programmes/programme_setup.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    """A new programme: region, trustee, dates, fiscal years and their
    envelopes, work plan, and the invitation of its coordinator."""
    allowed, reason = check(programme_roles_for(request.user), "programme.create")
    if not allowed:
        raise PermissionDenied(reason)
    programme = Programme()
    if request.method == "GET":
        return _page(
            request,
            programme,
            _setup_forms(request, programme, bound=False, creating=True),
            creating=True,
        )
    setup = _setup_forms(request, programme, bound=True, creating=True)
    if not setup.is_valid():
        return _page(request, programme, setup, creating=True, status=REFUSED)
    user: User = request.user  # type: ignore[assignment]
    try:
        programme = programme_setup_save(actor=user, forms=setup)
    except SetupRefused as refusal:
        return _page(request, programme, setup, creating=True, status=REFUSED, refusal=str(refusal))
    assert setup.coordinator is not None
    email = setup.coordinator.cleaned_data["coordinator_email"]
    try:
        invitation_send(
            programme=programme,
            actor=user,
            email=email,
            role=R.COORDINATOR,
            link_for=_invitation_link(request),
        )
    except SetupRefused as refusal:
        messages.warning(request, str(refusal))
    else:
        messages.success(
            request,
            _("Programme created. An invitation to coordinate it was sent to %(email)s.")
            % {"email": email},
        )
    if check(programme_roles_for(user), "programme.edit", programme_id=programme.pk)[0]:
        return redirect("programmes:edit", slug=programme.slug)
    return redirect("programme_detail", slug=programme.slug)


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The set-up of a programme: its coordination changes the dates, the
    fiscal years' envelopes, the work plan and the committee."""
    programme = programme_for_editor(request.user, slug)
    if request.method == "GET":
        return _page(
            request,
            programme,
            _setup_forms(request, programme, bound=False, creating=False),
            creating=False,
        )
    setup = _setup_forms(request, programme, bound=True, creating=False)
    if not setup.is_valid():
        return _page(request, programme, setup, creating=False, status=REFUSED)
    try:
        programme = programme_setup_save(actor=request.user, forms=setup)  # type: ignore[arg-type]
    except SetupRefused as refusal:
        return _page(
            request, programme, setup, creating=False, status=REFUSED, refusal=str(refusal)
        )
    messages.success(request, _("The programme's set-up is saved."))
    return redirect("programmes:edit", slug=programme.slug)


def _unbound_setup(request: HttpRequest, programme: Programme) -> SetupForms:
    return _setup_forms(request, programme, bound=False, creating=False)


@login_required
@require_POST
def committee_invite(request: HttpRequest, slug: str) -> HttpResponse:
    """Invite someone by e-mail to a role in the programme."""
    programme = programme_for_editor(request.user, slug)
    form = InvitationForm(request.POST, prefix="invitation")
    if not form.is_valid():
        return _page(
            request,
            programme,
            _unbound_setup(request, programme),
            creating=False,
            status=REFUSED,
            invitation=form,
        )
    data = form.cleaned_data
    try:
        invitation_send(
            programme=programme,
            actor=request.user,  # type: ignore[arg-type]
            email=data["email"],
            role=data["role"],
            sector=data["sector"],
            affiliation=data["affiliation"],
            link_for=_invitation_link(request),
        )
    except SetupRefused as refusal:
        form.add_error("email", str(refusal))
        return _page(
            request,
            programme,
            _unbound_setup(request, programme),
            creating=False,
            status=REFUSED,
            invitation=form,
        )
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
    return redirect(reverse("programmes:edit", args=[programme.slug]) + "#committee")


@login_required
@require_POST
def committee_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a person's role, sector or affiliation, or remove the role."""
    programme = programme_for_editor(request.user, slug)
    role = ProgrammeRole.objects.select_related("user").filter(programme=programme, pk=pk).first()
    if role is None:
        raise Http404
    actor: User = request.user  # type: ignore[assignment]
    form = RoleForm(request.POST, instance=role, prefix=f"role-{role.pk}")
    try:
        if "remove" in request.POST:
            programme_role_remove(actor=actor, role=role)
            messages.success(
                request,
                _("%(person)s no longer holds the role “%(role)s”.")
                % {"person": role.user, "role": role.get_role_display()},
            )
            return redirect(reverse("programmes:edit", args=[programme.slug]) + "#committee")
        if not form.is_valid():
            raise SetupRefused("")
        programme_role_change(
            actor=actor,
            role=ProgrammeRole.objects.select_related("user").get(pk=role.pk),
            new_role=form.cleaned_data["role"],
            sector=form.cleaned_data["sector"],
            affiliation=form.cleaned_data["affiliation"],
        )
    except SetupRefused as refusal:
        if str(refusal):
            form.add_error(None, str(refusal))
        return _page(
            request,
            programme,
            _unbound_setup(request, programme),
            creating=False,
            status=REFUSED,
            role_forms={role.pk: form},
        )
    messages.success(request, _("The role of %(person)s is saved.") % {"person": role.user})
    return redirect(reverse("programmes:edit", args=[programme.slug]) + "#committee")


def _signup_url() -> str | None:
    """The sign-up page, when the site offers one."""
    for name in ("account_signup", "accounts:signup", "signup"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: the person signs in (or signs up) and accepts
    the role; a used, expired or unknown link says so."""
    found = invitation_for_token(token)
    refusal = invitation_refusal(found)
    if refusal:
        return render(
            request,
            "programmes/invitation.html",
            {"refusal": refusal},
            status=404 if found is None else 410,
        )
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(
            request,
            "programmes/invitation.html",
            {"invitation": found, "next": request.get_full_path(), "signup_url": _signup_url()},
        )
    if request.method == "GET":
        return render(request, "programmes/invitation.html", {"invitation": found})
    try:
        role = invitation_accept(token=token, user=request.user)  # type: ignore[arg-type]
    except SetupRefused as error:
        return render(request, "programmes/invitation.html", {"refusal": str(error)}, status=410)
    messages.success(
        request,
        _("You now hold the role “%(role)s” in %(programme)s.")
        % {"role": role.get_role_display(), "programme": role.programme.name},
    )
    return redirect("home")
