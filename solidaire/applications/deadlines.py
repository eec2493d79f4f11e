"""Deadlines per organisation: the call's closing instant, or a later one
the coordination granted to one organisation with a reason.

One function says whether a call is open *for a given proposal*
(:func:`call_status_for`); submission asks it, and the applicant's pages
show the deadline it reads (:func:`deadline_for`), so the page and the
server never disagree. The grant itself (:func:`deadline_extension_grant`)
is a coordination's act, checked by :func:`may_extend_deadline` (who) and
the cycle's ``deadline.extend`` rule (when), audited, and e-mailed to the
organisation's members.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.accounts.permissions import COORDINATOR, Decision, Roles
from solidaire.applications.cycle import CLOSED, OPEN, cycle_require
from solidaire.applications.models import DeadlineExtension, OrganisationMember, Proposal
from solidaire.audit.services import audit_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deadline:
    """The closing instant that applies to one proposal."""

    closes_at: datetime
    extension: DeadlineExtension | None

    @property
    def extended(self) -> bool:
        return self.extension is not None


def latest_extension(proposal: Proposal) -> DeadlineExtension | None:
    """The extension with the latest instant granted to the proposal's
    organisation for its call, or ``None`` (one query)."""
    return (
        DeadlineExtension.objects.filter(
            call_id=proposal.call_id, organisation_id=proposal.organisation_id
        )
        .select_related("granted_by")
        .order_by("-closes_at", "-pk")
        .first()
    )


def deadline_for(proposal: Proposal) -> Deadline:
    """The instant until which ``proposal`` may be submitted: the call's
    closing, or a later extension granted to its organisation."""
    extension = latest_extension(proposal)
    call_closes = proposal.call.closes_at
    if extension is not None and extension.closes_at > call_closes:
        return Deadline(closes_at=extension.closes_at, extension=extension)
    # An extension the call itself has since overtaken no longer matters.
    return Deadline(closes_at=call_closes, extension=None)


def call_status_for(proposal: Proposal, now: datetime, deadline: Deadline | None = None) -> str:
    """The call's state as it applies to ``proposal`` at ``now``: ``open``
    until its organisation's extended instant when the coordination granted
    one, otherwise the call's own state. Pass ``deadline`` when already read."""
    status = proposal.call.status_at(now)
    if status != CLOSED:
        return status
    deadline = deadline or deadline_for(proposal)
    return OPEN if now < deadline.closes_at else CLOSED


def may_extend_deadline(roles: Roles, *, programme_id: int) -> Decision:
    """Granting more time to one organisation: the programme's coordination."""
    if not roles.authenticated:
        return False, _("Sign in first.")
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return True, ""
    return False, _("Only the programme's coordination extends a deadline.")


def deadline_extension_grant(
    *,
    proposal: Proposal,
    closes_at: datetime,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> DeadlineExtension:
    """Give the proposal's organisation until ``closes_at`` to submit to the call.

    The new instant must come after the call's closing, after any extension
    already granted (a promise made is not taken back), and after now; the
    reason is required. Audited.
    """
    now = now or timezone.now()
    call = proposal.call
    cycle_require("deadline.extend", call=call.status_at(now), proposal=proposal.status)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why this organisation gets more time.")]
    current = deadline_for(proposal)
    if closes_at <= current.closes_at:
        what = _("the extension already granted") if current.extended else _("the call's closing")
        errors["closes_at"] = [
            _("The new closing must come after %(what)s (%(when)s).")
            % {
                "what": what,
                "when": formats.date_format(
                    timezone.localtime(current.closes_at), "DATETIME_FORMAT"
                ),
            }
        ]
    elif closes_at <= now:
        errors["closes_at"] = [_("The new closing must be in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        extension = DeadlineExtension.objects.create(
            call=call,
            organisation_id=proposal.organisation_id,
            closes_at=closes_at,
            reason=reason,
            granted_by=actor,
            granted_at=now,
        )
        audit_record(
            actor=actor,
            event_type="deadline.extended",
            target=extension,
            old_value=current.closes_at.isoformat(),
            new_value=closes_at.isoformat(),
            reason=reason,
            data={"proposal": proposal.pk, "call": call.pk},
        )
        transaction.on_commit(lambda: _announce(extension, proposal))
    return extension


def _announce(extension: DeadlineExtension, proposal: Proposal) -> int:
    """E-mail the organisation's members their new deadline and its reason,
    each in their language. Returns the number of e-mails sent."""
    sent = 0
    members = OrganisationMember.objects.filter(
        organisation_id=extension.organisation_id
    ).select_related("user")
    for membership in members:
        user = membership.user
        if not user.email or not user.is_active:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            local = timezone.localtime(extension.closes_at)
            values = {
                "title": proposal.call.title,
                "reference": proposal.reference,
                "date": formats.date_format(local, "DATE_FORMAT"),
                "time": formats.time_format(local, "TIME_FORMAT"),
                "reason": extension.reason,
            }
            subject = _("More time to submit to the call “%(title)s”") % values
            body = (
                _(
                    "The programme's coordination extended the deadline for your organisation: "
                    "your proposal %(reference)s may be submitted until %(date)s at %(time)s "
                    "(Québec time)."
                )
                % values
                + "\n\n"
                + _("Reason: %(reason)s") % values
                + "\n"
            )
        try:
            send_mail(subject, body, None, [user.email])
        except (OSError, smtplib.SMTPException):
            # The extension holds whether or not the mail server answers; the
            # proposal's page shows it.
            logger.exception("Could not e-mail the extension %s to user %s", extension.pk, user.pk)
            continue
        sent += 1
    return sent
