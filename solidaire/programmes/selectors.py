"""Reads of programmes for the dashboards (money comes from the ledger, in
the layers above)."""

from __future__ import annotations

from django.db.models import QuerySet

from solidaire.accounts.permissions import Roles, allowed
from solidaire.programmes.models import Programme


def programmes_with_figures_for(roles: Roles) -> QuerySet[Programme]:
    """Programmes whose figures ``roles`` may see, in region order."""
    programmes = Programme.objects.select_related("region").order_by("region__code", "name")
    if roles.superuser or roles.ministry_observer:
        return programmes
    visible = [
        pid
        for pid in {pid for pid, _role in roles.programme_roles}
        if allowed(roles, "programme.view_figures", programme_id=pid)
    ]
    return programmes.filter(pk__in=visible)


def public_programmes() -> QuerySet[Programme]:
    """Every programme, for the public landing page."""
    return Programme.objects.select_related("region").order_by("region__code", "name")
