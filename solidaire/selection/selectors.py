"""Reads of scenarios: what a result funds, by stream, territory and
priority, and how two scenarios differ (the engine's choice beside the
spreadsheet's rank-and-cut).

Everything is computed from the scenario's stored instance and result plus
one query for territory populations, so a page showing several scenarios
side by side costs a constant number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from solidaire.common.money import ZERO, to_money
from solidaire.programmes.models import Territory
from solidaire.selection.models import Scenario
from solidaire.selection.services import ENVELOPE_POOL


@dataclass(frozen=True)
class ScenarioTotals:
    """What a solved scenario funds: totals per fiscal year, per pool
    (stream or sub-envelope), per territory (with dollars per inhabitant)
    and per priority."""

    funded: tuple[str, ...]
    total: Decimal
    by_year: dict[str, Decimal]
    by_pool: dict[str, Decimal]
    by_territory: dict[str, Decimal]
    per_capita: dict[str, Decimal | None]
    by_priority: dict[str, int]
    reasons: dict[str, list[str]] = field(default_factory=dict)


def scenario_totals(
    scenario: Scenario, *, populations: dict[str, int] | None = None
) -> ScenarioTotals:
    """Totals of a solved scenario (all zero before it is solved).

    A proposal serving several territories counts its amount in each
    territory's share equally, so that the territories' totals add up to
    the scenario's total.
    """
    result: dict[str, Any] = scenario.result or {}
    proposals = {p["id"]: p for p in scenario.instance.get("proposals", [])}
    if populations is None:
        populations = dict(
            Territory.objects.exclude(population=None).values_list("code", "population")
        )
    by_year: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_pool: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_territory: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_priority: dict[str, int] = defaultdict(int)
    funded = []
    for item in result.get("funded", []):
        funded.append(item["id"])
        amount = ZERO
        for fy, value in item["amounts"].items():
            by_year[fy] += to_money(value)
            amount += to_money(value)
        info = proposals.get(item["id"], {})
        for pool in info.get("pools", []):
            if pool != ENVELOPE_POOL:
                by_pool[pool] += amount
        territories = info.get("territories") or []
        for code in territories:
            by_territory[code] += to_money(amount / len(territories))
        for priority in info.get("priorities", []):
            by_priority[priority] += 1
    per_capita: dict[str, Decimal | None] = {
        code: (value / populations[code]).quantize(Decimal("0.01"))
        if populations.get(code)
        else None
        for code, value in by_territory.items()
    }
    return ScenarioTotals(
        funded=tuple(sorted(funded)),
        total=sum(by_year.values(), ZERO),
        by_year=dict(sorted(by_year.items())),
        by_pool=dict(sorted(by_pool.items())),
        by_territory=dict(sorted(by_territory.items())),
        per_capita=per_capita,
        by_priority=dict(sorted(by_priority.items())),
        reasons={n["id"]: list(n["reasons"]) for n in result.get("not_funded", [])},
    )


@dataclass(frozen=True)
class ScenarioDifference:
    """Proposals funded by one scenario and not the other."""

    only_first: tuple[str, ...]
    only_second: tuple[str, ...]
    both: tuple[str, ...]


def scenario_difference(first: Scenario, second: Scenario) -> ScenarioDifference:
    """What changes between two scenarios (for instance optimal vs rank-and-cut)."""
    a = {item["id"] for item in (first.result or {}).get("funded", [])}
    b = {item["id"] for item in (second.result or {}).get("funded", [])}
    return ScenarioDifference(
        only_first=tuple(sorted(a - b)), only_second=tuple(sorted(b - a)), both=tuple(sorted(a & b))
    )
