"""Reading organisations: the person's organisations, one organisation with
what its page shows, its history for the coordination, and the organisation
a person with several acts for.

Every page that shows an organisation fetches it through
:func:`organisation_for_user`, so a stranger learns nothing of it, not even
that it exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from solidaire.accounts.permissions import COORDINATOR, Decision, Person, Roles
from solidaire.applications.access import (
    awarded_amount_expression,
    requested_amount_expression,
    roles_for,
)
from solidaire.applications.models import (
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Proposal,
)
from solidaire.applications.organisation_rules import check
from solidaire.audit.models import AuditEvent

ACTING_KEY = "acting_organisation"
HISTORY_LIMIT = 50


@dataclass
class OrganisationAccess:
    """An organisation and the facts the rules ask about the person viewing it."""

    organisation: Organisation
    roles: Roles
    member_role: str | None
    managers: int
    applied_programme_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_member(self) -> bool:
        return self.member_role is not None

    def decide(self, action: str) -> Decision:
        """The rule's answer for ``action`` on this organisation."""
        facts: dict[str, object] = {"member_role": self.member_role}
        if action == "organisation.leave":
            facts["managers"] = self.managers
        return check(self.roles, action, **facts)

    def allows(self, action: str) -> bool:
        return self.decide(action)[0]


def organisation_for_user(user: Person, pk: int) -> OrganisationAccess:
    """Organisation ``pk`` for ``user``: its members, and the coordination of
    a programme whose calls it answered; 404 for anyone else."""
    organisation = (
        Organisation.objects.select_related("territory__region")
        .annotate(
            managers=Count(
                "memberships", filter=Q(memberships__role=OrganisationMember.Role.MANAGER)
            )
        )
        .filter(pk=pk)
        .first()
    )
    if organisation is None:
        raise Http404
    roles = roles_for(user)
    member_role = (
        OrganisationMember.objects.filter(organisation=organisation, user_id=roles.user_id)
        .values_list("role", flat=True)
        .first()
        if roles.user_id is not None
        else None
    )
    applied: frozenset[int] = frozenset()
    if member_role is None:
        applied = frozenset(
            Proposal.objects.filter(organisation=organisation)
            .values_list("call__programme_id", flat=True)
            .distinct()
        )
    allowed, _reason = check(
        roles, "organisation.view", member_role=member_role, applied_programme_ids=applied
    )
    if not allowed:
        raise Http404
    return OrganisationAccess(
        organisation=organisation,
        roles=roles,
        member_role=member_role,
        managers=organisation.managers,  # type: ignore[attr-defined]
        applied_programme_ids=applied,
    )


def organisation_to_act_on(user: Person, pk: int) -> OrganisationAccess:
    """Organisation ``pk`` when ``user`` is one of its members, else 404: the
    coordination reads an organisation's profile, it never acts for it."""
    access = organisation_for_user(user, pk)
    if not access.is_member:
        raise Http404
    return access


def organisations_for_user(user: Person) -> list[OrganisationMember]:
    """The person's memberships, with each organisation and its member count
    (one query)."""
    roles = roles_for(user)
    if roles.user_id is None:
        return []
    return list(
        OrganisationMember.objects.filter(user_id=roles.user_id)
        .select_related("organisation__territory")
        .annotate(member_count=Count("organisation__memberships"))
        .order_by("organisation__legal_name")
    )


def organisation_members(organisation: Organisation) -> list[OrganisationMember]:
    return list(
        OrganisationMember.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "user__username")
    )


def open_invitations(
    organisation: Organisation, now: datetime | None = None
) -> list[OrganisationInvitation]:
    """Invitations sent and not yet accepted, cancelled or expired."""
    now = now or timezone.now()
    return list(
        OrganisationInvitation.objects.filter(
            organisation=organisation,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def organisation_proposals(access: OrganisationAccess) -> QuerySet[Proposal]:
    """The organisation's proposals the person may read: all of them for its
    members, those to the calls of the programmes one coordinates otherwise."""
    rows = Proposal.objects.filter(organisation=access.organisation)
    roles = access.roles
    if not access.is_member and not roles.superuser:
        rows = rows.filter(call__programme_id__in=roles.programmes_with(COORDINATOR))
    return (
        rows.select_related("call__programme", "organisation")
        .annotate(requested=requested_amount_expression(), awarded=awarded_amount_expression())
        .order_by("-call__opens_at", "reference")
    )


# Who was invited, and whether an invitation was cancelled, is the
# organisation's own business: the coordination does not see the addresses
# of people who never joined.
MEMBERS_ONLY_EVENTS = ("organisation.invited", "organisation.invitation_cancelled")


def organisation_history(
    organisation: Organisation, proposal_ids: list[int], *, for_member: bool
) -> list[AuditEvent]:
    """What happened to the organisation and to the given proposals of it,
    newest first."""
    rows = AuditEvent.objects.filter(
        Q(object_type="applications.organisation", object_id=str(organisation.pk))
        | Q(object_type="applications.proposal", object_id__in=[str(p) for p in proposal_ids])
    )
    if not for_member:
        rows = rows.exclude(event_type__in=MEMBERS_ONLY_EVENTS)
    return list(rows.select_related("actor").order_by("-at", "-id")[:HISTORY_LIMIT])


def acting_organisation_id(session: SessionBase, roles: Roles) -> int | None:
    """The organisation the person acts for: their only one, or the one they
    chose among several; None when they have several and chose none."""
    if len(roles.organisation_ids) == 1:
        return next(iter(roles.organisation_ids))
    chosen = session.get(ACTING_KEY)
    if isinstance(chosen, int) and chosen in roles.organisation_ids:
        return chosen
    return None


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: str
    what: str
    reason: str


def _status_label(value: str) -> str:
    try:
        return str(Proposal.Status(value).label)
    except ValueError:
        return value


def _role_label(value: str) -> str:
    try:
        return str(OrganisationMember.Role(value).label)
    except ValueError:
        return value


def history_rows(events: list[AuditEvent], proposals: list[Proposal]) -> list[HistoryRow]:
    """The audit events as sentences a reader understands."""
    references = {str(p.pk): p.reference for p in proposals}
    rows = []
    for event in events:
        values = {
            "old": event.old_value,
            "new": event.new_value,
            "reference": references.get(event.object_id, event.object_id),
        }
        kind = event.event_type
        if kind == "organisation.created":
            what = _("Organisation registered")
        elif kind == "organisation.updated":
            what = _("Profile changed")
        elif kind == "organisation.invited":
            what = _("%(new)s invited") % values
        elif kind == "organisation.invitation_cancelled":
            what = _("Invitation to %(old)s cancelled") % values
        elif kind == "organisation.joined":
            what = _("%(new)s joined the organisation") % values
        elif kind == "organisation.left":
            what = _("%(old)s left the organisation") % values
        elif kind == "organisation.role_changed":
            what = _("%(member)s: %(old)s → %(new)s") % {
                "member": event.data.get("member", ""),
                "old": _role_label(event.old_value),
                "new": _role_label(event.new_value),
            }
        elif kind == "proposal.created":
            what = _("Proposal %(reference)s started") % values
        elif kind == "proposal.status":
            what = _("Proposal %(reference)s: %(old)s → %(new)s") % {
                **values,
                "old": _status_label(event.old_value),
                "new": _status_label(event.new_value),
            }
        else:
            what = event.event_type
        rows.append(
            HistoryRow(
                at=event.at,
                actor=str(event.actor) if event.actor else _("the system"),
                what=what,
                reason=event.reason,
            )
        )
    return rows
