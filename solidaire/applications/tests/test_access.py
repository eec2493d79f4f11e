"""proposal_for_user: an applicant never reaches another organisation's file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from solidaire.applications.access import proposal_for_user, proposals_for_user, roles_for
from solidaire.applications.models import Proposal
from solidaire.testing import factories as f

# Users are created with a fast password hasher (autouse fixture).
from solidaire.tests.conftest import fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(call):  # type: ignore[no-untyped-def]
    proposal = f.funded_proposal(call=call, amount=Decimal("30000.00"))
    f.RequestedAmountFactory(
        proposal=proposal,
        fiscal_year=call.programme.fiscal_years.order_by("starts_on")[1],
        amount=Decimal("5000.00"),
    )
    return proposal


def test_owner_and_fellow_member_reach_the_proposal(proposal):
    owner = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    member = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    for user in (owner, member):
        found = proposal_for_user(user, proposal.pk)
        assert found == proposal
        assert found.requested == Decimal("35000.00")
        assert found.awarded == Decimal("30000.00")


def test_another_organisations_applicant_gets_404(proposal):
    stranger = f.OrganisationMemberFactory().user
    with pytest.raises(Http404):
        proposal_for_user(stranger, proposal.pk)


def test_anonymous_and_unknown_get_404(proposal):
    with pytest.raises(Http404):
        proposal_for_user(AnonymousUser(), proposal.pk)
    owner = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    with pytest.raises(Http404):
        proposal_for_user(owner, 999_999)


def test_coordinator_of_the_programme_only(proposal):
    coordinator = f.ProgrammeRoleFactory(programme=proposal.call.programme).user
    assert proposal_for_user(coordinator, proposal.pk) == proposal
    elsewhere = f.ProgrammeRoleFactory().user
    with pytest.raises(Http404):
        proposal_for_user(elsewhere, proposal.pk)


def test_evaluator_does_not_reach_proposals_directly(proposal):
    evaluator = f.ProgrammeRoleFactory(programme=proposal.call.programme, role="evaluator").user
    with pytest.raises(Http404):
        proposal_for_user(evaluator, proposal.pk)


def test_proposals_for_user_lists_own_organisations_only(proposal, call):
    owner = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    draft = f.ProposalFactory(call=call, organisation=proposal.organisation)
    f.ProposalFactory(call=call, status=Proposal.Status.SUBMITTED)  # someone else's
    assert {p.pk for p in proposals_for_user(owner)} == {proposal.pk, draft.pk}
    rows = {p.pk: p for p in proposals_for_user(owner)}
    assert rows[draft.pk].requested == Decimal("0.00")
    assert rows[draft.pk].awarded == Decimal("0.00")


def test_roles_are_read_once_per_user_object(proposal, django_assert_num_queries):
    owner = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    with django_assert_num_queries(2):
        roles_for(owner)
        roles_for(owner)
    assert roles_for(owner).organisation_ids == {proposal.organisation_id}
