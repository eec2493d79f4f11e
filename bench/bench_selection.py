"""Benchmark of the selection engine on generated workloads W1, W500, W3.

Prints, per workload and objective: median wall time, time inside HiGHS,
objective of ``optimal`` vs ``rank``, status and proven gap; then, for
``total_score``, the proven gap at time limits of 1 s, 2 s and 5 s.

    python bench/bench_selection.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from selection_instances import workload

from solidaire.selection.engine import parse_instance, solve

OBJECTIVES = ("merit_order", "total_score", "score_dollars")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, no W3")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", nargs="*", help="workloads to run (W1 W1-gen W500 W3)")
    args = parser.parse_args()
    plan = [("W1", 9), ("W1-gen", 7), ("W500", 3), ("W3", 1)]
    if args.quick:
        plan = [("W1", 5), ("W1-gen", 3), ("W500", 1)]
    if args.only:
        plan = [p for p in plan if p[0] in args.only]
    print(f"# load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs")
    print(
        f"{'workload':8} {'objective':13} {'wall p50':>9} {'HiGHS':>7} {'outside':>8} "
        f"{'optimal':>14} {'rank':>14} {'status':>10} {'gap':>9}"
    )
    for name, reps in plan:
        t0 = time.perf_counter()
        instance = parse_instance(workload(name, seed=args.seed))
        build = time.perf_counter() - t0
        print(
            f"# {name}: {len(instance.proposals)} proposals, {len(instance.pools)} pools, "
            f"{len(instance.fiscal_years)} fiscal years (generated and parsed in {build:.2f} s)"
        )
        for objective in OBJECTIVES:
            walls, inside = [], []
            result = None
            # merit_order is quick everywhere: at least 5 runs for its median.
            for _ in range(max(reps, 5) if objective == "merit_order" else reps):
                start = time.perf_counter()
                result = solve(instance, objective=objective, time_limit=10.0)
                walls.append(time.perf_counter() - start)
                inside.append(result.solver_seconds)
            assert result is not None
            rank = solve(instance, method="rank", objective=objective)
            wall = statistics.median(walls)
            highs = statistics.median(inside)
            gap = "-" if result.gap is None else f"{100 * result.gap:.4f}%"
            rank_text = f"{rank.objective:14.2f}" + ("*" if rank.infeasibility else " ")
            print(
                f"{name:8} {objective:13} {wall:8.3f}s {highs:6.3f}s {100 * (1 - highs / wall):7.1f}% "
                f"{result.objective:14.2f} {rank_text} {result.status:>10} {gap:>9}"
            )
        for limit in (1.0, 2.0, 5.0):
            start = time.perf_counter()
            result = solve(instance, objective="total_score", time_limit=limit)
            wall = time.perf_counter() - start
            gap = "-" if result.gap is None else f"{100 * result.gap:.4f}%"
            print(
                f"{name:8} total_score @ {limit:.0f} s: status {result.status}, gap {gap}, "
                f"wall {wall:.2f} s, HiGHS {result.solver_seconds:.2f} s, "
                f"objective {result.objective:.2f}"
            )
    print(f"# load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("* rank misses a minimum or a lock (listed in its infeasibility)")


if __name__ == "__main__":
    main()
