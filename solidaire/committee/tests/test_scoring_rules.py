"""Scoring rules and the scores table: a comment on the scale's extremes,
a submitted review locked until the coordination reopens it with a reason,
overdue reviews and their reminder, the Excel export equal to the page, and
the abuse cases (outside the scale, someone else's review, after a conflict)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from solidaire.audit.models import AuditEvent
from solidaire.committee.services import meeting_for_call
from solidaire.committee.tests.conftest import client_for
from solidaire.common.money import format_number
from solidaire.reviews.followup import review_reopen
from solidaire.reviews.models import Review
from solidaire.reviews.selectors import call_score_rows
from solidaire.reviews.services import conflict_declare, review_submit
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_review(meeting_world):  # type: ignore[no-untyped-def]
    w = meeting_world
    proposal = f.ProposalFactory(call=w["call"], status="under_review")
    review = f.ReviewFactory(proposal=proposal, evaluator=w["evaluator"])
    return {**w, "review": review, "proposal": proposal}


def test_extreme_score_without_comment_is_refused(open_review) -> None:  # type: ignore[no-untyped-def]
    w = open_review
    with pytest.raises(ValidationError) as error:
        review_submit(
            review=w["review"], scores={"inclusion": 5, "roots": (1, "")}, actor=w["evaluator"]
        )
    assert set(error.value.message_dict) == {"inclusion", "roots"}
    assert "lowest and highest levels need a comment" in error.value.message_dict["roots"][0]
    assert Review.objects.get(pk=w["review"].pk).status == Review.Status.ASSIGNED
    review_submit(
        review=w["review"],
        scores={"inclusion": (5, "Exemplary"), "roots": 3},
        actor=w["evaluator"],
    )
    assert Review.objects.get(pk=w["review"].pk).status == Review.Status.SUBMITTED


def test_score_outside_the_scale_is_refused(open_review) -> None:  # type: ignore[no-untyped-def]
    w = open_review
    with pytest.raises(ValidationError) as error:
        review_submit(
            review=w["review"], scores={"inclusion": (9, "x"), "roots": 3}, actor=w["evaluator"]
        )
    assert "Choose a value of the scale" in error.value.message_dict["inclusion"][0]


def test_submitting_someone_elses_review_is_refused(open_review) -> None:  # type: ignore[no-untyped-def]
    w = open_review
    with pytest.raises(PermissionDenied):
        review_submit(review=w["review"], scores={"inclusion": 3, "roots": 3}, actor=w["second"])
    url = reverse("reviews:score", args=[w["review"].pk])
    response = client_for(w["second"]).post(url, {"action": "submit", "score_inclusion": "3"})
    assert response.status_code == 404


def test_scoring_after_a_conflict_is_refused(open_review) -> None:  # type: ignore[no-untyped-def]
    w = open_review
    conflict_declare(proposal=w["proposal"], user=w["evaluator"], reason="Board member")
    with pytest.raises(ValidationError):
        review_submit(review=w["review"], scores={"inclusion": 3, "roots": 3}, actor=w["evaluator"])
    url = reverse("reviews:score", args=[w["review"].pk])
    assert client_for(w["evaluator"]).get(url).status_code == 404


def test_submitted_review_is_locked_and_only_the_coordinator_reopens_it(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    review = Review.objects.get(proposal=w["proposals"][0], evaluator=w["evaluator"])
    with pytest.raises(ValidationError):
        review_submit(review=review, scores={"inclusion": 3, "roots": 3}, actor=w["evaluator"])
    with pytest.raises(PermissionDenied):
        review_reopen(review=review, actor=w["evaluator"], reason="I changed my mind")
    with pytest.raises(PermissionDenied):
        review_reopen(review=review, actor=w["committee"], reason="Please")
    with pytest.raises(ValidationError):
        review_reopen(review=review, actor=w["coordinator"], reason="  ")
    review_reopen(review=review, actor=w["coordinator"], reason="Scores swapped by mistake")
    review.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED and review.submitted_at is None
    event = AuditEvent.objects.get(event_type="review.reopened")
    assert event.reason == "Scores swapped by mistake"


def test_reopen_page_refuses_an_empty_reason_and_strangers(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    review = Review.objects.get(proposal=w["proposals"][0], evaluator=w["evaluator"])
    url = reverse(
        "reviews:proposal_reviews",
        args=[w["call"].programme.slug, w["call"].number, w["proposals"][0].pk],
    )
    response = client_for(w["coordinator"]).post(
        url, {"review": review.pk, f"r{review.pk}-reason": ""}
    )
    assert response.status_code == 400
    assert Review.objects.get(pk=review.pk).status == Review.Status.SUBMITTED
    response = client_for(w["committee"]).post(
        url, {"review": review.pk, f"r{review.pk}-reason": "x"}
    )
    assert response.status_code == 404
    assert client_for(w["stranger"]).get(url).status_code == 404


def test_reviews_comments_reachable_from_a_row_but_not_for_the_conflicted(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    args = [w["call"].programme.slug, w["call"].number]
    scores_page = client_for(w["coordinator"]).get(reverse("reviews:scores", args=args))
    link = reverse("reviews:proposal_reviews", args=[*args, w["proposals"][0].pk])
    assert link in scores_page.content.decode()
    assert "Rooted" in client_for(w["coordinator"]).get(link).content.decode()
    conflicted = reverse("reviews:proposal_reviews", args=[*args, w["proposals"][1].pk])
    assert client_for(w["committee"]).get(conflicted).status_code == 404


def test_spread_of_a_single_review_reads_as_a_dash(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    Review.objects.filter(proposal=w["proposals"][0], evaluator=w["second"]).delete()
    args = [w["call"].programme.slug, w["call"].number]
    body = client_for(w["coordinator"]).get(reverse("reviews:scores", args=args)).content.decode()
    row = body[body.index(w["proposals"][0].reference) :].split("</tr>")[0]
    assert "0,00" not in row and "0.00" not in row
    assert "—" in row


def test_excel_export_equals_the_page_and_leaves_out_conflicted_proposals(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    args = [w["call"].programme.slug, w["call"].number]
    response = client_for(w["committee"]).get(reverse("reviews:scores_export", args=args))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert "Inclusion (weight 60)" in header and "Roots (weight 40)" in header
    # The committee member is conflicted with the second proposal: not exported.
    assert {r[0] for r in body} == {w["proposals"][0].reference}
    assert len(body) == 2  # one row per reviewer
    page_rows = {r.proposal.reference: r for r in call_score_rows(w["call"])}
    for row in body:
        summary = page_rows[row[0]].summary
        assert Decimal(str(row[2])) == summary.mean
        assert Decimal(str(row[3])) == summary.spread
        assert row[4] == summary.n_reviews
    page = client_for(w["coordinator"]).get(reverse("reviews:scores", args=args)).content.decode()
    mean = page_rows[w["proposals"][0].reference].summary.mean
    assert format_number(mean) in page


def test_export_is_404_for_an_evaluator_and_a_stranger(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    url = reverse("reviews:scores_export", args=[w["call"].programme.slug, w["call"].number])
    assert client_for(w["evaluator"]).get(url).status_code == 404
    assert client_for(w["stranger"]).get(url).status_code == 404


def test_overdue_reviews_are_listed_and_a_reminder_is_emailed(open_review, settings) -> None:  # type: ignore[no-untyped-def]
    w = open_review
    meeting = meeting_for_call(w["call"])
    meeting.reviews_due_on = date(2020, 1, 1)
    meeting.save()
    args = [w["call"].programme.slug, w["call"].number]
    client = client_for(w["coordinator"])
    body = client.get(reverse("committee:overdue", args=args)).content.decode()
    assert w["proposal"].reference in body
    response = client.post(reverse("committee:remind", args=[*args, w["review"].pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [w["evaluator"].email]
    assert AuditEvent.objects.filter(event_type="review.reminded").count() == 1
    # A submitted review is not overdue: no reminder.
    done = Review.objects.get(proposal=w["proposals"][0], evaluator=w["evaluator"])
    response = client.post(reverse("committee:remind", args=[*args, done.pk]))
    assert response.status_code == 404
