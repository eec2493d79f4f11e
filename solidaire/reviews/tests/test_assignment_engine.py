"""The assignment engine alone (no database): every proposal gets its
reviews, no conflict, loads as even as capacities allow, sectors mixed,
known territories preferred, kept assignments kept, and an infeasible
request explained proposal by proposal."""

from __future__ import annotations

import random
from collections import Counter

from solidaire.reviews.assignment_engine import (
    Evaluator,
    Problem,
    ProposalNeed,
    greedy_assign,
    load_band,
    load_spread,
    solve,
)


def _problem(
    n_proposals: int = 30,
    n_evaluators: int = 8,
    reviews: int = 3,
    *,
    capacity: int = 20,
    conflict_share: float = 0.0,
    seed: int = 1,
    **kwargs: object,
) -> Problem:
    rng = random.Random(seed)
    sectors = ("municipal", "government", "community", "philanthropic")
    evaluators = tuple(
        Evaluator(key=100 + i, capacity=capacity, sector=sectors[i % 4])
        for i in range(n_evaluators)
    )
    proposals = tuple(ProposalNeed(key=j) for j in range(n_proposals))
    conflicts = frozenset(
        (e.key, p.key) for e in evaluators for p in proposals if rng.random() < conflict_share
    )
    return Problem(evaluators, proposals, reviews, conflicts, **kwargs)  # type: ignore[arg-type]


def _per_proposal(pairs: frozenset[tuple[int, int]]) -> Counter[int]:
    return Counter(p for _e, p in pairs)


def test_every_proposal_gets_its_reviews_without_any_conflict() -> None:
    problem = _problem(conflict_share=0.2, seed=3)
    result = solve(problem)
    assert result.status == "optimal"
    assert set(_per_proposal(result.pairs).values()) == {3}
    assert not result.pairs & problem.conflicts
    assert not result.shortfalls


def test_loads_differ_by_at_most_one_when_capacities_allow() -> None:
    problem = _problem(n_proposals=31, n_evaluators=7, conflict_share=0.1, seed=5)
    result = solve(problem)
    loads = result.loads.values()
    assert max(loads) - min(loads) <= 1
    assert load_spread(problem, result.loads) <= 1


def test_a_small_capacity_is_respected_and_the_others_share_evenly() -> None:
    people = (
        Evaluator(1, capacity=2, sector="a"),
        Evaluator(2, capacity=50, sector="b"),
        Evaluator(3, capacity=50, sector="c"),
        Evaluator(4, capacity=50, sector="d"),
    )
    problem = Problem(people, tuple(ProposalNeed(j) for j in range(20)), 2)
    result = solve(problem)
    assert result.loads[1] == 2
    others = [result.loads[e] for e in (2, 3, 4)]
    assert max(others) - min(others) <= 1
    assert sum(result.loads.values()) == 40
    assert load_band(problem)[1] == (2, 2)


def test_sectors_are_mixed_on_each_proposal_when_possible() -> None:
    people = tuple(Evaluator(i, capacity=10, sector=("x", "y", "z")[i % 3]) for i in range(6))
    problem = Problem(people, tuple(ProposalNeed(j) for j in range(6)), 3)
    result = solve(problem)
    sector = {e.key: e.sector for e in people}
    for p in range(6):
        chosen = [sector[e] for e, q in result.pairs if q == p]
        assert len(set(chosen)) == 3, chosen


def test_an_evaluator_who_knows_the_territory_is_preferred() -> None:
    people = (
        Evaluator(1, capacity=1, sector="a"),
        Evaluator(2, capacity=1, sector="a", territories=frozenset({"Portneuf"})),
    )
    problem = Problem(
        people,
        (ProposalNeed(1, frozenset({"Charlevoix"})), ProposalNeed(2, frozenset({"Portneuf"}))),
        1,
    )
    assert solve(problem).pairs == {(2, 2), (1, 1)}


def test_kept_assignments_stay_and_count_in_the_loads() -> None:
    problem = _problem(n_proposals=10, n_evaluators=5, reviews=2)
    kept = frozenset({(100, 0), (100, 1), (100, 2), (101, 0)})
    problem = Problem(
        problem.evaluators, problem.proposals, 2, kept=kept, excluded=frozenset({(102, 1)})
    )
    result = solve(problem)
    assert kept <= result.pairs
    assert (102, 1) not in result.pairs
    assert set(_per_proposal(result.pairs).values()) == {2}
    assert max(result.loads.values()) - min(result.loads.values()) <= 1


def test_too_few_unconflicted_evaluators_is_explained_per_proposal() -> None:
    people = tuple(Evaluator(i, capacity=10, sector="s") for i in range(3))
    problem = Problem(
        people,
        (ProposalNeed(7), ProposalNeed(8)),
        3,
        conflicts=frozenset({(0, 7)}),
    )
    result = solve(problem)
    assert result.status == "infeasible"
    (short,) = result.shortfalls
    assert (short.proposal, short.missing, short.available, short.reason) == (7, 1, 2, "evaluators")
    # The proposal that can be served still is, and nobody conflicted is used.
    assert _per_proposal(result.pairs)[8] == 3
    assert (0, 7) not in result.pairs


def test_capacities_too_small_are_told_apart_from_missing_evaluators() -> None:
    people = tuple(Evaluator(i, capacity=1, sector="s") for i in range(3))
    problem = Problem(people, (ProposalNeed(1), ProposalNeed(2)), 2)
    result = solve(problem)
    assert result.status == "infeasible"
    assert sum(s.missing for s in result.shortfalls) == 1
    assert {s.reason for s in result.shortfalls} == {"capacity"}


def test_greedy_baseline_respects_conflicts_and_capacities() -> None:
    problem = _problem(conflict_share=0.15, capacity=12, seed=9)
    result = greedy_assign(problem)
    assert not result.pairs & problem.conflicts
    assert all(load <= 12 for load in result.loads.values())


def test_an_empty_call_needs_no_assignment() -> None:
    result = solve(Problem((Evaluator(1, 5),), (), 3))
    assert result.status == "optimal"
    assert result.pairs == frozenset()
