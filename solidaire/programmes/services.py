"""Writes of a programme's set-up: the programme, its fiscal years and
envelopes, its work plan and priorities, and its committee (invitations,
roles changed or removed). Each write is one transaction, and every change
of a role is an audit event."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.audit.services import audit_record
from solidaire.programmes.forms import SetupForms
from solidaire.programmes.models import (
    FiscalYear,
    Programme,
    ProgrammeInvitation,
    ProgrammeRole,
    WorkPlan,
)
from solidaire.programmes.selectors import fiscal_years_in_use

INVITATION_LIFETIME = timedelta(days=7)
R = ProgrammeRole.Role


class SetupRefused(Exception):
    """A set-up change the rules refuse; the message says why, in words."""


# ----------------------------------------------------------------------------- programme


def programme_setup_save(*, actor: User, forms: SetupForms) -> Programme:
    """Write a programme and its fiscal years, work plan and priorities from
    validated set-up forms, all or nothing. Used to create a programme (the
    forms hold an unsaved instance) and to change one."""
    creating = forms.programme.instance.pk is None
    with transaction.atomic():
        if not creating:
            _recheck_years_in_use(forms)
        programme = forms.programme.save()
        forms.years.instance = programme
        years = forms.years.save(commit=False)
        # Removed years first: a year may be removed and typed again in the
        # same save, and its label must be free by then.
        for removed in forms.years.deleted_objects:
            removed.delete()
        # Written in date order, so that the labels never collide midway.
        for year in sorted(years, key=lambda y: y.starts_on):
            year.programme = programme
            year.save()
        _work_plan_save(programme, forms)
        audit_record(
            actor=actor,
            event_type="programme.created" if creating else "programme.changed",
            target=programme,
            new_value=programme.name,
            data={
                "fiscal_years": {
                    fy.label: str(fy.envelope)
                    for fy in FiscalYear.objects.filter(programme=programme).order_by("starts_on")
                },
                "dates": [programme.starts_on.isoformat(), programme.ends_on.isoformat()],
            },
        )
    return programme


def _recheck_years_in_use(forms: SetupForms) -> None:
    """Lock the programme's fiscal years, as the ledger does before it
    commits money, then check again that no year lowered or removed has
    started to hold money since the form was checked: without the lock, a
    decision adopted meanwhile could find its year's envelope cut under it."""
    programme = forms.programme.instance
    list(FiscalYear.objects.select_for_update().filter(programme=programme).order_by("pk"))
    in_use = fiscal_years_in_use(programme)
    for form in forms.years.forms:
        year = form.instance
        if year.pk is None or year.pk not in in_use:
            continue
        removed = form in forms.years.deleted_forms
        lowered = form.cleaned_data.get("envelope") is not None and (
            form.cleaned_data["envelope"] < FiscalYear.objects.get(pk=year.pk).envelope
        )
        if removed or lowered:
            raise SetupRefused(
                _(
                    "Money was committed in %(year)s while you were editing: its envelope "
                    "can no longer be lowered or removed. Check the figures and save again."
                )
                % {"year": year.label}
            )


def _work_plan_save(programme: Programme, forms: SetupForms) -> None:
    data = forms.work_plan.cleaned_data
    if not data.get("title"):
        return
    plan: WorkPlan = forms.work_plan.instance
    plan.programme = programme
    plan.title = data["title"]
    plan.summary = data.get("summary") or ""
    plan.starts_on = data.get("starts_on") or programme.starts_on
    plan.ends_on = data.get("ends_on") or programme.ends_on
    if plan.ends_on <= plan.starts_on:
        raise SetupRefused(_("The work plan must end after it starts."))
    plan.save()
    priorities = forms.priorities
    priorities.instance = plan
    priorities.save(commit=False)  # sorts the rows into new, changed and removed
    for removed in priorities.deleted_objects:
        removed.delete()
    order = 0
    for form in priorities.forms:
        if form in priorities.deleted_forms or not (form.has_changed() or form.instance.pk):
            continue
        priority = form.instance
        priority.work_plan = plan
        priority.order = order
        priority.save()
        order += 1


