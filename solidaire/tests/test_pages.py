"""The pages of each role: who reaches them, what they show, and how many
queries they cost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from solidaire.agreements.models import Payment
from solidaire.applications.models import Proposal
from solidaire.testing import factories as f

NBSP = "\xa0"
pytestmark = pytest.mark.django_db


def fr(amount: str) -> str:
    """'1 200 000,00 $' with the non-breaking spaces the money filter writes."""
    return amount.replace(" ", NBSP)


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


# --- Anonymous visitors -----------------------------------------------------------


def test_public_landing_lists_programmes_and_links_decided_results(client, world):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in page
    assert world.programme.name in page
    results_url = reverse("reporting:call_results", args=[world.programme.slug, world.call.number])
    assert results_url in page
    assert reverse("accounts:login") in page


@pytest.mark.parametrize(
    "url",
    ["/demandes/", "/demandes/1/", "/evaluations/", "/evaluations/1/", "/versements/"],
)
def test_anonymous_visitor_is_sent_to_sign_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_visitor_cannot_see_programme_figures(client, world):
    response = client.get(reverse("programme_detail", args=[world.programme.slug]))
    assert response.status_code == 302


# --- Sign in and out --------------------------------------------------------------


def test_login_page_labels_its_fields(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<label for="id_username">' in page
    assert '<label for="id_password">' in page


def test_wrong_password_is_explained_next_to_the_form(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": "coordinator", "password": "wrong"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page
    assert 'aria-describedby="form-errors"' in page


def test_sign_in_then_out(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": "coordinator", "password": "motdepasse-demo"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert not client.get("/").context["user"].is_authenticated


def test_language_switch_gives_english_page(client, world):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Skip to main content" in page


# --- Coordinator ----------------------------------------------------------------


def test_coordinator_home_shows_envelope_and_call_figures(world):
    response = signed_in(world.coordinator).get("/")
    page = response.content.decode()
    overview = response.context["overviews"][0]
    assert overview.totals.envelope == Decimal("4200000.00")
    assert fr("4 200 000,00 $") in page
    assert fr("100 000,00 $") in page  # committed: 60 000 + 40 000
    assert fr("4 100 000,00 $") in page  # available
    (row,) = [r for r in overview.calls if r.call == world.call]
    assert (row.received, row.funded, row.organisations_funded) == (3, 2, 2)
    assert row.awarded == Decimal("100000.00")
    assert reverse("reporting:call_results", args=[world.programme.slug, 1]) in page or (
        reverse("reporting:call_results", args=[world.programme.slug, world.call.number]) in page
    )


def test_coordinator_home_in_english_formats_money_the_english_way(world):
    page = english(signed_in(world.coordinator)).get("/").content.decode()
    assert "$4,200,000.00" in page
    assert "Envelope by fiscal year" in page


def test_coordinator_sees_programme_page_but_an_applicant_does_not(world):
    url = reverse("programme_detail", args=[world.programme.slug])
    assert signed_in(world.coordinator).get(url).status_code == 200
    assert signed_in(world.observer).get(url).status_code == 200
    assert signed_in(world.applicant).get(url).status_code == 404
    assert signed_in(world.evaluator).get(url).status_code == 404


def test_another_programmes_coordinator_does_not_see_its_figures(world):
    other = f.ProgrammeRoleFactory(role="coordinator").user
    url = reverse("programme_detail", args=[world.programme.slug])
    assert signed_in(other).get(url).status_code == 404
    assert world.programme.name not in signed_in(other).get("/").content.decode()


def test_ministry_observer_sees_every_programme(world):
    other = f.ProgrammeFactory(name="Alliance — Bas-Saint-Laurent", years=[Decimal("1000.00")])
    page = signed_in(world.observer).get("/").content.decode()
    assert world.programme.name in page
    assert other.name in page
    assert (
        "Programme figures (read-only, every region)"
        in english(signed_in(world.observer)).get("/").content.decode()
    )


# --- Applicant --------------------------------------------------------------------


def test_applicant_home_lists_own_organisation_proposals_only(world):
    response = signed_in(world.applicant).get("/")
    page = response.content.decode()
    assert [p.pk for p in response.context["proposals"]] == [world.submitted.pk, world.funded.pk]
    assert "Repas partagés" in page
    assert fr("60 000,00 $") in page
    assert "Halte-répit" not in page
    assert response.context["overviews"] == []


def test_applicant_proposal_list_and_detail(world):
    client = signed_in(world.member)
    page = client.get(reverse("proposal_list")).content.decode()
    assert "Jardin" in page and "Repas partagés" in page and "Halte-répit" not in page
    detail = client.get(reverse("proposal_detail", args=[world.funded.pk])).content.decode()
    assert "Repas partagés" in detail
    assert fr("60 000,00 $") in detail


def test_applicant_proposal_list_names_each_cell_for_the_phone_layout(world):
    """Below ~600 px each row is a card: every cell carries its column's name
    (CSS shows it), so the status and amounts stay readable on a phone."""
    page = signed_in(world.member).get(reverse("proposal_list")).content.decode()
    assert '<table class="cards">' in page
    for label in ("Statut", "Demandé", "Accordé"):
        assert f'data-label="{label}"' in page
    assert "{#" not in page and "{%" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("applicant", 200),
        ("member", 200),
        ("coordinator", 200),
        ("stranger", 404),
        ("evaluator", 404),
        ("trustee", 404),
    ],
)
def test_proposal_detail_checks_ownership(world, who, status):
    url = reverse("proposal_detail", args=[world.funded.pk])
    assert signed_in(getattr(world, who)).get(url).status_code == status


def test_unknown_proposal_is_404(world):
    assert (
        signed_in(world.applicant).get(reverse("proposal_detail", args=[999999])).status_code == 404
    )


# --- Evaluator --------------------------------------------------------------------


def test_evaluator_sees_assigned_reviews_but_not_conflicted_ones(world):
    kept = f.ReviewFactory(proposal=world.funded, evaluator=world.evaluator)
    conflicted = f.ReviewFactory(proposal=world.other_funded, evaluator=world.evaluator)
    f.ConflictDeclarationFactory(proposal=world.other_funded, user=world.evaluator)
    client = signed_in(world.evaluator)
    home = client.get("/")
    assert [r.pk for r in home.context["reviews"]] == [kept.pk]
    page = client.get(reverse("review_list")).content.decode()
    assert "Repas partagés" in page and "Halte-répit" not in page
    assert client.get(reverse("review_detail", args=[kept.pk])).status_code == 200
    assert client.get(reverse("review_detail", args=[conflicted.pk])).status_code == 404


def test_review_detail_checks_ownership(world):
    review = f.ReviewFactory(proposal=world.funded, evaluator=world.evaluator)
    f.ScoreFactory(review=review, criterion=f.CriterionFactory(call=world.call, name="Ancrage"))
    url = reverse("review_detail", args=[review.pk])
    page = signed_in(world.evaluator).get(url).content.decode()
    assert "Ancrage" in page
    other_evaluator = f.ProgrammeRoleFactory(programme=world.programme, role="evaluator").user
    assert signed_in(other_evaluator).get(url).status_code == 404
    assert signed_in(world.applicant).get(url).status_code == 404
    assert signed_in(world.coordinator).get(url).status_code == 404


# --- Trustee ----------------------------------------------------------------------


def _payment(world, proposal, **kwargs) -> Payment:  # type: ignore[no-untyped-def]
    agreement = getattr(proposal, "agreement", None) or f.AgreementFactory(proposal=proposal)
    return f.PaymentFactory(agreement=agreement, **kwargs)


def test_trustee_sees_payments_due_and_made(world):
    _payment(world, world.funded, amount=Decimal("30000.00"), due_on=date(2020, 12, 1))
    _payment(world, world.other_funded, amount=Decimal("20000.00"), due_on=date(2021, 1, 15))
    client = signed_in(world.trustee)
    home = client.get("/")
    assert home.context["payment_totals"].scheduled == Decimal("50000.00")
    page = client.get(reverse("payment_list")).content.decode()
    assert "Cuisine collective de Portneuf" in page
    assert fr("30 000,00 $") in page
    assert "1er décembre 2020" in page
    # The trustee also sees the programme's figures.
    assert fr("4 200 000,00 $") in home.content.decode()


def test_payments_of_another_programme_are_not_shown(world):
    _payment(world, world.funded)
    other_trustee = f.ProgrammeRoleFactory(role="trustee_finance").user
    response = signed_in(other_trustee).get(reverse("payment_list"))
    assert list(response.context["page"].object_list) == []
    # An applicant pays nothing: the page is not theirs at all.
    assert signed_in(world.applicant).get(reverse("payment_list")).status_code == 404


# --- Public results ----------------------------------------------------------------


def test_public_results_list_funded_initiatives_and_total(client, world):
    url = reverse("reporting:call_results", args=[world.programme.slug, world.call.number])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Cuisine collective de Portneuf" in page and "Halte-répit" in page
    assert fr("100 000,00 $") in page
    assert response.context["results"].total == Decimal("100000.00")


def test_results_of_an_undecided_call_are_not_public(client, world):
    url = reverse("reporting:call_results", args=[world.programme.slug, world.open_call.number])
    assert client.get(url).status_code == 404
    assert client.get(f"/appels/{world.programme.slug}/99/resultats/").status_code == 404


# --- Query counts: the same with 1 row and with 50 --------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _same_count(client: Client, url: str, add_rows: Callable[[int], None]) -> None:
    _queries(client, url)  # warm the session and content-type caches
    one = _queries(client, url)
    add_rows(49)
    fifty = _queries(client, url)
    assert one == fifty, f"{one} queries with 1 row, {fifty} with 50"


def test_coordinator_call_list_query_count_is_constant(programme):
    coordinator = f.ProgrammeRoleFactory(programme=programme, role="coordinator").user
    f.funded_proposal(call=f.decided_call(programme), amount=Decimal("1000.00"))

    def add(n: int) -> None:
        for _ in range(n):
            f.funded_proposal(call=f.decided_call(programme), amount=Decimal("1000.00"))

    client = signed_in(coordinator)
    _same_count(client, reverse("programme_detail", args=[programme.slug]), add)
    _same_count(client, "/", lambda n: None)


def test_applicant_proposals_query_count_is_constant(world):
    client = signed_in(world.stranger)

    def add(n: int) -> None:
        for _ in range(n):
            f.funded_proposal(call=world.call, organisation=world.other_org, amount=Decimal("100"))

    _same_count(client, reverse("proposal_list"), add)


def test_trustee_payments_query_count_is_constant(world):
    _payment(world, world.funded)
    client = signed_in(world.trustee)

    def add(n: int) -> None:
        for _ in range(n):
            proposal = f.ProposalFactory(call=world.call, status=Proposal.Status.FUNDED)
            _payment(world, proposal)

    _same_count(client, reverse("payment_list"), add)


def test_public_results_query_count_is_constant(client, programme):
    call = f.decided_call(programme)
    f.funded_proposal(call=call, amount=Decimal("1000.00"))

    def add(n: int) -> None:
        for _ in range(n):
            proposal = f.funded_proposal(call=call, amount=Decimal("1000.00"))
            proposal.territories.add(f.territory())

    _same_count(client, reverse("reporting:call_results", args=[programme.slug, call.number]), add)


def test_evaluator_reviews_query_count_is_constant(world):
    f.ReviewFactory(proposal=world.funded, evaluator=world.evaluator)
    client = signed_in(world.evaluator)

    def add(n: int) -> None:
        for _ in range(n):
            f.ReviewFactory(proposal=f.ProposalFactory(call=world.call), evaluator=world.evaluator)

    _same_count(client, reverse("review_list"), add)
