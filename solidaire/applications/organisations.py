"""Organisations and their members: creating an organisation, editing its
profile, inviting people by e-mail, accepting an invitation, leaving, and
naming managers. Every write leaves an audit event.

An organisation always keeps at least one manager: the person who creates it
becomes its first manager, and neither leaving nor a change of role may
remove the last one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.applications.access import roles_for
from solidaire.applications.models import (
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
)
from solidaire.applications.organisation_rules import check, organisation_type_eligibility
from solidaire.audit.services import audit_record

Role = OrganisationMember.Role

# How long an invitation link works: long enough for a volunteer who reads
# their e-mail once a week, short enough that a forgotten link goes stale.
INVITATION_VALID_FOR = timedelta(days=7)

# The fields a manager edits; members, invitations and proposals belong to
# the other services.
PROFILE_FIELDS = frozenset(
    {
        "legal_name",
        "neq",
        "org_type",
        "territory",
        "address",
        "city",
        "postal_code",
        "email",
        "phone",
        "mission",
    }
)


class InvitationRefused(ValidationError):
    """An invitation link that cannot be used (unknown, expired, used,
    cancelled), with the reason to show the person who followed it."""


class MembershipRefused(ValidationError):
    """A change of membership the rules refuse (last manager, not a manager)."""


def token_hash(token: str) -> str:
    """What is stored of an invitation's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _forget_roles(user: User) -> None:
    # The person's memberships changed: the roles read earlier in this
    # request no longer hold.
    if hasattr(user, "_solidaire_roles"):
        delattr(user, "_solidaire_roles")


