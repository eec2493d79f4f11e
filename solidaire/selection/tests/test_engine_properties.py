"""Property tests: the engine against brute force on small random instances (n <= 14)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solidaire.selection.engine import parse_instance, result_to_dict, solve
from solidaire.selection.tests import oracle

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw: st.DrawFn, max_n: int = 14, partial: bool = False) -> dict[str, Any]:
    years = ["2020-2021", "2021-2022"][: draw(st.integers(1, 2))]
    n_pools = draw(st.integers(1, 3))
    pools = [
        {
            "id": f"V{k}",
            "amounts": {fy: f"{draw(st.integers(0, 12)) * 5000}.00" for fy in years},
        }
        for k in range(n_pools)
    ]
    n = draw(st.integers(1, max_n))
    proposals = []
    for i in range(n):
        its_pools = draw(
            st.lists(st.sampled_from([p["id"] for p in pools]), min_size=1, max_size=2, unique=True)
        )
        proposal: dict[str, Any] = {
            "id": f"P{i:02d}",
            "organisation": draw(st.sampled_from(["O1", "O2", "O3", f"O-{i}", f"O-{i}"])),
            "score": draw(st.sampled_from([50, 60, 66.67, 70, 72.5, 75.33, 80, 82.5, 85, 90, 95])),
            "pools": its_pools,
            "requested": {fy: f"{draw(st.integers(0, 6)) * 5000}.00" for fy in years},
            "territories": draw(
                st.lists(st.sampled_from(["A", "B", "C"]), max_size=2, unique=True)
            ),
            "priorities": draw(st.lists(st.sampled_from(["x", "y"]), max_size=1)),
            "lock": draw(st.sampled_from([None] * 25 + ["in", "out"])),
        }
        if partial and draw(st.booleans()):
            proposal["min_fraction"] = draw(st.sampled_from(["0.2", "0.5", "0.8"]))
        proposals.append(proposal)
    rules: dict[str, Any] = {}
    if draw(st.booleans()):
        rules["max_per_organisation"] = draw(st.integers(1, 2))
    if draw(st.booleans()):
        rules["min_per_territory"] = {
            t: draw(st.integers(0, 2))
            for t in draw(st.lists(st.sampled_from("ABC"), max_size=2, unique=True))
        }
    if draw(st.booleans()):
        rules["min_per_priority"] = {"x": draw(st.integers(0, 2))}
    if draw(st.booleans()):
        rules["min_score"] = draw(st.sampled_from([55, 65, 75]))
    return {"fiscal_years": years, "pools": pools, "proposals": proposals, "rules": rules}


def run(
    data: dict[str, Any], method: str = "optimal", objective: str | None = None
) -> dict[str, Any]:
    result = solve(parse_instance(data), method=method, objective=objective, time_limit=20)  # type: ignore[arg-type]
    return result_to_dict(result)


def value_of(data: dict[str, Any], result: dict[str, Any], objective: str) -> float:
    pl = oracle.plain(data)
    c = oracle.cost(pl, objective)
    index = {pid: i for i, pid in enumerate(pl.ids)}
    return sum(c[index[f["id"]]] * float(Fraction(f["fraction"])) for f in result["funded"])


def assert_matches_brute_force(data: dict[str, Any], objective: str) -> None:
    result = run(data, objective=objective)
    best = oracle.best_value(oracle.plain(data), objective)
    if best is None:
        assert result["status"] == "infeasible", result
        assert result["funded"] == []
        assert result["infeasibility"], "an infeasible result must say why"
        return
    assert result["status"] == "optimal", result
    assert oracle.check_result(data, result) == []
    got = value_of(data, result, objective)
    assert abs(got - best) <= 1e-6 * max(1.0, abs(best)), (got, best)
    assert abs(result["objective"] - got) <= 1e-5 * max(1.0, abs(got))
    assert result["bound"] >= got - 1e-6 * max(1.0, abs(got))


def assert_exact_optimum(data: dict[str, Any], objective: str) -> None:
    """All or nothing: 'optimal' is the exact optimum, in rational arithmetic."""
    result = run(data, objective=objective)
    best = oracle.best_value_exact(oracle.plain(data), objective)
    if best is None:
        assert result["status"] == "infeasible", result
        return
    assert result["status"] == "optimal", result
    assert result["gap"] == 0
    pl = oracle.plain(data)
    index = {pid: i for i, pid in enumerate(pl.ids)}
    got = sum(
        (
            pl.score[index[f["id"]]]
            * (
                Fraction(int(pl.req[index[f["id"]]].sum()), 100)
                if objective == "score_dollars"
                else 1
            )
            for f in result["funded"]
        ),
        Fraction(0),
    )
    assert got == best, (got, best)


@FAST
@given(instances(), st.sampled_from(["total_score", "score_dollars"]))
def test_all_or_nothing_optimum_is_exact(data: dict[str, Any], objective: str) -> None:
    # Fractional scores such as 82.5 and 75.33: the integral objective scaling
    # (gap below one unit proves optimality) must still give the exact optimum.
    assert_exact_optimum(data, objective)


@FAST
@given(instances())
def test_total_score_equals_brute_force(data: dict[str, Any]) -> None:
    assert_matches_brute_force(data, "total_score")


@FAST
@given(instances())
def test_score_dollars_equals_brute_force(data: dict[str, Any]) -> None:
    assert_matches_brute_force(data, "score_dollars")


@SLOW
@given(instances(max_n=7, partial=True))
def test_partial_funding_equals_brute_force_lp(data: dict[str, Any]) -> None:
    assert_matches_brute_force(data, "total_score")
    assert_matches_brute_force(data, "score_dollars")


def assert_merit_order(data: dict[str, Any]) -> None:
    result = run(data, objective="merit_order")
    pl = oracle.plain(data)
    if oracle.best_value(pl, "total_score") is None:
        assert result["status"] == "infeasible", result
        assert result["infeasibility"]
        return
    assert result["status"] == "optimal", result
    assert oracle.check_result(data, result) == []
    chosen = {f["id"]: Fraction(f["fraction"]) for f in result["funded"]}
    fractions = [chosen.get(pid, Fraction(0)) for pid in pl.ids]
    # Each decision, in score order, is the largest fraction that keeps every
    # rule satisfiable given the decisions before it: the lexicographic optimum.
    for t in pl.order:
        expected = oracle.merit_expected(pl, fractions, t)
        got = fractions[t]
        assert (got == 0) == (expected == 0), (pl.ids[t], got, expected)
        assert abs(got - expected) <= Fraction(1, 10**6), (pl.ids[t], got, expected)


@FAST
@given(instances(max_n=11))
def test_merit_order_is_lexicographic_optimum(data: dict[str, Any]) -> None:
    assert_merit_order(data)


@SLOW
@given(instances(max_n=8, partial=True))
def test_merit_order_with_partial_funding(data: dict[str, Any]) -> None:
    assert_merit_order(data)


@FAST
@given(instances())
def test_rank_is_the_spreadsheet_cut(data: dict[str, Any]) -> None:
    result = run(data, method="rank", objective="total_score")
    assert sorted(f["id"] for f in result["funded"]) == oracle.rank_oracle(data)
    assert all(f["fraction"] == "1" for f in result["funded"])
    broken = oracle.check_result(data, result)
    # Budgets and organisation limits always hold; missed minimums or locks are listed.
    assert not any("overspent" in p or "organisation" in p for p in broken)
    assert bool(broken) == bool(result["infeasibility"]), (broken, result["infeasibility"])


@FAST
@given(
    instances(max_n=10, partial=True),
    st.sampled_from(["total_score", "score_dollars", "merit_order"]),
)
def test_optimal_never_worse_than_a_rank_meeting_every_rule(
    data: dict[str, Any], objective: str
) -> None:
    rank = run(data, method="rank", objective=objective)
    best = run(data, method="optimal", objective=objective)
    if rank["infeasibility"]:
        return
    assert best["status"] == "optimal"
    if objective == "merit_order":
        pl = oracle.plain(data)
        r = {f["id"]: Fraction(f["fraction"]) for f in rank["funded"]}
        b = {f["id"]: Fraction(f["fraction"]) for f in best["funded"]}
        rv = [r.get(pl.ids[i], Fraction(0)) for i in pl.order]
        bv = [b.get(pl.ids[i], Fraction(0)) for i in pl.order]
        assert bv >= rv
    else:
        assert value_of(data, best, objective) >= value_of(data, rank, objective) - 1e-6


@FAST
@given(
    instances(max_n=10, partial=True),
    st.sampled_from(["total_score", "score_dollars", "merit_order"]),
)
def test_locks_are_honoured(data: dict[str, Any], objective: str) -> None:
    result = run(data, objective=objective)
    if result["status"] == "infeasible":
        return
    funded = {f["id"] for f in result["funded"]}
    for p in data["proposals"]:
        if p.get("lock") == "in":
            assert p["id"] in funded
        if p.get("lock") == "out":
            assert p["id"] not in funded


@FAST
@given(instances(max_n=10))
def test_every_not_funded_proposal_has_a_reason(data: dict[str, Any]) -> None:
    for method in ("rank", "optimal"):
        result = run(data, method=method)
        assert all(n["reasons"] for n in result["not_funded"]), result["not_funded"]
