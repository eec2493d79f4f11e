"""Access to programmes: who holds which role, and programme lookups that
answer 404 to people who may not see them."""

from __future__ import annotations

from django.http import Http404

from solidaire.accounts.permissions import ANONYMOUS, Person, Roles, check
from solidaire.programmes.models import Programme, ProgrammeRole

_CACHE = "_solidaire_programme_roles"


def programme_roles_of(user: Person) -> frozenset[tuple[int, str]]:
    """``(programme id, role)`` pairs of ``user``, read once per request:
    the result is kept on the user object, which lives as long as the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = frozenset(
            ProgrammeRole.objects.filter(user=user).values_list("programme_id", "role")
        )
        setattr(user, _CACHE, cached)
    return cached


def programme_roles_for(user: Person) -> Roles:
    """The programme part of a person's roles (organisations are known only
    to the layers above; see ``solidaire.applications.access.roles_for``)."""
    if not user.is_authenticated:
        return ANONYMOUS
    return Roles(
        user_id=user.pk,
        superuser=user.is_superuser,
        ministry_observer=user.is_ministry_observer,
        programme_roles=programme_roles_of(user),
    )


def programme_for_user(user: Person, slug: str) -> Programme:
    """The programme ``slug`` if ``user`` may see its figures, else 404 (a
    stranger learns nothing, not even that the programme exists)."""
    programme = Programme.objects.select_related("region").filter(slug=slug).first()
    if programme is None:
        raise Http404
    allowed, _reason = check(
        programme_roles_for(user), "programme.view_figures", programme_id=programme.pk
    )
    if not allowed:
        raise Http404
    return programme


def programme_for_editor(user: Person, slug: str) -> Programme:
    """The programme ``slug`` if ``user`` may change its set-up, else 404
    (the coordinator of another region learns nothing of this one)."""
    programme = Programme.objects.select_related("region").filter(slug=slug).first()
    if programme is None:
        raise Http404
    allowed, _reason = check(programme_roles_for(user), "programme.edit", programme_id=programme.pk)
    if not allowed:
        raise Http404
    return programme
