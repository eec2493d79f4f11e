"""Scenarios ranked by the committee's consensus scores, and the comparison
that shows each scenario's rules side by side in plain words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from solidaire.committee.services import consensus_record, meeting_for_call
from solidaire.selection.models import Scenario
from solidaire.selection.tests.test_views import _client, _create, _url, english, programme, setup

__all__ = ["english", "programme", "setup"]

pytestmark = pytest.mark.django_db


def _agree(call, setup, scores) -> None:  # type: ignore[no-untyped-def]
    meeting = meeting_for_call(call)
    for key, score in scores.items():
        consensus_record(
            meeting=meeting,
            proposal=setup[key],
            score=Decimal(score),
            rationale="Agreed at the meeting",
            recommendation="recommend",
            actor=setup["coordinator"],
        )


def test_a_scenario_can_rank_by_the_consensus_scores(call, setup) -> None:  # type: ignore[no-untyped-def]
    # The reviewers put « best » first; the committee agreed otherwise.
    _agree(call, setup, {"best": "40", "small_a": "90", "small_b": "85"})
    client = _client(setup["coordinator"])
    _create(client, call, name="Consensus", objective="merit_order", score_source="consensus")
    _create(client, call, name="Reviewers", objective="merit_order", score_source="reviews")
    consensus = Scenario.objects.get(name="Consensus")
    reviewers = Scenario.objects.get(name="Reviewers")
    scores = {p["id"]: p["score"] for p in consensus.instance["proposals"]}
    assert scores[setup["best"].reference] == 40.0
    assert consensus.instance["score_source"] == "consensus"
    funded = {row["id"] for row in consensus.result["funded"]}
    assert funded == {setup["small_a"].reference, setup["small_b"].reference}
    assert setup["best"].reference in {row["id"] for row in reviewers.result["funded"]}


def test_consensus_scenario_is_refused_while_a_proposal_has_no_consensus(call, setup) -> None:  # type: ignore[no-untyped-def]
    _agree(call, setup, {"best": "40"})
    response = _create(
        _client(setup["coordinator"]), call, name="Too early", score_source="consensus"
    )
    assert response.status_code == 200
    assert "has not recorded a consensus score on" in response.content.decode()
    assert 'value="Too early"' in response.content.decode()
    assert not Scenario.objects.exists()


def test_comparison_shows_rules_side_by_side_and_a_concordance_column(call, setup) -> None:  # type: ignore[no-untyped-def]
    client = _client(setup["coordinator"])
    _create(client, call, name="Optimal", max_per_organisation="1")
    _create(client, call, name="Rang", method="rank", partial="partial", min_share="50")
    ids = list(Scenario.objects.order_by("pk").values_list("pk", flat=True))
    html = client.get(_url(call, "selection:compare"), {"s": ids}).content.decode()
    assert "At most 1 funded initiative(s) per organisation." in html
    assert "At least 50" in html and "All or nothing." in html
    assert "Ranks by the reviewers&#x27; weighted mean." in html
    assert ">Concordance<" in html
    assert "integer programming" not in html
    assert "Best selection, proven" in html
