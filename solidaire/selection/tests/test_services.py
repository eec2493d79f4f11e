from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from solidaire.applications.models import Proposal
from solidaire.ledger.models import Commitment
from solidaire.ledger.selectors import calls_figures, programme_balances
from solidaire.ledger.services import LedgerError, commitment_create, ledger_commit
from solidaire.reviews.models import Review
from solidaire.selection.models import Award, Decision
from solidaire.selection.selectors import scenario_difference, scenario_totals
from solidaire.selection.services import (
    SelectionError,
    decision_adopt,
    scenario_create,
    scenario_instance_for_call,
    scenario_solve,
)
from solidaire.testing import factories as f

S = Proposal.Status
DECIDED = datetime(2020, 5, 20, 19, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english():
    # These tests read the services' messages in English; French is the
    # default, checked by the catalogue tests.
    with translation.override("en"):
        yield


def _proposal(call, stream, *, score, amount, territory="2434", email=""):
    organisation = f.OrganisationFactory(territory=f.territory(territory), email=email)
    proposal = f.ProposalFactory(
        call=call, stream=stream, organisation=organisation, status=S.UNDER_REVIEW
    )
    proposal.territories.set([f.territory(territory)])
    f.RequestedAmountFactory(proposal=proposal, amount=Decimal(amount))
    review = f.ReviewFactory(
        proposal=proposal, status=Review.Status.SUBMITTED, submitted_at=DECIDED
    )
    for criterion in call.criteria.all():
        f.ScoreFactory(review=review, criterion=criterion, value=score)
    return proposal


@pytest.fixture
def setup(call):
    fy = call.programme.fiscal_years.order_by("starts_on").first()
    for value in range(6):
        f.ScaleLevelFactory(call=call, value=value)
    f.CriterionFactory(call=call, weight=Decimal("60"))
    f.CriterionFactory(call=call, weight=Decimal("40"))
    local = f.StreamFactory(call=call, code="local", territorial=True)
    regional = f.StreamFactory(call=call, code="regional")
    f.AllocationFactory(stream=local, territory=f.territory("2434"), fiscal_year=fy, amount=50000)
    f.AllocationFactory(stream=local, territory=f.territory("2415"), fiscal_year=fy, amount=30000)
    f.AllocationFactory(stream=regional, fiscal_year=fy, amount=Decimal("100000.00"))
    best = _proposal(call, regional, score=5, amount="60000.00", email="best@example.org")
    second = _proposal(call, regional, score=3, amount="60000.00", email="second@example.org")
    local_one = _proposal(call, local, score=4, amount="50000.00")
    return {"fy": fy, "best": best, "second": second, "local": local_one, "regional": regional}


@pytest.mark.django_db
def test_instance_has_stream_sub_envelope_and_envelope_pools(call, setup):
    instance = scenario_instance_for_call(call=call, rules={"max_per_organisation": 1})
    label = setup["fy"].label
    pools = {p["id"]: p["amounts"] for p in instance["pools"]}
    assert instance["fiscal_years"] == [label]
    assert pools["local"] == {label: "80000.00"}  # the sum of its sub-envelopes
    assert pools["local/2434"] == {label: "50000.00"}
    assert pools["local/2415"] == {label: "30000.00"}
    assert pools["regional"] == {label: "100000.00"}
    assert pools["enveloppe"] == {label: "840000.00"}
    by_id = {p["id"]: p for p in instance["proposals"]}
    local = by_id[setup["local"].reference]
    assert local["pools"] == ["local", "local/2434", "enveloppe"]
    assert local["score"] == 80.0
    assert local["requested"] == {label: "50000.00"}
    assert by_id[setup["best"].reference]["score"] == 100.0
    assert instance["rules"] == {"max_per_organisation": 1}


@pytest.mark.django_db
def test_adopting_a_scenario_commits_the_ledger_and_sends_letters(
    call, setup, django_capture_on_commit_callbacks
):
    coordinator = f.UserFactory()
    scenario = scenario_solve(
        scenario=scenario_create(call=call, name="Mérite", actor=coordinator), now=DECIDED
    )
    with django_capture_on_commit_callbacks(execute=True):
        decision = decision_adopt(
            scenario=scenario, actor=coordinator, resolution_number="CR-2020-07", now=DECIDED
        )
    best, second, local = (
        Proposal.objects.get(pk=setup[k].pk) for k in ("best", "second", "local")
    )
    assert best.status == S.FUNDED and local.status == S.FUNDED
    assert second.status == S.DECLINED
    assert best.commitment.reference == f"proposal:{best.pk}"
    assert local.commitment.territory.code == "2434"
    assert Award.objects.filter(decision=decision).count() == 2
    assert calls_figures([call])[call.pk].committed == Decimal("110000.00")
    call.refresh_from_db()
    assert call.decided_at == DECIDED
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"best@example.org", "second@example.org"} <= recipients
    with pytest.raises(SelectionError):
        decision_adopt(scenario=scenario, actor=coordinator, resolution_number="CR-2", now=DECIDED)


