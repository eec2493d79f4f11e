"""The cycle's rules, tried on real objects at every moment.

The table (:mod:`solidaire.applications.cycle`) says when each action is
legal. Each case below builds the objects at one moment of the call's life
(draft, upcoming, open, closed, decided), of the proposal, of its review and
of its agreement, calls the service that acts, and expects what the table
says: the effect, or the refusal with the table's reason and nothing
written. The programme runs from the fiscal year before today's to four
years after, so today's fiscal year is open whatever day the suite runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from solidaire.agreements.models import Agreement, Payment, Report
from solidaire.agreements.services import (
    agreement_issue,
    agreement_sign,
    cancellation_request,
    initiative_cancel,
    payment_record,
    report_receive,
)
from solidaire.applications import cycle
from solidaire.applications.cycle import RULES, CycleRefused, cycle_check
from solidaire.applications.deadlines import deadline_extension_grant
from solidaire.applications.models import Proposal
from solidaire.applications.services import (
    proposal_create_draft,
    proposal_reopen,
    proposal_submit,
    proposal_withdraw,
)
from solidaire.calls.models import Call
from solidaire.exchanges.services import message_post
from solidaire.ledger.models import LedgerEntry
from solidaire.reviews.models import Review
from solidaire.reviews.services import (
    conflict_declare,
    eligibility_record,
    review_assign,
    review_release,
    review_save_draft,
)
from solidaire.selection.services import decision_adopt, scenario_create, scenario_solve
from solidaire.testing import factories as f
from solidaire.testing.moments import (
    agreement_at,
    call_at,
    current_programme,
    funded,
    submitted_review,
    with_status,
)

S = Proposal.Status
R = Review.Status
A = Agreement.Status
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# ----------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    action: str
    call: str
    proposal: str | None = None
    review: str | None = None
    agreement: str | None = None

    def states(self) -> dict[str, str | None]:
        return {
            "call": self.call,
            "proposal": self.proposal,
            "review": self.review,
            "agreement": self.agreement,
        }

    def __str__(self) -> str:
        parts = [self.action, self.call, self.proposal, self.review, self.agreement]
        return "-".join(p or "·" for p in parts)


CALLS = (cycle.DRAFT_CALL, cycle.UPCOMING, cycle.OPEN, cycle.CLOSED, cycle.DECIDED)
RUNNING = (cycle.OPEN, cycle.CLOSED, cycle.DECIDED)
CASES: list[Case] = [
    *[Case("proposal.start", c) for c in CALLS],
    *[Case("proposal.submit", c, S.DRAFT) for c in CALLS],
    *[Case("proposal.submit", cycle.OPEN, p) for p in (S.SUBMITTED, S.WITHDRAWN)],
    *[Case("proposal.reopen", c, S.SUBMITTED) for c in RUNNING],
    *[Case("proposal.reopen", cycle.OPEN, p) for p in (S.DRAFT, S.ELIGIBLE, S.WITHDRAWN)],
    *[
        Case("proposal.withdraw", c, p)
        for c in RUNNING
        for p in (S.SUBMITTED, S.ELIGIBLE, S.UNDER_REVIEW, S.FUNDED, S.DECLINED, S.INELIGIBLE)
    ],
    *[
        Case("screening.record", c, p)
        for c in RUNNING
        for p in (S.SUBMITTED, S.ELIGIBLE, S.INELIGIBLE, S.UNDER_REVIEW, S.WITHDRAWN)
    ],
    *[
        Case("review.assign", c, p)
        for c in RUNNING
        for p in (S.ELIGIBLE, S.UNDER_REVIEW, S.SUBMITTED, S.WITHDRAWN)
    ],
    *[
        Case("review.score", c, p, r)
        for c in RUNNING
        for p in (S.UNDER_REVIEW, S.WITHDRAWN, S.FUNDED)
        for r in (R.ASSIGNED, R.SUBMITTED, R.RELEASED)
    ],
    *[
        Case("review.release", c, S.UNDER_REVIEW, r)
        for c in RUNNING
        for r in (R.ASSIGNED, R.SUBMITTED)
    ],
    *[
        Case("conflict.declare", c, p)
        for c in RUNNING
        for p in (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.FUNDED)
    ],
    *[Case("selection.build", c) for c in CALLS],
    *[Case("selection.adopt", c) for c in RUNNING],
    *[Case("agreement.issue", cycle.DECIDED, p, agreement="") for p in (S.FUNDED, S.DECLINED)],
    *[
        Case("agreement.sign", cycle.DECIDED, p, agreement=a)
        for p in (S.FUNDED, S.WITHDRAWN)
        for a in (A.ISSUED, A.SIGNED, A.TERMINATED)
    ],
    *[
        Case("report.receive", cycle.DECIDED, S.ACTIVE, agreement=a)
        for a in (A.ISSUED, A.SIGNED, A.TERMINATED)
    ],
    *[
        Case("payment.record", cycle.DECIDED, p, agreement=a)
        for p in (S.ACTIVE, S.WITHDRAWN)
        for a in (A.ISSUED, A.SIGNED, A.TERMINATED)
    ],
    *[
        Case("proposal.cancel", cycle.DECIDED, p, agreement=a)
        for p in (S.FUNDED, S.ACTIVE, S.DECLINED)
        for a in ("", A.ISSUED, A.SIGNED, A.TERMINATED)
        if not (p == S.DECLINED and a)
    ],
    *[
        Case("proposal.request_cancellation", c, p)
        for c in (cycle.CLOSED, cycle.DECIDED)
        for p in (S.FUNDED, S.ACTIVE, S.UNDER_REVIEW)
    ],
    *[Case("deadline.extend", c, S.DRAFT) for c in CALLS],
    *[Case("deadline.extend", c, S.SUBMITTED) for c in (cycle.OPEN, cycle.CLOSED)],
    *[Case("message.post", c, p) for c in RUNNING for p in (S.DRAFT, S.SUBMITTED, S.FUNDED)],
]


def _act(case: Case) -> Callable[[], Any]:
    """Build the objects of ``case`` and return the action (a callable) and
    a check of its effect."""
    programme = current_programme()
    call = call_at(programme, case.call)
    member = f.UserFactory()
    today = timezone.localdate()
    action = case.action
    if action == "proposal.start":
        organisation = f.OrganisationMemberFactory(user=member).organisation
        return lambda: proposal_create_draft(call=call, organisation=organisation, actor=member)
    if action == "deadline.extend":
        proposal = with_status(call, case.proposal or S.DRAFT)
        coordinator = f.ProgrammeRoleFactory(programme=programme).user
        later = max(call.closes_at, timezone.now()) + 5 * DAY
        return lambda: deadline_extension_grant(
            proposal=proposal, closes_at=later, reason="Sinistre", actor=coordinator
        )
    if action == "message.post":
        proposal = with_status(call, case.proposal or S.DRAFT)
        f.OrganisationMemberFactory(organisation=proposal.organisation, user=member)
        return lambda: message_post(proposal=proposal, author=member, body="Une question ?")
    if action == "proposal.submit":
        proposal = with_status(call, case.proposal or S.DRAFT)
        return lambda: proposal_submit(attested=True, proposal=proposal, actor=member)
    if action == "proposal.reopen":
        proposal = with_status(call, case.proposal or "")
        return lambda: proposal_reopen(proposal=proposal, actor=member)
    if action == "proposal.withdraw":
        proposal = with_status(call, case.proposal or "")
        return lambda: proposal_withdraw(proposal=proposal, actor=member, reason="On arrête.")
    if action == "screening.record":
        proposal = with_status(call, case.proposal or "")
        return lambda: eligibility_record(
            proposal=proposal, results={"manuel": (True, "")}, actor=member
        )
    if action == "review.assign":
        proposal = with_status(call, case.proposal or "")
        return lambda: review_assign(proposal=proposal, evaluator=f.UserFactory(), actor=member)
    if action in ("review.score", "review.release"):
        proposal = with_status(call, case.proposal or "")
        review = f.ReviewFactory(
            proposal=proposal,
            evaluator=member,
            status=case.review,
            submitted_at=timezone.now() if case.review == R.SUBMITTED else None,
        )
        if action == "review.release":
            return lambda: review_release(review=review, actor=None, reason="Absente")
        return lambda: review_save_draft(review=review, scores={"inclusion": 3}, actor=member)
    if action == "conflict.declare":
        proposal = with_status(call, case.proposal or "")
        return lambda: conflict_declare(proposal=proposal, user=member, reason="Administratrice")
    if action == "selection.build":
        return lambda: scenario_create(call=call, name="Essai", actor=member)
    if action == "selection.adopt":
        proposal = with_status(call, S.UNDER_REVIEW)
        submitted_review(proposal)
        scenario = scenario_solve(scenario=scenario_create_any_moment(call))
        return lambda: decision_adopt(scenario=scenario, actor=member, resolution_number="CR-1")
    proposal = funded(call, case.proposal or S.FUNDED)
    agreement = agreement_at(proposal, case.agreement or "")
    if action == "agreement.issue":
        return lambda: agreement_issue(proposal=proposal, actor=None, issued_on=today)
    assert agreement is not None or action.startswith("proposal.")
    if action == "agreement.sign":
        return lambda: agreement_sign(
            agreement=agreement,  # type: ignore[arg-type]
            actor=None,
            signed_on=today,
            signatory="Direction",
        )
    if action == "report.receive":
        report = Report.objects.get(agreement=agreement, kind=Report.Kind.FINAL)
        Agreement.objects.filter(pk=agreement.pk).update(ends_on=today - DAY)  # type: ignore[union-attr]
        return lambda: report_receive(report=report, actor=None, received_on=today)
    if action == "payment.record":
        payment = Payment.objects.filter(agreement=agreement).order_by("sequence").first()
        assert payment is not None
        Payment.objects.filter(pk=payment.pk).update(due_on=today - DAY)
        return lambda: payment_record(payment=payment, actor=None, paid_on=today)
    if action == "proposal.cancel":
        return lambda: initiative_cancel(proposal=proposal, actor=None, reason="Fermeture")
    if action == "proposal.request_cancellation":
        return lambda: cancellation_request(proposal=proposal, actor=member, reason="Fermeture")
    raise AssertionError(action)


def scenario_create_any_moment(call: Call) -> Any:
    """A scenario of ``call`` as it would have been built before its
    decision: built while the call is still undecided, then the call's
    moment restored, so that adoption alone meets the moment."""
    decided_at = call.decided_at
    Call.objects.filter(pk=call.pk).update(decided_at=None)
    call.decided_at = None
    scenario = scenario_create(call=call, name="Mérite", actor=None)
    Call.objects.filter(pk=call.pk).update(decided_at=decided_at)
    call.decided_at = decided_at
    scenario.call = call
    return scenario


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_action_at_every_moment_follows_the_table(case: Case) -> None:
    allowed, reason = cycle_check(case.action, **case.states())
    act = _act(case)
    entries_before = LedgerEntry.objects.count()
    if allowed:
        act()
        return
    with pytest.raises(ValidationError) as refused:
        act()
    messages = refused.value.messages
    assert messages and all(m.strip() for m in messages)
    if isinstance(refused.value, CycleRefused):
        assert refused.value.reason == reason
    else:
        # Submission gives its own fuller words for a call that is not open
        # (the deadline in the applicant's time); the decision its own
        # wording of the same rule; the payment its condition.
        assert case.action in {"proposal.submit", "selection.adopt", "payment.record"}, messages
    assert LedgerEntry.objects.count() == entries_before


def test_the_table_names_only_real_states_and_actions() -> None:
    from solidaire.accounts.permissions import PERMISSIONS

    models = {
        "call": set(Call.Status.values),
        "proposal": set(Proposal.Status.values),
        "review": set(Review.Status.values),
        "agreement": set(Agreement.Status.values),
    }
    for kind, values in models.items():
        assert set(cycle.all_states(kind)) == values, kind
    for name, rule in RULES.items():
        assert rule.calls is None or rule.calls <= models["call"], name
        assert rule.proposals is None or rule.proposals <= models["proposal"], name
        assert rule.reviews is None or rule.reviews <= models["review"], name
        assert rule.agreements is None or rule.agreements <= models["agreement"] | {""}, name
    # Every action of the table has its "who may" rule beside its "when".
    # Who extends a deadline and who exchanges messages is said beside those
    # features (applications.deadlines, exchanges.permissions).
    who = set(PERMISSIONS) | {
        "deadline.extend",
        "message.post",
        "proposal.save_draft",
        "conflict.declare",
        "review.release",
        "selection.lock",
    }
    assert set(RULES) <= who
    # And every action is tried at several moments above.
    tried = {case.action for case in CASES}
    assert set(RULES) - tried <= {"proposal.save_draft", "selection.lock"}


def test_each_refusal_reads_in_french_and_english() -> None:
    for language in ("fr", "en"):
        with translation.override(language):
            allowed, reason = cycle_check("selection.adopt", call=cycle.OPEN)
            assert not allowed
            expected = {
                "fr": "L’appel est encore ouvert",
                "en": "The call is still open",
            }[language]
            assert reason.startswith(expected), reason
