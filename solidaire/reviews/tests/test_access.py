"""review_for_user: an evaluator never reaches a proposal it declared a
conflict of interest on, even when a review was assigned before."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from solidaire.reviews.access import review_for_user
from solidaire.reviews.selectors import reviews_for_evaluator
from solidaire.testing import factories as f

# Users are created with a fast password hasher (autouse fixture).
from solidaire.tests.conftest import fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluator(programme):  # type: ignore[no-untyped-def]
    return f.ProgrammeRoleFactory(programme=programme, role="evaluator").user


def test_evaluator_reaches_its_review(call, evaluator):
    review = f.ReviewFactory(proposal=f.ProposalFactory(call=call), evaluator=evaluator)
    assert review_for_user(evaluator, review.pk) == review


def test_conflict_declared_after_assignment_closes_the_review(call, evaluator):
    review = f.ReviewFactory(proposal=f.ProposalFactory(call=call), evaluator=evaluator)
    f.ConflictDeclarationFactory(proposal=review.proposal, user=evaluator)
    with pytest.raises(Http404):
        review_for_user(evaluator, review.pk)
    assert list(reviews_for_evaluator(evaluator)) == []


def test_someone_elses_conflict_does_not_hide_my_review(call, evaluator):
    review = f.ReviewFactory(proposal=f.ProposalFactory(call=call), evaluator=evaluator)
    f.ConflictDeclarationFactory(proposal=review.proposal)
    assert review_for_user(evaluator, review.pk) == review
    assert list(reviews_for_evaluator(evaluator)) == [review]


@pytest.mark.parametrize("who", ["other_evaluator", "coordinator", "applicant", "anonymous"])
def test_others_get_404(call, evaluator, who):
    proposal = f.ProposalFactory(call=call)
    review = f.ReviewFactory(proposal=proposal, evaluator=evaluator)
    user = {
        "other_evaluator": lambda: (
            f.ProgrammeRoleFactory(programme=call.programme, role="evaluator").user
        ),
        "coordinator": lambda: f.ProgrammeRoleFactory(programme=call.programme).user,
        "applicant": lambda: f.OrganisationMemberFactory(organisation=proposal.organisation).user,
        "anonymous": AnonymousUser,
    }[who]()
    with pytest.raises(Http404):
        review_for_user(user, review.pk)


def test_reviews_for_evaluator_counts_scored_criteria(call, evaluator):
    review = f.ReviewFactory(proposal=f.ProposalFactory(call=call), evaluator=evaluator)
    f.ScoreFactory(review=review, criterion=f.CriterionFactory(call=call))
    f.ScoreFactory(review=review, criterion=f.CriterionFactory(call=call))
    f.ReviewFactory(proposal=f.ProposalFactory(call=call))  # another evaluator's
    (row,) = reviews_for_evaluator(evaluator)
    assert row.scored == 2
