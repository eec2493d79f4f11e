"""The panel of people living in poverty: questions chosen by the
coordination, consent recorded and withdrawable, answers on the proposals
given only, no reviewer's score shown, results beside the committee's."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from solidaire.committee.models import PanelAnswer, PanelAssignment, PanelConsent, PanelQuestion
from solidaire.committee.selectors import meeting_agenda, panel_results
from solidaire.committee.services import (
    panel_answer,
    panel_consent,
    panel_give,
    panel_questions_set,
)
from solidaire.committee.tests.conftest import client_for

pytestmark = pytest.mark.django_db

QUESTIONS = [
    ("Le projet aide-t-il les gens de mon quartier ?", "Does the project help people like me?"),
    ("Les personnes concernées décident-elles ?", "Do the people concerned decide?"),
    ("Est-ce facile d'y participer ?", "Is it easy to take part?"),
]


@pytest.fixture
def panel(meeting_world):  # type: ignore[no-untyped-def]
    w = meeting_world
    questions = panel_questions_set(call=w["call"], questions=QUESTIONS, actor=w["coordinator"])
    panel_give(proposals=[w["proposals"][0]], panellist=w["panellist"], actor=w["coordinator"])
    assignment = PanelAssignment.objects.get()
    return {**w, "questions": questions, "assignment": assignment}


def test_questions_must_be_three_or_four(meeting_world) -> None:  # type: ignore[no-untyped-def]
    w = meeting_world
    with pytest.raises(ValidationError):
        panel_questions_set(call=w["call"], questions=QUESTIONS[:2], actor=w["coordinator"])
    response = client_for(w["coordinator"]).post(
        reverse("committee:panel_setup", args=[w["call"].programme.slug, w["call"].number]),
        {"action": "questions", "text_1": "Une seule question ?"},
    )
    assert response.status_code == 400
    assert "Ask 3 or 4 questions." in response.content.decode()
    assert 'value="Une seule question ?"' in response.content.decode()
    assert not PanelQuestion.objects.exists()


def test_panellist_without_consent_is_refused(panel) -> None:  # type: ignore[no-untyped-def]
    w = panel
    url = reverse("committee:panel_proposal", args=[w["assignment"].pk])
    response = client_for(w["panellist"]).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("committee:panel_home")
    with pytest.raises(PermissionDenied):
        panel_answer(
            assignment=w["assignment"],
            answers={q.pk: 3 for q in w["questions"]},
            actor=w["panellist"],
        )
    assert not PanelAnswer.objects.exists()


def test_panellist_gives_consent_answers_and_withdraws(panel) -> None:  # type: ignore[no-untyped-def]
    w = panel
    client = client_for(w["panellist"])
    slug = w["call"].programme.slug
    client.post(reverse("committee:panel_consent", args=[slug]), {"consent": "give"})
    assert PanelConsent.objects.get().withdrawn_at is None
    url = reverse("committee:panel_proposal", args=[w["assignment"].pk])
    page = client.get(url).content.decode()
    assert "<legend>Does the project help people like me?</legend>" in page
    assert "Mean" not in page and "Clear" not in page  # no reviewer's score or comment
    response = client.post(url, {f"q{q.pk}": "4" for q in w["questions"]})
    assert response.status_code == 302
    assert PanelAnswer.objects.count() == 3
    assert panel_results(w["call"])[w["proposals"][0].pk].score == 100
    client.post(reverse("committee:panel_consent", args=[slug]), {"consent": "withdraw"})
    assert PanelConsent.objects.get().withdrawn_at is not None
    assert client.get(url).status_code == 302


def test_missing_or_invalid_answer_is_refused_and_others_kept(panel) -> None:  # type: ignore[no-untyped-def]
    w = panel
    panel_consent(programme=w["call"].programme, person=w["panellist"], given=True)
    first, second, _third = w["questions"]
    client = client_for(w["panellist"])
    url = reverse("committee:panel_proposal", args=[w["assignment"].pk])
    response = client.post(url, {f"q{first.pk}": "2", f"q{second.pk}": "9"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose an answer." in body
    assert "Choose one of the four answers." in body
    assert re.search(rf'value="2"[^>]*id="id_q{first.pk}_1"[^>]*checked', body)
    assert not PanelAnswer.objects.exists()


def test_panellist_sees_only_the_proposals_given(panel) -> None:  # type: ignore[no-untyped-def]
    w = panel
    panel_consent(programme=w["call"].programme, person=w["panellist"], given=True)
    other = PanelAssignment.objects.create(proposal=w["proposals"][1], panellist=w["second"])
    client = client_for(w["panellist"])
    assert client.get(reverse("committee:panel_proposal", args=[other.pk])).status_code == 404
    home = client.get(reverse("committee:panel_home")).content.decode()
    assert w["proposals"][0].title in home
    assert w["proposals"][1].title not in home


def test_a_stranger_gets_404_on_the_panel_pages(panel) -> None:  # type: ignore[no-untyped-def]
    w = panel
    client = client_for(w["stranger"])
    assert client.get(reverse("committee:panel_home")).status_code == 404
    url = reverse("committee:panel_proposal", args=[w["assignment"].pk])
    assert client.get(url).status_code == 404


def test_a_conflicted_panellist_is_not_given_the_proposal(panel) -> None:  # type: ignore[no-untyped-def]
    from solidaire.testing import factories as f

    w = panel
    f.ConflictDeclarationFactory(proposal=w["proposals"][1], user=w["panellist"])
    with pytest.raises(ValidationError):
        panel_give(proposals=[w["proposals"][1]], panellist=w["panellist"], actor=w["coordinator"])


def test_panel_results_appear_beside_the_committee_and_count_when_weighted(panel) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from solidaire.committee.services import meeting_for_call

    w = panel
    panel_consent(programme=w["call"].programme, person=w["panellist"], given=True)
    panel_answer(
        assignment=w["assignment"], answers={q.pk: 1 for q in w["questions"]}, actor=w["panellist"]
    )
    (stream,) = meeting_agenda(w["call"], viewer_id=w["coordinator"].pk)
    item = next(i for i in stream.items if i.proposal == w["proposals"][0])
    assert item.panel is not None and item.panel.score == 0
    assert item.combined is None
    meeting = meeting_for_call(w["call"])
    meeting.panel_weight = Decimal(100)
    meeting.save()
    (stream,) = meeting_agenda(w["call"], viewer_id=w["coordinator"].pk)
    item = next(i for i in stream.items if i.proposal == w["proposals"][0])
    assert item.summary is not None
    assert item.combined == (item.summary.mean / 2).quantize(Decimal("0.01"))
