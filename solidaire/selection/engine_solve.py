"""The three ways of choosing: rank-and-cut, merit order, and the optimum."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from .engine_model import (
    ONE,
    ZERO,
    BoolArray,
    Compiled,
    FloatArray,
    IntArray,
    MipSpec,
    max_fraction_fitting,
    repair,
    solve_mip,
    total_usage,
    usage_of,
    violations,
)
from .engine_text import group_label, money, pool_year_label, proposal_label


@dataclass
class Outcome:
    fractions: list[Decimal]
    status: str  # "optimal" | "infeasible" | "time_limit"
    objective: float = 0.0
    bound: float | None = None
    solver_seconds: float = 0.0
    infeasibility: list[str] = field(default_factory=list)
    notes: dict[int, list[str]] = field(default_factory=dict)


def objective_value(cost: FloatArray, fractions: list[Decimal]) -> float:
    return float(sum(float(cost[i]) * float(f) for i, f in enumerate(fractions) if f > ZERO))


# ----------------------------------------------------------------------------- rank


def rank_and_cut(comp: Compiled, labels: tuple[str, ...]) -> Outcome:
    """The spreadsheet: locked-in first, then by score, fund fully what still fits."""
    fractions = [ZERO] * comp.n
    rem = comp.caps.copy()
    org_count = np.zeros(len(comp.org_names), dtype=np.int64)
    sequence = [i for i in comp.order if comp.forced[i]] + [
        i for i in comp.order if not comp.forced[i]
    ]
    for i in sequence:
        if not comp.fundable[i]:
            continue
        if comp.org_cap is not None and org_count[comp.org[i]] >= comp.org_cap:
            continue
        col = comp.usage[:, i]
        if np.all(col <= rem):
            fractions[i] = ONE
            rem -= col
            org_count[comp.org[i]] += 1
    missed: list[str] = []
    for k in np.nonzero(comp.forced)[0]:
        if fractions[k] == ZERO:
            missed.append(
                f"{proposal_label(labels[k])} imposée par le comité n'a pas pu être retenue"
            )
    funded = np.array([f > ZERO for f in fractions], dtype=np.bool_)
    for g in comp.groups:
        got = int((funded & g.members).sum())
        if got < g.need:
            missed.append(
                f"{group_label(g.kind, g.key, g.need)} n'est pas atteint ({got} retenue(s))"
            )
    return Outcome(fractions, "infeasible" if missed else "optimal", infeasibility=missed)


# ----------------------------------------------------------------------------- merit order


class _MeritState:
    """Decisions so far, and the witness kept as running totals.

    The *live* witness is the part of the witness not yet reached in merit
    order (rank >= the current position). Kept up to date as the walk
    advances: the money left once the live witness is served at min_fraction
    (``margin``, per row), per minimum what is still lacking once the live
    witness is counted (``deficit``, ``n_def`` of them positive) and, with the
    organisation limit, funded plus live witness per organisation (``comb``,
    ``n_over`` of them over the limit). Checking a decision against the
    witness then costs one vector comparison, not a pass over the witness.
    """

    def __init__(self, comp: Compiled) -> None:
        self.comp = comp
        self.rem = comp.caps.copy()
        self.org_count = np.zeros(len(comp.org_names), dtype=np.int64)
        self.member_of = (
            np.array([g.members for g in comp.groups], dtype=np.bool_)
            if comp.groups
            else np.zeros((0, comp.n), dtype=np.bool_)
        )
        self.need = np.array([g.need for g in comp.groups], dtype=np.int64)
        self.group_count = [0] * len(comp.groups)
        self.forced_idx = np.nonzero(comp.forced)[0]
        self.usage_min_t = np.ascontiguousarray(comp.usage_min.T)
        self.usage_t = np.ascontiguousarray(comp.usage.T)
        self.member_t = np.ascontiguousarray(self.member_of.T).astype(np.int64)
        self.fractions = [ZERO] * comp.n
        self.org_l: list[int] = comp.org.tolist()
        self.org_count_l = [0] * len(comp.org_names)
        self.rank_l: list[int] = comp.rank_of.tolist()
        self.witness: set[int] = set()
        self.live: set[int] = set()
        self.wuse = np.zeros(len(comp.caps), dtype=np.int64)
        self.margin = self.rem.copy()  # rem - wuse
        self.wgrp = [0] * len(comp.groups)
        self.comb = [0] * len(comp.org_names)
        self.n_over = 0
        self.groups_of: list[list[int]] = [[] for _ in range(comp.n)]
        js, ks = np.nonzero(self.member_of.T)
        for j, k in zip(js.tolist(), ks.tolist(), strict=True):
            self.groups_of[j].append(k)
        self.need_l: list[int] = self.need.tolist()
        self.needed_l = list(self.need_l)
        self._needed: IntArray | None = None  # needed_l as an array, when asked for
        self.deficit = list(self.need_l)
        self.n_def = sum(1 for d in self.deficit if d > 0)

    def set_witness(self, witness: set[int], pos: int) -> None:
        """A new witness; its live part is the proposals ranked at ``pos`` or later."""
        self.witness = witness
        rank = self.rank_l
        live = sorted(j for j in witness if rank[j] >= pos)
        self.live = set(live)
        idx = np.array(live, dtype=np.int64)
        self.wuse = self.usage_min_t[idx].sum(axis=0)
        self.margin = self.rem - self.wuse
        self.wgrp = self.member_t[idx].sum(axis=0).tolist()
        self.deficit = [a - b for a, b in zip(self.needed_l, self.wgrp, strict=True)]
        self.n_def = sum(1 for d in self.deficit if d > 0)
        cap = self.comp.org_cap
        if cap is not None:
            comb = self.org_count.copy()
            np.add.at(comb, self.comp.org[idx], 1)
            self.comb = comb.tolist()
            self.n_over = int((comb > cap).sum())

    def shrink_witness(self, witness: set[int]) -> None:
        """A witness that is a subset of the live one: drop the difference from the totals."""
        for j in [j for j in self.live if j not in witness]:
            self._drop_live(j)
        self.witness = witness

    def _bump(self, o: int, d: int) -> None:
        cap = self.comp.org_cap
        if cap is None:
            return
        before = self.comb[o] > cap
        self.comb[o] += d
        self.n_over += int(self.comb[o] > cap) - int(before)

    def _drop_live(self, j: int) -> None:
        self.live.discard(j)
        self.wuse -= self.usage_min_t[j]
        self.margin += self.usage_min_t[j]
        for k in self.groups_of[j]:
            self.wgrp[k] -= 1
            self.deficit[k] += 1
            if self.deficit[k] == 1:
                self.n_def += 1
        self._bump(self.org_l[j], -1)

    def advance(self, pos: int) -> None:
        """Move to ``pos``: the proposal just passed leaves the live witness."""
        if pos > 0:
            j = self.comp.order[pos - 1]
            if j in self.live:
                self._drop_live(j)

    def discard(self, i: int) -> None:
        self.witness.discard(i)
        if i in self.live:
            self._drop_live(i)

    def fund(self, i: int, f: Decimal) -> None:
        comp = self.comp
        self.fractions[i] = f
        use = self.usage_t[i] if f == ONE else usage_of(comp, i, f)
        self.rem -= use
        self.margin -= use
        o = self.org_l[i]
        self.org_count[o] += 1
        self.org_count_l[o] += 1
        self._bump(o, 1)
        for k in self.groups_of[i]:
            self.group_count[k] += 1
            if self.needed_l[k] > 0:
                self.needed_l[k] -= 1
                self._needed = None
                self.deficit[k] -= 1
                if self.deficit[k] == 0:
                    self.n_def -= 1

    def fits(self, i: int) -> Decimal:
        """``max_fraction_fitting``, or ZERO when that would be below min_fraction anyway."""
        if bool((self.usage_t[i] <= self.rem).all()):
            return ONE
        # f x c <= rem on every row, so f >= min_fraction would need
        # floor(min_fraction x c) <= rem: when not, f < min_fraction.
        if self.comp.min_fraction[i] == ONE or bool((self.usage_min_t[i] > self.rem).any()):
            return ZERO
        return max_fraction_fitting(self.comp, i, self.rem)

    def still_needed(self) -> list[int]:
        return [int(x) for x in self.needed()]

    def needed(self) -> IntArray:
        """Funded proposals each minimum still lacks (do not modify)."""
        if self._needed is None:
            self._needed = np.array(self.needed_l, dtype=np.int64)
        return self._needed

    def org_full(self, i: int) -> bool:
        cap = self.comp.org_cap
        return cap is not None and self.org_count_l[self.org_l[i]] >= cap

    def meets_needed(self, i: int) -> bool:
        """Funding ``i`` counts towards a minimum not yet met."""
        needed = self.needed_l
        return any(needed[k] > 0 for k in self.groups_of[i])

    def prune(self, witness: set[int], pos: int) -> set[int]:
        """Keep only the later proposals a lock or a minimum needs, at min_fraction.

        Latest-ranked first, a proposal is dropped when every minimum it counts
        for has a spare member (slack >= 1). Slack only falls during the pass,
        so only proposals with slack in all their minimums at the start can be
        dropped: the pass visits those alone.
        """
        rank = self.rank_l
        later = [j for j in witness if rank[j] > pos]
        if not later:
            return set()
        w = np.array(later, dtype=np.int64)
        sub = self.member_t[w] > 0
        slack = sub.sum(axis=0) - self.needed()
        candidate = ~self.comp.forced[w] & ~(sub & (slack < 1)).any(axis=1)
        spare: list[int] = slack.tolist()
        dropped: set[int] = set()
        for j in sorted(w[candidate].tolist(), key=lambda j: -rank[j]):
            gs = self.groups_of[j]
            if all(spare[k] >= 1 for k in gs):
                dropped.add(j)
                for k in gs:
                    spare[k] -= 1
        return {j for j in later if j not in dropped}

    def fits_beside_witness(self, i: int) -> bool:
        """Fully funding ``i`` leaves the live witness (without ``i``) its money."""
        use = self.usage_t[i]
        if i in self.live:
            use = use - self.usage_min_t[i]
        return not bool((use > self.margin).any())

    def current_ok(self, i: int, f: Decimal, money_checked: bool = False) -> bool:
        """``witness_ok`` against the current witness, from the running totals.

        ``money_checked``: ``fits_beside_witness(i)`` holds and ``f`` is 1.
        """
        in_live = i in self.live
        if not money_checked:
            # rem - use_i >= (live witness without i) >= 0 on every row.
            use = self.usage_t[i] if f == ONE else usage_of(self.comp, i, f)
            if bool(((use - self.usage_min_t[i] if in_live else use) > self.margin).any()):
                return False
        cap = self.comp.org_cap
        if cap is not None:
            over = self.n_over
            if not in_live:
                c = self.comb[self.org_l[i]]
                over += int(c + 1 > cap) - int(c > cap)
            if over > 0:
                return False
        # Every minimum still lacking after the live witness must be completed
        # by i itself (lacking exactly one, and i counts for it).
        if in_live:
            if self.n_def:
                return False
        elif self.n_def:
            deficit = self.deficit
            if self.n_def != sum(1 for k in self.groups_of[i] if deficit[k] == 1):
                return False
        if not self.forced_idx.size:
            return True
        pos = self.rank_l[i]
        later_forced = self.forced_idx[self.comp.rank_of[self.forced_idx] > pos]
        return all(int(j) in self.witness for j in later_forced)

    def witness_ok(self, i: int, f: Decimal, witness: set[int], pos: int) -> bool:
        comp = self.comp
        rem = self.rem - usage_of(comp, i, f)
        if np.any(rem < 0):
            return False
        if not witness and not self.forced_idx.size:
            return not bool((self.needed() > self.member_of[:, i]).any())
        w = np.fromiter((j for j in witness if j != i), dtype=np.int64)
        w = w[comp.rank_of[w] > pos]
        if w.size and np.any(self.usage_min_t[w].sum(axis=0) > rem):
            return False
        if comp.org_cap is not None:
            counts = self.org_count.copy()
            counts[comp.org[i]] += 1
            np.add.at(counts, comp.org[w], 1)
            if counts.max() > comp.org_cap:
                return False
        have = self.member_of[:, i].astype(np.int64) + self.member_of[:, w].sum(axis=1)
        if np.any(have < self.needed()):
            return False
        later_forced = self.forced_idx[comp.rank_of[self.forced_idx] > pos]
        return all(int(j) in witness for j in later_forced)

    def spec(self, pos: int, extra: int | None, cost: FloatArray) -> MipSpec:
        """Sub-problem over the later proposals that a lock or an unmet minimum could use."""
        comp = self.comp
        needed = self.still_needed()
        relevant = comp.forced.copy()
        for k, g in enumerate(comp.groups):
            if needed[k] > 0:
                relevant |= g.members
        later = comp.rank_of > pos
        mask = relevant & later & comp.fundable
        if comp.org_cap is not None:
            mask &= self.org_count[comp.org] < comp.org_cap
        if extra is not None:
            mask[extra] = True
        room = None
        if comp.org_cap is not None:
            room = {int(o): comp.org_cap - int(c) for o, c in enumerate(self.org_count) if c}
        return MipSpec(
            active=np.nonzero(mask)[0].astype(np.int64),
            caps=self.rem.copy(),
            org_room=room,
            groups=[(g.members, needed[k]) for k, g in enumerate(comp.groups) if needed[k] > 0],
            forced=comp.forced & later,
            cost=cost,
        )


def merit_order(comp: Compiled, labels: tuple[str, ...], time_limit: float) -> Outcome:
    """Each proposal in score order gets the largest fraction that keeps every rule satisfiable.

    Without locks or minimums nothing later can be made infeasible, so the
    greedy choice is exact. Otherwise a *witness* (a cheapest set of later
    proposals that satisfies the remaining locks and minimums) is kept; a MIP
    is solved only when the greedy choice would break the witness.
    """
    deadline = time.perf_counter() + time_limit
    state = _MeritState(comp)
    status = "optimal"
    solver_seconds = 0.0
    notes: dict[int, list[str]] = {}
    constrained = bool(comp.forced.any() or comp.groups)
    if bool((comp.forced & ~comp.fundable).any()):
        return Outcome([ZERO] * comp.n, "infeasible")
    if constrained:
        out = solve_mip(comp, state.spec(-1, None, np.zeros(comp.n)), time_limit, gap=1.0)
        solver_seconds += out.seconds
        if out.fractions is None:
            return Outcome(
                [ZERO] * comp.n,
                "infeasible" if out.status == "infeasible" else "time_limit",
                solver_seconds=solver_seconds,
            )
        state.set_witness(state.prune({i for i, f in out.fractions.items() if f > ZERO}, -1), 0)
    fundable: list[bool] = comp.fundable.tolist()
    for pos, i in enumerate(comp.order):
        state.advance(pos)
        if not fundable[i] or state.org_full(i):
            continue
        # Fully funded within the money the live witness leaves (a common case):
        # it fits, and the witness's money is safe; only counts are left to check.
        roomy = constrained and state.fits_beside_witness(i)
        f = ONE if roomy else state.fits(i)
        if f < comp.min_fraction[i]:
            continue
        greedy = f
        if constrained and not state.current_ok(i, f, money_checked=roomy):
            witness = state.witness
            cost = np.zeros(comp.n)
            cost[i] = 1.0
            remaining = max(0.05, deadline - time.perf_counter())
            spec = state.spec(pos, i, cost)
            start = {j: comp.min_fraction[j] for j in witness}
            out = solve_mip(comp, spec, remaining, starts=[start], gap=1e-9)
            solver_seconds += out.seconds
            if out.status != "optimal":
                status = "time_limit"
            if out.fractions is not None:
                f = min(f, out.fractions.get(i, ZERO))
                new_witness = state.prune({j for j, v in out.fractions.items() if v > ZERO}, pos)
            else:
                f, new_witness = ZERO, witness
            if f > ZERO and f < comp.min_fraction[i]:
                f = ZERO
            if f > ZERO and not state.witness_ok(i, f, new_witness, pos):
                # Solver tolerance: step down a little, else fall back on the
                # previous witness, which is exact.
                for step in ("0.00000001", "0.000001", "0.0001"):
                    lower = f - Decimal(step)
                    if lower >= comp.min_fraction[i] and state.witness_ok(
                        i, lower, new_witness, pos
                    ):
                        f = lower
                        break
                else:
                    f = comp.min_fraction[i] if i in witness else ZERO
                    new_witness = witness
            if f < greedy:
                notes[i] = [_reserved_reason(comp, state, i, f)]
            if new_witness is not witness:
                state.set_witness(new_witness, pos)
        if f == ZERO:
            continue
        # Funding a witness member leaves the rest of the witness as pruned as
        # it was (each remaining member still completes a minimum or a lock;
        # see docs/selection-engine.md); pruning can drop more only when a
        # proposal outside the witness meets part of an unmet minimum.
        reprune = constrained and i not in state.witness and state.meets_needed(i)
        state.fund(i, f)
        state.discard(i)
        if reprune:
            state.shrink_witness(state.prune(state.witness, pos))
    total = objective_value(comp.score, state.fractions)
    return Outcome(
        state.fractions,
        status,
        objective=total,
        bound=total if status == "optimal" else None,
        solver_seconds=solver_seconds,
        notes=notes,
    )


def _reserved_reason(comp: Compiled, state: _MeritState, i: int, f: Decimal) -> str:
    needed = state.still_needed()
    rules = [
        group_label(g.kind, g.key, g.need)
        for k, g in enumerate(comp.groups)
        if needed[k] > 0 and not g.members[i]
    ]
    later_forced = bool(
        (comp.forced & (comp.rank_of > comp.rank_of[i]) & (state.org_count[comp.org] >= 0)).any()
    )
    if later_forced:
        rules.append("les initiatives imposées par le comité")
    what = "; ".join(rules) if rules else "les règles du scénario"
    if f > ZERO:
        return f"financée en partie seulement : l'argent restant est réservé pour respecter {what}"
    return f"la financer aurait empêché de respecter {what}"


# ----------------------------------------------------------------------------- optimum


def _components(comp: Compiled, active: IntArray) -> list[IntArray]:
    """Groups of proposals linked by a binding pool, organisation limit or minimum."""
    parent = {int(i): int(i) for i in active}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def link(members: IntArray) -> None:
        if members.size < 2:
            return
        root = find(int(members[0]))
        for m in members[1:]:
            other = find(int(m))
            if other != root:
                parent[other] = root

    in_active = np.zeros(comp.n, dtype=np.bool_)
    in_active[active] = True
    u = comp.usage[:, active]
    for r in np.nonzero(u.sum(axis=1) > comp.caps)[0]:
        link(np.nonzero(in_active & (comp.usage[r] > 0))[0])
    if comp.org_cap is not None:
        counts = np.bincount(comp.org[active], minlength=len(comp.org_names))
        for o in np.nonzero(counts > comp.org_cap)[0]:
            link(np.nonzero(in_active & (comp.org == o))[0])
    for g in comp.groups:
        link(np.nonzero(in_active & g.members)[0])
    by_root: dict[int, list[int]] = {}
    for i in active:
        by_root.setdefault(find(int(i)), []).append(int(i))
    return [np.array(v, dtype=np.int64) for v in by_root.values()]


def _scarcity_ratio(comp: Compiled, cost: FloatArray) -> FloatArray:
    """Value per share of the scarce money (rows whose demand exceeds the amount)."""
    demand = comp.usage[:, comp.fundable].sum(axis=1)
    scarce = demand > comp.caps
    weights = np.where(scarce, 1.0 / np.maximum(comp.caps, 1), 0.0)
    load = weights @ comp.usage.astype(np.float64) + 1e-12
    ratio: FloatArray = cost / load
    return ratio


@dataclass(frozen=True)
class _Rows:
    """Per proposal, the budget rows it draws on, as Python lists (fast scalar loops).

    Proposal ``i`` owns positions ``start[i]:start[i + 1]`` of ``row``, ``full``
    (cents at fraction 1) and ``low`` (cents at min_fraction).
    """

    start: list[int]
    row: list[int]
    full: list[int]
    low: list[int]

    @staticmethod
    def of(comp: Compiled) -> _Rows:
        ut = comp.usage.T
        ii, rr = np.nonzero(ut)
        start = np.searchsorted(ii, np.arange(comp.n + 1)).tolist()
        return _Rows(start, rr.tolist(), ut[ii, rr].tolist(), comp.usage_min.T[ii, rr].tolist())


def _greedy(comp: Compiled, priority: FloatArray, rows: _Rows | None = None) -> list[Decimal]:
    """A starting solution that meets the minimums whenever a simple pass can.

    Locked-in proposals first; then each minimum, those with the fewest
    eligible proposals first, filled by its members in ``priority`` order
    (highest first); then every other proposal that fits, in the same order.
    Each proposal gets the largest fraction that fits (at least its
    min_fraction). Works on any instance; ``violations`` decides whether the
    result can be used. Scalar loops over Python lists: a numpy call per
    proposal costs more than the few rows a proposal draws on.
    """
    n = comp.n
    rows = rows or _Rows.of(comp)
    start, row, full, low = rows.start, rows.row, rows.full, rows.low
    fractions = [ZERO] * n
    rem: list[int] = comp.caps.tolist()
    org_of: list[int] = comp.org.tolist()
    org_count = [0] * len(comp.org_names)
    cap = comp.org_cap
    fundable: list[bool] = comp.fundable.tolist()
    partial = [mf < ONE for mf in comp.min_fraction]
    taken = [False] * n
    need = [g.need for g in comp.groups]
    member_of = (
        np.array([g.members for g in comp.groups], dtype=np.bool_)
        if comp.groups
        else np.zeros((0, n), dtype=np.bool_)
    )
    groups_of: list[list[int]] = [[] for _ in range(n)]
    for k, i in zip(*np.nonzero(member_of), strict=True):
        groups_of[int(i)].append(int(k))

    def take(i: int) -> bool:
        if taken[i] or not fundable[i]:
            return False
        if cap is not None and org_count[org_of[i]] >= cap:
            return False
        a, b = start[i], start[i + 1]
        if any(rem[row[t]] < low[t] for t in range(a, b)):
            return False
        if all(rem[row[t]] >= full[t] for t in range(a, b)):
            f = ONE
            for t in range(a, b):
                rem[row[t]] -= full[t]
        elif partial[i]:
            f = max_fraction_fitting(comp, i, np.array(rem, dtype=np.int64))
            if f < comp.min_fraction[i]:
                return False
            used = usage_of(comp, i, f)
            for t in range(a, b):
                rem[row[t]] -= int(used[row[t]])
        else:
            return False
        fractions[i] = f
        org_count[org_of[i]] += 1
        taken[i] = True
        for k in groups_of[i]:
            need[k] -= 1
        return True

    for i in np.nonzero(comp.forced)[0]:
        take(int(i))
    order = np.argsort(-priority, kind="stable")
    # Minimums with the fewest eligible proposals first, each filled in priority order.
    eligible = (member_of & comp.fundable).sum(axis=1)
    for k in np.argsort(eligible, kind="stable").tolist():
        if need[k] <= 0:
            continue
        for i in order[member_of[k, order]].tolist():
            if need[k] <= 0:
                break
            take(i)
    for i in order.tolist():
        if not taken[i]:
            take(i)
    return fractions


def optimise(
    comp: Compiled,
    cost: FloatArray,
    time_limit: float,
    starts: list[list[Decimal]],
    int_cost: tuple[tuple[int, ...], float] | None = None,
) -> Outcome:
    """Maximise ``cost . f`` under every rule; independent components solved apart."""
    t_end = time.perf_counter() + time_limit
    active = np.nonzero(comp.fundable)[0].astype(np.int64)
    ratio = _scarcity_ratio(comp, cost)
    rows = _Rows.of(comp)
    candidates = [*starts, _greedy(comp, ratio, rows), _greedy(comp, cost, rows)]
    good_starts = [s for s in candidates if not violations(comp, s)]
    for g in comp.groups:
        if int(g.members[active].sum()) < g.need:
            return Outcome([ZERO] * comp.n, "infeasible")
    if bool((comp.forced & ~comp.fundable).any()):
        return Outcome([ZERO] * comp.n, "infeasible")
    parts = _components(comp, active)
    parts.sort(key=lambda a: a.size)
    fractions = [ZERO] * comp.n
    status = "optimal"
    bound = 0.0
    solver_seconds = 0.0
    left = int(sum(a.size for a in parts))
    room: dict[int, int] | None = {} if comp.org_cap is not None else None
    for part in parts:
        in_part = np.zeros(comp.n, dtype=np.bool_)
        in_part[part] = True
        spec = MipSpec(
            active=part,
            caps=comp.caps,
            org_room=room,
            groups=[
                (g.members & in_part, g.need) for g in comp.groups if (g.members & in_part).any()
            ],
            forced=comp.forced,
            cost=cost,
            int_cost=None if int_cost is None else int_cost[0],
            int_unit=1.0 if int_cost is None else int_cost[1],
        )
        share = max(0.05, (t_end - time.perf_counter()) * part.size / max(left, 1))
        left -= part.size
        part_starts = [{int(i): s[int(i)] for i in part} for s in good_starts]
        out = solve_mip(comp, spec, share, starts=part_starts)
        solver_seconds += out.seconds
        if out.status == "infeasible":
            return Outcome([ZERO] * comp.n, "infeasible", solver_seconds=solver_seconds)
        if out.status != "optimal":
            status = "time_limit"
        bound += out.bound
        if out.fractions is None:
            if not part_starts:
                return Outcome([ZERO] * comp.n, "time_limit", solver_seconds=solver_seconds)
            chosen = max(
                part_starts, key=lambda s: sum(float(cost[i]) * float(f) for i, f in s.items())
            )
        else:
            chosen = out.fractions
        for i, f in chosen.items():
            fractions[i] = f
    if violations(comp, fractions):
        fixed = repair(comp, fractions)
        if fixed is not None and not violations(comp, fixed):
            fractions = fixed
        elif good_starts:
            fractions = max(good_starts, key=lambda s: objective_value(cost, s))
            status = "time_limit"
        else:
            return Outcome([ZERO] * comp.n, "time_limit", solver_seconds=solver_seconds)
    value = objective_value(cost, fractions)
    swapped = False
    for s in good_starts:
        v = objective_value(cost, s)
        if v > value + 1e-9 * max(1.0, abs(v)):
            fractions, value, swapped = list(s), v, True
    # A start can beat the solver's answer by a hair: amounts are rounded
    # down to the cent, which leaves a fraction a little room the solver's
    # continuous model does not see. The answer is still proven optimal when
    # the solver proved its own and the bound is within 1e-9 of the value.
    if swapped and status == "optimal" and bound - value > 1e-9 * max(1.0, abs(value)):
        status = "time_limit"
    return Outcome(
        fractions,
        status,
        objective=value,
        bound=value if status == "optimal" else max(bound, value),
        solver_seconds=solver_seconds,
    )


# ----------------------------------------------------------------------------- infeasibility


def _feasible(
    comp: Compiled,
    forced: BoolArray,
    groups: list[tuple[BoolArray, int]],
    use_budget: bool,
    use_org: bool,
    time_limit: float,
) -> bool | None:
    spec = MipSpec(
        active=np.nonzero(comp.fundable)[0].astype(np.int64),
        caps=comp.caps,
        org_room={} if (use_org and comp.org_cap is not None) else None,
        groups=groups,
        forced=forced,
        cost=np.zeros(comp.n),
        use_budget=use_budget,
    )
    out = solve_mip(comp, spec, time_limit, gap=1.0)
    if out.status == "infeasible":
        return False
    return True if out.fractions is not None else None


def explain_infeasible(
    comp: Compiled,
    labels: tuple[str, ...],
    fiscal_years: tuple[str, ...],
    pool_ids: tuple[str, ...],
    score_text: tuple[str, ...],
    min_score_text: str | None,
    time_limit: float = 2.0,
) -> list[str]:
    """Name, in words, a smallest set of locks and minimums that cannot hold together."""
    msgs: list[str] = []
    for i in np.nonzero(comp.forced & ~comp.fundable)[0]:
        msgs.append(
            f"{proposal_label(labels[i])} est imposée par le comité mais son score "
            f"({score_text[i]}) est inférieur au seuil ({min_score_text})"
        )
    forced = comp.forced & comp.fundable
    if forced.any():
        used = comp.usage_min[:, forced].sum(axis=1)
        for r in np.nonzero(used > comp.caps)[0]:
            who = ", ".join(labels[i] for i in np.nonzero(forced & (comp.usage_min[r] > 0))[0])
            msgs.append(
                f"les initiatives imposées ({who}) demandent au moins {money(int(used[r]))} "
                f"sur {pool_year_label(pool_ids[comp.row_pool[r]], fiscal_years[comp.row_year[r]])}, "
                f"qui n'a que {money(int(comp.caps[r]))}"
            )
        if comp.org_cap is not None:
            counts = np.bincount(comp.org[forced], minlength=len(comp.org_names))
            for o in np.nonzero(counts > comp.org_cap)[0]:
                msgs.append(
                    f"l'organisme {comp.org_names[o]} a {int(counts[o])} initiatives imposées "
                    f"alors que le maximum est de {comp.org_cap} par organisme"
                )
    for g in comp.groups:
        eligible = np.nonzero(g.members & comp.fundable)[0]
        if eligible.size < g.need:
            msgs.append(
                f"{group_label(g.kind, g.key, g.need)} est impossible : seulement "
                f"{eligible.size} proposition(s) admissible(s) le visent"
            )
    if msgs:
        return msgs

    items: list[tuple[str, int]] = [("lock", int(i)) for i in np.nonzero(forced)[0]]
    items += [("group", k) for k in range(len(comp.groups))]
    deadline = time.perf_counter() + time_limit

    def feasible(chosen: list[tuple[str, int]], budget: bool = True, org: bool = True) -> bool:
        f = np.zeros(comp.n, dtype=np.bool_)
        groups: list[tuple[BoolArray, int]] = []
        for kind, k in chosen:
            if kind == "lock":
                f[k] = True
            else:
                groups.append((comp.groups[k].members, comp.groups[k].need))
        left = max(0.05, deadline - time.perf_counter())
        ok = _feasible(comp, f, groups, budget, org, left)
        return ok is not False  # unknown counts as feasible: keep the item

    core = list(items)
    for item in items:
        if time.perf_counter() > deadline:
            break
        trial = [x for x in core if x != item]
        if not feasible(trial):
            core = trial
    parts: list[str] = []
    for kind, k in core:
        if kind == "lock":
            parts.append(f"{proposal_label(labels[k])} imposée par le comité")
        else:
            g = comp.groups[k]
            parts.append(group_label(g.kind, g.key, g.need))
    if feasible(core, budget=False):
        parts.append("les montants disponibles des volets par exercice financier")
    if comp.org_cap is not None and feasible(core, org=False):
        parts.append(f"le maximum de {comp.org_cap} initiative(s) par organisme")
    if not parts:
        parts.append("les montants disponibles des volets par exercice financier")
    return ["ces règles ne peuvent pas être respectées ensemble : " + "; ".join(parts)]


def meets_every_rule(comp: Compiled, fractions: list[Decimal]) -> bool:
    return not violations(comp, fractions)


__all__ = [
    "Outcome",
    "explain_infeasible",
    "meets_every_rule",
    "merit_order",
    "objective_value",
    "optimise",
    "rank_and_cut",
    "total_usage",
]