def _validate_profile(organisation: Organisation) -> None:
    eligible, reason = organisation_type_eligibility(organisation.org_type)
    errors: dict[str, list[str]] = {} if eligible else {"org_type": [reason]}
    try:
        organisation.full_clean(validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if (
        organisation.neq
        and "neq" not in errors
        and Organisation.objects.filter(neq=organisation.neq).exclude(pk=organisation.pk).exists()
    ):
        errors["neq"] = [_neq_taken()]
    if errors:
        raise ValidationError(errors)


def _neq_taken() -> str:
    return _(
        "An organisation with this NEQ is already registered. Ask one of its managers "
        "to invite you."
    )


def _apply(organisation: Organisation, fields: Mapping[str, Any]) -> list[str]:
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValidationError(
            {name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    changed = []
    for name, value in fields.items():
        attname = "territory_id" if name == "territory" else name
        if getattr(organisation, attname) != getattr(value, "pk", value):
            changed.append(name)
        setattr(organisation, name, value)
    return sorted(changed)


def organisation_create(*, actor: User, fields: Mapping[str, Any]) -> Organisation:
    """Register an organisation; ``actor`` becomes its first manager. Refuses
    a type of organisation the programme does not fund, with the reason."""
    organisation = Organisation()
    _apply(organisation, fields)
    _validate_profile(organisation)
    try:
        with transaction.atomic():
            organisation.save()
            OrganisationMember.objects.create(
                organisation=organisation, user=actor, role=Role.MANAGER
            )
            audit_record(
                actor=actor,
                event_type="organisation.created",
                target=organisation,
                new_value=organisation.legal_name,
                data={"neq": organisation.neq, "type": organisation.org_type},
            )
    except IntegrityError as exc:
        # Another person registered the same NEQ between the check and the write.
        raise ValidationError({"neq": [_neq_taken()]}) from exc
    _forget_roles(actor)
    return organisation


def organisation_update(
    *, organisation: Organisation, actor: User, fields: Mapping[str, Any]
) -> Organisation:
    """Change the profile of ``organisation``: its managers only."""
    membership = _membership(organisation, actor)
    allowed, reason = check(
        roles_for(actor),
        "organisation.manage",
        member_role=membership.role if membership else None,
    )
    if not allowed:
        raise MembershipRefused(reason)
    fresh = Organisation.objects.get(pk=organisation.pk)
    changed = _apply(fresh, fields)
    _validate_profile(fresh)
    if not changed:
        return fresh
    try:
        with transaction.atomic():
            fresh.save()
            audit_record(
                actor=actor,
                event_type="organisation.updated",
                target=fresh,
                data={"fields": changed},
            )
    except IntegrityError as exc:
        raise ValidationError({"neq": [_neq_taken()]}) from exc
    return fresh


def _membership(organisation: Organisation, user: User) -> OrganisationMember | None:
    return OrganisationMember.objects.filter(organisation=organisation, user=user).first()


def _managers(organisation: Organisation) -> int:
    return OrganisationMember.objects.filter(organisation=organisation, role=Role.MANAGER).count()


def _lock(organisation: Organisation) -> None:
    # Two managers leaving (or demoting each other) at the same instant
    # would each count the other and leave nobody in charge: changes of
    # membership of one organisation are serialised on its row.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def invitation_create(
    *,
    organisation: Organisation,
    actor: User,
    email: str,
    role: str,
    link_for: Callable[[str], str],
    now: datetime | None = None,
) -> OrganisationInvitation:
    """Invite ``email`` to join ``organisation`` and send the link.

    ``link_for`` turns the token into the absolute address of the invitation
    page. A new invitation to the same address cancels the previous one. If
    the e-mail cannot be sent, nothing is recorded."""
    now = now or timezone.now()
    email = email.strip().lower()
    membership = _membership(organisation, actor)
    allowed, reason = check(
        roles_for(actor),
        "organisation.manage",
        member_role=membership.role if membership else None,
    )
    if not allowed:
        raise MembershipRefused(reason)
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose a role from the list.")]})
    if OrganisationMember.objects.filter(
        organisation=organisation, user__email__iexact=email
    ).exists():
        raise ValidationError(
            {"email": [_("%(email)s is already a member of this organisation.") % {"email": email}]}
        )
    token = secrets.token_urlsafe(32)
    try:
        invitation = _invitation_record(organisation, actor, email, role, token, now, link_for)
    except IntegrityError as exc:
        # Two managers invited the same address at the same instant: the
        # other invitation stands.
        raise ValidationError(
            {"email": [_("An invitation to this address was just sent.")]}
        ) from exc
    return invitation


def _invitation_record(
    organisation: Organisation,
    actor: User,
    email: str,
    role: str,
    token: str,
    now: datetime,
    link_for: Callable[[str], str],
) -> OrganisationInvitation:
    with transaction.atomic():
        OrganisationInvitation.objects.filter(
            organisation=organisation,
            email=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = OrganisationInvitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=token_hash(token),
            invited_by=actor,
            created_at=now,
            expires_at=now + INVITATION_VALID_FOR,
        )
        audit_record(
            actor=actor,
            event_type="organisation.invited",
            target=organisation,
            new_value=email,
            data={"role": role, "invitation": invitation.pk},
        )
        # Inside the transaction: a message that cannot leave leaves no
        # invitation behind that nobody received.
        try:
            _send_invitation(invitation, actor, link_for(token))
        except OSError as exc:  # smtplib's errors are OSErrors
            raise ValidationError(
                _("The invitation could not be sent. Nothing was recorded; try again later.")
            ) from exc
    return invitation


def _send_invitation(invitation: OrganisationInvitation, actor: User, link: str) -> None:
    expires = formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
    values = {
        "person": str(actor),
        "organisation": invitation.organisation.legal_name,
        "link": link,
        "expires": expires,
    }
    subject = _("Invitation to join %(organisation)s on Solidaire") % values
    body = (
        _(
            "%(person)s invites you to act for %(organisation)s on Solidaire, where the "
            "organisation writes and follows its proposals to the programme."
        )
        % values
        + "\n\n"
        + _("To accept, open this link (it works once, until %(expires)s):") % values
        + f"\n{link}\n\n"
        + _(
            "If you have no account yet, you can create one from that page. If you did "
            "not expect this message, ignore it: nothing happens without you."
        )
        + "\n"
    )
    send_mail(subject, body, None, [invitation.email])


def invitation_for_token(token: str) -> OrganisationInvitation | None:
    """The invitation a link carries, or None for a token nobody issued."""
    return (
        OrganisationInvitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _already_used() -> str:
    return _(
        "This invitation link was already used: it works only once. If you are not "
        "yet a member, ask a manager of the organisation for a new invitation."
    )


def invitation_problem(invitation: OrganisationInvitation, now: datetime | None = None) -> str:
    """Why ``invitation`` can no longer be used, or "" when it can."""
    now = now or timezone.now()
    if invitation.accepted_at is not None:
        return _already_used()
    if invitation.revoked_at is not None:
        return _(
            "This invitation was cancelled or replaced by a newer one. Use the most recent "
            "e-mail, or ask a manager of the organisation for a new invitation."
        )
    if invitation.expires_at <= now:
        expired = formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
        return _(
            "This invitation expired on %(date)s. Ask a manager of the organisation to "
            "invite you again."
        ) % {"date": expired}
    return ""


def invitation_accept(*, token: str, user: User, now: datetime | None = None) -> OrganisationMember:
    """Make ``user`` a member through the invitation ``token`` carries. The
    link works once: the first acceptance wins, any later one is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            OrganisationInvitation.objects.select_for_update()
            .select_related("organisation")
            .filter(token_hash=token_hash(token))
            .first()
        )
        if invitation is None:
            raise InvitationRefused(_("This invitation link is not valid."))
        problem = invitation_problem(invitation, now)
        if problem:
            raise InvitationRefused(problem)
        if OrganisationMember.objects.filter(
            organisation=invitation.organisation, user=user
        ).exists():
            raise InvitationRefused(
                _("You are already a member of %(organisation)s.")
                % {"organisation": invitation.organisation.legal_name}
            )
        # The update is the single use: of two acceptances racing, only one
        # finds the invitation still open.
        used = OrganisationInvitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=now, accepted_by=user)
        if not used:
            raise InvitationRefused(_already_used())
        membership = OrganisationMember.objects.create(
            organisation=invitation.organisation, user=user, role=invitation.role, joined_at=now
        )
        audit_record(
            actor=user,
            event_type="organisation.joined",
            target=invitation.organisation,
            new_value=user.username,
            data={"role": invitation.role, "invitation": invitation.pk},
        )
    _forget_roles(user)
    return membership


def invitation_revoke(*, invitation: OrganisationInvitation, actor: User) -> None:
    """Cancel an invitation not yet accepted: the organisation's managers."""
    membership = _membership(invitation.organisation, actor)
    allowed, reason = check(
        roles_for(actor),
        "organisation.manage",
        member_role=membership.role if membership else None,
    )
    if not allowed:
        raise MembershipRefused(reason)
    with transaction.atomic():
        cancelled = OrganisationInvitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if cancelled:
            audit_record(
                actor=actor,
                event_type="organisation.invitation_cancelled",
                target=invitation.organisation,
                old_value=invitation.email,
            )


def membership_leave(*, organisation: Organisation, user: User) -> None:
    """``user`` stops acting for ``organisation``. The last manager cannot."""
    with transaction.atomic():
        _lock(organisation)
        membership = _membership(organisation, user)
        allowed, reason = check(
            roles_for(user),
            "organisation.leave",
            member_role=membership.role if membership else None,
            managers=_managers(organisation),
        )
        if not allowed or membership is None:
            raise MembershipRefused(reason)
        membership.delete()
        audit_record(
            actor=user,
            event_type="organisation.left",
            target=organisation,
            old_value=user.username,
        )
    _forget_roles(user)


def membership_set_role(*, membership: OrganisationMember, role: str, actor: User) -> None:
    """A manager changes a member's role; the last manager keeps theirs."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose a role from the list.")]})
    organisation = membership.organisation
    with transaction.atomic():
        _lock(organisation)
        target = OrganisationMember.objects.select_related("user").get(pk=membership.pk)
        mine = _membership(organisation, actor)
        allowed, reason = check(
            roles_for(actor),
            "organisation.change_role",
            member_role=mine.role if mine else None,
            target_role=target.role,
            new_role=role,
            managers=_managers(organisation),
        )
        if not allowed:
            raise MembershipRefused(reason)
        if target.role == role:
            return
        old = target.role
        target.role = role
        target.save(update_fields=["role"])
        audit_record(
            actor=actor,
            event_type="organisation.role_changed",
            target=organisation,
            old_value=old,
            new_value=role,
            data={"member": target.user.username},
        )
