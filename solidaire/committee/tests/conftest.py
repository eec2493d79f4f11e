"""A call under review: a grid, two proposals scored by two evaluators, a
coordinator, a committee member in a conflict with one proposal, and a
panellist."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from solidaire.applications.models import Proposal
from solidaire.programmes.models import ProgrammeRole
from solidaire.reviews.models import Review
from solidaire.testing import factories as f

R = ProgrammeRole.Role
S = Proposal.Status


@pytest.fixture(autouse=True)
def english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def meeting_world(call):  # type: ignore[no-untyped-def]
    for value in range(1, 6):
        f.ScaleLevelFactory(call=call, value=value, label=f"Level {value}")
    inclusion = f.CriterionFactory(
        call=call, code="inclusion", name="Inclusion", weight=Decimal(60)
    )
    roots = f.CriterionFactory(call=call, code="roots", name="Roots", weight=Decimal(40))
    people = {
        role: f.ProgrammeRoleFactory(
            programme=call.programme, role=role, user__last_name=role.title()
        ).user
        for role in (R.COORDINATOR, R.COMMITTEE, R.EVALUATOR, R.PANELLIST)
    }
    second = f.ProgrammeRoleFactory(programme=call.programme, role=R.EVALUATOR).user
    proposals = []
    for n, values in enumerate([(5, 4, 4, 4), (3, 3, 2, 3)]):
        proposal = f.ProposalFactory(call=call, status=S.UNDER_REVIEW, title=f"Project {n}")
        f.RequestedAmountFactory(proposal=proposal, amount=Decimal("25000.00"))
        for evaluator, (a, b) in ((people[R.EVALUATOR], values[:2]), (second, values[2:])):
            review = f.ReviewFactory(
                proposal=proposal,
                evaluator=evaluator,
                status=Review.Status.SUBMITTED,
                submitted_at=datetime(2020, 11, 1, tzinfo=UTC),
            )
            f.ScoreFactory(review=review, criterion=inclusion, value=a, comment="Clear")
            f.ScoreFactory(review=review, criterion=roots, value=b, comment="Rooted")
        proposals.append(proposal)
    committee = people[R.COMMITTEE]
    f.ConflictDeclarationFactory(proposal=proposals[1], user=committee)
    return {
        "call": call,
        "proposals": proposals,
        "coordinator": people[R.COORDINATOR],
        "committee": committee,
        "evaluator": people[R.EVALUATOR],
        "second": second,
        "panellist": people[R.PANELLIST],
        "stranger": f.UserFactory(),
        "criteria": (inclusion, roots),
    }
