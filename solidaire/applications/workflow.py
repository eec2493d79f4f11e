"""The proposal status workflow: one transition table, one service.

Only :func:`proposal_transition` changes ``Proposal.status``; every change
writes an audit event (who, when, from, to, why).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.applications.models import Proposal
from solidaire.audit.services import audit_record

S = Proposal.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    # Back to draft: the organisation reopened it before the deadline (its
    # submitted versions are kept).
    S.SUBMITTED: frozenset({S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN, S.DRAFT}),
    S.ELIGIBLE: frozenset({S.UNDER_REVIEW, S.INELIGIBLE, S.WITHDRAWN}),
    S.INELIGIBLE: frozenset({S.ELIGIBLE}),
    S.UNDER_REVIEW: frozenset({S.RECOMMENDED, S.NOT_RECOMMENDED, S.WITHDRAWN}),
    S.RECOMMENDED: frozenset({S.FUNDED, S.DECLINED, S.NOT_RECOMMENDED, S.WITHDRAWN}),
    S.NOT_RECOMMENDED: frozenset({S.RECOMMENDED, S.DECLINED, S.WITHDRAWN}),
    S.FUNDED: frozenset({S.ACTIVE, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    # A funded initiative that stops (its organisation asked, the coordination
    # cancelled it) leaves as withdrawn, its money released.
    S.ACTIVE: frozenset({S.CLOSED, S.WITHDRAWN}),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


class IllegalTransition(ValidationError):
    """A status change the workflow does not allow. A ValidationError, so
    that a view showing a service's refusals shows this one too, in words."""

    def __init__(self, proposal: Proposal, target: str) -> None:
        self.proposal = proposal
        self.target = target
        super().__init__(
            _("A proposal cannot go from “%(from)s” to “%(to)s”.")
            % {"from": _status_label(proposal.status), "to": _status_label(target)},
            code="transition",
        )

    def __str__(self) -> str:
        return self.messages[0]


def _status_label(status: str) -> str:
    # A status that is not in the table (a typo in a caller) must still give
    # the clear refusal, not a ValueError from the enum.
    return str(S(status).label) if status in S.values else status


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def proposal_transition(
    *,
    proposal: Proposal,
    to: str,
    actor: User | None,
    reason: str = "",
    changes: dict[str, object] | None = None,
) -> Proposal:
    """Move ``proposal`` to status ``to``, or raise :class:`IllegalTransition`.

    The row is locked and re-read so that two people acting at once (say, a
    withdrawal and an eligibility decision) cannot both start from the same
    status. ``changes`` are other fields saved in the same write (for
    instance the submission instant and receipt number).
    """
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not can_transition(locked.status, to):
            raise IllegalTransition(locked, to)
        old = locked.status
        locked.status = to
        for field, value in (changes or {}).items():
            setattr(locked, field, value)
        locked.save(update_fields=["status", "updated_at", *(changes or {})])
        audit_record(
            actor=actor,
            event_type="proposal.status",
            target=locked,
            old_value=old,
            new_value=to,
            reason=reason,
        )
    proposal.status = to
    for field, value in (changes or {}).items():
        setattr(proposal, field, value)
    return proposal
