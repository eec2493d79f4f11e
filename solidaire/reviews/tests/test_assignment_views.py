"""The call's assignment page: the automatic assignment proposed then
applied (nothing written before), explained when impossible, refused when
tampered with; unassigning, releasing with or without the draft, workload,
due dates, names sorted as French sorts them, and who may open it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from solidaire.applications.models import Proposal
from solidaire.audit.models import AuditEvent
from solidaire.programmes.models import ProgrammeRole
from solidaire.reviews.models import AssignmentSettings, Review, Score
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db

R = ProgrammeRole.Role
S = Proposal.Status


@pytest.fixture(autouse=True)
def english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def world(call):  # type: ignore[no-untyped-def]
    proposals = [f.ProposalFactory(call=call, status=S.ELIGIBLE) for _ in range(6)]
    sectors = ["municipal", "government", "community", "philanthropic"]
    names = [("Boucher", "Luc"), ("Bélanger", "Anne"), ("Côté", "Marc"), ("Caron", "Lise")]
    evaluators = [
        f.ProgrammeRoleFactory(
            programme=call.programme,
            role=R.EVALUATOR,
            sector=sector,
            user=f.UserFactory(last_name=last, first_name=first),
        ).user
        for sector, (last, first) in zip(sectors, names, strict=True)
    ]
    coordinator = f.ProgrammeRoleFactory(programme=call.programme, role=R.COORDINATOR).user
    return {
        "call": call,
        "proposals": proposals,
        "evaluators": evaluators,
        "coordinator": coordinator,
    }


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, call, *extra: int) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"reviews:{name}", args=[call.programme.slug, call.number, *extra])


def _settings(world, reviews: int = 2, capacity: int = 5, **extra: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"auto-reviews_per_proposal": reviews, "auto-due_on": "2020-12-01"}
    data.update({f"auto-capacity_{e.pk}": capacity for e in world["evaluators"]})
    data.update(extra)
    return data


def test_the_proposed_assignment_writes_nothing_until_applied(world):  # type: ignore[no-untyped-def]
    client = _client(world["coordinator"])
    call = world["call"]
    response = client.post(_url("automatic", call), _settings(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "12 new reviews would be assigned" in body
    assert not Review.objects.exists()
    plan = re.search(r'name="plan" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    response = client.post(_url("automatic_apply", call), {"plan": plan})
    assert response.status_code == 302
    reviews = Review.objects.all()
    assert reviews.count() == 12
    assert {r.due_on for r in reviews} == {date(2020, 12, 1)}
    loads = [reviews.filter(evaluator=e).count() for e in world["evaluators"]]
    assert max(loads) - min(loads) <= 1
    for proposal in world["proposals"]:
        assert reviews.filter(proposal=proposal).count() == 2
    assert AssignmentSettings.objects.get(call=call).reviews_per_proposal == 2
    assert AuditEvent.objects.filter(event_type="review.assignment_applied").exists()


def test_existing_reviews_are_kept_by_the_automatic_assignment(world):  # type: ignore[no-untyped-def]
    first = world["proposals"][0]
    kept = f.ReviewFactory(proposal=first, evaluator=world["evaluators"][0])
    client = _client(world["coordinator"])
    body = client.post(_url("automatic", world["call"]), _settings(world)).content.decode()
    assert "11 new reviews would be assigned" in body
    plan = re.search(r'name="plan" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    client.post(_url("automatic_apply", world["call"]), {"plan": plan})
    assert Review.objects.filter(pk=kept.pk).exists()
    assert Review.objects.filter(proposal=first).count() == 2


def test_more_reviews_than_unconflicted_evaluators_is_explained_not_applied(world):  # type: ignore[no-untyped-def]
    target = world["proposals"][2]
    f.ConflictDeclarationFactory(proposal=target, user=world["evaluators"][0])
    response = _client(world["coordinator"]).post(
        _url("automatic", world["call"]), _settings(world, reviews=4, capacity=10)
    )
    body = response.content.decode()
    assert "No assignment gives every proposal its reviews" in body
    assert target.reference in body
    assert "only 3 evaluators with some capacity are free of any conflict" in body
    assert 'name="plan"' not in body
    assert not Review.objects.exists()


def test_a_tampered_assignment_is_refused_and_nothing_written(world):  # type: ignore[no-untyped-def]
    client = _client(world["coordinator"])
    body = client.post(_url("automatic", world["call"]), _settings(world)).content.decode()
    plan = re.search(r'name="plan" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    response = client.post(
        _url("automatic_apply", world["call"]), {"plan": plan[:-3] + "xyz"}, follow=True
    )
    assert "could not be read" in response.content.decode()
    assert not Review.objects.exists()


def test_an_assignment_refused_when_a_conflict_appeared_since(world):  # type: ignore[no-untyped-def]
    client = _client(world["coordinator"])
    body = client.post(_url("automatic", world["call"]), _settings(world)).content.decode()
    plan = re.search(r'name="plan" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    for proposal in world["proposals"]:
        f.ConflictDeclarationFactory(proposal=proposal, user=world["evaluators"][1])
    response = client.post(_url("automatic_apply", world["call"]), {"plan": plan}, follow=True)
    assert "propose it again" in response.content.decode()
    assert not Review.objects.exists()


def test_bad_settings_are_shown_again_with_their_errors(world):  # type: ignore[no-untyped-def]
    data = _settings(world, reviews=0)
    data[f"auto-capacity_{world['evaluators'][1].pk}"] = "-2"
    response = _client(world["coordinator"]).post(_url("automatic", world["call"]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ask for one review at least." in body
    assert "A capacity cannot be negative." in body
    assert 'value="-2"' in body
    assert not AssignmentSettings.objects.exists()


@pytest.mark.parametrize("name", ["automatic", "automatic_apply"])
def test_the_automatic_assignment_checks_ownership(world, name):  # type: ignore[no-untyped-def]
    for person in (
        world["evaluators"][0],
        f.UserFactory(),
        f.ProgrammeRoleFactory(role=R.COORDINATOR).user,
    ):
        assert _client(person).post(_url(name, world["call"]), _settings(world)).status_code == 404
    assert not Review.objects.exists()


def test_names_are_sorted_as_french_sorts_them_and_loads_shown(world):  # type: ignore[no-untyped-def]
    f.ReviewFactory(proposal=world["proposals"][0], evaluator=world["evaluators"][2])
    body = _client(world["coordinator"]).get(_url("assignments", world["call"])).content.decode()
    workload = body[body.index('id="workload-title"') :]
    order = [
        workload.index(name) for name in ("Anne Bélanger", "Luc Boucher", "Lise Caron", "Marc Côté")
    ]
    assert order == sorted(order)
    assert "Community" in workload


def test_unticking_an_evaluator_not_started_unassigns_them(world):  # type: ignore[no-untyped-def]
    proposal = world["proposals"][0]
    first, second = world["evaluators"][:2]
    f.ReviewFactory(proposal=proposal, evaluator=first)
    f.ReviewFactory(proposal=proposal, evaluator=second)
    response = _client(world["coordinator"]).post(
        _url("assign", world["call"], proposal.pk), {f"p{proposal.pk}-evaluators": [second.pk]}
    )
    assert response.status_code == 302
    assert Review.objects.get(evaluator=first).status == Review.Status.RELEASED
    assert Review.objects.get(evaluator=second).status == Review.Status.ASSIGNED


def test_unticking_an_evaluator_with_a_draft_is_refused(world):  # type: ignore[no-untyped-def]
    proposal = world["proposals"][0]
    evaluator = world["evaluators"][0]
    review = f.ReviewFactory(proposal=proposal, evaluator=evaluator, comment="Début")
    response = _client(world["coordinator"]).post(
        _url("assign", world["call"], proposal.pk), {f"p{proposal.pk}-evaluators": []}
    )
    assert response.status_code == 200
    assert "started a draft" in response.content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED


@pytest.mark.parametrize(("choice", "kept"), [("keep", True), ("discard", False)])
def test_releasing_keeps_or_discards_the_draft_as_chosen_and_records_it(world, choice, kept):  # type: ignore[no-untyped-def]
    proposal = world["proposals"][0]
    proposal.status = S.UNDER_REVIEW
    proposal.save()
    review = f.ReviewFactory(proposal=proposal, evaluator=world["evaluators"][0], comment="Notes")
    f.ScoreFactory(review=review, criterion=f.CriterionFactory(call=world["call"]), value=None)
    response = _client(world["coordinator"]).post(
        _url("release", world["call"], proposal.pk, review.pk),
        {f"r{review.pk}-reason": "Départ", f"r{review.pk}-draft": choice},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.RELEASED
    assert Score.objects.filter(review=review).exists() is kept
    assert (review.comment == "Notes") is kept
    event = AuditEvent.objects.get(event_type="review.released")
    assert event.data["draft"] == ("kept" if kept else "discarded")


def test_a_recusal_that_leaves_a_proposal_short_is_flagged(world):  # type: ignore[no-untyped-def]
    proposal = world["proposals"][0]
    AssignmentSettings.objects.create(call=world["call"], reviews_per_proposal=2)
    f.ReviewFactory(proposal=proposal, evaluator=world["evaluators"][0])
    f.ReviewFactory(
        proposal=proposal, evaluator=world["evaluators"][1], status=Review.Status.RECUSED
    )
    body = _client(world["coordinator"]).get(_url("assignments", world["call"])).content.decode()
    alert = body[body.index('id="short-title"') :]
    assert proposal.reference in alert[: alert.index("</div>")]
    assert "1 review to assign" in alert
