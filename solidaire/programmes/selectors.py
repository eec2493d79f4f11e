"""Reads of programmes for the dashboards (money comes from the ledger, in
the layers above)."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from solidaire.accounts.permissions import Roles, allowed
from solidaire.programmes.models import (
    FiscalYear,
    Priority,
    Programme,
    ProgrammeInvitation,
    ProgrammeRole,
    WorkPlan,
)


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


def _referenced(model: type[models.Model], ids: list[int]) -> frozenset[int]:
    """Which of ``ids`` (rows of ``model``) other records point to, found
    through the model's reverse relations: ``programmes`` knows nothing of
    the apps above it (calls, ledger, proposals), yet must not let a
    coordinator remove a fiscal year or priority they rely on. One query per
    relation, whatever the number of rows."""
    if not ids:
        return frozenset()
    used: set[int] = set()
    for relation in model._meta.related_objects:
        related = relation.related_model
        if relation.many_to_many:
            through = relation.through  # type: ignore[attr-defined]
            column = next(
                f.name for f in through._meta.fields if getattr(f, "related_model", None) is model
            )
            rows = through.objects.filter(**{f"{column}__in": ids}).values_list(column, flat=True)
        else:
            name = relation.field.name
            rows = related._default_manager.filter(**{f"{name}__in": ids}).values_list(  # type: ignore[union-attr]
                name, flat=True
            )
        used.update(rows.distinct())
    return frozenset(used)


def fiscal_years_in_use(programme: Programme) -> frozenset[int]:
    """Fiscal years of ``programme`` that hold money, allocations, requests
    or payments: they may be raised but not lowered, renamed or removed."""
    if programme.pk is None:
        return frozenset()
    return _referenced(FiscalYear, list(programme.fiscal_years.values_list("pk", flat=True)))


def priorities_in_use(work_plan: WorkPlan | None) -> frozenset[int]:
    """Priorities that proposals declared: they may be renamed, not removed."""
    if work_plan is None or work_plan.pk is None:
        return frozenset()
    return _referenced(Priority, list(work_plan.priorities.values_list("pk", flat=True)))


def committee_of(programme: Programme) -> list[ProgrammeRole]:
    """The programme's roles, coordinators first, then by name."""
    order = {role: k for k, role in enumerate(ProgrammeRole.Role.values)}
    roles = list(ProgrammeRole.objects.filter(programme=programme).select_related("user"))
    return sorted(
        roles,
        key=lambda r: (order[r.role], r.user.last_name.lower(), r.user.first_name.lower(), r.pk),
    )


def pending_invitations(programme: Programme) -> list[ProgrammeInvitation]:
    return list(
        ProgrammeInvitation.objects.filter(programme=programme, accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def current_work_plan(programme: Programme) -> WorkPlan | None:
    """The programme's latest work plan (the one its set-up page edits)."""
    if programme.pk is None:
        return None
    return programme.work_plans.order_by("-starts_on", "-pk").first()
