"""Who may do what: pure permission rules, looked up in one map.

A rule takes the asking person's :class:`Roles` (loaded once per request by
the access functions) and the facts of the object at hand, and answers
``(allowed, reason)``. Rules never touch the database, so views, the API and
templates can ask the same question cheaply and tests can check every rule
without data.

``accounts`` sits at the bottom of the house: it cannot import the models of
programmes or organisations, so role codes are plain strings here, checked
against ``ProgrammeRole.Role`` by a test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.models import User

COORDINATOR = "coordinator"
COMMITTEE = "committee"
EVALUATOR = "evaluator"
TRUSTEE_FINANCE = "trustee_finance"
PANELLIST = "panellist"
PROGRAMME_ROLES = (COORDINATOR, COMMITTEE, EVALUATOR, TRUSTEE_FINANCE, PANELLIST)

Decision = tuple[bool, str]
# Whoever asks: a signed-in user or an anonymous visitor.
Person = User | AnonymousUser


@dataclass(frozen=True)
class Roles:
    """What a person is, as far as permissions are concerned."""

    user_id: int | None = None
    superuser: bool = False
    ministry_observer: bool = False
    programme_roles: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    organisation_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, programme_id: int, *roles: str) -> bool:
        return any((programme_id, role) in self.programme_roles for role in roles)

    def programmes_with(self, *roles: str) -> frozenset[int]:
        return frozenset(pid for pid, role in self.programme_roles if role in roles)

    def has_any_role(self, *roles: str) -> bool:
        return any(role in roles for _pid, role in self.programme_roles)

    @property
    def is_applicant(self) -> bool:
        return bool(self.organisation_ids)


ANONYMOUS = Roles()

_ALLOWED: Decision = (True, "")


def _signed_in(roles: Roles) -> Decision | None:
    if not roles.authenticated:
        return False, str(_("Sign in first."))
    return None


def view_programme_figures(roles: Roles, *, programme_id: int) -> Decision:
    """Envelope, commitments and payments of a programme: its coordination,
    committee and trustee, and the ministry (read-only, every region)."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.ministry_observer:
        return _ALLOWED
    if roles.has_role(programme_id, COORDINATOR, COMMITTEE, TRUSTEE_FINANCE):
        return _ALLOWED
    return False, str(
        _("Only the programme's committee, coordination and trustee see its figures.")
    )


def create_programme(roles: Roles) -> Decision:
    """A new regional programme: the site administrator or the ministry,
    which funds every region (its staff then leaves the programme's set-up
    to the coordination it invites)."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.ministry_observer:
        return _ALLOWED
    return False, str(_("Only the ministry and the site administrator create programmes."))


def edit_programme(roles: Roles, *, programme_id: int) -> Decision:
    """A programme's set-up (dates, envelope, work plan, committee): its
    coordination and the site administrator."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the programme's coordination changes its set-up."))


def view_ministry_table(roles: Roles) -> Decision:
    """Every programme side by side: the ministry (read-only) and the site
    administrator."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.ministry_observer:
        return _ALLOWED
    return False, str(_("Only the ministry sees every programme side by side."))


def view_proposal(roles: Roles, *, programme_id: int, organisation_id: int) -> Decision:
    """A proposal: the members of the organisation that wrote it and the
    programme's coordination. Evaluators reach proposals through their reviews."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if organisation_id in roles.organisation_ids:
        return _ALLOWED
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return _ALLOWED
    return False, str(_("This proposal belongs to another organisation."))


def view_review(roles: Roles, *, evaluator_id: int, conflicted: bool) -> Decision:
    """A review: only its evaluator, and never on a proposal the evaluator
    declared a conflict of interest on (the declaration wins over the
    assignment, which may predate it)."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if evaluator_id != roles.user_id:
        return False, str(_("This review is assigned to someone else."))
    if conflicted:
        return False, str(_("You declared a conflict of interest on this proposal."))
    return _ALLOWED


def view_payments(roles: Roles, *, programme_id: int) -> Decision:
    """The payment schedule of a programme's agreements."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, TRUSTEE_FINANCE, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the trustee's finance officers and the coordination see payments."))


def view_agreements(roles: Roles, *, programme_id: int) -> Decision:
    """Agreements, their schedules and reports: the trustee's finance officers
    and the programme's coordination (read-only for the latter)."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, TRUSTEE_FINANCE, COORDINATOR):
        return _ALLOWED
    return False, str(
        _("Only the trustee's finance officers and the coordination see the agreements.")
    )


def view_ledger(roles: Roles, *, programme_id: int) -> Decision:
    """The ledger's entries of a programme: what the trustee's accountant
    reconciles with the trustee's books."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, TRUSTEE_FINANCE, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the trustee's finance officers and the coordination see the ledger."))


