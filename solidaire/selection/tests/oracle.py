"""Independent checks for the selection engine tests: brute force and a rule checker.

Written from the issue's semantics, sharing no code with the engine.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np


def cents(text: str | int | float) -> int:
    f = Fraction(str(text))
    assert f * 100 == int(f * 100)
    return int(f * 100)


@dataclass
class Plain:
    """An instance dict turned into arrays (proposals in input order)."""

    ids: list[str]
    years: list[str]
    req: np.ndarray  # (n, Y) cents
    usage: np.ndarray  # (R, n) cents at full funding
    caps: np.ndarray  # (R,)
    member: np.ndarray  # (R, n)
    row_year: list[int]
    mf: list[Fraction]
    score: list[Fraction]
    org: list[str]
    org_cap: int | None
    groups: list[tuple[np.ndarray, int]]
    fundable: np.ndarray
    forced: np.ndarray
    order: list[int]


def plain(data: dict[str, Any]) -> Plain:
    years = list(data["fiscal_years"])
    pools = data["pools"]
    props = data["proposals"]
    rules = data.get("rules") or {}
    n = len(props)
    req = np.array(
        [[cents(p.get("requested", {}).get(fy, "0")) for fy in years] for p in props],
        dtype=np.int64,
    ).reshape(n, len(years))
    rows = [(k, y) for k in range(len(pools)) for y in range(len(years))]
    member = np.array(
        [[pools[k]["id"] in p.get("pools", []) for p in props] for k, _ in rows], dtype=bool
    ).reshape(len(rows), n)
    usage = np.array(
        [[req[i, y] if member[r, i] else 0 for i in range(n)] for r, (_, y) in enumerate(rows)],
        dtype=np.int64,
    ).reshape(len(rows), n)
    caps = np.array(
        [cents(pools[k].get("amounts", {}).get(years[y], "0")) for k, y in rows], dtype=np.int64
    )
    groups = []
    for key, need in (rules.get("min_per_territory") or {}).items():
        groups.append((np.array([key in p.get("territories", []) for p in props]), need))
    for key, need in (rules.get("min_per_priority") or {}).items():
        groups.append((np.array([key in p.get("priorities", []) for p in props]), need))
    min_score = rules.get("min_score")
    score = [Fraction(str(p["score"])) for p in props]
    fundable = np.array(
        [
            p.get("lock") != "out" and (min_score is None or score[i] >= Fraction(str(min_score)))
            for i, p in enumerate(props)
        ]
    )
    ids = [p["id"] for p in props]
    return Plain(
        ids=ids,
        years=years,
        req=req,
        usage=usage,
        caps=caps,
        member=member,
        row_year=[y for _, y in rows],
        mf=[Fraction(str(p.get("min_fraction", "1"))) for p in props],
        score=score,
        org=[p.get("organisation") or p["id"] for p in props],
        org_cap=rules.get("max_per_organisation"),
        groups=groups,
        fundable=fundable,
        forced=np.array([p.get("lock") == "in" for p in props]),
        order=sorted(range(n), key=lambda i: (-score[i], ids[i])),
    )


def floor_amount(f: Fraction, c: int) -> int:
    return int((f * c).__floor__())


def min_usage(pl: Plain) -> np.ndarray:
    n = len(pl.ids)
    out = np.zeros_like(pl.usage)
    for i in range(n):
        for r in range(len(pl.caps)):
            if pl.member[r, i]:
                out[r, i] = floor_amount(pl.mf[i], int(pl.req[i, pl.row_year[r]]))
    return out


def feasible_sets(
    pl: Plain,
    candidates: list[int],
    base_caps: np.ndarray,
    base_org: dict[str, int],
    base_groups: list[int],
    must: list[int],
    use_min: np.ndarray,
) -> np.ndarray:
    """Boolean matrix of subsets of ``candidates`` (at min fractions) meeting every rule."""
    m = len(candidates)
    X = np.array(list(itertools.product([0, 1], repeat=m)), dtype=np.int64).reshape(2**m, m)
    ok = np.ones(2**m, dtype=bool)
    if m:
        ok &= np.all(base_caps >= X @ use_min[:, candidates].T, axis=1)
    if pl.org_cap is not None:
        for o in set(pl.org):
            cols = [k for k, i in enumerate(candidates) if pl.org[i] == o]
            have = base_org.get(o, 0)
            if cols:
                ok &= X[:, cols].sum(axis=1) + have <= pl.org_cap
            elif have > pl.org_cap:
                ok[:] = False
    for (members, need), have in zip(pl.groups, base_groups, strict=True):
        cols = [k for k, i in enumerate(candidates) if members[i]]
        ok &= (X[:, cols].sum(axis=1) if cols else 0) + have >= need
    for i in must:
        if i not in candidates:
            ok[:] = False
        else:
            ok &= X[:, candidates.index(i)] == 1
    return X[ok].astype(bool)


def all_feasible(pl: Plain) -> np.ndarray:
    cand = [i for i in range(len(pl.ids)) if pl.fundable[i]]
    must = [i for i in range(len(pl.ids)) if pl.forced[i]]
    sets = feasible_sets(pl, cand, pl.caps, {}, [0] * len(pl.groups), must, min_usage(pl))
    full = np.zeros((sets.shape[0], len(pl.ids)), dtype=bool)
    full[:, cand] = sets
    return full


def cost(pl: Plain, objective: str) -> list[float]:
    if objective == "score_dollars":
        return [float(pl.score[i]) * float(pl.req[i].sum()) / 100 for i in range(len(pl.ids))]
    return [float(s) for s in pl.score]


def best_value(pl: Plain, objective: str) -> float | None:
    """Brute-force optimum of total_score / score_dollars (LP over fractions per subset)."""
    sets = all_feasible(pl)
    if sets.shape[0] == 0:
        return None
    c = np.array(cost(pl, objective))
    if all(mf == 1 for mf in pl.mf):
        return float((sets @ c).max())
    return max(_subset_lp(pl, c, np.nonzero(s)[0]) for s in sets)


def best_value_exact(pl: Plain, objective: str) -> Fraction | None:
    """Exact brute-force optimum (rational arithmetic) of an all-or-nothing instance."""
    assert all(mf == 1 for mf in pl.mf)
    sets = all_feasible(pl)
    if sets.shape[0] == 0:
        return None
    if objective == "score_dollars":
        c = [pl.score[i] * Fraction(int(pl.req[i].sum()), 100) for i in range(len(pl.ids))]
    else:
        c = list(pl.score)
    return max(sum((c[i] for i in np.nonzero(row)[0]), Fraction(0)) for row in sets)


def _subset_lp(pl: Plain, c: np.ndarray, chosen: np.ndarray) -> float:
    """max c.f over f_i in [mf_i, 1] (i chosen) under the budgets: a tiny LP."""
    import highspy

    if chosen.size == 0:
        return 0.0
    h = highspy._core._Highs()
    h.setOptionValue("output_flag", False)
    k = chosen.size
    a = pl.usage[:, chosen].astype(float)
    rows = np.nonzero(a.sum(axis=1) > 0)[0]
    a = a[rows]
    starts, idx, val = [0], [], []
    for j in range(k):
        nz = np.nonzero(a[:, j])[0]
        idx += list(nz)
        val += list(a[nz, j])
        starts.append(len(idx))
    h.passModel(
        k,
        len(rows),
        len(idx),
        1,
        -1,
        0.0,
        c[chosen].astype(float),
        np.array([float(pl.mf[i]) for i in chosen]),
        np.ones(k),
        np.full(len(rows), -np.inf),
        pl.caps[rows].astype(float),
        np.array(starts, dtype=np.int32),
        np.array(idx, dtype=np.int32),
        np.array(val, dtype=float),
        np.zeros(k, dtype=np.int32),
    )
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return -np.inf
    return float(h.getInfo().objective_function_value)


def merit_expected(pl: Plain, fractions: list[Fraction], t: int) -> Fraction:
    """Largest fraction of proposal ``t`` keeping every rule satisfiable, earlier ones fixed."""
    pos = pl.order.index(t)
    earlier = pl.order[:pos]
    later = [i for i in pl.order[pos + 1 :] if pl.fundable[i]]
    if not pl.fundable[t]:
        return Fraction(0)
    used = np.zeros(len(pl.caps), dtype=np.int64)
    org: dict[str, int] = {}
    groups = [0] * len(pl.groups)
    for i in earlier:
        f = fractions[i]
        if f == 0:
            continue
        for r in range(len(pl.caps)):
            if pl.member[r, i]:
                used[r] += floor_amount(f, int(pl.req[i, pl.row_year[r]]))
        org[pl.org[i]] = org.get(pl.org[i], 0) + 1
        for k, (members, _) in enumerate(pl.groups):
            groups[k] += int(members[i])
    rem = pl.caps - used
    org[pl.org[t]] = org.get(pl.org[t], 0) + 1
    g_t = [groups[k] + int(members[t]) for k, (members, _) in enumerate(pl.groups)]
    must = [i for i in later if pl.forced[i]]
    if any(pl.forced[i] and not pl.fundable[i] for i in range(len(pl.ids))):
        return Fraction(0)
    use_min = min_usage(pl)
    sets = feasible_sets(pl, later, rem - use_min[:, t], org, g_t, must, use_min)
    best = Fraction(0)
    for s in sets:
        room = rem - (use_min[:, later][:, s].sum(axis=1) if later else 0)
        f = Fraction(1)
        for r in range(len(pl.caps)):
            if pl.usage[r, t] > 0:
                f = min(f, Fraction(int(room[r]), int(pl.usage[r, t])))
        if f >= pl.mf[t] and f > best:
            best = f
    return best


def check_result(data: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """Every rule, after rounding to the cent, checked on the result JSON."""
    pl = plain(data)
    problems = []
    index = {pid: i for i, pid in enumerate(pl.ids)}
    funded = {f["id"]: f for f in result["funded"]}
    listed = set(funded) | {n["id"] for n in result["not_funded"]}
    if listed != set(pl.ids) or len(result["funded"]) + len(result["not_funded"]) != len(pl.ids):
        problems.append("funded + not_funded is not a partition of the proposals")
    used = np.zeros(len(pl.caps), dtype=np.int64)
    for pid, f in funded.items():
        i = index[pid]
        frac = Fraction(f["fraction"])
        if not (pl.mf[i] <= frac <= 1) or not pl.fundable[i]:
            problems.append(f"{pid}: fraction {frac} not allowed")
        for y, fy in enumerate(pl.years):
            expect = floor_amount(frac, int(pl.req[i, y]))
            got = cents(f["amounts"].get(fy, "0"))
            if got != expect:
                problems.append(f"{pid}: amount {fy} {got} != floor(f x requested) {expect}")
        for r in range(len(pl.caps)):
            if pl.member[r, i]:
                used[r] += cents(f["amounts"].get(pl.years[pl.row_year[r]], "0"))
    if np.any(used > pl.caps):
        problems.append("a pool is overspent")
    if pl.org_cap is not None:
        counts: dict[str, int] = {}
        for pid in funded:
            counts[pl.org[index[pid]]] = counts.get(pl.org[index[pid]], 0) + 1
        if counts and max(counts.values()) > pl.org_cap:
            problems.append("max_per_organisation exceeded")
    for members, need in pl.groups:
        if sum(1 for pid in funded if members[index[pid]]) < need:
            problems.append("a minimum is not met")
    for i in np.nonzero(pl.forced)[0]:
        if pl.ids[i] not in funded:
            problems.append(f"{pl.ids[i]} locked in but not funded")
    return problems


def rank_oracle(data: dict[str, Any]) -> list[str]:
    """The spreadsheet: locked-in first, then score order; fully funded if it fits."""
    pl = plain(data)
    rem = pl.caps.copy()
    org: dict[str, int] = {}
    chosen = []
    seq = [i for i in pl.order if pl.forced[i]] + [i for i in pl.order if not pl.forced[i]]
    for i in seq:
        if not pl.fundable[i]:
            continue
        if pl.org_cap is not None and org.get(pl.org[i], 0) >= pl.org_cap:
            continue
        if np.all(pl.usage[:, i] <= rem):
            rem -= pl.usage[:, i]
            org[pl.org[i]] = org.get(pl.org[i], 0) + 1
            chosen.append(pl.ids[i])
    return sorted(chosen)
