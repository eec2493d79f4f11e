"""The proposal workflow: every legal transition works and is audited; every
other one raises IllegalTransition and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
from django.utils import translation

from solidaire.accounts.models import User
from solidaire.applications.models import Proposal
from solidaire.applications.workflow import (
    TRANSITIONS,
    IllegalTransition,
    can_transition,
    proposal_transition,
)
from solidaire.audit.models import AuditEvent
from solidaire.testing import factories as f

S = Proposal.Status
ALL = [s.value for s in S]
LEGAL = [(a, b) for a in ALL for b in ALL if b in TRANSITIONS[a]]
ILLEGAL = [(a, b) for a in ALL for b in ALL if b not in TRANSITIONS[a]]
SUBMITTED_AT = datetime(2020, 10, 1, 16, 0, tzinfo=UTC)


def _proposal(status: str) -> Proposal:
    return f.ProposalFactory(
        status=status, submitted_at=None if status in (S.DRAFT, S.WITHDRAWN) else SUBMITTED_AT
    )


def test_table_names_every_status_and_only_statuses():
    assert set(TRANSITIONS) == set(ALL)
    for targets in TRANSITIONS.values():
        assert targets <= set(ALL)


def test_table_follows_the_cycle():
    """The order of the cycle in the issue; the end states lead nowhere."""
    path = [
        S.DRAFT,
        S.SUBMITTED,
        S.ELIGIBLE,
        S.UNDER_REVIEW,
        S.RECOMMENDED,
        S.FUNDED,
        S.ACTIVE,
        S.CLOSED,
    ]
    assert all(can_transition(a, b) for a, b in pairwise(path))
    assert can_transition(S.SUBMITTED, S.INELIGIBLE)
    assert can_transition(S.UNDER_REVIEW, S.NOT_RECOMMENDED)
    assert can_transition(S.RECOMMENDED, S.DECLINED)
    for end in (S.CLOSED, S.DECLINED, S.WITHDRAWN):
        assert TRANSITIONS[end] == frozenset()
    # An active initiative leaves early only by the coordination's
    # cancellation, which releases its money in the same transaction
    # (agreements.services.initiative_cancel); the cycle's rules refuse the
    # applicant's withdrawal of a funded proposal.
    assert can_transition(S.ACTIVE, S.WITHDRAWN)
    assert not can_transition(S.DRAFT, S.FUNDED)


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_legal_transition_changes_status_and_writes_audit_event(current, target):
    proposal = _proposal(current)
    # No password: hashing one would make this 45-case test slow for nothing.
    actor = User.objects.create(username="coordination")
    changes = {"submitted_at": SUBMITTED_AT} if target == S.SUBMITTED else None

    returned = proposal_transition(
        proposal=proposal, to=target, actor=actor, reason="Motif consigné", changes=changes
    )

    assert returned is proposal
    assert proposal.status == target
    proposal.refresh_from_db()
    assert proposal.status == target
    event = AuditEvent.objects.get()
    assert event.event_type == "proposal.status"
    assert event.actor == actor
    assert (event.object_type, event.object_id) == ("applications.proposal", str(proposal.pk))
    assert (event.old_value, event.new_value) == (current, target)
    assert event.reason == "Motif consigné"
    assert event.at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(current, target):
    proposal = _proposal(current)
    updated_at = proposal.updated_at

    with translation.override("en"), pytest.raises(IllegalTransition) as refused:
        proposal_transition(proposal=proposal, to=target, actor=None, reason="?")

    message = str(refused.value)
    with translation.override("en"):
        assert f"“{S(current).label}”" in message
        assert f"“{S(target).label}”" in message
    assert message.startswith("A proposal cannot go from")
    assert refused.value.target == target
    assert proposal.status == current
    proposal.refresh_from_db()
    assert (proposal.status, proposal.updated_at) == (current, updated_at)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_transition_is_judged_from_the_stored_status_not_a_stale_copy():
    """Someone withdrew the proposal meanwhile: the eligibility decision taken
    from an old copy of it is refused."""
    stale = _proposal(S.SUBMITTED)
    proposal_transition(
        proposal=Proposal.objects.get(pk=stale.pk), to=S.WITHDRAWN, actor=None, reason="Retrait"
    )

    with pytest.raises(IllegalTransition):
        proposal_transition(proposal=stale, to=S.ELIGIBLE, actor=None)

    assert Proposal.objects.get(pk=stale.pk).status == S.WITHDRAWN
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_changes_are_saved_with_the_status():
    proposal = _proposal(S.DRAFT)

    proposal_transition(
        proposal=proposal,
        to=S.SUBMITTED,
        actor=None,
        changes={"submitted_at": SUBMITTED_AT, "receipt_number": "R-2020-0001"},
    )

    proposal.refresh_from_db()
    assert (proposal.status, proposal.submitted_at, proposal.receipt_number) == (
        S.SUBMITTED,
        SUBMITTED_AT,
        "R-2020-0001",
    )


@pytest.mark.django_db
def test_unknown_status_is_an_illegal_transition():
    proposal = _proposal(S.SUBMITTED)

    with pytest.raises(IllegalTransition, match="bogus"):
        proposal_transition(proposal=proposal, to="bogus", actor=None)

    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_anonymous_actor_is_recorded_as_nobody():
    from django.contrib.auth.models import AnonymousUser

    proposal = _proposal(S.SUBMITTED)

    proposal_transition(proposal=proposal, to=S.ELIGIBLE, actor=AnonymousUser())  # type: ignore[arg-type]

    assert AuditEvent.objects.get().actor is None