@pytest.mark.django_db
def test_decision_rolls_back_entirely_when_the_ledger_lacks_money(call, setup):
    coordinator = f.UserFactory()
    scenario = scenario_solve(
        scenario=scenario_create(call=call, name="Mérite", actor=coordinator), now=DECIDED
    )
    # Between solving and adopting, another commitment takes most of the envelope.
    other = commitment_create(programme=call.programme, reference="autre", label="Autre")
    ledger_commit(commitment=other, amounts={setup["fy"]: Decimal("800000.00")}, actor=None)
    with pytest.raises(LedgerError, match="envelope"):
        decision_adopt(scenario=scenario, actor=coordinator, resolution_number="CR-1", now=DECIDED)
    assert not Decision.objects.exists()
    assert not Award.objects.exists()
    assert Commitment.objects.filter(call=call).count() == 0
    assert set(Proposal.objects.values_list("status", flat=True)) == {S.UNDER_REVIEW}
    call.refresh_from_db()
    assert call.decided_at is None
    assert calls_figures([call])[call.pk].committed == Decimal("0.00")


@pytest.mark.django_db
def test_unsolved_scenario_cannot_be_adopted(call, setup):
    scenario = scenario_create(call=call, name="Brouillon", actor=None)
    with pytest.raises(SelectionError):
        decision_adopt(scenario=scenario, actor=f.UserFactory(), resolution_number="CR-1")


@pytest.mark.django_db
def test_scenario_totals_and_difference_with_rank_and_cut(call, setup):
    label = setup["fy"].label
    merit = scenario_solve(scenario=scenario_create(call=call, name="Mérite", actor=None))
    rank = scenario_solve(
        scenario=scenario_create(call=call, name="Rang", actor=None, method="rank")
    )
    totals = scenario_totals(merit)
    assert totals.total == Decimal("110000.00")
    assert totals.by_year == {label: Decimal("110000.00")}
    assert totals.by_pool == {
        "local": Decimal("50000.00"),
        "local/2434": Decimal("50000.00"),
        "regional": Decimal("110000.00") - Decimal("50000.00"),
    }
    assert totals.by_territory == {"2434": Decimal("110000.00")}
    assert totals.per_capita["2434"] == Decimal("1.98")  # 110 000 $ / 55 523 inhabitants
    assert setup["second"].reference in totals.reasons
    difference = scenario_difference(merit, rank)
    assert difference.only_first == difference.only_second == ()
    assert set(difference.both) == {setup["best"].reference, setup["local"].reference}


@pytest.mark.django_db
def test_a_call_without_allocations_selects_within_the_remaining_envelope(call):
    """Like the demo's second call: streams, but no money split among them;
    the scenario and the decision draw on what the envelope has left."""
    fy = call.programme.fiscal_years.order_by("starts_on").first()
    for value in range(6):
        f.ScaleLevelFactory(call=call, value=value)
    f.CriterionFactory(call=call, weight=Decimal("100"))
    local = f.StreamFactory(call=call, code="local")
    big = _proposal(call, local, score=5, amount="800000.00")
    small = _proposal(call, local, score=4, amount="40000.00")
    too_much = _proposal(call, local, score=3, amount="1000.01")

    instance = scenario_instance_for_call(call=call)
    assert [p["id"] for p in instance["pools"]] == ["enveloppe"]
    assert {p["id"]: p["pools"] for p in instance["proposals"]}[big.reference] == ["enveloppe"]

    coordinator = f.UserFactory()
    scenario = scenario_solve(
        scenario=scenario_create(call=call, name="Enveloppe", actor=coordinator), now=DECIDED
    )
    funded = {item["id"] for item in scenario.result["funded"]}
    assert funded == {big.reference, small.reference}
    assert too_much.reference not in funded
    decision_adopt(scenario=scenario, actor=coordinator, resolution_number="CR-9", now=DECIDED)
    assert calls_figures([call])[call.pk].committed == Decimal("840000.00")
    assert programme_balances(call.programme)[0].available == Decimal("0.00")
    assert fy.label == programme_balances(call.programme)[0].label


@pytest.mark.django_db
def test_a_scenario_whose_audit_event_fails_is_not_kept(call, setup, monkeypatch):
    # The database lost between the scenario's row and its audit event: the
    # error is raised where the second statement would run.
    from django.db import OperationalError

    from solidaire.selection import services
    from solidaire.selection.models import Scenario

    def connection_lost(**kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "audit_record", connection_lost)
    with pytest.raises(OperationalError):
        scenario_create(call=call, name="Mérite", actor=None)
    assert not Scenario.objects.filter(call=call).exists()
