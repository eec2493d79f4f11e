"""Pages of organisations: the person's organisations, registering one, its
profile (members, invitations, and for the coordination its history), editing
it, inviting people, following an invitation, leaving, and choosing the
organisation one acts for.

Every organisation is fetched through ``organisation_for_user`` (anyone who
may see it) or ``organisation_to_act_on`` (its members); anyone else gets a
404. What a member may do is asked of the rules in ``organisation_rules``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from solidaire.accounts.models import User
from solidaire.applications.access import roles_for
from solidaire.applications.models import OrganisationInvitation, OrganisationMember
from solidaire.applications.organisation_forms import InvitationForm, OrganisationForm, RoleForm
from solidaire.applications.organisation_selectors import (
    ACTING_KEY,
    OrganisationAccess,
    acting_organisation_id,
    history_rows,
    open_invitations,
    organisation_for_user,
    organisation_history,
    organisation_members,
    organisation_proposals,
    organisation_to_act_on,
    organisations_for_user,
)
from solidaire.applications.organisations import (
    InvitationRefused,
    MembershipRefused,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_problem,
    invitation_revoke,
    membership_leave,
    membership_set_role,
    organisation_create,
    organisation_update,
)

SIGNUP_PATH = "/inscription/"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _describe_errors(form: Form) -> None:
    """Tie each error message to its input, so that a screen reader reads the
    message when the input gets the focus (WCAG 3.3.1)."""
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


def _attach(form: Form, exc: ValidationError) -> None:
    """Put a service's refusal beside the inputs it is about."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        target = name if name in form.fields else None
        for message in errors:
            form.add_error(target, message)


def _refuse(request: HttpRequest, access: OrganisationAccess, action: str) -> HttpResponse | None:
    """A redirect to the profile with the rule's reason when the member may
    not do ``action``; None when they may."""
    allowed, reason = access.decide(action)
    if allowed:
        return None
    messages.error(request, reason)
    return redirect("organisations:detail", pk=access.organisation.pk)


