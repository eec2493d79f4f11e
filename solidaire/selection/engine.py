"""Selection engine: the best set of proposals a call's money allows.

Public API (pure Python, no Django)::

    instance = parse_instance(data)            # raises InstanceError(field, message)
    result = solve(instance, method="optimal", objective=None, time_limit=10.0)
    data = result_to_dict(result)

See docs/selection-engine.md for the formulation and the measured figures.
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import numpy as np

from .engine_model import (
    ONE,
    ZERO,
    Compiled,
    FloatArray,
    compile_instance,
    floor_amounts,
    total_usage,
)
from .engine_solve import (
    Outcome,
    explain_infeasible,
    merit_order,
    objective_value,
    optimise,
    rank_and_cut,
)
from .engine_text import group_label, money, number
from .engine_types import (
    METHODS,
    OBJECTIVES,
    FundedProposal,
    Instance,
    InstanceError,
    Method,
    NotFundedProposal,
    Objective,
    Pool,
    Proposal,
    Result,
    Rules,
    Status,
)

__all__ = [
    "FundedProposal",
    "Instance",
    "InstanceError",
    "NotFundedProposal",
    "Pool",
    "Proposal",
    "Result",
    "Rules",
    "parse_instance",
    "result_to_dict",
    "solve",
]

# Writing the result and its explanations: ~10 µs per proposal on W3 (quiet
# machine), doubled for a loaded one.
EXPLAIN_SECONDS_PER_PROPOSAL = 2e-5

OBJECTIVE_NAMES: dict[str, str] = {
    "merit_order": "ordre de mérite",
    "total_score": "total des scores",
    "score_dollars": "score × dollars",
}

# ----------------------------------------------------------------------------- parsing


def _decimal(value: object, path: str, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InstanceError(path, f"{what} non numérique")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise InstanceError(path, f"{what} non numérique") from None
    if not result.is_finite():
        raise InstanceError(path, f"{what} non numérique")
    return result


def _cents(value: object, path: str) -> int:
    amount = _decimal(value, path, "montant")
    if amount < 0:
        raise InstanceError(path, "montant négatif")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise InstanceError(path, "montant avec plus de deux décimales")
    return int(cents)


def _count(value: object, path: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InstanceError(path, "nombre entier attendu")
    if value < minimum:
        raise InstanceError(path, f"doit être au moins {minimum}")
    return value


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InstanceError(path, "texte non vide attendu")
    return value


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise InstanceError(path, "liste attendue")
    return value


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InstanceError(path, "objet attendu")
    return cast(Mapping[str, Any], value)


def _amounts(value: object, path: str, years: dict[str, int]) -> tuple[int, ...]:
    out = [0] * len(years)
    for fy, amount in _mapping(value, path).items():
        if fy not in years:
            raise InstanceError(f"{path}.{fy}", "exercice financier non déclaré dans fiscal_years")
        out[years[fy]] = _cents(amount, f"{path}.{fy}")
    return tuple(out)


def _minimums(value: object, path: str) -> tuple[tuple[str, int], ...]:
    if value is None:
        return ()
    return tuple(
        (key, _count(need, f"{path}.{key}", 0)) for key, need in _mapping(value, path).items()
    )


def parse_instance(data: object) -> Instance:
    """Validate instance JSON data; errors name the field, in French."""
    root = _mapping(data, "instance")
    for key in ("fiscal_years", "pools", "proposals"):
        if key not in root:
            raise InstanceError(key, "champ obligatoire manquant")
    fiscal_years = tuple(
        _text(fy, f"fiscal_years[{k}]")
        for k, fy in enumerate(_list(root["fiscal_years"], "fiscal_years"))
    )
    if len(set(fiscal_years)) != len(fiscal_years):
        raise InstanceError("fiscal_years", "exercice financier en double")
    years = {fy: k for k, fy in enumerate(fiscal_years)}

    pools: list[Pool] = []
    for k, raw in enumerate(_list(root["pools"], "pools")):
        path = f"pools[{k}]"
        item = _mapping(raw, path)
        if "id" not in item:
            raise InstanceError(f"{path}.id", "champ obligatoire manquant")
        pid = _text(item["id"], f"{path}.id")
        if any(p.id == pid for p in pools):
            raise InstanceError(f"{path}.id", f"volet « {pid} » en double")
        pools.append(Pool(pid, _amounts(item.get("amounts", {}), f"{path}.amounts", years)))
    pool_ids = {p.id for p in pools}

    proposals: list[Proposal] = []
    seen: set[str] = set()
    for k, raw in enumerate(_list(root["proposals"], "proposals")):
        path = f"proposals[{k}]"
        item = _mapping(raw, path)
        for key in ("id", "score"):
            if key not in item:
                raise InstanceError(f"{path}.{key}", "champ obligatoire manquant")
        pid = _text(item["id"], f"{path}.id")
        if pid in seen:
            raise InstanceError(f"{path}.id", f"proposition « {pid} » en double")
        seen.add(pid)
        score = _decimal(item["score"], f"{path}.score", "score")
        org = item.get("organisation")
        organisation = pid if org is None else _text(org, f"{path}.organisation")
        its_pools = []
        for j, pool in enumerate(_list(item.get("pools", []), f"{path}.pools")):
            pool = _text(pool, f"{path}.pools[{j}]")
            if pool not in pool_ids:
                raise InstanceError(f"{path}.pools[{j}]", f"volet inconnu « {pool} »")
            its_pools.append(pool)
        mf_raw = item.get("min_fraction")
        min_fraction = (
            ONE if mf_raw is None else _decimal(mf_raw, f"{path}.min_fraction", "fraction")
        )
        if not ZERO < min_fraction <= ONE:
            raise InstanceError(f"{path}.min_fraction", "doit être plus grande que 0 et au plus 1")
        lock = item.get("lock")
        if lock not in (None, "in", "out"):
            raise InstanceError(f"{path}.lock", "valeur attendue : null, « in » ou « out »")
        labels = {}
        for key in ("territories", "priorities"):
            labels[key] = tuple(
                _text(v, f"{path}.{key}[{j}]")
                for j, v in enumerate(_list(item.get(key, []), f"{path}.{key}"))
            )
        proposals.append(
            Proposal(
                id=pid,
                organisation=organisation,
                score=score,
                pools=tuple(dict.fromkeys(its_pools)),
                requested=_amounts(item.get("requested", {}), f"{path}.requested", years),
                min_fraction=min_fraction,
                territories=labels["territories"],
                priorities=labels["priorities"],
                lock=cast(Any, lock),
            )
        )

    raw_rules = root.get("rules")
    rules_map = _mapping({} if raw_rules is None else raw_rules, "rules")
    max_org = rules_map.get("max_per_organisation")
    min_score = rules_map.get("min_score")
    rules = Rules(
        max_per_organisation=None
        if max_org is None
        else _count(max_org, "rules.max_per_organisation", 1),
        min_per_territory=_minimums(rules_map.get("min_per_territory"), "rules.min_per_territory"),
        min_per_priority=_minimums(rules_map.get("min_per_priority"), "rules.min_per_priority"),
        min_score=None if min_score is None else _decimal(min_score, "rules.min_score", "score"),
    )
    objective = root.get("objective") or "merit_order"
    if objective not in OBJECTIVES:
        raise InstanceError("objective", f"objectif inconnu « {objective} »")
    return Instance(
        fiscal_years=fiscal_years,
        pools=tuple(pools),
        proposals=tuple(proposals),
        rules=rules,
        objective=cast(Objective, objective),
    )


# ----------------------------------------------------------------------------- solving


def _cost(comp: Compiled, objective: Objective) -> FloatArray:
    if objective == "score_dollars":
        return comp.score * (comp.req.sum(axis=1).astype(np.float64) / 100.0)
    return comp.score.copy()


def _integral_cost(
    instance: Instance, comp: Compiled, objective: Objective
) -> tuple[tuple[int, ...], float] | None:
    """The objective as exact integers and their unit: ``cost[i] == ints[i] * unit``.

    Scores are decimals with a finite expansion (parsed from the JSON text), so
    10**k x score is an integer for k their largest number of decimals; for
    score_dollars the dollars are integer cents / 100. None when the scores
    have more than 12 decimals (the solver then uses the float costs).
    """
    if objective == "merit_order":
        return None
    scores = [p.score for p in instance.proposals]
    places = max((-int(s.as_tuple().exponent) for s in scores), default=0)
    places = max(0, places)
    if places > 12:
        return None
    ints = [int(s.scaleb(places)) for s in scores]
    if any(Decimal(v).scaleb(-places) != s for v, s in zip(ints, scores, strict=True)):
        return None
    unit = 10.0**-places
    if objective == "score_dollars":
        totals = comp.req.sum(axis=1).tolist()
        ints = [v * int(t) for v, t in zip(ints, totals, strict=True)]
        unit /= 100.0
    return tuple(ints), unit


def solve(
    instance: Instance,
    method: Method = "optimal",
    objective: Objective | None = None,
    time_limit: float = 10.0,
) -> Result:
    """Choose the funded proposals.

    ``method="rank"`` is the spreadsheet baseline (score order, fund fully what
    fits); ``"optimal"`` solves the objective exactly with HiGHS until
    ``time_limit`` seconds and returns the best solution found, never worse
    than a rank-and-cut result that meets every rule.
    """
    started = time.perf_counter()
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    chosen: Objective = objective or instance.objective
    if chosen not in OBJECTIVES:
        raise ValueError(f"unknown objective {chosen!r}")
    comp = compile_instance(instance)
    labels = tuple(p.id for p in instance.proposals)
    cost = _cost(comp, chosen)
    if method == "rank":
        out = rank_and_cut(comp, labels)
        out.objective = objective_value(cost, out.fractions)
    elif chosen == "merit_order":
        out = merit_order(comp, labels, time_limit)
    else:
        rank = rank_and_cut(comp, labels)
        starts = [rank.fractions] if rank.status == "optimal" else []
        # The limit is on the wall clock: what compiling took, and an estimate of
        # the explanations still to write (measured ~10 µs per proposal), come off
        # the solver's share.
        left = time_limit - (time.perf_counter() - started) - EXPLAIN_SECONDS_PER_PROPOSAL * comp.n
        out = optimise(comp, cost, max(0.05, left), starts, _integral_cost(instance, comp, chosen))
    unsolved = out.status == "time_limit" and not any(out.fractions)
    if unsolved and bool(comp.forced.any() or comp.groups):
        # No solution found within the time limit although one may exist.
        out.infeasibility = [
            "le temps limite a été atteint avant de trouver un scénario "
            "qui respecte toutes les règles"
        ]
    if out.status == "infeasible" and method == "optimal":
        min_score = instance.rules.min_score
        out.infeasibility = explain_infeasible(
            comp,
            labels,
            instance.fiscal_years,
            tuple(p.id for p in instance.pools),
            tuple(number(p.score) for p in instance.proposals),
            None if min_score is None else number(min_score),
            time_limit=min(2.0, max(0.2, time_limit)),
        )
    return _result(instance, comp, out, method, chosen, time.perf_counter() - started)


def _result(
    instance: Instance,
    comp: Compiled,
    out: Outcome,
    method: Method,
    objective: Objective,
    seconds: float,
) -> Result:
    fractions = out.fractions
    status = cast(Status, out.status)
    if method == "optimal" and status == "infeasible":
        fractions = [ZERO] * comp.n
    reasons_not, reasons_funded = _explain(instance, comp, fractions, out, method, objective)
    funded: list[FundedProposal] = []
    not_funded: list[NotFundedProposal] = []
    req: list[list[int]] = comp.req.tolist()
    for i in comp.order:
        p = instance.proposals[i]
        f = fractions[i]
        if f > ZERO:
            amounts = tuple(floor_amounts(f, req[i]))
            funded.append(FundedProposal(p.id, f, amounts, tuple(reasons_funded.get(i, []))))
        else:
            not_funded.append(NotFundedProposal(p.id, tuple(reasons_not.get(i, []))))
    bound = None if method == "rank" else out.bound
    gap = None
    # A solver stopped by its time limit before it proved any bound (a very
    # short limit, a busy machine) has no gap to report: both stay unknown.
    if bound is not None and math.isfinite(bound):
        gap = max(0.0, bound - out.objective) / max(abs(out.objective), 1e-9)
        if out.objective == 0 and bound <= 1e-9:
            gap = 0.0
    return Result(
        status=status,
        method=method,
        objective_function=objective,
        objective=out.objective,
        bound=bound,
        gap=gap,
        funded=tuple(funded),
        not_funded=tuple(not_funded),
        infeasibility=tuple(out.infeasibility),
        seconds=seconds,
        solver_seconds=out.solver_seconds,
        fiscal_years=instance.fiscal_years,
    )


# ----------------------------------------------------------------------------- explanations


def _explain(
    instance: Instance,
    comp: Compiled,
    fractions: list[Decimal],
    out: Outcome,
    method: Method,
    objective: Objective,
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Reasons per not-funded proposal, and per funded one ranked below a not-funded one.

    Linear in the number of proposals: the money each proposal lacks is found
    for all of them at once (numpy), then one pass writes the sentences.
    """
    props = instance.proposals
    pool_ids = [p.id for p in instance.pools]
    years = instance.fiscal_years
    min_score = instance.rules.min_score
    n = comp.n
    funded = np.array([f > ZERO for f in fractions], dtype=np.bool_)
    rem = comp.caps - total_usage(comp, fractions)
    org_count = np.bincount(comp.org[funded], minlength=len(comp.org_names))
    rank_of: list[int] = comp.rank_of.tolist()
    funded_l: list[bool] = funded.tolist()
    funded_idx: list[int] = np.nonzero(funded)[0].tolist()
    # Rank of the lowest-ranked funded proposal serving each territory.
    last_funded_rank: dict[str, int] = {}
    for j in funded_idx:
        for t in props[j].territories:
            last_funded_rank[t] = max(last_funded_rank.get(t, -1), rank_of[j])
    infeasible = out.status == "infeasible" and method == "optimal"

    # Rows each proposal would overspend: (R, n) at once, then per proposal a slice.
    need = comp.usage if method == "rank" else comp.usage_min
    short_i, short_r = np.nonzero((need > rem[:, None]).T)
    short_at: list[int] = np.searchsorted(short_i, np.arange(n + 1)).tolist()
    short_row: list[int] = short_r.tolist()
    short_need: list[int] = need.T[short_i, short_r].tolist()
    rem_l: list[int] = rem.tolist()
    # Per row, the reason's words before the shortfall (a pool with nothing
    # for the year needs no amount: its whole reason, marked True).
    row_head: list[tuple[bool, str]] = []
    for r, left in enumerate(rem_l):
        pool, fy = pool_ids[comp.row_pool[r]], years[comp.row_year[r]]
        if int(comp.caps[r]) == 0:
            row_head.append((True, f"le volet {pool} n'a aucun montant pour {fy}"))
        elif left <= 0:
            row_head.append((False, f"le volet {pool} {fy} est épuisé; il manquerait "))
        else:
            row_head.append(
                (
                    False,
                    f"le volet {pool} {fy} est presque épuisé (reste {money(left)}); "
                    "il manquerait ",
                )
            )
    org_full: list[int] = (
        np.where(org_count[comp.org] >= comp.org_cap, org_count[comp.org], 0).tolist()
        if comp.org_cap is not None
        else [0] * n
    )
    fundable: list[bool] = comp.fundable.tolist()
    default = ""
    if out.status == "time_limit":
        default = "non retenue dans la meilleure solution trouvée dans le temps limite"
    elif method == "rank":
        default = "non retenue par le classement"
    else:
        default = (
            f"la retenir ferait baisser l'objectif « {OBJECTIVES_TEXT[objective]} » sous l'optimum"
        )

    not_reasons: dict[int, list[str]] = {}
    for i in range(n):
        if funded_l[i]:
            continue
        p = props[i]
        reasons: list[str] = []
        if p.lock == "out":
            reasons.append("écartée par le comité (verrou « non retenue »)")
        elif not fundable[i]:
            reasons.append(f"score inférieur au seuil ({number(cast(Decimal, min_score))})")
        elif infeasible:
            reasons.append("aucun scénario ne respecte toutes les règles (voir « infeasibility »)")
        else:
            if org_full[i]:
                k = org_full[i]
                reasons.append(
                    "l'organisme a déjà une initiative retenue"
                    if k == 1
                    else f"l'organisme a déjà {k} initiatives retenues"
                )
            a, b = short_at[i], short_at[i + 1]
            for pos in range(a, b):
                r = short_row[pos]
                whole, head = row_head[r]
                reasons.append(head if whole else head + money(short_need[pos] - rem_l[r]))
            reasons.extend(out.notes.get(i, []))
            if b > a:
                worst = [last_funded_rank[t] for t in p.territories if t in last_funded_rank]
                if worst and max(worst) < rank_of[i]:
                    reasons.append("score inférieur aux initiatives retenues du même territoire")
            if not reasons:
                reasons.append(default)
        not_reasons[i] = reasons

    funded_reasons: dict[int, list[str]] = {}
    passed_over = [] if infeasible else [i for i in comp.order if not funded_l[i] and fundable[i]]
    passed_ranks = [rank_of[i] for i in passed_over]
    counts = [int((funded & g.members).sum()) for g in comp.groups]
    # Minimums a funded proposal is needed for (counted exactly at the minimum).
    tight = [k for k, g in enumerate(comp.groups) if counts[k] <= g.need]
    needed_for: dict[int, list[int]] = {}
    if method == "optimal":
        for k in tight:
            for j in np.nonzero(comp.groups[k].members & funded)[0].tolist():
                needed_for.setdefault(j, []).append(k)
    forced: list[bool] = comp.forced.tolist()
    # The passed-over proposal ranked just above each funded one (None: none above).
    above_of: dict[int, int] = {}
    for j in funded_idx:
        above = bisect.bisect_left(passed_ranks, rank_of[j])
        if above:
            above_of[j] = passed_over[above - 1]
    # Where a funded proposal asks less than the one above it: first such row, at once.
    smaller_row: dict[int, int] = {}
    if above_of:
        js = np.fromiter(above_of.keys(), dtype=np.int64)
        bs = np.fromiter(above_of.values(), dtype=np.int64)
        um = comp.usage_min.T
        less = (um[js] > 0) & (um[js] < um[bs])
        has = less.any(axis=1)
        first = less.argmax(axis=1)
        smaller_row = {
            int(j): int(r)
            for j, r, h in zip(js.tolist(), first.tolist(), has.tolist(), strict=True)
            if h
        }
    prefer = method == "optimal" and objective != "merit_order"
    for j in funded_idx:
        reasons = []
        if forced[j]:
            reasons.append("imposée par le comité (verrou « retenue »)")
        better = above_of.get(j)
        if better is None:
            funded_reasons[j] = reasons
            continue
        for k in needed_for.get(j, []):
            g = comp.groups[k]
            reasons.append(f"retenue pour respecter {_label(g.kind, g.key, g.need)}")
        why = not_reasons.get(better) or ["non retenue"]
        reasons.append(
            f"classée après {props[better].id} (score {number(props[better].score)}), "
            f"non retenue : {why[0]}"
        )
        if not forced[j] and len(reasons) == 1:
            row = smaller_row.get(j)
            if row is not None:
                reasons.append(
                    f"elle demande moins ({money(int(comp.usage_min[row, j]))} contre "
                    f"{money(int(comp.usage_min[row, better]))} sur le volet "
                    f"{pool_ids[comp.row_pool[row]]} {years[comp.row_year[row]]})"
                )
            if prefer:
                reasons.append(
                    f"l'objectif « {OBJECTIVES_TEXT[objective]} » préfère cette combinaison"
                )
        funded_reasons[j] = reasons
    return not_reasons, funded_reasons


