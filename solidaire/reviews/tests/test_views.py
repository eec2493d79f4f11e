"""Pages of the reviews step: screening, assignment, scoring, conflicts and
the committee's scores — who may open them, refused input kept with its
errors and nothing written, and a constant number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from solidaire.applications.models import Proposal
from solidaire.calls.models import EligibilityRule
from solidaire.programmes.models import ProgrammeRole
from solidaire.reviews.models import ConflictDeclaration, EligibilityResult, Review, Score
from solidaire.reviews.scoring import proposal_scores
from solidaire.reviews.selectors import standardised_scores
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db

S = Proposal.Status
R = ProgrammeRole.Role
WHEN = datetime(2020, 11, 2, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def world(call):  # type: ignore[no-untyped-def]
    call.min_request = Decimal("10000.00")
    call.max_request = Decimal("50000.00")
    call.save()
    for value in range(6):
        f.ScaleLevelFactory(call=call, value=value, label=f"Level {value}")
    f.CriterionFactory(call=call, code="inclusion", name="Inclusion", weight=Decimal("60"))
    f.CriterionFactory(call=call, code="roots", name="Roots", weight=Decimal("40"))
    f.EligibilityRuleFactory(
        call=call, code="amount", kind=EligibilityRule.Kind.AMOUNT_RANGE, description="Amount"
    )
    f.EligibilityRuleFactory(call=call, code="board", description="Board resolution")
    proposal = f.ProposalFactory(call=call, status=S.SUBMITTED)
    f.RequestedAmountFactory(proposal=proposal, amount=Decimal("25000.00"))
    people = {
        role: f.ProgrammeRoleFactory(programme=call.programme, role=role).user
        for role in (R.COORDINATOR, R.COMMITTEE, R.EVALUATOR)
    }
    return {
        "call": call,
        "proposal": proposal,
        "coordinator": people[R.COORDINATOR],
        "committee": people[R.COMMITTEE],
        "evaluator": people[R.EVALUATOR],
        "applicant": f.OrganisationMemberFactory(organisation=proposal.organisation).user,
        "stranger": f.UserFactory(),
    }


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _checked(body: str, input_id: str) -> bool:
    """Whether the input ``input_id`` of the page is checked."""
    match = re.search(rf'<input[^>]*id="{re.escape(input_id)}"[^>]*>', body)
    return bool(match) and " checked" in match.group(0)  # type: ignore[union-attr]


def _url(name: str, call, *extra: int) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"reviews:{name}", args=[call.programme.slug, call.number, *extra])


# ----------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("page", "who", "expected"),
    [
        ("screening", "coordinator", 200),
        ("screening", "committee", 404),
        ("screening", "evaluator", 404),
        ("screening", "applicant", 404),
        ("screening", "stranger", 404),
        ("assignments", "coordinator", 200),
        ("assignments", "committee", 404),
        ("assignments", "evaluator", 404),
        ("assignments", "stranger", 404),
        ("scores", "coordinator", 200),
        ("scores", "committee", 200),
        ("scores", "evaluator", 404),
        ("scores", "applicant", 404),
        ("scores", "stranger", 404),
    ],
)
def test_call_pages_checks_ownership(world, page, who, expected):
    response = _client(world[who]).get(_url(page, world["call"]))
    assert response.status_code == expected


@pytest.mark.parametrize("page", ["screening", "assignments", "scores"])
def test_anonymous_is_sent_to_sign_in(world, page):
    response = Client().get(_url(page, world["call"]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_coordinator_of_another_programme_gets_404(world):
    other = f.ProgrammeRoleFactory(role=R.COORDINATOR).user
    assert _client(other).get(_url("screening", world["call"])).status_code == 404


# ----------------------------------------------------------------------------- screening


def test_screening_page_suggests_the_automatic_checks(world):
    expensive = f.ProposalFactory(call=world["call"], status=S.SUBMITTED)
    f.RequestedAmountFactory(proposal=expensive, amount=Decimal("90000.00"))
    response = _client(world["coordinator"]).get(_url("screening", world["call"]))
    body = response.content.decode()
    # One row per proposal, linked to its screening, saying what fails.
    row = body[body.index(f'id="p{expensive.pk}"') :]
    row = row[: row.index("</tr>")]
    assert _url("screening_proposal", world["call"], expensive.pk) in row
    assert "fails: Amount" in row
    # The failing suggestion is pre-selected on the expensive proposal's form.
    client = _client(world["coordinator"])
    page = client.get(_url("screening_proposal", world["call"], expensive.pk)).content.decode()
    assert "Automatic check: fails." in page
    assert _checked(page, f"id_p{expensive.pk}-passed_amount_1")
    page = client.get(_url("screening_proposal", world["call"], world["proposal"].pk))
    assert "Automatic check: passes." in page.content.decode()
    assert _checked(page.content.decode(), f"id_p{world['proposal'].pk}-passed_amount_0")


def test_screening_filters_on_the_automatic_checks_and_words(world):
    expensive = f.ProposalFactory(call=world["call"], status=S.SUBMITTED, title="Popote roulante")
    f.RequestedAmountFactory(proposal=expensive, amount=Decimal("90000.00"))
    client = _client(world["coordinator"])
    body = client.get(_url("screening", world["call"]), {"verification": "echec"}).content.decode()
    assert expensive.reference in body and world["proposal"].reference not in body
    body = client.get(_url("screening", world["call"]), {"q": "popote"}).content.decode()
    assert expensive.reference in body and world["proposal"].reference not in body


def test_screening_records_every_rule_and_makes_the_proposal_eligible(world):
    proposal = world["proposal"]
    prefix = f"p{proposal.pk}"
    response = _client(world["coordinator"]).post(
        _url("screening_proposal", world["call"], proposal.pk),
        {f"{prefix}-passed_amount": "pass", f"{prefix}-passed_board": "pass"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == S.ELIGIBLE
    assert EligibilityResult.objects.filter(proposal=proposal, passed=True).count() == 2


def test_failure_without_reason_is_refused_and_other_answers_kept(world):
    proposal = world["proposal"]
    prefix = f"p{proposal.pk}"
    response = _client(world["coordinator"]).post(
        _url("screening_proposal", world["call"], proposal.pk),
        {
            f"{prefix}-passed_amount": "pass",
            f"{prefix}-reason_amount": "kept text",
            f"{prefix}-passed_board": "fail",
            f"{prefix}-reason_board": "  ",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Say why the proposal fails this rule." in body
    assert f'id="id_{prefix}-reason_board_error"' in body
    assert 'value="kept text"' in body
    assert _checked(body, f"id_{prefix}-passed_board_1")
    assert _checked(body, f"id_{prefix}-passed_amount_0")
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED
    assert not EligibilityResult.objects.exists()


def test_missing_answer_is_refused_and_nothing_written(world):
    proposal = world["proposal"]
    response = _client(world["coordinator"]).post(
        _url("screening_proposal", world["call"], proposal.pk), {}
    )
    assert response.status_code == 200
    assert "Say whether the proposal passes this rule." in response.content.decode()
    assert not EligibilityResult.objects.exists()


@pytest.mark.parametrize("page", ["screening", "assignments"])
def test_coordination_lists_query_count_is_constant(world, page):
    call = world["call"]
    client = _client(world["coordinator"])
    evaluator = world["evaluator"]

    def add(n: int) -> None:
        for _ in range(n):
            status = S.SUBMITTED if page == "screening" else S.UNDER_REVIEW
            proposal = f.ProposalFactory(call=call, status=status)
            proposal.territories.set([f.territory()])
            f.RequestedAmountFactory(proposal=proposal)
            if page == "assignments":
                f.ReviewFactory(proposal=proposal, evaluator=evaluator)

    add(1)
    client.get(_url(page, call))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(page, call))
    add(15)
    with CaptureQueriesContext(connection) as many:
        client.get(_url(page, call))
    assert len(many) == len(few)


def test_screening_filter_by_status(world):
    other = f.ProposalFactory(call=world["call"], status=S.INELIGIBLE)
    response = _client(world["coordinator"]).get(
        _url("screening", world["call"]), {"statut": "ineligible"}
    )
    body = response.content.decode()
    assert other.reference in body
    assert world["proposal"].reference not in body


# ----------------------------------------------------------------------------- assignment


def _eligible(world):  # type: ignore[no-untyped-def]
    proposal = world["proposal"]
    proposal.status = S.ELIGIBLE
    proposal.save()
    return proposal


def test_coordinator_assigns_an_evaluator(world):
    proposal = _eligible(world)
    response = _client(world["coordinator"]).post(
        _url("assign", world["call"], proposal.pk),
        {f"p{proposal.pk}-evaluators": [world["evaluator"].pk]},
    )
    assert response.status_code == 302
    assert Review.objects.filter(proposal=proposal, evaluator=world["evaluator"]).exists()
    proposal.refresh_from_db()
    assert proposal.status == S.UNDER_REVIEW


def test_conflicted_evaluator_is_refused_and_nothing_written(world):
    proposal = _eligible(world)
    conflicted = f.ProgrammeRoleFactory(programme=world["call"].programme, role=R.EVALUATOR).user
    f.ConflictDeclarationFactory(proposal=proposal, user=conflicted)
    page = _client(world["coordinator"]).get(_url("assignments", world["call"]))
    assert "conflict of interest" in page.content.decode()
    response = _client(world["coordinator"]).post(
        _url("assign", world["call"], proposal.pk),
        {f"p{proposal.pk}-evaluators": [world["evaluator"].pk, conflicted.pk]},
    )
    assert response.status_code == 200
    assert "is in a conflict of interest" in response.content.decode()
    assert not Review.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == S.ELIGIBLE


# ----------------------------------------------------------------------------- scoring


@pytest.fixture
def review(world):  # type: ignore[no-untyped-def]
    proposal = world["proposal"]
    proposal.status = S.UNDER_REVIEW
    proposal.save()
    return f.ReviewFactory(proposal=proposal, evaluator=world["evaluator"])


def test_scoring_page_checks_ownership(world, review):
    url = reverse("reviews:score", args=[review.pk])
    assert _client(world["evaluator"]).get(url).status_code == 200
    for who in ("coordinator", "committee", "applicant", "stranger"):
        assert _client(world[who]).get(url).status_code == 404
    other = f.ProgrammeRoleFactory(programme=world["call"].programme, role=R.EVALUATOR).user
    assert _client(other).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_save_keeps_a_partial_draft(world, review):
    response = _client(world["evaluator"]).post(
        reverse("reviews:score", args=[review.pk]),
        {
            "action": "save",
            "score_inclusion": "4",
            "comment_inclusion": "Solid",
            "comment": "So far",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED
    assert review.comment == "So far"
    assert list(review.scores.values_list("criterion__code", "value", "comment")) == [
        ("inclusion", 4, "Solid")
    ]


def test_incomplete_submission_is_refused_and_input_kept(world, review):
    response = _client(world["evaluator"]).post(
        reverse("reviews:score", args=[review.pk]),
        {"action": "submit", "score_inclusion": "4", "comment": "kept comment"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Score every criterion of the grid." in body
    assert "kept comment" in body
    assert _checked(body, "id_score_inclusion_4")
    review.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED
    assert not Score.objects.exists()


def test_value_off_the_scale_is_refused(world, review):
    response = _client(world["evaluator"]).post(
        reverse("reviews:score", args=[review.pk]),
        {"action": "submit", "score_inclusion": "9", "score_roots": "3"},
    )
    assert response.status_code == 200
    assert not Score.objects.exists()


def test_submitted_review_is_read_only(world, review):
    client = _client(world["evaluator"])
    url = reverse("reviews:score", args=[review.pk])
    response = client.post(url, {"action": "submit", "score_inclusion": "4", "score_roots": "2"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    again = client.post(url, {"action": "submit", "score_inclusion": "0", "score_roots": "0"})
    assert again.status_code == 302
    assert sorted(review.scores.values_list("value", flat=True)) == [2, 4]
    page = client.get(url).content.decode()
    assert "disabled" in page
    assert "Submit the review" not in page


def test_conflict_needs_a_reason(world, review):
    response = _client(world["evaluator"]).post(
        reverse("reviews:conflict", args=[review.pk]), {"reason": ""}
    )
    assert response.status_code == 200
    assert "Say what the conflict of interest is." in response.content.decode()
    assert not ConflictDeclaration.objects.exists()


def test_declared_conflict_removes_access(world, review):
    client = _client(world["evaluator"])
    response = client.post(
        reverse("reviews:conflict", args=[review.pk]), {"reason": "I sit on its board"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.RECUSED
    assert client.get(reverse("review_detail", args=[review.pk])).status_code == 404
    assert client.get(reverse("reviews:score", args=[review.pk])).status_code == 404
    assert list(client.get(reverse("review_list")).context["page"]) == []


# ----------------------------------------------------------------------------- the committee's scores


def _reviewed(call, n: int) -> None:  # type: ignore[no-untyped-def]
    evaluators = [f.UserFactory() for _ in range(3)]
    criteria = list(call.criteria.all())
    for k in range(n):
        proposal = f.ProposalFactory(call=call, status=S.UNDER_REVIEW)
        for j, evaluator in enumerate(evaluators):
            review = f.ReviewFactory(
                proposal=proposal,
                evaluator=evaluator,
                status=Review.Status.SUBMITTED,
                submitted_at=WHEN,
            )
            for criterion in criteria:
                f.ScoreFactory(review=review, criterion=criterion, value=(k + j * 2) % 6)
        f.ReviewFactory(proposal=proposal, status=Review.Status.RECUSED)


def test_score_page_matches_proposal_scores(world):
    call = world["call"]
    _reviewed(call, 4)
    response = _client(world["committee"]).get(_url("scores", call), {"standardiser": "1"})
    rows = list(response.context["page"])
    expected = proposal_scores(call)
    assert len(rows) == 4
    for row in rows:
        assert row.summary == expected[row.proposal.pk]
        assert row.n_recused == 1
    means = [row.summary.mean for row in rows]
    assert means == sorted(means, reverse=True)
    body = response.content.decode()
    assert "4 recused reviews are left out." in body
    assert "Standardised" in body


def test_disagreement_is_flagged(world):
    call = world["call"]
    proposal = f.ProposalFactory(call=call, status=S.UNDER_REVIEW)
    for value in (0, 5):
        review = f.ReviewFactory(
            proposal=proposal, status=Review.Status.SUBMITTED, submitted_at=WHEN
        )
        for criterion in call.criteria.all():
            f.ScoreFactory(review=review, criterion=criterion, value=value)
    response = _client(world["coordinator"]).get(_url("scores", call))
    (row,) = list(response.context["page"])
    assert row.wide_spread
    assert row.split_criteria == ["Inclusion", "Roots"]
    assert "To discuss" in response.content.decode()


def test_score_page_query_count_is_constant(world):
    call = world["call"]
    client = _client(world["committee"])
    url = _url("scores", call)
    _reviewed(call, 5)
    client.get(url, {"standardiser": "1"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"standardiser": "1"})
    _reviewed(call, 35)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"standardiser": "1"})
    assert len(response.context["page"]) == 40
    assert len(many) == len(few)


def test_standardisation_evens_out_a_severe_evaluator():
    # Two evaluators rank three proposals alike, one 20 points lower: the
    # standardised scores put the proposals 1, 2, 3 in the same order and
    # the severe evaluator's offset disappears.
    per_review = {}
    for k, base in enumerate((80, 60, 40)):
        per_review[k * 2] = (k, 1, Decimal(base))
        per_review[k * 2 + 1] = (k, 2, Decimal(base - 20))
    result = standardised_scores(per_review)
    assert result[0] > result[1] > result[2]
    assert result[0] - result[1] == result[1] - result[2]