# ----------------------------------------------------------------------------- invitations


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_send(
    *,
    programme: Programme,
    actor: User,
    email: str,
    role: str,
    sector: str = "",
    affiliation: str = "",
    link_for: Callable[[str], str],
) -> ProgrammeInvitation:
    """Invite ``email`` to take ``role`` in ``programme``: a random token,
    whose hash only is kept, sent in a link (``link_for(token)``) that works
    once, for seven days. Inviting an address twice for the same role while
    the first invitation is pending, or a person who already holds the role,
    is refused with a message; an expired invitation is replaced."""
    email = email.strip().lower()
    now = timezone.now()
    if ProgrammeRole.objects.filter(
        programme=programme, role=role, user__email__iexact=email
    ).exists():
        raise SetupRefused(
            _("%(email)s already holds the role “%(role)s” in this programme.")
            % {"email": email, "role": R(role).label}
        )
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            pending = ProgrammeInvitation.objects.filter(
                programme=programme, email=email, role=role, accepted_at__isnull=True
            ).first()
            if pending is not None and pending.expires_at > now:
                raise SetupRefused(
                    _(
                        "%(email)s was already invited as “%(role)s” on %(sent)s; that "
                        "invitation is valid until %(expires)s."
                    )
                    % {
                        "email": email,
                        "role": R(role).label,
                        "sent": _when(pending.created_at),
                        "expires": _when(pending.expires_at),
                    }
                )
            if pending is not None:
                pending.delete()
            invitation = ProgrammeInvitation.objects.create(
                programme=programme,
                email=email,
                role=role,
                sector=sector,
                affiliation=affiliation,
                token_hash=_token_hash(token),
                created_at=now,
                expires_at=now + INVITATION_LIFETIME,
                invited_by=actor,
            )
            audit_record(
                actor=actor,
                event_type="programme_role.invited",
                target=programme,
                new_value=f"{email} {role}",
                data={"invitation": invitation.pk, "sector": sector, "affiliation": affiliation},
            )
    except IntegrityError:
        # Two coordinators inviting the same address at the same instant: the
        # database's constraint keeps one invitation.
        raise SetupRefused(
            _("%(email)s was already invited as “%(role)s”.") % {"email": email, "role": role}
        ) from None
    _invitation_mail(invitation, link_for(token)).send()
    return invitation


def _when(instant: datetime) -> str:
    return formats.date_format(timezone.localtime(instant), "DATETIME_FORMAT")


def _invitation_mail(invitation: ProgrammeInvitation, link: str) -> EmailMessage:
    """The invitation in French, then in English: the person's language is
    not known before they sign in."""
    parts = []
    subject = ""
    for language in ("fr", "en"):
        with translation.override(language):
            if not subject:
                subject = _("Invitation to the committee of %(programme)s") % {
                    "programme": invitation.programme.name
                }
            parts.append(
                _(
                    "Hello,\n\n%(inviter)s invites you to take the role “%(role)s” in "
                    "%(programme)s. To accept, open this link and sign in (or create your "
                    "account):\n\n%(link)s\n\nThe link works once, until %(expires)s."
                )
                % {
                    "inviter": invitation.invited_by or invitation.programme.name,
                    "role": R(invitation.role).label,
                    "programme": invitation.programme.name,
                    "link": link,
                    "expires": _when(invitation.expires_at),
                }
            )
    return EmailMessage(
        subject, "\n\n---\n\n".join(parts), settings.DEFAULT_FROM_EMAIL, [invitation.email]
    )


