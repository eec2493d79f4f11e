"""Ties known in advance: which proposals a tie conflicts with (applicant,
NEQ, name among the partners, period), the recusal it brings, and the
pages where people keep them and the coordination reads them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from solidaire.applications.models import Proposal
from solidaire.audit.models import AuditEvent
from solidaire.programmes.models import ProgrammeRole
from solidaire.reviews.conflicts import (
    call_conflict_pairs,
    conflicted_person_ids,
    conflicted_proposal_ids,
    is_conflicted,
)
from solidaire.reviews.models import Review, Tie
from solidaire.reviews.services import review_assign, review_save_draft
from solidaire.reviews.ties import knowledge_of, tie_record
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db

R = ProgrammeRole.Role
S = Proposal.Status


@pytest.fixture(autouse=True)
def english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def evaluator(programme):  # type: ignore[no-untyped-def]
    return f.ProgrammeRoleFactory(programme=programme, role=R.EVALUATOR).user


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return f.OrganisationFactory(legal_name="Maison de la famille Saint-Émile")


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_tie_to_the_applicant_is_a_conflict_without_declaration(call, evaluator, org):  # type: ignore[no-untyped-def]
    tied = f.ProposalFactory(call=call, organisation=org, status=S.SUBMITTED)
    other = f.ProposalFactory(call=call, status=S.SUBMITTED)
    assert not is_conflicted(evaluator.pk, tied.pk)
    tie_record(person=evaluator, programme=call.programme, kind="member", neq=org.neq)
    assert is_conflicted(evaluator.pk, tied.pk)
    assert not is_conflicted(evaluator.pk, other.pk)
    assert conflicted_proposal_ids(evaluator.pk) == {tied.pk}
    assert conflicted_person_ids(tied) == {evaluator.pk}
    assert (evaluator.pk, tied.pk) in call_conflict_pairs(call.pk)
    assert Tie.objects.get().organisation == org


def test_a_partner_named_with_other_accents_and_case_is_a_conflict(call, evaluator):  # type: ignore[no-untyped-def]
    named = f.ProposalFactory(
        call=call, partners="CLSC de Portneuf, maison de la famille saint emile", status=S.SUBMITTED
    )
    near = f.ProposalFactory(call=call, partners="Maison de la famille Saint-Émilion")
    tie_record(
        person=evaluator,
        programme=call.programme,
        kind="board",
        organisation_name="Maison de la famille Saint-Émile",
    )
    assert conflicted_proposal_ids(evaluator.pk) == {named.pk}
    assert not is_conflicted(evaluator.pk, near.pk)


def test_a_tie_counts_only_in_its_own_programme(call, evaluator, org):  # type: ignore[no-untyped-def]
    elsewhere = f.ProposalFactory(organisation=org)
    tie_record(person=evaluator, programme=call.programme, kind="member", neq=org.neq)
    assert not is_conflicted(evaluator.pk, elsewhere.pk)


def test_a_tie_ended_long_before_the_call_no_longer_counts(call, evaluator, org):  # type: ignore[no-untyped-def]
    proposal = f.ProposalFactory(call=call, organisation=org)
    opened = call.opens_at.date()
    tie_record(
        person=evaluator,
        programme=call.programme,
        kind="employee",
        neq=org.neq,
        starts_on=opened - timedelta(days=3000),
        ends_on=opened - timedelta(days=800),
    )
    assert not is_conflicted(evaluator.pk, proposal.pk)
    Tie.objects.update(ends_on=opened - timedelta(days=300))
    assert is_conflicted(evaluator.pk, proposal.pk)


def test_recording_a_tie_recuses_the_reviews_it_conflicts_with(call, evaluator, org):  # type: ignore[no-untyped-def]
    tied = f.ProposalFactory(call=call, organisation=org, status=S.UNDER_REVIEW)
    review = f.ReviewFactory(proposal=tied, evaluator=evaluator)
    tie_record(person=evaluator, programme=call.programme, kind="member", neq=org.neq)
    review.refresh_from_db()
    assert review.status == Review.Status.RECUSED
    assert AuditEvent.objects.filter(event_type="review.recused", object_id=str(review.pk)).exists()


def test_a_tied_evaluator_cannot_be_assigned(call, evaluator, org):  # type: ignore[no-untyped-def]
    tied = f.ProposalFactory(call=call, organisation=org, status=S.ELIGIBLE)
    tie_record(person=evaluator, programme=call.programme, kind="member", neq=org.neq)
    with pytest.raises(ValidationError):
        review_assign(proposal=tied, evaluator=evaluator, actor=None)
    assert not Review.objects.exists()


def test_a_tie_is_refused_without_an_organisation_or_with_an_inverted_period(call, evaluator):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        tie_record(
            person=evaluator,
            programme=call.programme,
            kind="member",
            starts_on=date(2020, 5, 1),
            ends_on=date(2019, 5, 1),
        )
    assert set(caught.value.message_dict) == {"organisation_name", "ends_on"}
    assert not Tie.objects.exists()


def test_someone_without_a_role_keeps_no_tie(call):  # type: ignore[no-untyped-def]
    applicant = f.UserFactory()
    with pytest.raises(ValidationError):
        tie_record(
            person=applicant, programme=call.programme, kind="member", organisation_name="X inc."
        )


# ----------------------------------------------------------------------------- pages


def test_the_ties_page_records_a_tie_and_lists_it(call, evaluator):  # type: ignore[no-untyped-def]
    client = _client(evaluator)
    url = reverse("reviews:ties")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "form": "tie",
            "tie-programme": call.programme.pk,
            "tie-organisation_name": "Carrefour jeunesse-emploi",
            "tie-neq": "",
            "tie-kind": "board",
            "tie-starts_on": "2018-01-01",
            "tie-ends_on": "",
            "tie-note": "",
        },
        follow=True,
    )
    assert "Carrefour jeunesse-emploi" in response.content.decode()
    assert Tie.objects.get().person == evaluator


def test_a_refused_tie_is_shown_again_with_its_error_and_nothing_written(call, evaluator):  # type: ignore[no-untyped-def]
    response = _client(evaluator).post(
        reverse("reviews:ties"),
        {
            "form": "tie",
            "tie-programme": call.programme.pk,
            "tie-organisation_name": "Le Pignon bleu",
            "tie-kind": "member",
            "tie-starts_on": "2021-01-01",
            "tie-ends_on": "2020-01-01",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot end before it starts" in body
    assert 'value="Le Pignon bleu"' in body
    assert not Tie.objects.exists()


def test_the_ties_page_checks_ownership(call, evaluator):  # type: ignore[no-untyped-def]
    tie = tie_record(
        person=evaluator, programme=call.programme, kind="member", organisation_name="Moisson"
    )
    stranger = f.UserFactory()
    assert _client(stranger).get(reverse("reviews:ties")).status_code == 404
    other = f.ProgrammeRoleFactory(programme=call.programme, role=R.EVALUATOR).user
    remove = reverse("reviews:tie_delete", args=[tie.pk])
    assert _client(other).post(remove).status_code == 404
    assert "Moisson" not in _client(other).get(reverse("reviews:ties")).content.decode()
    assert Tie.objects.exists()
    assert _client(evaluator).post(remove).status_code == 302
    assert not Tie.objects.exists()


def test_the_coordination_reads_every_tie_of_its_programme(call, evaluator):  # type: ignore[no-untyped-def]
    tie_record(
        person=evaluator, programme=call.programme, kind="member", organisation_name="Moisson"
    )
    url = reverse("reviews:programme_ties", args=[call.programme.slug])
    coordinator = f.ProgrammeRoleFactory(programme=call.programme, role=R.COORDINATOR).user
    assert "Moisson" in _client(coordinator).get(url).content.decode()
    assert _client(evaluator).get(url).status_code == 404
    assert _client(f.ProgrammeRoleFactory(role=R.COORDINATOR).user).get(url).status_code == 404


def test_territories_known_are_saved(call, evaluator):  # type: ignore[no-untyped-def]
    territory = f.territory()
    response = _client(evaluator).post(
        reverse("reviews:ties"),
        {"form": f"k{call.programme.pk}", f"k{call.programme.pk}-territories": [territory.pk]},
    )
    assert response.status_code == 302
    assert knowledge_of(evaluator, call.programme) == {territory.pk}


def test_scoring_is_refused_once_a_tie_makes_the_conflict(call, evaluator, org):  # type: ignore[no-untyped-def]
    tied = f.ProposalFactory(call=call, organisation=org, status=S.UNDER_REVIEW)
    criterion = f.CriterionFactory(call=call, code="inclusion")
    f.ScaleLevelFactory(call=call, value=3)
    review = f.ReviewFactory(proposal=tied, evaluator=evaluator)
    tie_record(person=evaluator, programme=call.programme, kind="member", neq=org.neq)
    with pytest.raises(ValidationError):
        review_save_draft(review=review, scores={criterion.code: 3}, actor=evaluator)
    assert not review.scores.exists()
    url = reverse("reviews:score", args=[review.pk])
    assert _client(evaluator).post(url, {"score_inclusion": "3"}).status_code == 404


def test_the_ties_pages_query_count_is_constant(call, evaluator):  # type: ignore[no-untyped-def]
    coordinator = f.ProgrammeRoleFactory(programme=call.programme, role=R.COORDINATOR).user
    pages = [
        (_client(evaluator), reverse("reviews:ties")),
        (_client(coordinator), reverse("reviews:programme_ties", args=[call.programme.slug])),
    ]

    def add(n: int) -> None:
        for k in range(n):
            tie_record(
                person=evaluator,
                programme=call.programme,
                kind="member",
                organisation_name=f"Organisme {Tie.objects.count()}-{k}",
            )

    add(1)
    for client, url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        add(10)
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many) == len(few), url
