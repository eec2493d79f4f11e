"""Who may do what with an organisation: pure rules returning
``(allowed, reason)``, and whether a type of organisation may apply.

The facts a rule needs (the person's role in the organisation, how many
managers it has) are read by the access functions and selectors; the rules
never touch the database, so a page, a service and a test ask the same
question the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from solidaire.accounts.permissions import COORDINATOR, Decision, Roles
from solidaire.applications.models import Organisation, OrganisationMember

MANAGER = OrganisationMember.Role.MANAGER
_ALLOWED: Decision = (True, "")


def organisation_type_eligibility(org_type: str) -> Decision:
    """Whether an organisation of ``org_type`` may answer the programme's
    calls, and why not. Mirrors the calls' "eligible type of organisation"
    rule, which screening checks on every proposal."""
    if org_type not in Organisation.Type.values:
        return False, _("Choose the type of your organisation from the list.")
    if org_type == Organisation.Type.OTHER:
        return False, _(
            "For-profit businesses, and organisations that are neither a non-profit, "
            "a cooperative treated as non-profit, a municipal body, a band council nor a "
            "research centre on poverty, are not eligible for this programme's calls."
        )
    return _ALLOWED


def view_organisation(
    roles: Roles, *, member_role: str | None, applied_programme_ids: frozenset[int]
) -> Decision:
    """An organisation's profile: its members, and the coordination of a
    programme whose calls it answered (the profile and its history)."""
    if not roles.authenticated:
        return False, _("Sign in first.")
    if member_role is not None or roles.superuser:
        return _ALLOWED
    if any(roles.has_role(pid, COORDINATOR) for pid in applied_programme_ids):
        return _ALLOWED
    return False, _("This organisation's profile is seen by its members only.")


def manage_organisation(roles: Roles, *, member_role: str | None) -> Decision:
    """Editing the profile, inviting and managing members: its managers."""
    if not roles.authenticated:
        return False, _("Sign in first.")
    if member_role is None:
        return False, _("Only the organisation's members act for it.")
    if member_role != MANAGER:
        return False, _(
            "Only the organisation's managers change its profile and its members. Ask one of them."
        )
    return _ALLOWED


def leave_organisation(roles: Roles, *, member_role: str | None, managers: int) -> Decision:
    """Leaving: any member, except the last manager (an organisation always
    keeps someone who can invite and edit its profile)."""
    if not roles.authenticated:
        return False, _("Sign in first.")
    if member_role is None:
        return False, _("You are not a member of this organisation.")
    if member_role == MANAGER and managers <= 1:
        return False, _(
            "You are the organisation's last manager: make another member a manager "
            "before you leave."
        )
    return _ALLOWED


def change_member_role(
    roles: Roles, *, member_role: str | None, target_role: str, new_role: str, managers: int
) -> Decision:
    """A manager names or demotes a manager; the last one cannot be demoted."""
    allowed, reason = manage_organisation(roles, member_role=member_role)
    if not allowed:
        return allowed, reason
    if target_role == MANAGER and new_role != MANAGER and managers <= 1:
        return False, _(
            "This is the organisation's last manager: make another member a manager first."
        )
    return _ALLOWED


def act_for_organisation(roles: Roles, *, organisation_id: int) -> Decision:
    """Choosing the organisation one acts for: one of one's organisations."""
    if not roles.authenticated:
        return False, _("Sign in first.")
    if organisation_id not in roles.organisation_ids:
        return False, _("You are not a member of this organisation.")
    return _ALLOWED


RULES: dict[str, Callable[..., Decision]] = {
    "organisation.view": view_organisation,
    "organisation.manage": manage_organisation,
    "organisation.leave": leave_organisation,
    "organisation.change_role": change_member_role,
    "organisation.act": act_for_organisation,
}


def check(roles: Roles, action: str, **facts: object) -> Decision:
    """``(allowed, reason)`` for ``action``; an unknown action is a bug."""
    return RULES[action](roles, **facts)
