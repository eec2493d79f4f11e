"""Compiled arrays of an instance, exact cent arithmetic and the HiGHS model.

The solver works in floating point on amounts scaled to thousands of dollars;
every solution it returns is converted back to decimal fractions and checked
again in integer cents (amount = floor(fraction x requested)), so a tolerance
inside HiGHS can never overspend a pool.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, getcontext

import highspy
import numpy as np
import numpy.typing as npt

from .engine_types import Instance

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Solver unit: 1 000 $ (100 000 cents) keeps coefficients near 1.
SCALE = 100_000.0
FRACTION_DIGITS = 9
FRACTION_UNIT = 10**FRACTION_DIGITS
ZERO = Decimal(0)
ONE = Decimal(1)
# Models with at most this many proposals are solved without root restarts.
SMALL_MODEL = 200
# Integer objectives: every partial sum of |c| below 2**53 is exact in a double.
EXACT_LIMIT = 2**53
# Absolute gap, in units of an integral objective, at which HiGHS may stop:
# bound - incumbent < 1 with integer objectives proves the incumbent optimal.
INTEGRAL_ABS_GAP = 1.0 - 1e-6
# HiGHS options applied to every solve after the engine's own (for experiments).
EXTRA_OPTIONS: dict[str, bool | int | float | str] = {}


@dataclass(frozen=True)
class MinGroup:
    kind: str  # "territory" | "priority"
    key: str
    need: int
    members: BoolArray


@dataclass(frozen=True)
class Compiled:
    """Arrays derived once from an instance; proposal ``i`` is ``instance.proposals[i]``."""

    n: int
    req: IntArray  # (n, Y) requested cents
    usage: IntArray  # (R, n) cents drawn on row r when i is fully funded
    usage_min: IntArray  # (R, n) cents drawn on row r at min_fraction
    member: BoolArray  # (R, n) proposal i draws on the pool of row r
    caps: IntArray  # (R,) cents
    row_pool: tuple[int, ...]
    row_year: tuple[int, ...]
    min_fraction: tuple[Decimal, ...]
    mf: FloatArray
    org: IntArray  # organisation index per proposal
    org_names: tuple[str, ...]
    org_cap: int | None
    groups: tuple[MinGroup, ...]
    fundable: BoolArray
    forced: BoolArray
    order: tuple[int, ...]  # merit order: score descending, ties by id
    rank_of: IntArray  # position of each proposal in ``order``
    score: FloatArray


def floor_amount(fraction: Decimal, cents: int) -> int:
    if fraction == ONE:
        return cents
    if fraction == ZERO:
        return 0
    return int((fraction * cents).to_integral_value(rounding=ROUND_FLOOR))


def floor_amounts(fraction: Decimal, cents: list[int]) -> list[int]:
    """``floor_amount`` of each amount, in integers when the decimal product is exact.

    ``fraction x c`` is computed exactly by Decimal when its coefficient
    ``m x c`` has at most ``prec`` digits; its floor is then ``m x c // 10**-e``.
    Otherwise (or for an unusual fraction) the Decimal computation itself.
    """
    if fraction == ONE:
        return list(cents)
    if fraction == ZERO:
        return [0] * len(cents)
    sign, digits, exponent = fraction.as_tuple()
    if sign or not isinstance(exponent, int) or exponent > 0:
        return [floor_amount(fraction, c) for c in cents]
    m = int("".join(map(str, digits)))
    den = 10**-exponent
    limit = 10 ** getcontext().prec
    return [m * c // den if -limit < m * c < limit else floor_amount(fraction, c) for c in cents]


def compile_instance(instance: Instance) -> Compiled:
    props = instance.proposals
    n = len(props)
    years = len(instance.fiscal_years)
    pools = instance.pools
    pool_index = {p.id: k for k, p in enumerate(pools)}
    req = np.fromiter(
        itertools.chain.from_iterable(p.requested for p in props), dtype=np.int64, count=n * years
    ).reshape(n, years)
    rows = [(k, y) for k in range(len(pools)) for y in range(years)]
    # Row k * years + y is pool k in fiscal year y.
    in_pool = np.zeros((len(pools), n), dtype=np.bool_)
    in_pool[
        [pool_index[pid] for p in props for pid in p.pools],
        [i for i, p in enumerate(props) for _ in p.pools],
    ] = True
    member = np.repeat(in_pool, years, axis=0)
    row_year = np.array([y for _, y in rows], dtype=np.int64)
    usage = np.where(member, req[:, row_year].T, 0).astype(np.int64)
    req_min = req.copy()
    partial = [i for i, p in enumerate(props) if p.min_fraction != ONE]
    if partial:
        req_min[partial] = np.array(
            [floor_amounts(props[i].min_fraction, list(props[i].requested)) for i in partial],
            dtype=np.int64,
        ).reshape(len(partial), years)
    usage_min = np.where(member, req_min[:, row_year].T, 0).astype(np.int64)
    caps = np.array([pools[k].amounts[y] for k, y in rows], dtype=np.int64)

    org_idx: dict[str, int] = {}
    org = np.array(
        [org_idx.setdefault(p.organisation, len(org_idx)) for p in props], dtype=np.int64
    )
    org_names = list(org_idx)  # in order of first appearance, as indexed

    rules = instance.rules
    groups: list[MinGroup] = []
    for kind, table, attr in (
        ("territory", rules.min_per_territory, "territories"),
        ("priority", rules.min_per_priority, "priorities"),
    ):
        wanted = {key: np.zeros(n, dtype=np.bool_) for key, need in table if need > 0}
        if wanted:
            hits: dict[str, list[int]] = {key: [] for key in wanted}
            for i, p in enumerate(props):
                for key in getattr(p, attr):
                    if key in hits:
                        hits[key].append(i)
            for key, where in hits.items():
                wanted[key][where] = True
        for key, need in table:
            if need > 0:
                groups.append(MinGroup(kind, key, need, wanted[key]))

    fundable = np.array(
        [
            p.lock != "out" and (rules.min_score is None or p.score >= rules.min_score)
            for p in props
        ],
        dtype=np.bool_,
    )
    forced = np.array([p.lock == "in" for p in props], dtype=np.bool_)
    keys = [(-p.score, p.id) for p in props]
    order = tuple(sorted(range(n), key=keys.__getitem__))
    rank_of = np.zeros(n, dtype=np.int64)
    rank_of[list(order)] = np.arange(n, dtype=np.int64)
    return Compiled(
        n=n,
        req=req,
        usage=usage,
        usage_min=usage_min,
        member=member,
        caps=caps,
        row_pool=tuple(k for k, _ in rows),
        row_year=tuple(y for _, y in rows),
        min_fraction=tuple(p.min_fraction for p in props),
        mf=np.array([float(p.min_fraction) for p in props], dtype=np.float64),
        org=org,
        org_names=tuple(org_names),
        org_cap=rules.max_per_organisation,
        groups=tuple(groups),
        fundable=fundable,
        forced=forced,
        order=order,
        rank_of=rank_of,
        score=np.array([float(p.score) for p in props], dtype=np.float64),
    )


def usage_of(comp: Compiled, i: int, fraction: Decimal) -> IntArray:
    """Cents drawn on every row when proposal ``i`` gets ``fraction``."""
    if fraction == ONE:
        return comp.usage[:, i]
    if fraction == ZERO:
        return np.zeros(len(comp.caps), dtype=np.int64)
    if fraction == comp.min_fraction[i]:
        return comp.usage_min[:, i]
    amounts = np.array(floor_amounts(fraction, comp.req[i].tolist()), dtype=np.int64)
    return np.where(comp.member[:, i], amounts[list(comp.row_year)], 0).astype(np.int64)


def total_usage(comp: Compiled, fractions: list[Decimal]) -> IntArray:
    used = np.zeros(len(comp.caps), dtype=np.int64)
    full = [i for i, f in enumerate(fractions) if f == ONE]
    if full:
        used += comp.usage[:, full].sum(axis=1)
    for i, f in enumerate(fractions):
        if f != ZERO and f != ONE:
            used += usage_of(comp, i, f)
    return used


def max_fraction_fitting(comp: Compiled, i: int, remaining: IntArray) -> Decimal:
    """Largest fraction (6 decimals, at most 1) of ``i`` whose amounts fit ``remaining``."""
    col = comp.usage[:, i]
    rows = np.nonzero(col)[0]
    if rows.size == 0:
        return ONE
    rem = remaining[rows]
    if np.all(col[rows] <= rem):
        return ONE
    if np.any(rem < 0):
        return ZERO
    units = min(int(r) * FRACTION_UNIT // int(c) for r, c in zip(rem, col[rows], strict=True))
    return Decimal(units).scaleb(-FRACTION_DIGITS)


def violations(comp: Compiled, fractions: list[Decimal]) -> list[str]:
    """Rules broken by ``fractions`` (exact, in cents); empty when all hold."""
    problems: list[str] = []
    used = total_usage(comp, fractions)
    for r in np.nonzero(used > comp.caps)[0]:
        problems.append(f"row {int(r)} over by {int(used[r] - comp.caps[r])} cents")
    funded = np.array([f > ZERO for f in fractions], dtype=np.bool_)
    for i in np.nonzero(funded)[0]:
        f = fractions[i]
        if not comp.fundable[i] or f < comp.min_fraction[i] or f > ONE:
            problems.append(f"proposal {int(i)} has invalid fraction {f}")
    for i in np.nonzero(comp.forced & ~funded)[0]:
        problems.append(f"proposal {int(i)} is locked in but not funded")
    if comp.org_cap is not None and funded.any():
        counts = np.bincount(comp.org[funded], minlength=len(comp.org_names))
        if counts.max() > comp.org_cap:
            problems.append("max_per_organisation exceeded")
    for g in comp.groups:
        if int((funded & g.members).sum()) < g.need:
            problems.append(f"minimum for {g.kind} {g.key} not met")
    return problems


def repair(comp: Compiled, fractions: list[Decimal]) -> list[Decimal] | None:
    """Lower partial fractions on overspent rows; None when that is not enough."""
    out = list(fractions)
    for _ in range(3):
        over = total_usage(comp, out) - comp.caps
        bad = np.nonzero(over > 0)[0]
        if bad.size == 0:
            return out
        for r in bad:
            excess = int(over[r])
            for i in np.nonzero(comp.member[r])[0]:
                f, mf = out[i], comp.min_fraction[i]
                if excess <= 0 or f <= mf or f == ZERO:
                    continue
                c = int(comp.usage[r, i])
                if c == 0:
                    continue
                cut = Decimal(-(-excess * FRACTION_UNIT // c) + 1).scaleb(-FRACTION_DIGITS)
                new = max(mf, f - cut)
                excess -= int(usage_of(comp, i, f)[r] - usage_of(comp, i, new)[r])
                out[i] = new
    return out if not (total_usage(comp, out) > comp.caps).any() else None


def fraction_from_solver(comp: Compiled, i: int, y: float, f: float) -> Decimal:
    """Solver value -> decimal fraction; exact checks and ``repair`` catch any overshoot."""
    if y < 0.5:
        return ZERO
    mf = comp.min_fraction[i]
    if mf == ONE or f >= 1.0 - 1e-9:
        return ONE
    if abs(f - float(mf)) <= 1e-9:
        return mf
    units = int(np.floor(f * FRACTION_UNIT + 0.01))
    return min(ONE, max(mf, Decimal(units).scaleb(-FRACTION_DIGITS)))


INTERRUPTS = (
    highspy.cb.HighsCallbackType.kCallbackSimplexInterrupt,
    highspy.cb.HighsCallbackType.kCallbackIpmInterrupt,
    highspy.cb.HighsCallbackType.kCallbackMipInterrupt,
)


def _interrupt_at(h: highspy._core._Highs, deadline: float) -> None:
    """Stop HiGHS at ``deadline`` (perf_counter), wherever it polls for interrupts."""
    clock = time.perf_counter

    def check(kind: object, message: str, out: object, data_in: object, user: object) -> None:
        if data_in is not None and clock() >= deadline:
            data_in.user_interrupt = True  # type: ignore[attr-defined]

    h.setOptionValue("time_limit", max(0.01, deadline - clock()))
    h.setCallback(check, None)
    for kind in INTERRUPTS:
        h.startCallback(kind)


@dataclass(frozen=True)
class MipOutcome:
    status: str  # "optimal" | "infeasible" | "time_limit"
    fractions: dict[int, Decimal] | None  # proposal index -> fraction (active ones)
    objective: float  # in units of the given cost vector
    bound: float
    seconds: float


@dataclass(frozen=True)
class MipSpec:
    """A sub-problem: ``active`` proposals only, everything else fixed at zero."""

    active: IntArray
    caps: IntArray  # (R,) remaining cents
    org_room: dict[int, int] | None  # organisation index -> funded proposals still allowed
    groups: list[tuple[BoolArray, int]]  # (members over n, still needed)
    forced: BoolArray  # over n
    cost: FloatArray  # over n (maximised)
    use_budget: bool = True
    # Exact integer objective, when known: cost[i] == int_cost[i] * int_unit.
    # Without it, a cost vector of integral floats is used as is.
    int_cost: tuple[int, ...] | None = None
    int_unit: float = 1.0


@dataclass(frozen=True)
class IntegralObjective:
    """Objective coefficients of the active columns as coprime integers.

    ``value(f) = unit * scale * sum(coef[j] * y[j])``; ``sum(|coef|) < 2**53``
    so every objective value HiGHS adds up is an exact integer in a double.
    """

    coef: list[int]
    scale: int  # the gcd taken out
    unit: float


def integral_objective(spec: MipSpec, active: IntArray) -> IntegralObjective | None:
    """The active columns' objective as integers, or None when not provably integral."""
    if spec.int_cost is not None:
        ints = [int(spec.int_cost[int(i)]) for i in active]
        unit = spec.int_unit
    else:
        c = spec.cost[active]
        if not bool(np.all(np.isfinite(c))) or bool(np.any(np.abs(c) >= EXACT_LIMIT)):
            return None
        if bool(np.any(c != np.round(c))):
            return None
        ints = [int(x) for x in c]
        unit = 1.0
    g = math.gcd(*ints) if ints else 0
    if g > 1:
        ints = [x // g for x in ints]
    if sum(abs(x) for x in ints) >= EXACT_LIMIT:
        return None
    return IntegralObjective(ints, max(g, 1), unit)


def new_highs() -> highspy._core._Highs:
    # The bare core class: ``highspy.Highs()`` prints a banner on stdout when built.
    h = highspy._core._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def solve_mip(
    comp: Compiled,
    spec: MipSpec,
    time_limit: float,
    starts: list[dict[int, Decimal]] | None = None,
    gap: float = 1e-9,
) -> MipOutcome:
    """Maximise ``cost . f`` over the active proposals under every rule.

    ``time_limit`` is on the wall clock from this call: building the model
    counts, and a callback interrupts HiGHS inside presolve-free phases
    (simplex, interior point, branch and bound) once it is spent, since HiGHS
    checks its own limit only between steps.
    """
    deadline = time.perf_counter() + max(0.0, float(time_limit))
    active = spec.active
    k = active.size
    if k == 0:
        ok = all(need <= 0 for _, need in spec.groups)
        return MipOutcome("optimal" if ok else "infeasible", {} if ok else None, 0.0, 0.0, 0.0)
    # Minimums as rows: which active proposals count for each (one array op).
    in_group = (
        np.array([members for members, _ in spec.groups], dtype=np.bool_)[:, active]
        if spec.groups
        else np.zeros((0, k), dtype=np.bool_)
    )
    for count, (_, need) in zip(in_group.sum(axis=1).tolist(), spec.groups, strict=True):
        if count < need:
            return MipOutcome("infeasible", None, 0.0, 0.0, 0.0)
    mf = comp.mf[active]
    partial = np.nonzero(mf < 1.0)[0]
    p = partial.size
    num_col = k + p
    cost_active = spec.cost[active]
    # All or nothing and an exactly integral objective (gap below one unit
    # proves optimality): see docs/selection-engine.md, "Integral objectives".
    exact = integral_objective(spec, active) if p == 0 and gap <= 1e-9 else None
    if exact is not None:
        biggest = max((abs(x) for x in exact.coef), default=0)
        # Dividing by a power of two is exact: the coefficients stay integers
        # times 2**-m, their partial sums exact, the largest in [1, 2).
        norm = 2.0 ** math.floor(math.log2(biggest)) if biggest else 1.0
        c = np.array(exact.coef, dtype=np.float64) / norm
    else:
        norm = float(np.abs(cost_active).max()) if k else 1.0
        if norm <= 0:
            norm = 1.0
        c = cost_active / norm
    col_cost = np.concatenate([c * mf, c[partial]])
    col_lower = np.zeros(num_col)
    col_lower[:k] = spec.forced[active].astype(np.float64)
    col_upper = np.concatenate([np.ones(k), 1.0 - mf[partial]])
    integrality = np.concatenate([np.ones(k, dtype=np.int32), np.zeros(p, dtype=np.int32)])

    rows_i: list[IntArray] = []
    cols_i: list[IntArray] = []
    vals: list[FloatArray] = []
    row_lo: list[float] = []
    row_hi: list[float] = []
    nrow = 0

    def add_block(r_idx: IntArray, c_idx: IntArray, v: FloatArray) -> None:
        rows_i.append(r_idx.astype(np.int64))
        cols_i.append(c_idx.astype(np.int64))
        vals.append(v.astype(np.float64))

    if spec.use_budget:
        u = comp.usage[:, active]
        binding = np.nonzero(u.sum(axis=1) > spec.caps)[0]
        if binding.size:
            # The matrix is sparse: scale only its nonzero entries.
            sub = u[binding]
            rr, cc = np.nonzero(sub)
            scaled = sub[rr, cc].astype(np.float64) / SCALE
            add_block(rr + nrow, cc, scaled * mf[cc])
            # continuous parts g of partial proposals
            pos_of = -np.ones(k, dtype=np.int64)
            pos_of[partial] = np.arange(p)
            mask = pos_of[cc] >= 0
            add_block(rr[mask] + nrow, k + pos_of[cc[mask]], scaled[mask])
            row_lo += [-np.inf] * binding.size
            row_hi += list(spec.caps[binding].astype(np.float64) / SCALE)
            nrow += binding.size
    if p:
        # g_j <= (1 - mf_j) y_j : the convex hull of {0} U [mf_j, 1]
        idx = np.arange(p)
        add_block(nrow + idx, k + idx, np.ones(p))
        add_block(nrow + idx, partial, -(1.0 - mf[partial]))
        row_lo += [-np.inf] * p
        row_hi += [0.0] * p
        nrow += p
    if spec.org_room is not None:
        # One row per organisation with more active proposals than room left,
        # by organisation index (built at once: W3 has thousands).
        orgs = comp.org[active]
        counts = np.bincount(orgs, minlength=len(comp.org_names))
        room_of = np.full(counts.size, comp.org_cap or 0, dtype=np.int64)
        for o, left in spec.org_room.items():
            room_of[o] = left
        tight = np.nonzero((counts > 0) & (counts > room_of))[0]
        if tight.size:
            row_of = -np.ones(counts.size, dtype=np.int64)
            row_of[tight] = np.arange(tight.size)
            cols = np.nonzero(row_of[orgs] >= 0)[0]
            add_block(nrow + row_of[orgs[cols]], cols, np.ones(cols.size))
            row_lo += [-np.inf] * tight.size
            row_hi += room_of[tight].astype(np.float64).tolist()
            nrow += tight.size
    wanted = [g for g, (_, need) in enumerate(spec.groups) if need > 0]
    if wanted:
        gr, gc = np.nonzero(in_group[wanted])
        add_block(nrow + gr, gc, np.ones(gr.size))
        row_lo += [float(spec.groups[g][1]) for g in wanted]
        row_hi += [np.inf] * len(wanted)
        nrow += len(wanted)

    if rows_i:
        all_r = np.concatenate(rows_i)
        all_c = np.concatenate(cols_i)
        all_v = np.concatenate(vals)
    else:
        all_r = all_c = np.zeros(0, dtype=np.int64)
        all_v = np.zeros(0)
    # Column-major, rows ascending within a column. Every (row, column) pair
    # is built once, so the keys are distinct and any sort gives this order.
    perm = np.argsort(all_c * max(nrow, 1) + all_r)
    all_r, all_c, all_v = all_r[perm], all_c[perm], all_v[perm]
    starts_arr = np.zeros(num_col + 1, dtype=np.int32)
    np.cumsum(np.bincount(all_c, minlength=num_col), out=starts_arr[1:])

    t0 = time.perf_counter()
    h = new_highs()
    if exact is not None:
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", INTEGRAL_ABS_GAP / norm)
    else:
        h.setOptionValue("mip_rel_gap", gap)
        h.setOptionValue("mip_abs_gap", 1e-12)
    h.setOptionValue("mip_feasibility_tolerance", 1e-7)
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("random_seed", 0)
    if k <= SMALL_MODEL:
        # Measured on W1 (5 seeds): restarts after root fixing cost more than they
        # save on small models (score_dollars 0.36-1.05 s -> 0.06-0.45 s); on
        # W3 they are what reaches 0.034 % at 5 s (22 % without), so kept there.
        h.setOptionValue("mip_allow_restart", False)
    h.passModel(
        num_col,
        nrow,
        int(all_v.size),
        1,  # column-wise
        -1,  # maximise
        0.0,
        col_cost,
        col_lower,
        col_upper,
        np.array(row_lo, dtype=np.float64),
        np.array(row_hi, dtype=np.float64),
        starts_arr,
        all_r.astype(np.int32),
        all_v,
        integrality,
    )
    local = {i: j for j, i in enumerate(active.tolist())} if starts else {}
    best_start: np.ndarray | None = None
    best_val = -np.inf
    for start in starts or []:
        y = np.zeros(k)
        fvals = np.zeros(k)
        for i, f in start.items():
            j = local.get(i)
            if j is None or f == ZERO:
                continue
            y[j] = 1.0
            fvals[j] = float(f)
        g = np.maximum(0.0, fvals[partial] - mf[partial] * y[partial])
        vec = np.concatenate([y, g])
        val = float(col_cost @ vec)
        if val > best_val:
            best_val, best_start = val, vec
    if best_start is not None:
        h.setSolution(num_col, np.arange(num_col, dtype=np.int32), best_start)

    _interrupt_at(h, deadline)
    for name, value in EXTRA_OPTIONS.items():
        h.setOptionValue(name, value)
    h.run()
    # Time inside HiGHS: loading the model, the start and the solve.
    seconds = time.perf_counter() - t0
    status = h.getModelStatus()
    info = h.getInfo()
    ms = highspy.HighsModelStatus
    if status == ms.kInfeasible:
        return MipOutcome("infeasible", None, 0.0, 0.0, seconds)
    has_solution = int(info.primal_solution_status) == 2
    if has_solution and best_start is not None:
        # HiGHS 1.16, with presolve and a start given by setSolution, can
        # report the better objective it found alongside the start's vector.
        # The vector is what we fund, so it must match the objective: when
        # it does not, solve again without the start (rare; measured only on
        # small instances where presolve settles the whole model).
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        reported = float(info.objective_function_value)
        if abs(float(col_cost @ x) - reported) > 1e-7 * max(1.0, abs(reported)):
            remaining = max(0.05, deadline - time.perf_counter())
            return solve_mip(comp, spec, remaining, starts=None, gap=gap)
    if not has_solution:
        dual = float(info.mip_dual_bound) * norm
        if exact is not None and math.isfinite(dual):
            dual = math.floor(dual + 1e-6) * exact.scale * exact.unit
        return MipOutcome("time_limit", None, 0.0, dual, seconds)
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    y = values[:k]
    fv = mf * np.round(y)
    fv[partial] += values[k:]
    # fraction_from_solver, with its first two cases inline (most columns).
    fractions: dict[int, Decimal] = {}
    y_l: list[float] = y.tolist()
    fv_l: list[float] = fv.tolist()
    min_fraction = comp.min_fraction
    for j, i in enumerate(active.tolist()):
        if y_l[j] < 0.5:
            fractions[i] = ZERO
        elif min_fraction[i] == ONE:
            fractions[i] = ONE
        else:
            fractions[i] = fraction_from_solver(comp, i, y_l[j], fv_l[j])
    objective = float(info.objective_function_value) * norm
    bound = float(info.mip_dual_bound) * norm
    if exact is not None:
        return _integral_outcome(exact, y, bound, status == ms.kOptimal, fractions, seconds)
    # Whatever HiGHS's own status (it may stop on an interrupt or a limit
    # just as the last node closes), a bound within 1e-9 of the incumbent
    # proves it optimal: that is the product's definition of "optimal".
    proven = math.isfinite(bound) and bound - objective <= 1e-9 * max(1.0, abs(objective))
    if status == ms.kOptimal or proven:
        return MipOutcome("optimal", fractions, objective, max(bound, objective), seconds)
    return MipOutcome("time_limit", fractions, objective, bound, seconds)


def _integral_outcome(
    exact: IntegralObjective,
    y: FloatArray,
    bound_units: float,
    solver_optimal: bool,
    fractions: dict[int, Decimal],
    seconds: float,
) -> MipOutcome:
    """Objective and bound of an integral objective, in integers.

    The incumbent's value is added up exactly from the rounded binaries; since
    every feasible value is an integer, floor(bound) is still a bound (a
    millionth of slack absorbs the solver's float error in the bound), and the
    incumbent is optimal as soon as it reaches it.
    """
    taken = np.round(y) >= 1
    value = sum(c for c, t in zip(exact.coef, taken.tolist(), strict=True) if t)
    ceiling = math.floor(bound_units + 1e-6) if math.isfinite(bound_units) else None
    factor = exact.scale * exact.unit
    objective = value * factor
    if solver_optimal or (ceiling is not None and ceiling <= value):
        return MipOutcome("optimal", fractions, objective, objective, seconds)
    bound = math.inf if ceiling is None else max(ceiling * factor, objective)
    return MipOutcome("time_limit", fractions, objective, bound, seconds)