def record_carry_over(roles: Roles, *, programme_id: int) -> Decision:
    """Carrying an ended fiscal year's uncommitted money over to a later
    year: the programme's coordination (and the site administrator). The
    trustee and the ministry see carry-overs, read-only."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the programme's coordination records a carry-over."))


def _trustee_only(roles: Roles, programme_id: int) -> Decision:
    # The trustee holds the money: neither the coordination nor a site
    # administrator issues, signs for, receives or pays on its behalf.
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.has_role(programme_id, TRUSTEE_FINANCE):
        return _ALLOWED
    return False, str(_("Only the trustee's finance officers manage agreements and payments."))


def issue_agreement(roles: Roles, *, programme_id: int) -> Decision:
    """Issuing the agreement of a funded initiative: the trustee."""
    return _trustee_only(roles, programme_id)


def sign_agreement(roles: Roles, *, programme_id: int) -> Decision:
    """The agreement entering into force, at the trustee's countersignature
    after the organisation's signature: the trustee."""
    return _trustee_only(roles, programme_id)


def receive_report(roles: Roles, *, programme_id: int) -> Decision:
    """Recording a progress or final report as received: the trustee."""
    return _trustee_only(roles, programme_id)


def record_payment(roles: Roles, *, programme_id: int) -> Decision:
    """Paying an instalment: the trustee."""
    return _trustee_only(roles, programme_id)


def edit_agreement_template(roles: Roles, *, programme_id: int) -> Decision:
    """The clauses of a programme's agreements: its coordination."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the programme's coordination edits the agreement template."))


def sign_for_organisation(roles: Roles, *, organisation_id: int, manager: bool) -> Decision:
    """Signing the agreement on behalf of the funded organisation: one of its
    managers (``manager`` says whether the person is one)."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if organisation_id in roles.organisation_ids and manager:
        return _ALLOWED
    return False, str(_("Only a manager of the organisation signs its agreement."))


def countersign_agreement(roles: Roles, *, programme_id: int) -> Decision:
    """Countersigning for the trustee, after the organisation."""
    return _trustee_only(roles, programme_id)


def propose_amendment(roles: Roles, *, programme_id: int) -> Decision:
    """Proposing a change of an agreement's amounts or dates: the coordination."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the programme's coordination proposes an amendment."))


def approve_amendment(roles: Roles, *, programme_id: int) -> Decision:
    """Approving (or rejecting) an amendment, which moves money: the trustee."""
    return _trustee_only(roles, programme_id)


def view_call_results(roles: Roles, *, decided: bool, published: bool) -> Decision:
    """The funded initiatives of a call are public once the call is decided."""
    if decided and published:
        return _ALLOWED
    return False, str(_("The results of this call are not public yet."))


def build_scenarios(roles: Roles, *, programme_id: int) -> Decision:
    """Scenarios of a call: the programme's coordination and committee."""
    if not roles.authenticated:
        return False, str(_("Sign in first."))
    if roles.superuser or roles.has_role(programme_id, COORDINATOR, COMMITTEE):
        return True, ""
    return False, str(_("Only the programme's coordination and committee build scenarios."))


def adopt_scenario(roles: Roles, *, programme_id: int) -> Decision:
    """Recording the committee's decision: the programme's coordination."""
    if not roles.authenticated:
        return False, str(_("Sign in first."))
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return True, ""
    return False, str(_("Only the programme's coordination records the committee's decision."))


def record_screening(roles: Roles, *, programme_id: int) -> Decision:
    """Eligibility screening of a call's proposals: the programme's coordination."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the programme's coordination screens proposals."))


def assign_reviews(roles: Roles, *, programme_id: int) -> Decision:
    """Assigning evaluators to eligible proposals: the programme's coordination."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the programme's coordination assigns evaluators."))


def score_review(roles: Roles, *, evaluator_id: int, conflicted: bool, status: str) -> Decision:
    """Scoring a review: its evaluator, while the review is neither submitted
    nor recused, and never after a declared conflict of interest."""
    allowed, reason = view_review(roles, evaluator_id=evaluator_id, conflicted=conflicted)
    if not allowed:
        return allowed, reason
    if status != "assigned":
        return False, str(_("This review is closed: it can no longer be changed."))
    return _ALLOWED


def view_call_scores(roles: Roles, *, programme_id: int) -> Decision:
    """The evaluators' scores of a call, gathered: coordination and committee."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR, COMMITTEE):
        return _ALLOWED
    return False, str(_("Only the programme's coordination and committee see the scores."))


def start_proposal(roles: Roles, *, organisation_id: int, call_open: bool) -> Decision:
    """A new draft: a member of the organisation, while the call is open."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if organisation_id not in roles.organisation_ids:
        return False, str(_("Only the organisation's members write its proposals."))
    if not call_open:
        return False, str(_("This call is not open; it does not take new proposals."))
    return _ALLOWED


