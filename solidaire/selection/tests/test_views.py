"""Selection pages: who may see them, building a scenario, the rank-and-cut
beside it, sensitivity, comparison, and adopting the decision."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from solidaire.applications.models import Proposal
from solidaire.ledger.models import Commitment
from solidaire.ledger.selectors import calls_figures, programme_balances
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.programmes.models import ProgrammeRole
from solidaire.reviews.models import Review
from solidaire.selection.models import Award, Decision, Scenario
from solidaire.testing import factories as f

S = Proposal.Status
R = ProgrammeRole.Role
WHEN = datetime(2020, 2, 10, 15, tzinfo=UTC)


def _proposal(call, stream, *, score, amount, territory="2434", organisation=None):
    organisation = organisation or f.OrganisationFactory(territory=f.territory(territory))
    proposal = f.ProposalFactory(
        call=call, stream=stream, organisation=organisation, status=S.UNDER_REVIEW
    )
    proposal.territories.set([f.territory(territory)])
    f.RequestedAmountFactory(proposal=proposal, amount=Decimal(amount))
    review = f.ReviewFactory(proposal=proposal, status=Review.Status.SUBMITTED, submitted_at=WHEN)
    for criterion in call.criteria.all():
        f.ScoreFactory(review=review, criterion=criterion, value=score)
    return proposal


@pytest.fixture(autouse=True)
def english(settings):
    # These tests read the pages' English wording; the French is checked by
    # the catalogue tests and the pages' own tests.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def programme(db):  # type: ignore[no-untyped-def]
    # Decisions on these pages are dated today: the programme runs until 2030
    # so that today falls within it.
    return f.ProgrammeFactory(ends_on=date(2030, 3, 31), years=[Decimal("840000.00")] * 5)


@pytest.fixture
def setup(call):
    """One regional stream of 100 000 $: the best proposal (60 000 $) blocks
    two smaller ones (50 000 $ each) under rank-and-cut."""
    programme = call.programme
    fy = programme.fiscal_years.order_by("starts_on").first()
    for value in range(6):
        f.ScaleLevelFactory(call=call, value=value)
    f.CriterionFactory(call=call, weight=Decimal("100"))
    stream = f.StreamFactory(call=call, code="regional", name="Volet régional")
    f.AllocationFactory(stream=stream, fiscal_year=fy, amount=Decimal("100000.00"))
    best = _proposal(call, stream, score=5, amount="60000.00")
    small_a = _proposal(call, stream, score=4, amount="50000.00", territory="2415")
    small_b = _proposal(call, stream, score=4, amount="50000.00")
    people = {
        role: f.ProgrammeRoleFactory(programme=programme, role=role).user
        for role in (R.COORDINATOR, R.COMMITTEE, R.EVALUATOR, R.TRUSTEE_FINANCE)
    }
    applicant = f.OrganisationMemberFactory(organisation=best.organisation).user
    return {
        "fy": fy,
        "stream": stream,
        "best": best,
        "small_a": small_a,
        "small_b": small_b,
        "coordinator": people[R.COORDINATOR],
        "committee": people[R.COMMITTEE],
        "evaluator": people[R.EVALUATOR],
        "trustee": people[R.TRUSTEE_FINANCE],
        "applicant": applicant,
        "stranger": f.UserFactory(),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(call, name="selection:call", **kwargs) -> str:
    return reverse(name, kwargs={"programme": call.programme.slug, "number": call.number, **kwargs})


def _create(client, call, **data) -> object:
    payload = {
        "name": "Le plus de mérite",
        "method": "optimal",
        "objective": "total_score",
        "partial": "none",
        **data,
    }
    return client.post(_url(call), payload)


# ----------------------------------------------------------------------------- access


@pytest.mark.django_db
def test_selection_pages_checks_ownership(call, setup):
    scenario = Scenario.objects.create(call=call, name="Vide", instance={}, result=None)
    urls = [
        _url(call),
        _url(call, "selection:scenario", pk=scenario.pk),
        _url(call, "selection:compare") + f"?s={scenario.pk}",
    ]
    for url in urls:
        for who in ("applicant", "evaluator", "trustee", "stranger"):
            assert _client(setup[who]).get(url).status_code == 404, (url, who)
        response = Client().get(url)
        assert response.status_code == 302 and "/connexion/" in response["Location"]
        assert _client(setup["coordinator"]).get(url).status_code == 200
        assert _client(setup["committee"]).get(url).status_code == 200
    # Writing is refused the same way.
    assert _create(_client(setup["applicant"]), call).status_code == 404
    assert not Scenario.objects.exclude(pk=scenario.pk).exists()


@pytest.mark.django_db
def test_another_programmes_coordinator_gets_404(call, setup):
    other = f.ProgrammeRoleFactory(role=R.COORDINATOR).user
    assert _client(other).get(_url(call)).status_code == 404


@pytest.mark.django_db
def test_committee_member_cannot_adopt(call, setup):
    _create(_client(setup["coordinator"]), call)
    scenario = Scenario.objects.get()
    response = _client(setup["committee"]).post(
        _url(call, "selection:adopt", pk=scenario.pk),
        {"resolution_number": "CR-1", "confirm": "on"},
    )
    assert response.status_code == 200
    assert "Only the programme's coordination records" in response.content.decode()
    assert not Decision.objects.exists()


# ----------------------------------------------------------------------------- building


@pytest.mark.django_db
def test_invalid_scenario_keeps_input_and_writes_nothing(call, setup):
    response = _create(
        _client(setup["coordinator"]),
        call,
        name="",
        partial="partial",
        min_share="150",
        max_per_organisation="0",
        min_territory_2415="-1",
        min_score="abc",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert not Scenario.objects.exists()
    assert 'class="error-summary"' in html
    for field in ("id_name", "id_min_share", "id_max_per_organisation", "id_min_territory_2415"):
        assert f'href="#{field}"' in html, field  # the summary links to the field
        assert f'id="{field}_error"' in html, field  # the error sits next to it
    assert 'value="150"' in html and 'value="abc"' in html  # input kept
    assert 'value="partial" required aria-describedby' not in html or "checked" in html


@pytest.mark.django_db
def test_partial_funding_needs_a_share(call, setup):
    response = _create(_client(setup["coordinator"]), call, partial="partial")
    assert response.status_code == 200
    assert 'id="id_min_share_error"' in response.content.decode()
    assert not Scenario.objects.exists()


@pytest.mark.django_db
def test_creating_a_scenario_solves_it_beside_the_rank_and_cut(call, setup):
    client = _client(setup["coordinator"])
    response = _create(client, call, min_territory_2415="1", max_per_organisation="1")
    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(call, "selection:scenario", pk=scenario.pk)
    assert scenario.result["status"] == "optimal"
    assert scenario.instance["rules"] == {
        "max_per_organisation": 1,
        "min_per_territory": {"2415": 1},
    }
    funded = {item["id"] for item in scenario.result["funded"]}
    assert funded == {setup["small_a"].reference, setup["small_b"].reference}

    html = client.get(response["Location"]).content.decode()
    # The rank-and-cut on the same instance funds the best proposal alone
    # (and misses the territory minimum); the differences are said in words.
    assert f'data-diff="here" data-ref="{setup["small_a"].reference}"' in html
    assert f'data-diff="rank" data-ref="{setup["best"].reference}"' in html
    assert "+ funded here only" in html and "− funded by rank-and-cut only" in html
    assert "Volet régional" in html
    assert "Charlevoix" in html  # territory 2415's name in the totals
    assert "$100,000.00" in html or "100\xa0000,00\xa0$" in html


@pytest.mark.django_db
def test_scenario_list_shows_figures(call, setup):
    client = _client(setup["coordinator"])
    _create(client, call, name="Total des scores")
    html = client.get(_url(call)).content.decode()
    scenario = Scenario.objects.get()
    assert f'data-scenario="{scenario.pk}"' in html
    assert "Total des scores" in html
    assert "Most merit for the money" in html or "Le plus de mérite" in html


@pytest.mark.django_db
def test_locks_build_a_new_scenario(call, setup):
    client = _client(setup["coordinator"])
    _create(client, call)
    first = Scenario.objects.get()
    response = client.post(
        _url(call, "selection:locks", pk=first.pk),
        {"name": "Avec verrou", f"lock_{setup['best'].reference}": "in"},
    )
    new = Scenario.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302
    assert new.name == "Avec verrou" and new.objective == first.objective
    assert setup["best"].reference in {item["id"] for item in new.result["funded"]}
    locks = {p["id"]: p["lock"] for p in new.instance["proposals"]}
    assert locks[setup["best"].reference] == "in"


# ----------------------------------------------------------------------------- sensitivity and comparison


@pytest.mark.django_db
def test_sensitivity_shows_who_enters_and_stores_nothing(call, setup):
    client = _client(setup["coordinator"])
    _create(client, call)
    scenario = Scenario.objects.get()
    before = (scenario.instance, scenario.result)
    url = _url(call, "selection:scenario", pk=scenario.pk)
    html = client.get(url, {"pool": "regional", "fiscal_year": "", "delta": "10000"}).content
    html = html.decode()
    # With 110 000 $, the best proposal fits beside one of the small ones.
    assert f'data-enter="{setup["best"].reference}"' in html
    assert 'data-leave="' in html
    scenario.refresh_from_db()
    assert (scenario.instance, scenario.result) == before
    assert Scenario.objects.count() == 1

    bad = client.get(url, {"pool": "nowhere", "delta": "0"}).content.decode()
    assert 'id="id_pool_error"' in bad and 'id="id_delta_error"' in bad


@pytest.mark.django_db
def test_compare_shows_scenarios_side_by_side(call, setup):
    client = _client(setup["coordinator"])
    _create(client, call, name="Optimal")
    _create(client, call, name="Rang", method="rank")
    optimal, rank = Scenario.objects.get(name="Optimal"), Scenario.objects.get(name="Rang")
    html = client.get(_url(call, "selection:compare"), {"s": [optimal.pk, rank.pk]}).content
    html = html.decode()
    assert f'data-scenario="{optimal.pk}"' in html and f'data-scenario="{rank.pk}"' in html
    assert html.index("Optimal") < html.index("Rang")
    for p in ("best", "small_a", "small_b"):
        assert f'data-ref="{setup[p].reference}" class="row--differs"' in html
    assert "≠ the scenarios differ" in html


@pytest.mark.django_db
def test_compare_ignores_other_calls_scenarios(call, setup):
    other = Scenario.objects.create(call=f.CallFactory(), name="Ailleurs", instance={})
    html = (
        _client(setup["coordinator"])
        .get(_url(call, "selection:compare"), {"s": [other.pk, "x"]})
        .content.decode()
    )
    assert "Ailleurs" not in html


# ----------------------------------------------------------------------------- adoption


@pytest.mark.django_db
def test_adopting_writes_the_decision_and_the_ledger(call, setup):
    client = _client(setup["coordinator"])
    _create(client, call)
    scenario = Scenario.objects.get()
    response = client.post(
        _url(call, "selection:adopt", pk=scenario.pk),
        {"resolution_number": "CR-2020-07", "confirm": "on"},
    )
    assert response.status_code == 302 and response["Location"] == _url(call)
    decision = Decision.objects.get()
    assert decision.resolution_number == "CR-2020-07"
    assert decision.decided_by == setup["coordinator"]
    assert Award.objects.filter(decision=decision).count() == 2
    assert calls_figures([call])[call.pk].committed == Decimal("100000.00")
    (first, *_rest) = programme_balances(call.programme)
    assert first.committed == Decimal("100000.00")
    assert Proposal.objects.get(pk=setup["best"].pk).status == S.DECLINED

    page = client.get(_url(call)).content.decode()
    assert 'data-figure="resolution">CR-2020-07' in page
    assert "Build a scenario" not in page  # the call is decided
    detail = client.get(_url(call, "selection:scenario", pk=scenario.pk)).content.decode()
    assert 'data-figure="decision"' in detail
    assert "Adopt this scenario" not in detail


@pytest.mark.django_db
def test_adopting_twice_is_refused_with_a_message(call, setup):
    client = _client(setup["coordinator"])
    _create(client, call, name="Un")
    _create(client, call, name="Deux", method="rank")
    one, two = Scenario.objects.get(name="Un"), Scenario.objects.get(name="Deux")
    client.post(
        _url(call, "selection:adopt", pk=one.pk), {"resolution_number": "CR-1", "confirm": "on"}
    )
    response = client.post(
        _url(call, "selection:adopt", pk=two.pk), {"resolution_number": "CR-2", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "already been decided" in response.content.decode()
    assert list(Decision.objects.values_list("resolution_number", flat=True)) == ["CR-1"]


@pytest.mark.django_db
def test_adoption_without_the_money_writes_nothing(call, setup):
    client = _client(setup["coordinator"])
    _create(client, call)
    scenario = Scenario.objects.get()
    # Between solving and adopting, another commitment takes most of the envelope.
    other = commitment_create(programme=call.programme, reference="autre", label="Autre")
    ledger_commit(commitment=other, amounts={setup["fy"]: Decimal("800000.00")}, actor=None)
    response = client.post(
        _url(call, "selection:adopt", pk=scenario.pk),
        {"resolution_number": "CR-1", "confirm": "on"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The decision was not recorded" in html and "Nothing was written" in html
    assert 'value="CR-1"' in html
    assert not Decision.objects.exists() and not Award.objects.exists()
    assert Commitment.objects.filter(call=call).count() == 0
    assert calls_figures([call])[call.pk].committed == Decimal("0.00")
    assert set(Proposal.objects.filter(call=call).values_list("status", flat=True)) == {
        S.UNDER_REVIEW
    }


@pytest.mark.django_db
def test_adoption_needs_resolution_and_confirmation(call, setup):
    client = _client(setup["coordinator"])
    _create(client, call)
    scenario = Scenario.objects.get()
    response = client.post(
        _url(call, "selection:adopt", pk=scenario.pk), {"resolution_number": " "}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_resolution_number_error"' in html and 'id="id_confirm_error"' in html
    assert not Decision.objects.exists()


# ----------------------------------------------------------------------------- queries


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_scenario_page_query_count_does_not_grow_with_proposals(call, setup):
    client = _client(setup["coordinator"])
    _create(client, call, name="Petit")
    small = Scenario.objects.get(name="Petit")
    for k in range(37):
        _proposal(call, setup["stream"], score=1 + k % 5, amount=f"{1000 + k}.00")
    _create(client, call, name="Grand")
    large = Scenario.objects.get(name="Grand")
    assert len(small.instance["proposals"]) == 3 and len(large.instance["proposals"]) == 40
    counts = [_queries(client, _url(call, "selection:scenario", pk=s.pk)) for s in (small, large)]
    assert counts[0] == counts[1]
    compare = _url(call, "selection:compare") + f"?s={small.pk}&s={large.pk}"
    assert _queries(client, compare) == _queries(
        client, _url(call, "selection:compare") + f"?s={small.pk}"
    )