# ----------------------------------------------------------------------------- list, create


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The organisations the person acts for, and which one acts now."""
    memberships = organisations_for_user(request.user)
    roles = roles_for(request.user)
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "memberships": memberships,
            "acting_id": acting_organisation_id(request.session, roles),
            "several": len(memberships) > 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    """Register an organisation; the person becomes its first manager."""
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(actor=_user(request), fields=form.profile_fields())
        except ValidationError as exc:
            _attach(form, exc)
        else:
            request.session[ACTING_KEY] = organisation.pk
            messages.success(
                request,
                _("%(organisation)s is registered. You are its manager.")
                % {"organisation": organisation.legal_name},
            )
            return redirect("organisations:detail", pk=organisation.pk)
    _describe_errors(form)
    return render(request, "organisations/organisation_form.html", {"form": form})


# ----------------------------------------------------------------------------- profile


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The profile; its members and invitations for its members; the
    proposals and events of its history."""
    access = organisation_for_user(request.user, pk)
    organisation = access.organisation
    proposals = list(organisation_proposals(access))
    can_manage = access.allows("organisation.manage")
    context: dict[str, Any] = {
        "access": access,
        "organisation": organisation,
        "proposals": proposals,
        "history": history_rows(
            organisation_history(
                organisation, [p.pk for p in proposals], for_member=access.is_member
            ),
            proposals,
        ),
        "can_manage": can_manage,
    }
    if access.is_member:
        roles = access.roles
        context.update(
            {
                "members": organisation_members(organisation),
                "invitations": open_invitations(organisation) if can_manage else [],
                "several": len(roles.organisation_ids) > 1,
                "acting": acting_organisation_id(request.session, roles) == organisation.pk,
                "role_choices": OrganisationMember.Role.choices,
            }
        )
    return render(request, "organisations/organisation_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access = organisation_to_act_on(request.user, pk)
    if (refusal := _refuse(request, access, "organisation.manage")) is not None:
        return refusal
    organisation = access.organisation
    if request.method == "POST":
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                organisation_update(
                    organisation=organisation, actor=_user(request), fields=form.profile_fields()
                )
            except MembershipRefused as exc:
                messages.error(request, exc.messages[0])
                return redirect("organisations:detail", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, _("The organisation's profile is saved."))
                return redirect("organisations:detail", pk=pk)
    else:
        form = OrganisationForm(initial=OrganisationForm.initial_for(organisation))
    _describe_errors(form)
    return render(
        request,
        "organisations/organisation_form.html",
        {"form": form, "organisation": organisation},
    )


# ----------------------------------------------------------------------------- members


@login_required
@require_http_methods(["GET", "POST"])
def organisation_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager invites someone by e-mail."""
    access = organisation_to_act_on(request.user, pk)
    if (refusal := _refuse(request, access, "organisation.manage")) is not None:
        return refusal
    organisation = access.organisation
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                organisation=organisation,
                actor=_user(request),
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                link_for=lambda token: request.build_absolute_uri(
                    reverse("organisations:invitation", args=[token])
                ),
            )
        except MembershipRefused as exc:
            messages.error(request, exc.messages[0])
            return redirect("organisations:detail", pk=pk)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s. The link works for 7 days.")
                % {"email": invitation.email},
            )
            return redirect("organisations:detail", pk=pk)
    _describe_errors(form)
    return render(
        request,
        "organisations/organisation_invite.html",
        {"form": form, "organisation": organisation},
    )


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    access = organisation_to_act_on(request.user, pk)
    invitation = get_object_or_404(
        OrganisationInvitation, pk=invitation_pk, organisation=access.organisation
    )
    try:
        invitation_revoke(invitation=invitation, actor=_user(request))
    except MembershipRefused as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, _("The invitation to %(email)s is cancelled.") % {"email": invitation.email}
        )
    return redirect("organisations:detail", pk=pk)


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """A manager names a member manager, or a manager member."""
    access = organisation_to_act_on(request.user, pk)
    membership = get_object_or_404(
        OrganisationMember.objects.select_related("organisation", "user"),
        pk=member_pk,
        organisation=access.organisation,
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
        return redirect("organisations:detail", pk=pk)
    try:
        membership_set_role(
            membership=membership, role=form.cleaned_data["role"], actor=_user(request)
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("%(person)s is now %(role)s.")
            % {
                "person": membership.user,
                "role": OrganisationMember.Role(form.cleaned_data["role"]).label.lower(),
            },
        )
    return redirect("organisations:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then stop acting for the organisation."""
    access = organisation_to_act_on(request.user, pk)
    if (refusal := _refuse(request, access, "organisation.leave")) is not None:
        return refusal
    organisation = access.organisation
    if request.method == "POST":
        try:
            membership_leave(organisation=organisation, user=_user(request))
        except MembershipRefused as exc:
            messages.error(request, exc.messages[0])
            return redirect("organisations:detail", pk=pk)
        if request.session.get(ACTING_KEY) == organisation.pk:
            del request.session[ACTING_KEY]
        messages.success(
            request,
            _("You no longer act for %(organisation)s.")
            % {"organisation": organisation.legal_name},
        )
        return redirect("organisations:list")
    return render(request, "organisations/organisation_leave.html", {"organisation": organisation})


@login_required
@require_POST
def organisation_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """Act for this organisation: the proposals pages show its proposals and
    the calls it may answer."""
    access = organisation_to_act_on(request.user, pk)
    request.session[ACTING_KEY] = access.organisation.pk
    messages.success(
        request,
        _("You now act for %(organisation)s.") % {"organisation": access.organisation.legal_name},
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("proposal_list")
    return redirect(target)


# ----------------------------------------------------------------------------- invitation


def _signup_url() -> str | None:
    """The sign-up page, when the site has one."""
    try:
        resolve(SIGNUP_PATH)
    except Resolver404:
        return None
    return SIGNUP_PATH


@require_http_methods(["GET", "POST"])
def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """Where the invitation e-mail leads. A visitor who is not signed in is
    asked to sign in or create an account, then comes back here; a signed-in
    person accepts with one button."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise Http404
    problem = invitation_problem(invitation)
    context: dict[str, Any] = {"invitation": invitation, "problem": problem}
    if problem:
        return render(request, "organisations/invitation.html", context, status=410)
    here = request.get_full_path()
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(here, resolve_url(settings.LOGIN_URL))
        signup = _signup_url()
        back = urlencode({"next": here})
        context.update(
            {
                "login_url": f"{resolve_url(settings.LOGIN_URL)}?{back}",
                "signup_url": f"{signup}?{back}" if signup else None,
            }
        )
        return render(request, "organisations/invitation.html", context)
    user = _user(request)
    if OrganisationMember.objects.filter(organisation=invitation.organisation, user=user).exists():
        context["already_member"] = True
        return render(request, "organisations/invitation.html", context)
    if request.method == "POST":
        try:
            membership = invitation_accept(token=token, user=user)
        except InvitationRefused as exc:
            context["problem"] = exc.messages[0]
            return render(request, "organisations/invitation.html", context, status=410)
        request.session[ACTING_KEY] = membership.organisation_id
        messages.success(
            request,
            _("Welcome to %(organisation)s.")
            % {"organisation": invitation.organisation.legal_name},
        )
        return redirect("organisations:detail", pk=membership.organisation_id)
    return render(request, "organisations/invitation.html", context)
