"""Selectors of the selection pages: totals with names, the rank-and-cut
twin, the what-if on a pool, and the comparison of scenarios."""

from __future__ import annotations

from decimal import Decimal

import pytest

from solidaire.selection.models import Scenario
from solidaire.selection.selectors import (
    call_selection,
    rank_twin,
    scenario_detail,
    scenario_sensitivity,
    scenarios_compare,
    status_label,
)
from solidaire.testing import factories as f

FY = "2020-2021"


def _instance(*proposals: dict, amount: str = "100000.00", rules: dict | None = None) -> dict:
    return {
        "fiscal_years": [FY],
        "pools": [{"id": "regional", "amounts": {FY: amount}}],
        "proposals": [
            {
                "pools": ["regional"],
                "min_fraction": "1",
                "territories": [],
                "priorities": [],
                "lock": None,
                **p,
            }
            for p in proposals
        ],
        "rules": rules or {},
        "objective": "total_score",
    }


def _p(ref: str, score: float, amount: str, territories: list[str] | None = None) -> dict:
    return {
        "id": ref,
        "organisation": ref,
        "score": score,
        "requested": {FY: amount},
        "territories": territories or [],
        "priorities": ["conditions-de-vie"],
    }


@pytest.fixture
def scenario(call):
    stream = f.StreamFactory(call=call, code="regional", name="Volet régional")
    for ref in ("A", "B", "C"):
        f.ProposalFactory(call=call, stream=stream, reference=ref, title=f"Initiative {ref}")
    instance = _instance(
        _p("A", 90, "60000.00", ["2423"]),
        _p("B", 80, "50000.00", ["2423802"]),
        _p("C", 80, "50000.00", ["2415", "2423802"]),
    )
    optimal = Scenario.objects.create(
        call=call, name="Optimal", method="optimal", objective="total_score", instance=instance
    )
    from solidaire.selection.services import scenario_solve

    return scenario_solve(scenario=optimal)


@pytest.mark.django_db
def test_rank_twin_uses_the_rank_method_on_the_same_instance(scenario):
    rank = rank_twin(scenario)
    assert rank["method"] == "rank"
    assert [item["id"] for item in rank["funded"]] == ["A"]
    assert {item["id"] for item in scenario.result["funded"]} == {"B", "C"}


@pytest.mark.django_db
def test_detail_differences_and_totals(scenario):
    detail = scenario_detail(scenario)
    assert [d.info.reference for d in detail.only_here] == ["B", "C"]
    assert [d.info.reference for d in detail.only_rank] == ["A"]
    assert detail.result.total == Decimal("100000.00")
    assert detail.rank.total == Decimal("60000.00")
    assert detail.result.funded[0].info.title.startswith("Initiative")
    by_territory = {row.label: row for row in detail.result.by_territory}
    # C serves two territories: its 50 000 $ is shared equally.
    assert by_territory["Charlevoix-Est"].total == Decimal("25000.00")
    assert by_territory["Charlevoix-Est"].per_capita == (Decimal(25000) / 15409).quantize(
        Decimal("0.01")
    )
    assert by_territory["Wendake"].total == Decimal("75000.00")
    assert by_territory["Wendake"].per_capita is None  # no census population
    assert by_territory["Wendake"].count == 2
    assert [(r.label, r.count, r.total) for r in detail.result.by_stream] == [
        ("Volet régional", 2, Decimal("100000.00"))
    ]
    (priority,) = detail.result.by_priority
    assert priority.count == 2
    assert detail.pools == [("regional", "Volet régional")]


@pytest.mark.django_db
def test_rank_result_is_never_called_proven_best():
    assert status_label("optimal", "rank") != status_label("optimal", "optimal")


@pytest.mark.django_db
def test_sensitivity_reports_entering_and_leaving_without_storing(scenario):
    stored = (scenario.instance, scenario.result)
    what_if = scenario_sensitivity(scenario, pool="regional", fiscal_year="", delta=Decimal(10000))
    assert [d.info.reference for d in what_if.entering] == ["A"]
    assert len(what_if.leaving) == 1
    assert what_if.total == Decimal("110000.00")
    scenario.refresh_from_db()
    assert (scenario.instance, scenario.result) == stored

    less = scenario_sensitivity(scenario, pool="regional", fiscal_year=FY, delta=Decimal(-60000))
    assert less.total == Decimal("0.00")
    assert {d.info.reference for d in less.leaving} == {"B", "C"}


@pytest.mark.django_db
def test_compare_and_list(call, scenario):
    rank = Scenario.objects.create(
        call=call,
        name="Rang",
        method="rank",
        instance=scenario.instance,
        result=rank_twin(scenario),
    )
    comparison = scenarios_compare(call, [scenario.pk, rank.pk, 999999])
    assert [c.scenario.name for c in comparison.columns] == ["Optimal", "Rang"]
    cells = {row.info.reference: row.cells for row in comparison.matrix}
    assert cells == {
        "A": [None, Decimal("60000.00")],
        "B": [Decimal("50000.00"), None],
        "C": [Decimal("50000.00"), None],
    }
    assert all(row.differs for row in comparison.matrix)
    rows = {row.scenario.name: row for row in call_selection(call).rows}
    assert rows["Optimal"].funded_count == 2 and rows["Optimal"].total == Decimal("100000.00")
    assert rows["Rang"].funded_count == 1
