"""The permission rules themselves: pure functions, no database."""

from __future__ import annotations

import pytest
from django.utils import translation

from solidaire.accounts import permissions as p
from solidaire.accounts.permissions import ANONYMOUS, Roles, check
from solidaire.programmes.models import ProgrammeRole


@pytest.fixture(autouse=True)
def english():
    # These tests read the services' messages in English; French is the
    # default, checked by the catalogue tests.
    with translation.override("en"):
        yield


PROGRAMME = 7
OTHER_PROGRAMME = 8
ORG = 3


def roles(*pairs: tuple[int, str], orgs: tuple[int, ...] = (), **flags: bool) -> Roles:
    return Roles(
        user_id=1, programme_roles=frozenset(pairs), organisation_ids=frozenset(orgs), **flags
    )


def test_role_codes_match_the_programme_roles():
    assert set(p.PROGRAMME_ROLES) == set(ProgrammeRole.Role.values)


def test_every_rule_refuses_anonymous_with_a_reason():
    facts = {
        "programme.view_figures": {"programme_id": PROGRAMME},
        "proposal.view": {"programme_id": PROGRAMME, "organisation_id": ORG},
        "review.view": {"evaluator_id": 1, "conflicted": False},
        "payment.view": {"programme_id": PROGRAMME},
    }
    for action, kwargs in facts.items():
        allowed, reason = check(ANONYMOUS, action, **kwargs)
        assert not allowed and reason, action


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (roles((PROGRAMME, p.COORDINATOR)), True),
        (roles((PROGRAMME, p.COMMITTEE)), True),
        (roles((PROGRAMME, p.TRUSTEE_FINANCE)), True),
        (roles((PROGRAMME, p.EVALUATOR)), False),
        (roles((OTHER_PROGRAMME, p.COORDINATOR)), False),
        (roles(ministry_observer=True), True),
        (roles(orgs=(ORG,)), False),
    ],
)
def test_programme_figures(who, expected):
    assert check(who, "programme.view_figures", programme_id=PROGRAMME)[0] is expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (roles(orgs=(ORG,)), True),
        (roles(orgs=(ORG + 1,)), False),
        (roles((PROGRAMME, p.COORDINATOR)), True),
        (roles((OTHER_PROGRAMME, p.COORDINATOR)), False),
        (roles((PROGRAMME, p.EVALUATOR)), False),
        (roles(ministry_observer=True), False),
    ],
)
def test_proposal_is_seen_by_its_organisation_and_coordination(who, expected):
    allowed, reason = check(who, "proposal.view", programme_id=PROGRAMME, organisation_id=ORG)
    assert allowed is expected
    assert bool(reason) is not expected


def test_review_is_its_evaluators_unless_conflicted():
    me = roles((PROGRAMME, p.EVALUATOR))
    assert check(me, "review.view", evaluator_id=1, conflicted=False) == (True, "")
    assert not check(me, "review.view", evaluator_id=2, conflicted=False)[0]
    allowed, reason = check(me, "review.view", evaluator_id=1, conflicted=True)
    assert not allowed and "conflict" in reason


def test_payments_are_for_trustee_and_coordination():
    assert check(roles((PROGRAMME, p.TRUSTEE_FINANCE)), "payment.view", programme_id=PROGRAMME)[0]
    assert check(roles((PROGRAMME, p.COORDINATOR)), "payment.view", programme_id=PROGRAMME)[0]
    assert not check(roles(orgs=(ORG,)), "payment.view", programme_id=PROGRAMME)[0]


def test_call_results_are_public_once_decided_and_published():
    assert check(ANONYMOUS, "call.view_results", decided=True, published=True)[0]
    assert not check(ANONYMOUS, "call.view_results", decided=False, published=True)[0]
    assert not check(ANONYMOUS, "call.view_results", decided=True, published=False)[0]