OBJECTIVES_TEXT = OBJECTIVE_NAMES


def _label(kind: str, key: str, need: int) -> str:
    return group_label(kind, key, need)


# ----------------------------------------------------------------------------- output


def _cents_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _float(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, 6)


def result_to_dict(result: Result) -> dict[str, Any]:
    """The Result JSON of the selection issue; amounts as strings such as ``"25000.00"``."""

    def amounts(values: tuple[int, ...]) -> dict[str, str]:
        return {fy: _cents_text(a) for fy, a in zip(result.fiscal_years, values, strict=True) if a}

    return {
        "status": result.status,
        "method": result.method,
        "objective_function": result.objective_function,
        "objective": _float(result.objective),
        "bound": _float(result.bound),
        "gap": _float(result.gap) if result.gap is None else float(f"{result.gap:.3g}"),
        "funded": [
            {
                "id": f.id,
                "fraction": format(f.fraction.normalize(), "f"),
                "amounts": amounts(f.amounts),
                "reasons": list(f.reasons),
            }
            for f in result.funded
        ],
        "not_funded": [{"id": n.id, "reasons": list(n.reasons)} for n in result.not_funded],
        "infeasibility": list(result.infeasibility),
        "seconds": round(result.seconds, 4),
        "solver_seconds": round(result.solver_seconds, 4),
    }
