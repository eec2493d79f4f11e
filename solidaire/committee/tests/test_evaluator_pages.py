"""The evaluator's pages: pending reviews first with their due dates, the
whole proposal beside the grid, a recap with the weighted total before the
final submission, then the next review, and their own declared conflicts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from solidaire.applications.models import Attachment, BudgetLine, OtherFunding
from solidaire.committee.services import meeting_for_call
from solidaire.committee.tests.conftest import client_for
from solidaire.reviews.models import Review
from solidaire.reviews.services import conflict_declare
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(meeting_world):  # type: ignore[no-untyped-def]
    w = meeting_world
    proposal = f.ProposalFactory(
        call=w["call"],
        status="under_review",
        partners="Centre de services scolaire",
        starts_on=date(2021, 1, 1),
        ends_on=date(2022, 6, 30),
    )
    proposal.territories.set([f.territory("2423")])
    fy = w["call"].programme.fiscal_years.first()
    f.RequestedAmountFactory(proposal=proposal, amount=Decimal("30000.00"))
    BudgetLine.objects.create(
        proposal=proposal, fiscal_year=fy, category="Salaires", amount=Decimal("42000.00")
    )
    OtherFunding.objects.create(proposal=proposal, source="Centraide", amount=Decimal("5000"))
    Attachment.objects.create(proposal=proposal, stored_name="abc", name="budget.pdf")
    review = f.ReviewFactory(proposal=proposal, evaluator=w["evaluator"])
    meeting = meeting_for_call(w["call"])
    meeting.reviews_due_on = date(2020, 11, 30)
    meeting.save()
    return {**w, "review": review, "proposal": proposal}


def test_pending_reviews_come_first_with_their_due_date(pending) -> None:  # type: ignore[no-untyped-def]
    w = pending
    body = client_for(w["evaluator"]).get(reverse("review_list")).content.decode()
    assert body.index(w["proposal"].reference) < body.index(w["proposals"][0].reference)
    assert "30 November 2020" in body


def test_review_page_shows_the_whole_proposal_beside_the_grid(pending) -> None:  # type: ignore[no-untyped-def]
    w = pending
    body = client_for(w["evaluator"]).get(reverse("reviews:score", args=[w["review"].pk]))
    html = body.content.decode()
    for text in ("Salaires", "Centraide", "Centre de services scolaire", "budget.pdf"):
        assert text in html, text
    assert html.index("proposal-file") < html.index("score-form")
    document = reverse("reviews:document", args=[w["review"].pk, Attachment.objects.get().pk])
    assert document in html


def test_documents_are_404_for_another_evaluator_and_after_a_conflict(pending) -> None:  # type: ignore[no-untyped-def]
    w = pending
    url = reverse("reviews:document", args=[w["review"].pk, Attachment.objects.get().pk])
    assert client_for(w["second"]).get(url).status_code == 404
    conflict_declare(proposal=w["proposal"], user=w["evaluator"], reason="Board")
    assert client_for(w["evaluator"]).get(url).status_code == 404


def test_recap_shows_the_weighted_total_before_the_final_submission(pending) -> None:  # type: ignore[no-untyped-def]
    w = pending
    client = client_for(w["evaluator"])
    url = reverse("reviews:score", args=[w["review"].pk])
    data = {
        "score_inclusion": "4",
        "score_roots": "2",
        "comment_inclusion": "",
        "comment_roots": "",
    }
    recap = client.post(url, {**data, "action": "recap"})
    html = recap.content.decode()
    # 60 × 4/5 + 40 × 2/5 = 48 + 16 = 64
    assert "Weighted total: <strong>64</strong> out of 100." in html, html[html.find("<main") :][
        :600
    ]
    assert Review.objects.get(pk=w["review"].pk).status == Review.Status.ASSIGNED
    assert 'value="submit"' in html
    done = client.post(url, {**data, "action": "submit"})
    assert done.status_code == 302
    detail = client.get(done["Location"]).content.decode()
    assert "Next review" not in detail  # no other review left to do


def test_recap_refuses_an_extreme_score_without_comment(pending) -> None:  # type: ignore[no-untyped-def]
    w = pending
    url = reverse("reviews:score", args=[w["review"].pk])
    response = client_for(w["evaluator"]).post(
        url, {"score_inclusion": "5", "score_roots": "3", "action": "recap"}
    )
    html = response.content.decode()
    assert "lowest and highest levels need a comment" in html
    assert "Weighted total" not in html


def test_next_review_is_offered_after_submitting(pending) -> None:  # type: ignore[no-untyped-def]
    w = pending
    other = f.ReviewFactory(
        proposal=f.ProposalFactory(call=w["call"], status="under_review"), evaluator=w["evaluator"]
    )
    client = client_for(w["evaluator"])
    url = reverse("reviews:score", args=[w["review"].pk])
    client.post(url, {"score_inclusion": "4", "score_roots": "3", "action": "submit"})
    detail = client.get(reverse("review_detail", args=[w["review"].pk])).content.decode()
    assert "Next review" in detail
    assert reverse("reviews:score", args=[other.pk]) in detail


def test_evaluator_sees_their_own_declared_conflicts(pending) -> None:  # type: ignore[no-untyped-def]
    w = pending
    conflict_declare(proposal=w["proposal"], user=w["evaluator"], reason="Sister works there")
    body = client_for(w["evaluator"]).get(reverse("review_list")).content.decode()
    assert "Sister works there" in body
    other = client_for(w["second"]).get(reverse("review_list")).content.decode()
    assert "Sister works there" not in other
