from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from solidaire.applications.models import Proposal
from solidaire.reviews.models import EligibilityResult, Review
from solidaire.reviews.scoring import proposal_scores
from solidaire.reviews.services import (
    conflict_declare,
    eligibility_record,
    review_assign,
    review_submit,
)
from solidaire.testing import factories as f

S = Proposal.Status
NOW = datetime(2020, 1, 10, 15, tzinfo=UTC)


@pytest.fixture
def grid(call):
    for value in range(6):
        f.ScaleLevelFactory(call=call, value=value)
    return (
        f.CriterionFactory(call=call, code="inclusion", weight=Decimal("25")),
        f.CriterionFactory(call=call, code="mobilisation", weight=Decimal("75")),
    )


@pytest.fixture
def proposal(call):
    return f.ProposalFactory(call=call, status=S.ELIGIBLE)


def _scored(proposal, evaluator, inclusion, mobilisation):
    review = review_assign(proposal=proposal, evaluator=evaluator, actor=None)
    return review_submit(
        review=review,
        # Every score carries a comment: the scale's extremes require one.
        scores={"inclusion": (inclusion, "Noted"), "mobilisation": (mobilisation, "Noted")},
        actor=evaluator,
        now=NOW,
    )


@pytest.mark.django_db
def test_weighted_score_mean_and_spread(grid, proposal, django_assert_num_queries):
    first, second = f.UserFactory(), f.UserFactory()
    _scored(proposal, first, 5, 3)  # 25×5/5 + 75×3/5 = 70
    _scored(proposal, second, 3, 1)  # 25×3/5 + 75×1/5 = 30
    with django_assert_num_queries(3):
        summary = proposal_scores(proposal.call)[proposal.pk]
    # Criterion means 4 and 2: 25×4/5 + 75×2/5 = 50 out of 100.
    assert summary.mean == Decimal("50.00")
    assert summary.n_reviews == 2
    assert summary.spread == Decimal("28.28")  # sample stdev of 70 and 30


@pytest.mark.django_db
def test_score_query_count_does_not_grow_with_proposals(grid, call, django_assert_num_queries):
    for _k in range(5):
        p = f.ProposalFactory(call=call, status=S.ELIGIBLE)
        _scored(p, f.UserFactory(), 4, 4)
    with django_assert_num_queries(3):
        scores = proposal_scores(call)
    assert len(scores) == 5
    assert {s.mean for s in scores.values()} == {Decimal("80.00")}


@pytest.mark.django_db
def test_declared_conflict_recuses_review_and_leaves_it_out_of_totals(grid, proposal):
    conflicted, other = f.UserFactory(), f.UserFactory()
    _scored(proposal, conflicted, 5, 5)
    _scored(proposal, other, 3, 1)
    conflict_declare(proposal=proposal, user=conflicted, reason="Siège au conseil de l'organisme")
    review = Review.objects.get(proposal=proposal, evaluator=conflicted)
    assert review.status == Review.Status.RECUSED
    summary = proposal_scores(proposal.call)[proposal.pk]
    assert summary.n_reviews == 1
    assert summary.mean == Decimal("30.00")


@pytest.mark.django_db
def test_conflicted_evaluator_cannot_be_assigned_or_submit(grid, proposal):
    evaluator = f.UserFactory()
    review = review_assign(proposal=proposal, evaluator=evaluator, actor=None)
    conflict_declare(proposal=proposal, user=evaluator, reason="Employé de l'organisme")
    with pytest.raises(ValidationError):
        review_submit(
            review=review, scores={"inclusion": 3, "mobilisation": 3}, actor=evaluator, now=NOW
        )
    with pytest.raises(ValidationError):
        review_assign(proposal=proposal, evaluator=evaluator, actor=None)


@pytest.mark.django_db
def test_review_submission_validates_scale_and_completeness(grid, proposal):
    evaluator = f.UserFactory()
    review = review_assign(proposal=proposal, evaluator=evaluator, actor=None)
    assert Proposal.objects.get(pk=proposal.pk).status == S.UNDER_REVIEW
    with pytest.raises(ValidationError) as exc:
        review_submit(review=review, scores={"inclusion": 6}, actor=evaluator, now=NOW)
    assert set(exc.value.message_dict) == {"inclusion", "mobilisation"}
    with pytest.raises(PermissionDenied):
        review_submit(
            review=review,
            scores={"inclusion": 3, "mobilisation": 3},
            actor=f.UserFactory(),
            now=NOW,
        )
    review_submit(review=review, scores={"inclusion": 3, "mobilisation": 3}, actor=evaluator)
    assert Review.objects.get(pk=review.pk).status == Review.Status.SUBMITTED
    with pytest.raises(ValidationError):
        review_submit(review=review, scores={"inclusion": 3, "mobilisation": 3}, actor=evaluator)


@pytest.mark.django_db
def test_eligibility_records_each_rule_and_moves_the_proposal(call):
    f.EligibilityRuleFactory(call=call, code="type")
    f.EligibilityRuleFactory(call=call, code="documents")
    proposal = f.ProposalFactory(call=call, status=S.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        eligibility_record(
            proposal=proposal, results={"type": (True, ""), "documents": (False, "")}, actor=None
        )
    assert "documents" in exc.value.message_dict
    eligibility_record(
        proposal=proposal,
        results={"type": (True, ""), "documents": (False, "Lettres d'appui absentes")},
        actor=None,
    )
    assert Proposal.objects.get(pk=proposal.pk).status == S.INELIGIBLE
    assert EligibilityResult.objects.get(proposal=proposal, rule__code="documents").reason
    eligibility_record(
        proposal=proposal, results={"type": (True, ""), "documents": (True, "")}, actor=None
    )
    assert Proposal.objects.get(pk=proposal.pk).status == S.ELIGIBLE
    assert EligibilityResult.objects.filter(proposal=proposal, passed=True).count() == 2