def invitation_for_token(token: str) -> ProgrammeInvitation | None:
    return (
        ProgrammeInvitation.objects.select_related("programme__region", "invited_by")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def invitation_refusal(invitation: ProgrammeInvitation | None) -> str:
    """Why this invitation cannot be accepted, or an empty string."""
    if invitation is None:
        return _("This invitation link is not valid. Check that you copied it whole.")
    if invitation.accepted_at is not None:
        return _(
            "This invitation was already used. Ask the programme's coordination for a new one."
        )
    if invitation.expires_at <= timezone.now():
        return _(
            "This invitation expired on %(expires)s. Ask the programme's coordination for a new one."
        ) % {"expires": _when(invitation.expires_at)}
    return ""


def invitation_accept(*, token: str, user: User) -> ProgrammeRole:
    """Give ``user`` the role the invitation offers; the invitation is used
    up. Refused (:class:`SetupRefused`) when unknown, used or expired."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        if invitation is not None:
            # Read again under the transaction's lock: two tabs accepting at
            # once must not both use the invitation.
            invitation = (
                ProgrammeInvitation.objects.select_for_update()
                .select_related("programme")
                .get(pk=invitation.pk)
            )
        refusal = invitation_refusal(invitation)
        if refusal or invitation is None:
            raise SetupRefused(refusal)
        role, _created = ProgrammeRole.objects.get_or_create(
            programme=invitation.programme,
            user=user,
            role=invitation.role,
            defaults={"sector": invitation.sector, "affiliation": invitation.affiliation},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=user,
            event_type="programme_role.granted",
            target=role,
            new_value=invitation.role,
            data={"invitation": invitation.pk, "programme": invitation.programme_id},
        )
    return role


# ----------------------------------------------------------------------------- roles


def _lock_coordinators(programme_id: int) -> int:
    """Lock the programme's coordinator roles and count them. Without the
    lock, two coordinators removing each other at the same moment would
    each see the other still there and leave the programme with none."""
    return len(
        list(
            ProgrammeRole.objects.select_for_update()
            .filter(programme_id=programme_id, role=R.COORDINATOR)
            .values_list("pk", flat=True)
        )
    )


def _last_coordinator(role: ProgrammeRole) -> bool:
    return role.role == R.COORDINATOR and _lock_coordinators(role.programme_id) <= 1


def programme_role_change(
    *, actor: User, role: ProgrammeRole, new_role: str, sector: str, affiliation: str
) -> ProgrammeRole:
    """Change a person's role, sector or affiliation; audited."""
    old = f"{role.role} {role.sector} {role.affiliation}".strip()
    with transaction.atomic():
        if new_role != role.role and _last_coordinator(role):
            raise SetupRefused(
                _(
                    "%(person)s is the programme's only coordinator: invite another "
                    "coordinator before changing this role."
                )
                % {"person": role.user}
            )
        if (
            new_role != role.role
            and ProgrammeRole.objects.filter(
                programme_id=role.programme_id, user_id=role.user_id, role=new_role
            ).exists()
        ):
            raise SetupRefused(
                _("%(person)s already holds the role “%(role)s”.")
                % {"person": role.user, "role": R(new_role).label}
            )
        role.role, role.sector, role.affiliation = new_role, sector, affiliation
        role.save(update_fields=["role", "sector", "affiliation"])
        audit_record(
            actor=actor,
            event_type="programme_role.changed",
            target=role,
            old_value=old,
            new_value=f"{new_role} {sector} {affiliation}".strip(),
            data={"programme": role.programme_id, "user": role.user_id},
        )
    return role


def programme_role_remove(*, actor: User, role: ProgrammeRole) -> None:
    """Take a role away from a person; audited. The last coordinator of a
    programme stays: the programme would have no one to run it."""
    with transaction.atomic():
        if _last_coordinator(role):
            raise SetupRefused(
                _(
                    "%(person)s is the programme's only coordinator: invite another "
                    "coordinator before removing this role."
                )
                % {"person": role.user}
            )
        audit_record(
            actor=actor,
            event_type="programme_role.removed",
            target=role,
            old_value=role.role,
            data={"programme": role.programme_id, "user": role.user_id},
        )
        role.delete()
