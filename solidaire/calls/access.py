"""Who sets up a programme's calls, and lookups that answer 404 to anyone
else (a coordinator of another region learns nothing, not even that the
programme or the call exists)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from solidaire.accounts.permissions import COORDINATOR, Decision, Person, Roles
from solidaire.calls.models import Call
from solidaire.programmes.access import programme_roles_for
from solidaire.programmes.models import Programme


def set_up_calls(roles: Roles, *, programme_id: int) -> Decision:
    """Creating, changing and publishing a programme's calls: its
    coordination, or a site administrator. Pure, in the shape of
    ``solidaire.accounts.permissions``."""
    if not roles.authenticated:
        return False, _("Sign in first.")
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return True, ""
    return False, _("Only the programme's coordination sets up its calls.")


def programme_for_setup(user: Person, slug: str) -> Programme:
    programme = Programme.objects.select_related("region").filter(slug=slug).first()
    if (
        programme is None
        or not set_up_calls(programme_roles_for(user), programme_id=programme.pk)[0]
    ):
        raise Http404
    return programme


def call_for_setup(user: Person, slug: str, number: int) -> Call:
    programme = programme_for_setup(user, slug)
    call = Call.objects.filter(programme=programme, number=number).first()
    if call is None:
        raise Http404
    call.programme = programme
    return call
