"""Who takes part in a proposal's questions and answers: pure rules.

Two sides: the programme's coordination asks, the organisation's members
answer (either may write first). Nobody else reads the thread: not the
evaluators, conflicted or not, not the committee, not the trustee.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from solidaire.accounts.permissions import COORDINATOR, Decision, Roles

ORGANISATION = "organisation"
COORDINATION = "coordination"


def message_side(roles: Roles, *, programme_id: int, organisation_id: int) -> str | None:
    """The side ``roles`` speaks for on a proposal of ``organisation_id`` to a
    call of ``programme_id``, or ``None`` when the person takes no part. A
    member of the organisation speaks for it even if they also coordinate."""
    if organisation_id in roles.organisation_ids:
        return ORGANISATION
    if roles.has_role(programme_id, COORDINATOR):
        return COORDINATION
    return None


def take_part(roles: Roles, *, programme_id: int, organisation_id: int) -> Decision:
    """Reading and writing the thread of a proposal."""
    if not roles.authenticated:
        return False, _("Sign in first.")
    if message_side(roles, programme_id=programme_id, organisation_id=organisation_id):
        return True, ""
    return False, _("Only the organisation and the programme's coordination exchange here.")
