"""The cycle's rules: when each action is legal.

Who may act is the permission rules' business
(:mod:`solidaire.accounts.permissions`); *when* is this module's. Every
action of the cycle is legal only at certain moments: states of the call
(draft, upcoming, open, closed, decided), of the proposal, of its review and
of its agreement. This table is the one statement of those moments; the
services ask :func:`cycle_check` (or :func:`cycle_require`, which raises)
before they write, and pages ask the same question to decide which buttons
they show. A refusal always carries a reason a person can read.

States are plain strings so that the table can name the states of apps
above this one (reviews, agreements) without importing them; a test checks
every name against the models' choices.

The dates of the cycle (signatures, payments, reports) follow the same idea
in :func:`date_refusal`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Call states (``Call.Status``).
DRAFT_CALL, UPCOMING, OPEN, CLOSED, DECIDED = "draft", "upcoming", "open", "closed", "decided"
# Proposal states (``Proposal.Status``).
P_DRAFT = "draft"
P_SUBMITTED = "submitted"
P_ELIGIBLE = "eligible"
P_INELIGIBLE = "ineligible"
P_UNDER_REVIEW = "under_review"
P_RECOMMENDED = "recommended"
P_NOT_RECOMMENDED = "not_recommended"
P_FUNDED = "funded"
P_DECLINED = "declined"
P_ACTIVE = "active"
P_CLOSED = "closed"
P_WITHDRAWN = "withdrawn"
# Review states (``Review.Status``).
R_ASSIGNED, R_SUBMITTED, R_RECUSED, R_RELEASED = "assigned", "submitted", "recused", "released"
# Agreement states (``Agreement.Status``); ``NO_AGREEMENT`` when there is none yet.
NO_AGREEMENT = ""
A_ISSUED, A_SIGNED, A_COMPLETED, A_TERMINATED = "issued", "signed", "completed", "terminated"

# Proposals still in the running, before the decision.
IN_COMPETITION = frozenset({P_ELIGIBLE, P_UNDER_REVIEW, P_RECOMMENDED, P_NOT_RECOMMENDED})
# After a decision every proposal that was submitted has one of these.
FINAL_STATUSES = frozenset({P_FUNDED, P_DECLINED, P_INELIGIBLE, P_WITHDRAWN})
FUNDED_STATUSES = frozenset({P_FUNDED, P_ACTIVE, P_CLOSED})


class CycleRefused(ValidationError):
    """An action tried at a moment of the cycle when it is not legal."""

    def __init__(self, action: str, reason: str) -> None:
        self.action = action
        self.reason = reason
        super().__init__(reason, code="cycle")


@dataclass(frozen=True)
class Rule:
    """When one action is legal. ``None`` for a dimension means "any state";
    each ``why_*`` says why the action is refused in that dimension."""

    calls: frozenset[str] | None = None
    proposals: frozenset[str] | None = None
    reviews: frozenset[str] | None = None
    agreements: frozenset[str] | None = None
    why_call: Mapping[str, Promise] = field(default_factory=dict)
    why_proposal: Promise | None = None
    why_review: Promise | None = None
    why_agreement: Promise | None = None


_CALL_NOT_OPEN_YET: Mapping[str, Promise] = {
    DRAFT_CALL: _("This call is not published."),
    UPCOMING: _("This call is not open yet."),
}
_CALL_DECIDED = _("The committee has decided this call; it is closed to this action.")
_CALL_STILL_OPEN = _(
    "The call is still open: the decision can only be taken once it has closed, "
    "so that every organisation can apply until the deadline."
)

RULES: dict[str, Rule] = {
    "proposal.start": Rule(
        calls=frozenset({OPEN}),
        why_call={
            **_CALL_NOT_OPEN_YET,
            CLOSED: _("This call has closed; it takes no new proposals."),
            DECIDED: _("This call has been decided; it takes no new proposals."),
        },
    ),
    # Saving a draft is always allowed: drafts are never lost, even after
    # the deadline (only submission is refused then).
    "proposal.save_draft": Rule(
        proposals=frozenset({P_DRAFT}),
        why_proposal=_("Only a draft can be edited; this proposal was submitted."),
    ),
    "proposal.submit": Rule(
        calls=frozenset({OPEN}),
        proposals=frozenset({P_DRAFT}),
        why_call={
            **_CALL_NOT_OPEN_YET,
            CLOSED: _(
                "The call has closed; proposals can no longer be submitted. Your draft is kept."
            ),
            DECIDED: _("The call has been decided; proposals can no longer be submitted."),
        },
        why_proposal=_("This proposal has already been submitted."),
    ),
    # Reopening a submitted proposal to change it: until the deadline that
    # applies to its organisation, and only before screening starts (an
    # eligible proposal is already in the committee's hands).
    "proposal.reopen": Rule(
        calls=frozenset({OPEN}),
        proposals=frozenset({P_SUBMITTED}),
        why_call={
            **_CALL_NOT_OPEN_YET,
            CLOSED: _(
                "The call has closed; a submitted proposal can no longer be reopened. "
                "The version submitted is the one the committee reads."
            ),
            DECIDED: _("The call has been decided; proposals can no longer be changed."),
        },
        why_proposal=_("Only a submitted proposal not yet screened can be reopened."),
    ),
    # More time for one organisation: while the call is open or closed but
    # not decided, and only for a draft (a submitted proposal needs none).
    "deadline.extend": Rule(
        calls=frozenset({OPEN, CLOSED}),
        proposals=frozenset({P_DRAFT}),
        why_call={
            **_CALL_NOT_OPEN_YET,
            DECIDED: _("The call has been decided; its deadline can no longer be extended."),
        },
        why_proposal=_("Only a draft can be given more time; this proposal was submitted."),
    ),
    # Questions and answers on a proposal are legal at every moment, from the
    # draft to the last report: the conversation follows the file.
    "message.post": Rule(),
    "proposal.withdraw": Rule(
        calls=frozenset({OPEN, CLOSED}),
        proposals=frozenset({P_SUBMITTED, *IN_COMPETITION}),
        why_call={
            DECIDED: _("The call has been decided; its proposals can no longer be withdrawn.")
        },
        why_proposal=_(
            "This proposal can no longer be withdrawn. A funded initiative is cancelled by "
            "the coordination, at your organisation's request."
        ),
    ),
    "proposal.request_cancellation": Rule(
        calls=frozenset({DECIDED}),
        proposals=frozenset({P_FUNDED, P_ACTIVE}),
        why_proposal=_("Only a funded initiative in progress can be cancelled."),
    ),
    "proposal.cancel": Rule(
        calls=frozenset({DECIDED}),
        proposals=frozenset({P_FUNDED, P_ACTIVE}),
        agreements=frozenset({NO_AGREEMENT, A_ISSUED, A_SIGNED}),
        why_proposal=_("Only a funded initiative in progress can be cancelled."),
        why_agreement=_("Its agreement is completed or already terminated."),
    ),
    "screening.record": Rule(
        calls=frozenset({OPEN, CLOSED}),
        proposals=frozenset({P_SUBMITTED, P_ELIGIBLE, P_INELIGIBLE}),
        why_call={DECIDED: _CALL_DECIDED},
        why_proposal=_(
            "Only a submitted proposal not yet under review can be screened; this one is past "
            "screening or was withdrawn."
        ),
    ),
    "review.assign": Rule(
        calls=frozenset({OPEN, CLOSED}),
        proposals=frozenset({P_ELIGIBLE, P_UNDER_REVIEW}),
        why_call={DECIDED: _CALL_DECIDED},
        why_proposal=_("Only an eligible proposal can be assigned to evaluators."),
    ),
    "review.release": Rule(
        calls=frozenset({OPEN, CLOSED}),
        reviews=frozenset({R_ASSIGNED}),
        why_call={DECIDED: _CALL_DECIDED},
        why_review=_("Only a review still in progress can be released."),
    ),
    "review.score": Rule(
        calls=frozenset({OPEN, CLOSED}),
        proposals=frozenset({P_UNDER_REVIEW}),
        reviews=frozenset({R_ASSIGNED}),
        why_call={DECIDED: _("The committee has decided this call; reviews are closed.")},
        why_proposal=_("This proposal is no longer under review."),
        why_review=_("This review is closed: it can no longer be changed."),
    ),
    "conflict.declare": Rule(
        calls=frozenset({OPEN, CLOSED, DECIDED}),
        proposals=frozenset(
            {P_SUBMITTED, P_INELIGIBLE, P_DECLINED, P_WITHDRAWN, *IN_COMPETITION, *FUNDED_STATUSES}
        ),
        why_proposal=_("A draft is not shown to evaluators."),
    ),
    "selection.build": Rule(
        calls=frozenset({OPEN, CLOSED}),
        why_call={**_CALL_NOT_OPEN_YET, DECIDED: _CALL_DECIDED},
    ),
    "selection.lock": Rule(
        calls=frozenset({OPEN, CLOSED}),
        proposals=IN_COMPETITION,
        why_call={**_CALL_NOT_OPEN_YET, DECIDED: _CALL_DECIDED},
        why_proposal=_("This proposal is not in the running."),
    ),
    "selection.adopt": Rule(
        calls=frozenset({CLOSED}),
        why_call={
            **_CALL_NOT_OPEN_YET,
            OPEN: _CALL_STILL_OPEN,
            DECIDED: _("This call has already been decided."),
        },
    ),
    "agreement.issue": Rule(
        calls=frozenset({DECIDED}),
        proposals=frozenset({P_FUNDED}),
        agreements=frozenset({NO_AGREEMENT}),
        why_proposal=_("Only a funded proposal gets an agreement."),
        why_agreement=_("This proposal already has an agreement."),
    ),
    "agreement.sign": Rule(
        proposals=frozenset({P_FUNDED}),
        agreements=frozenset({A_ISSUED}),
        why_proposal=_("This initiative is no longer funded: its agreement cannot be signed."),
        why_agreement=_("Only an issued agreement can be signed."),
    ),
    "report.receive": Rule(
        proposals=frozenset({P_ACTIVE, P_CLOSED}),
        agreements=frozenset({A_SIGNED, A_COMPLETED}),
        why_proposal=_("Reports are received for initiatives under a signed agreement."),
        why_agreement=_("Reports are received for initiatives under a signed agreement."),
    ),
    "payment.record": Rule(
        proposals=frozenset({P_ACTIVE, P_CLOSED}),
        agreements=frozenset({A_SIGNED, A_COMPLETED}),
        why_proposal=_("This initiative is not under a signed agreement; nothing can be paid."),
        why_agreement=_("The agreement is not signed, or it was terminated; nothing can be paid."),
    ),
}


def cycle_check(
    action: str,
    *,
    call: str | None = None,
    proposal: str | None = None,
    review: str | None = None,
    agreement: str | None = None,
) -> tuple[bool, str]:
    """``(allowed, reason)`` for ``action`` at the moment described by the
    states given. A dimension the rule constrains must be given; an unknown
    action is a bug (KeyError)."""
    rule = RULES[action]
    # The nearest object speaks first: "this proposal is funded" tells the
    # applicant more than "the call is decided".
    if rule.proposals is not None and proposal not in rule.proposals:
        return False, str(rule.why_proposal or _("The proposal is not at a stage for this."))
    if rule.reviews is not None and review not in rule.reviews:
        return False, str(rule.why_review or _("The review is not at a stage for this."))
    if rule.agreements is not None and agreement not in rule.agreements:
        return False, str(rule.why_agreement or _("The agreement is not at a stage for this."))
    if rule.calls is not None and call not in rule.calls:
        why = rule.why_call.get(call or "")
        if why is None:
            why = _CALL_DECIDED if call == DECIDED else _("The call is not at a stage for this.")
        return False, str(why)
    return True, ""


def cycle_allows(action: str, **states: str | None) -> bool:
    return cycle_check(action, **states)[0]


def cycle_require(action: str, **states: str | None) -> None:
    """Raise :class:`CycleRefused` with the reason when ``action`` is not legal now."""
    allowed, reason = cycle_check(action, **states)
    if not allowed:
        raise CycleRefused(action, reason)


# ----------------------------------------------------------------------------- dates


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def date_refusal(
    *,
    on: date,
    today: date,
    not_before: date | None = None,
    not_before_reason: str = "",
    not_after: date | None = None,
    not_after_reason: str = "",
    exception_recorded: bool = False,
) -> str | None:
    """Why the date ``on`` of a recorded event is not acceptable, or ``None``.

    Nothing is recorded as having happened in the future. ``not_before`` is
    the earliest legal date (a signature after issue, a payment on its due
    date, a report after its period); a recorded exception (the trustee's
    reason for an early payment, an early closing) lifts that one bound only.
    ``not_after`` is the latest (the programme's end).
    """
    if on > today:
        return gettext("%(date)s is in the future; record what has happened.") % {"date": _day(on)}
    if not_before is not None and on < not_before and not exception_recorded:
        return not_before_reason % {"date": _day(not_before)}
    if not_after is not None and on > not_after:
        return not_after_reason % {"date": _day(not_after)}
    return None


def require_date(field_name: str, refusal: str | None) -> None:
    if refusal is not None:
        raise ValidationError({field_name: [refusal]})


def all_states(kind: str) -> Collection[str]:
    """Every state of ``kind`` the table names (for the tests' cross-check)."""
    names = {
        "call": (DRAFT_CALL, UPCOMING, OPEN, CLOSED, DECIDED),
        "proposal": (
            P_DRAFT,
            P_SUBMITTED,
            P_ELIGIBLE,
            P_INELIGIBLE,
            P_UNDER_REVIEW,
            P_RECOMMENDED,
            P_NOT_RECOMMENDED,
            P_FUNDED,
            P_DECLINED,
            P_ACTIVE,
            P_CLOSED,
            P_WITHDRAWN,
        ),
        "review": (R_ASSIGNED, R_SUBMITTED, R_RECUSED, R_RELEASED),
        "agreement": (A_ISSUED, A_SIGNED, A_COMPLETED, A_TERMINATED),
    }
    return names[kind]