def edit_proposal(roles: Roles, *, organisation_id: int, status: str) -> Decision:
    """Editing and submitting a draft: the members of its organisation only
    (the coordination reads proposals, it never writes them). A submitted
    proposal is read-only."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if organisation_id not in roles.organisation_ids:
        return False, str(_("Only the organisation's members edit its proposals."))
    if status != "draft":
        return False, str(_("This proposal was submitted; it can no longer be changed."))
    return _ALLOWED


def withdraw_proposal(roles: Roles, *, organisation_id: int, withdrawable: bool) -> Decision:
    """Withdrawing: a member of the organisation, while the workflow allows it
    (``withdrawable`` comes from the cycle's rules, ``applications.cycle``)."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if organisation_id not in roles.organisation_ids:
        return False, str(_("Only the organisation's members withdraw its proposals."))
    if not withdrawable:
        return False, str(_("This proposal can no longer be withdrawn."))
    return _ALLOWED


def reopen_proposal(roles: Roles, *, organisation_id: int, reopenable: bool) -> Decision:
    """Taking a submitted proposal back to draft to change it: a member of
    the organisation, while the cycle allows it (``reopenable`` comes from
    ``applications.cycle``: before the deadline, before screening)."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if organisation_id not in roles.organisation_ids:
        return False, str(_("Only the organisation's members reopen its proposals."))
    if not reopenable:
        return False, str(_("This proposal can no longer be reopened."))
    return _ALLOWED


def request_cancellation(roles: Roles, *, organisation_id: int) -> Decision:
    """Asking that a funded initiative be cancelled: a member of its organisation."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if organisation_id in roles.organisation_ids:
        return _ALLOWED
    return False, str(_("Only the organisation's members ask to cancel its initiative."))


def cancel_initiative(roles: Roles, *, programme_id: int) -> Decision:
    """Cancelling a funded initiative and releasing its money: the coordination."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the programme's coordination cancels a funded initiative."))


def view_meeting(roles: Roles, *, programme_id: int) -> Decision:
    """The committee's meeting on a call (agenda, consensus, minutes): the
    coordination and the committee."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR, COMMITTEE):
        return _ALLOWED
    return False, str(_("Only the programme's coordination and committee see the meeting."))


def record_meeting(roles: Roles, *, programme_id: int) -> Decision:
    """Recording the meeting (attendance, consensus, tie-break rule), the
    panel's questions, reopening a submitted review and reminding an
    evaluator: the programme's coordination."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the programme's coordination records the meeting."))


def answer_panel(roles: Roles, *, programme_id: int, consented: bool) -> Decision:
    """The panel's questions: a panellist of the programme who has given
    (and not withdrawn) their consent."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if not roles.has_role(programme_id, PANELLIST):
        return False, str(_("Only the programme's panellists answer the panel's questions."))
    if not consented:
        return False, str(_("Give your consent before answering the panel's questions."))
    return _ALLOWED


def review_report(roles: Roles, *, programme_id: int) -> Decision:
    """Approving an organisation's report, or asking for changes: the coordination."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if roles.superuser or roles.has_role(programme_id, COORDINATOR):
        return _ALLOWED
    return False, str(_("Only the programme's coordination reviews reports."))


def write_report(roles: Roles, *, organisation_id: int) -> Decision:
    """Writing a funded initiative's report: a member of its organisation."""
    if (refusal := _signed_in(roles)) is not None:
        return refusal
    if organisation_id in roles.organisation_ids:
        return _ALLOWED
    return False, str(_("Only the organisation's members write its reports."))


PERMISSIONS: dict[str, Callable[..., Decision]] = {
    "programme.view_figures": view_programme_figures,
    "programme.create": create_programme,
    "programme.edit": edit_programme,
    "ministry.view": view_ministry_table,
    "proposal.view": view_proposal,
    "proposal.start": start_proposal,
    "proposal.edit": edit_proposal,
    "proposal.submit": edit_proposal,
    "proposal.withdraw": withdraw_proposal,
    "proposal.reopen": reopen_proposal,
    "proposal.request_cancellation": request_cancellation,
    "proposal.cancel": cancel_initiative,
    "review.view": view_review,
    "payment.view": view_payments,
    "agreement.view": view_agreements,
    "agreement.issue": issue_agreement,
    "agreement.sign": sign_agreement,
    "report.receive": receive_report,
    "report.review": review_report,
    "initiative.close": cancel_initiative,
    "report.write": write_report,
    "payment.record": record_payment,
    "agreement.edit_template": edit_agreement_template,
    "agreement.sign_for_organisation": sign_for_organisation,
    "agreement.countersign": countersign_agreement,
    "amendment.propose": propose_amendment,
    "amendment.approve": approve_amendment,
    "ledger.view": view_ledger,
    "ledger.carry_over": record_carry_over,
    "call.view_results": view_call_results,
    "selection.build": build_scenarios,
    "selection.adopt": adopt_scenario,
    "screening.record": record_screening,
    "review.assign": assign_reviews,
    "review.score": score_review,
    "call.view_scores": view_call_scores,
    "meeting.view": view_meeting,
    "meeting.record": record_meeting,
    "review.reopen": record_meeting,
    "panel.answer": answer_panel,
}


def check(roles: Roles, action: str, **facts: object) -> Decision:
    """``(allowed, reason)`` for ``action``; an unknown action is a bug."""
    return PERMISSIONS[action](roles, **facts)


def allowed(roles: Roles, action: str, **facts: object) -> bool:
    return check(roles, action, **facts)[0]
