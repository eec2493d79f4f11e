"""Assigning evaluators to proposals: an integer programme solved with HiGHS.

A pure module (nothing of Django), tested and benchmarked alone; the call's
assignment page feeds it through :mod:`solidaire.reviews.assignment`.

The model. One binary x[e, p] per evaluator e and proposal p that may be
paired (no conflict of interest, e has some capacity, e was not released
from p). Pairs already assigned and kept are fixed at 1.

- every proposal gets its reviews:  Σ_e x[e, p] + short[p] = need[p]
- no evaluator beyond capacity:     Σ_p x[e, p] ≤ cap[e]
- even loads: the level T is the least integer with Σ_e min(cap[e], T) ≥ the
  reviews to hand out; each evaluator's load should lie in the band
  [min(cap[e], T − 1), min(cap[e], T)], so that loads differ by at most one
  except where a capacity holds someone lower. ``over[e]`` and ``under[e]``
  measure how far a load leaves its band;
- sectors mixed: rep[p, s] ≥ Σ_{e of sector s} x[e, p] − 1, the reviews of a
  proposal beyond the first from one sector;
- territories: known[p] ≤ Σ_{e knowing a territory of p} x[e, p], known[p] ≤ 1:
  at least one evaluator who knows a territory the proposal serves.

Minimised, in integral weights that make the order of concerns plain:

    100 000 · Σ short + 1 000 · Σ (over + under) + 10 · Σ rep − 3 · Σ known

A proposal short of reviews therefore means no assignment gives it its
reviews (the shortfall is minimal); :class:`Shortfall` then says why. The
objective is integral, so an absolute gap below one proves optimality.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import highspy
import numpy as np

W_SHORT = 100_000
W_BAND = 1_000
W_SECTOR = 10
W_TERRITORY = 3

Pair = tuple[int, int]  # (evaluator key, proposal key)


@dataclass(frozen=True)
class Evaluator:
    key: int
    capacity: int
    sector: str = ""  # empty: unknown, never counted as a repeated sector
    territories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProposalNeed:
    key: int
    territories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Problem:
    evaluators: tuple[Evaluator, ...]
    proposals: tuple[ProposalNeed, ...]
    reviews_per_proposal: int
    conflicts: frozenset[Pair] = frozenset()
    kept: frozenset[Pair] = frozenset()  # assignments that stay as they are
    excluded: frozenset[Pair] = frozenset()  # pairs not to make (released reviews)


@dataclass(frozen=True)
class Shortfall:
    """A proposal that cannot get its reviews. ``reason`` is "evaluators"
    when fewer evaluators than reviews are free of conflict with it (and
    have any capacity), "capacity" when there are enough of them but their
    capacities are taken by other proposals."""

    proposal: int
    missing: int
    available: int
    reason: str


@dataclass
class Assignment:
    # "optimal" | "time_limit" | "infeasible" (a shortfall remains) | "greedy"
    status: str
    pairs: frozenset[Pair]  # every assignment, kept ones included
    loads: dict[int, int]
    shortfalls: list[Shortfall] = field(default_factory=list)
    objective: float = 0.0
    bound: float = 0.0
    seconds: float = 0.0
    # HiGHS's relative gap between the assignment and the best bound proven
    # (0 when proven optimal; infinite when time ran out before any was found).
    gap: float = 0.0


def needs(problem: Problem) -> dict[int, int]:
    """Reviews each proposal is to have: the number asked, or more when more
    are already kept."""
    kept = _count(p for _e, p in problem.kept)
    return {p.key: max(problem.reviews_per_proposal, kept.get(p.key, 0)) for p in problem.proposals}


def capacities(problem: Problem) -> dict[int, int]:
    """Each evaluator's capacity, never below the reviews they keep."""
    kept = _count(e for e, _p in problem.kept)
    return {e.key: max(e.capacity, kept.get(e.key, 0)) for e in problem.evaluators}


def _count(keys: Iterable[int]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for key in keys:
        counts[key] += 1
    return counts


def allowed_pairs(problem: Problem) -> list[Pair]:
    """The pairs an assignment may use: kept ones, and any other without a
    conflict, an exclusion, or a capacity of zero."""
    cap = capacities(problem)
    forbidden = problem.conflicts | problem.excluded
    return [
        (e.key, p.key)
        for p in problem.proposals
        for e in problem.evaluators
        if (e.key, p.key) in problem.kept or (cap[e.key] > 0 and (e.key, p.key) not in forbidden)
    ]


def load_band(problem: Problem) -> dict[int, tuple[int, int]]:
    """Each evaluator's even load as (lowest, highest): the water level T is
    the least integer such that Σ min(cap, T) covers every review."""
    cap = capacities(problem)
    total = sum(needs(problem).values())
    level = 0
    top = max(cap.values(), default=0)
    while level < top and sum(min(c, level) for c in cap.values()) < total:
        level += 1
    return {e: (min(c, max(level - 1, 0)), min(c, level)) for e, c in cap.items()}


def load_spread(problem: Problem, loads: dict[int, int]) -> int:
    """How uneven the loads are beyond what capacities and kept reviews
    impose: the highest load of an evaluator given new reviews minus the
    lowest load of an evaluator who still had room (an evaluator held up
    by the reviews they keep, or down by their capacity, is not unevenness)."""
    if not loads:
        return 0
    cap = capacities(problem)
    kept = _count(e for e, _p in problem.kept)
    given = [load for e, load in loads.items() if load > kept.get(e, 0)]
    room = [load for e, load in loads.items() if load < cap[e]]
    if not given or not room:
        return 0
    return max(0, max(given) - min(room))


def mix_and_territory(problem: Problem, pairs: frozenset[Pair]) -> tuple[int, int]:
    """How well an assignment mixes and knows: reviews that repeat a sector
    already on their proposal, and proposals with no evaluator who knows
    one of their territories (among those some evaluator could know)."""
    sector = {e.key: e.sector for e in problem.evaluators}
    knows = {e.key: e.territories for e in problem.evaluators}
    serves = {p.key: p.territories for p in problem.proposals}
    seen: dict[int, list[str]] = defaultdict(list)
    known: set[int] = set()
    for e, p in pairs:
        if sector[e]:
            seen[p].append(sector[e])
        if knows[e] & serves[p]:
            known.add(p)
    repeats = sum(len(s) - len(set(s)) for s in seen.values())
    knowable = {p for e, p in allowed_pairs(problem) if knows[e] & serves[p]}
    return repeats, len(knowable - known)


def _shortfalls(problem: Problem, pairs: frozenset[Pair]) -> list[Shortfall]:
    need = needs(problem)
    got = _count(p for _e, p in pairs)
    available = _count(p for _e, p in allowed_pairs(problem))
    result = []
    for p in problem.proposals:
        missing = need[p.key] - got.get(p.key, 0)
        if missing > 0:
            free = available.get(p.key, 0)
            reason = "evaluators" if free < need[p.key] else "capacity"
            result.append(Shortfall(p.key, missing, free, reason))
    return result


def _loads(problem: Problem, pairs: frozenset[Pair]) -> dict[int, int]:
    counted = _count(e for e, _p in pairs)
    return {e.key: counted.get(e.key, 0) for e in problem.evaluators}


_INTERRUPTS = (
    highspy.cb.HighsCallbackType.kCallbackSimplexInterrupt,
    highspy.cb.HighsCallbackType.kCallbackMipInterrupt,
)


def _stop_at(h: highspy._core._Highs, deadline: float) -> None:
    """Stop HiGHS at ``deadline`` (perf_counter) wherever it polls for an
    interrupt: its own time limit is checked only between steps."""
    clock = time.perf_counter

    def check(kind: object, message: str, out: object, data_in: object, user: object) -> None:
        if data_in is not None and clock() >= deadline:
            data_in.user_interrupt = True  # type: ignore[attr-defined]

    h.setOptionValue("time_limit", max(0.05, deadline - clock()))
    h.setCallback(check, None)
    for kind in _INTERRUPTS:
        h.startCallback(kind)


def solve(problem: Problem, *, time_limit: float = 10.0) -> Assignment:
    """The assignment that is best for the objective above, proven optimal
    unless ``time_limit`` seconds run out (the best one found is then
    returned with its gap)."""
    started = time.perf_counter()
    pairs = allowed_pairs(problem)
    if not pairs:
        empty: frozenset[Pair] = frozenset()
        shortfalls = _shortfalls(problem, empty)
        return Assignment(
            "infeasible" if shortfalls else "optimal", empty, _loads(problem, empty), shortfalls
        )
    need = needs(problem)
    cap = capacities(problem)
    band = load_band(problem)
    sector = {e.key: e.sector for e in problem.evaluators}
    knows = {e.key: e.territories for e in problem.evaluators}
    serves = {p.key: p.territories for p in problem.proposals}

    proposals = [p.key for p in problem.proposals]
    evaluators = [e.key for e in problem.evaluators]
    p_row = {p: i for i, p in enumerate(proposals)}
    n_p, n_e = len(proposals), len(evaluators)
    # Rows: need (n_p), capacity (n_e), band high (n_e), band low (n_e), then
    # one per (proposal, sector) with two candidates or more, then one per
    # proposal with a candidate who knows its territory.
    cap_row = {e: n_p + i for i, e in enumerate(evaluators)}
    hi_row = {e: n_p + n_e + i for i, e in enumerate(evaluators)}
    lo_row = {e: n_p + 2 * n_e + i for i, e in enumerate(evaluators)}
    row_lo: list[float] = [float(need[p]) for p in proposals]
    row_hi: list[float] = [float(need[p]) for p in proposals]
    row_lo += [-np.inf] * n_e + [-np.inf] * n_e + [float(band[e][0]) for e in evaluators]
    row_hi += [float(cap[e]) for e in evaluators] + [float(band[e][1]) for e in evaluators]
    row_hi += [np.inf] * n_e

    per_sector: dict[tuple[int, str], int] = defaultdict(int)
    knowing: dict[int, int] = defaultdict(int)
    for e, p in pairs:
        if sector[e]:
            per_sector[(p, sector[e])] += 1
        if knows[e] & serves[p]:
            knowing[p] += 1
    sector_row: dict[tuple[int, str], int] = {}
    for key, count in sorted(per_sector.items()):
        if count >= 2:
            sector_row[key] = len(row_lo)
            row_lo.append(-np.inf)
            row_hi.append(1.0)
    territory_row: dict[int, int] = {}
    for p in proposals:
        if knowing.get(p):
            territory_row[p] = len(row_lo)
            row_lo.append(-np.inf)
            row_hi.append(0.0)

    cols: list[list[tuple[int, float]]] = []
    cost: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    integral: list[int] = []

    def column(entries: list[tuple[int, float]], c: float, lo: float, hi: float, i: int) -> None:
        cols.append(entries)
        cost.append(c)
        lower.append(lo)
        upper.append(hi)
        integral.append(i)

    for e, p in pairs:
        entries = [(p_row[p], 1.0), (cap_row[e], 1.0), (hi_row[e], 1.0), (lo_row[e], 1.0)]
        if (p, sector[e]) in sector_row:
            entries.append((sector_row[(p, sector[e])], 1.0))
        if p in territory_row and knows[e] & serves[p]:
            entries.append((territory_row[p], -1.0))
        column(entries, 0.0, 1.0 if (e, p) in problem.kept else 0.0, 1.0, 1)
    for p in proposals:  # short[p]
        column([(p_row[p], 1.0)], W_SHORT, 0.0, float(need[p]), 0)
    for e in evaluators:  # over[e], under[e]
        column([(hi_row[e], -1.0)], W_BAND, 0.0, np.inf, 0)
        column([(lo_row[e], 1.0)], W_BAND, 0.0, np.inf, 0)
    for _key, r in sector_row.items():  # rep[p, s]
        column([(r, -1.0)], W_SECTOR, 0.0, np.inf, 0)
    for _p, r in territory_row.items():  # known[p]
        column([(r, 1.0)], -W_TERRITORY, 0.0, 1.0, 0)

    starts = np.zeros(len(cols) + 1, dtype=np.int32)
    np.cumsum([len(c) for c in cols], out=starts[1:])
    index = np.array([r for c in cols for r, _v in c], dtype=np.int32)
    value = np.array([v for c in cols for _r, v in c], dtype=np.float64)

    h = highspy._core._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", 0.0)
    # The objective is integral: a gap below one unit proves optimality.
    h.setOptionValue("mip_abs_gap", 0.999)
    # Measured on the benchmark's family: presolve removes nothing from this
    # model and costs a third of the solve.
    h.setOptionValue("presolve", "off")
    _stop_at(h, started + time_limit)
    h.passModel(
        len(cols),
        len(row_lo),
        int(value.size),
        1,  # column-wise
        1,  # minimise
        0.0,
        np.array(cost, dtype=np.float64),
        np.array(lower, dtype=np.float64),
        np.array(upper, dtype=np.float64),
        np.array(row_lo, dtype=np.float64),
        np.array(row_hi, dtype=np.float64),
        starts,
        index,
        value,
        np.array(integral, dtype=np.int32),
    )
    greedy = greedy_assign(problem)
    start = np.zeros(len(cols))
    for j, pair in enumerate(pairs):
        if pair in greedy.pairs:
            start[j] = 1.0
    h.setSolution(len(pairs), np.arange(len(pairs), dtype=np.int32), start[: len(pairs)])
    h.run()
    info = h.getInfo()
    seconds = time.perf_counter() - started
    if int(info.primal_solution_status) != 2:  # no solution found in time: the greedy one
        return Assignment(
            "infeasible" if greedy.shortfalls else "time_limit",
            greedy.pairs,
            greedy.loads,
            greedy.shortfalls,
            objective=float("nan"),
            bound=float(info.mip_dual_bound),
            seconds=seconds,
            gap=float("inf"),
        )
    x = np.asarray(h.getSolution().col_value, dtype=np.float64)[: len(pairs)]
    chosen = frozenset(pair for pair, v in zip(pairs, x.tolist(), strict=True) if v > 0.5)
    shortfalls = _shortfalls(problem, chosen)
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return Assignment(
        "infeasible" if shortfalls else ("optimal" if optimal else "time_limit"),
        chosen,
        _loads(problem, chosen),
        shortfalls,
        objective=float(info.objective_function_value),
        bound=float(info.mip_dual_bound),
        seconds=seconds,
        gap=0.0 if optimal else float(info.mip_gap),
    )


def greedy_assign(problem: Problem) -> Assignment:
    """The plain way, as a baseline and a starting point: proposals with the
    fewest possible evaluators first, each given the least loaded evaluators
    free of conflict (a new sector, then a known territory, breaking ties)."""
    started = time.perf_counter()
    need = needs(problem)
    cap = capacities(problem)
    by_proposal: dict[int, list[int]] = defaultdict(list)
    for e, q in allowed_pairs(problem):
        by_proposal[q].append(e)
    sector = {e.key: e.sector for e in problem.evaluators}
    knows = {e.key: e.territories for e in problem.evaluators}
    chosen: set[Pair] = set(problem.kept)
    load = _count(e for e, _p in problem.kept)
    kept_of: dict[int, set[int]] = defaultdict(set)
    for e, q in problem.kept:
        kept_of[q].add(e)
    order = sorted(problem.proposals, key=lambda n: (len(by_proposal[n.key]), n.key))
    for p in order:
        mine = set(kept_of[p.key])
        while len(mine) < need[p.key]:
            used = {sector[e] for e in mine if sector[e]}
            free = [e for e in by_proposal[p.key] if e not in mine and load.get(e, 0) < cap[e]]
            if not free:
                break
            best = min(
                free,
                key=lambda e: (
                    load.get(e, 0),
                    bool(sector[e]) and sector[e] in used,
                    not (knows[e] & p.territories),
                    e,
                ),
            )
            mine.add(best)
            chosen.add((best, p.key))
            load[best] = load.get(best, 0) + 1
    pairs = frozenset(chosen)
    shortfalls = _shortfalls(problem, pairs)
    return Assignment(
        "infeasible" if shortfalls else "greedy",
        pairs,
        _loads(problem, pairs),
        shortfalls,
        seconds=time.perf_counter() - started,
    )
