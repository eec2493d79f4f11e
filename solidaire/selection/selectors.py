"""Reads of scenarios: what a result funds, by stream, territory and
priority, and how two scenarios differ (the engine's choice beside the
spreadsheet's rank-and-cut).

Everything is computed from the scenario's stored instance and result plus
one query for territory populations, so a page showing several scenarios
side by side costs a constant number of queries.

The pages' selectors (below the first two) join scenarios with the
database's names (proposals, streams, territories, priorities) in a fixed
number of queries whatever the number of proposals, and run the engine
read-only where a page needs a result that is not stored: the rank-and-cut
twin of a scenario, and "what if this pool had more or less". Nothing here
writes.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any, cast

from django.utils.translation import gettext as _

from solidaire.applications.models import Proposal
from solidaire.calls.models import Call, Stream
from solidaire.common.bilingual import LocalText, local_text
from solidaire.common.money import ZERO, to_money
from solidaire.ledger.selectors import FiscalYearBalance, calls_figures, programme_balances
from solidaire.programmes.models import Priority, Territory
from solidaire.selection.engine import InstanceError, parse_instance, result_to_dict, solve
from solidaire.selection.models import Decision, Scenario
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
        populations = {
            code: int(population)
            for code, population in Territory.objects.exclude(population=None).values_list(
                "code", "population"
            )
            if population is not None
        }
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


# The time a page may spend re-solving an instance that is not stored.
SENSITIVITY_TIME_LIMIT = 10.0


# ----------------------------------------------------------------------------- helpers


def _money(value: str | Decimal | int) -> Decimal:
    return to_money(value)


def _amounts(item: Mapping[str, Any], years: Sequence[str]) -> list[Decimal]:
    amounts = item.get("amounts", {})
    return [_money(amounts.get(fy, "0")) for fy in years]


def result_total(result: Mapping[str, Any] | None) -> Decimal:
    """The money a result funds, over every fiscal year."""
    if not result:
        return ZERO
    return sum(
        (_money(v) for item in result.get("funded", []) for v in item["amounts"].values()), ZERO
    )


def result_status(result: Mapping[str, Any] | None) -> str:
    """``unsolved``, ``infeasible`` (also a rank-and-cut that misses a
    minimum), ``time_limit`` or ``optimal``."""
    if not result:
        return "unsolved"
    if result.get("infeasibility") or result.get("status") == "infeasible":
        return "infeasible"
    return str(result.get("status", "unsolved"))


def status_label(status: str, method: str = "optimal") -> str:
    if method == "rank" and status == "optimal":
        # A rank-and-cut proves nothing; it merely meets every rule.
        return _("Every rule met")
    return {
        "unsolved": _("Not solved"),
        "infeasible": _("Rules cannot all be met"),
        "time_limit": _("Best found within the time limit"),
        "optimal": _("Proven best"),
    }.get(status, status)


def method_label(method: str) -> str:
    return str(Scenario.Method(method).label) if method in Scenario.Method.values else method


def objective_label(objective: str) -> str:
    if objective in Scenario.Objective.values:
        return str(Scenario.Objective(objective).label)
    return objective


def may_adopt(scenario: Scenario) -> tuple[bool, str]:
    """Whether ``scenario``'s result can become the decision, and why not."""
    status = result_status(scenario.result)
    if status == "unsolved":
        return False, _("This scenario has not been solved.")
    if status == "infeasible":
        return False, _("This scenario does not meet every rule; it cannot be adopted.")
    return True, ""


# ----------------------------------------------------------------------------- the call's list


@dataclass(frozen=True)
class ScenarioRow:
    scenario: Scenario
    method_label: str
    objective_label: str
    status: str
    status_label: str
    funded_count: int
    total: Decimal
    gap: float | None
    adopted: bool

    @property
    def gap_percent(self) -> float | None:
        return None if self.gap is None else self.gap * 100


@dataclass(frozen=True)
class DecisionSummary:
    decision: Decision
    decided_by: str
    funded_count: int
    committed: Decimal  # the ledger's figure for the call, net of releases
    balances: list[FiscalYearBalance]


@dataclass(frozen=True)
class CallSelection:
    call: Call
    rows: list[ScenarioRow]
    decision: DecisionSummary | None


def call_decision(call: Call) -> DecisionSummary | None:
    """The decision on ``call`` with the ledger's figures, or ``None``."""
    decision = Decision.objects.select_related("decided_by", "scenario").filter(call=call).first()
    if decision is None:
        return None
    who = decision.decided_by
    return DecisionSummary(
        decision=decision,
        decided_by=who.get_full_name() or who.get_username(),
        funded_count=decision.awards.count(),
        committed=calls_figures([call])[call.pk].committed,
        balances=programme_balances(call.programme),
    )


def call_selection(call: Call) -> CallSelection:
    """The call's scenarios, newest first, with their figures, and its decision."""
    decision = call_decision(call)
    adopted_id = decision.decision.scenario_id if decision else None
    rows = []
    for scenario in Scenario.objects.filter(call=call).defer("instance").order_by("-created_at"):
        result = scenario.result or {}
        status = result_status(scenario.result)
        rows.append(
            ScenarioRow(
                scenario=scenario,
                method_label=method_label(scenario.method),
                objective_label=objective_label(scenario.objective),
                status=status,
                status_label=status_label(status, scenario.method),
                funded_count=len(result.get("funded", [])),
                total=result_total(result),
                gap=result.get("gap"),
                adopted=scenario.pk == adopted_id,
            )
        )
    return CallSelection(call=call, rows=rows, decision=decision)


# ----------------------------------------------------------------------------- names


@dataclass(frozen=True)
class ProposalInfo:
    reference: str
    title: str
    organisation: str
    stream: str
    territories: tuple[str, ...]  # codes
    territory_names: str
    priorities: tuple[str, ...]  # codes
    score: float
    # The person looking declared a conflict on it: shown as recused, nothing else.
    recused: bool = False


@dataclass
class Names:
    """Names of everything an instance mentions by code."""

    proposals: dict[str, ProposalInfo]
    streams: dict[str, LocalText]  # code → name, in the page language
    territories: dict[str, Territory]  # code → territory
    priorities: dict[str, LocalText]  # code → name, in the page language

    def pool_label(self, pool_id: str) -> str:
        if pool_id == ENVELOPE_POOL:
            return _("What is left of the programme's envelope")
        stream, _sep, territory = pool_id.partition("/")
        name = self.streams.get(stream, stream)
        if territory:
            where = self.territories.get(territory)
            return f"{name} — {where.name if where else territory}"
        return name


def _recused_info(reference: str) -> ProposalInfo:
    # No title, organisation, territory or score: a person who declared a
    # conflict learns nothing of the proposal from the committee's pages.
    return ProposalInfo(
        reference=reference,
        title=_("recused"),
        organisation="",
        stream="",
        territories=(),
        territory_names="",
        priorities=(),
        score=0.0,
        recused=True,
    )


def _names(call: Call, instance: Mapping[str, Any], hidden: frozenset[str] = frozenset()) -> Names:
    """Four queries, whatever the number of proposals. ``hidden`` are the
    references the person looking declared a conflict on."""
    items = instance.get("proposals", [])
    scores = {item["id"]: float(item.get("score", 0)) for item in items}
    proposals = {}
    rows = (
        Proposal.objects.filter(call=call, reference__in=list(scores))
        .select_related("organisation", "stream")
        .prefetch_related("territories")
        .order_by("reference")
    )
    for p in rows:
        served = sorted(p.territories.all(), key=lambda t: t.name)
        proposals[p.reference] = ProposalInfo(
            reference=p.reference,
            title=p.title,
            organisation=p.organisation.legal_name,
            stream=p.stream.text("name") if p.stream else "",
            territories=tuple(t.code for t in served),
            territory_names=", ".join(t.name for t in served),
            priorities=(),
            score=scores[p.reference],
        )
    # The instance's codes are the truth for the engine's rules: a proposal
    # edited since the scenario was built is shown as the engine saw it.
    for item in items:
        info = proposals.get(item["id"])
        if info is None:
            info = ProposalInfo(item["id"], item["id"], "", "", (), "", (), scores[item["id"]])
        proposals[item["id"]] = ProposalInfo(
            reference=info.reference,
            title=info.title,
            organisation=info.organisation,
            stream=info.stream,
            territories=tuple(item.get("territories", [])),
            territory_names=info.territory_names,
            priorities=tuple(item.get("priorities", [])),
            score=info.score,
        )
    for reference in hidden & set(proposals):
        proposals[reference] = _recused_info(reference)
    streams = {
        code: local_text(name, name_en)
        for code, name, name_en in Stream.objects.filter(call=call).values_list(
            "code", "name", "name_en"
        )
    }
    territories = {t.code: t for t in Territory.objects.filter(region_id=call.programme.region_id)}
    priorities = {
        code: local_text(name, name_en)
        for code, name, name_en in Priority.objects.filter(
            work_plan__programme_id=call.programme_id
        ).values_list("code", "name", "name_en")
    }
    return Names(proposals, streams, territories, priorities)


# ----------------------------------------------------------------------------- one scenario


@dataclass(frozen=True)
class FundedRow:
    info: ProposalInfo
    fraction: Decimal
    amounts: list[Decimal | None]  # None: hidden from a person who declared a conflict
    total: Decimal | None
    reasons: list[str]
    elsewhere: bool  # also funded by the other result compared with


@dataclass(frozen=True)
class NotFundedRow:
    info: ProposalInfo
    reasons: list[str]
    elsewhere: bool


@dataclass(frozen=True)
class TotalRow:
    label: str
    count: int
    amounts: list[Decimal]
    total: Decimal
    population: int | None = None
    per_capita: Decimal | None = None
    minimum: int | None = None


@dataclass(frozen=True)
class ResultView:
    """One result of the engine, with names, totals and figures."""

    method: str
    method_label: str
    status: str
    status_label: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float | None
    infeasibility: list[str]
    funded: list[FundedRow]
    not_funded: list[NotFundedRow]
    year_totals: list[Decimal]
    total: Decimal
    by_stream: list[TotalRow]
    by_territory: list[TotalRow]
    by_priority: list[TotalRow]

    @property
    def gap_percent(self) -> float | None:
        return None if self.gap is None else self.gap * 100

    @property
    def funded_ids(self) -> set[str]:
        return {row.info.reference for row in self.funded}


@dataclass(frozen=True)
class Difference:
    info: ProposalInfo
    here: Decimal | None  # amount in the scenario (0 when not funded; None when recused)
    there: Decimal | None  # amount in the rank-and-cut result


@dataclass(frozen=True)
class ScenarioDetail:
    scenario: Scenario
    call: Call
    fiscal_years: list[str]
    rules: list[str]  # the scenario's rules, in words
    partial_funding: Decimal | None  # the smallest share granted, or None
    locks: dict[str, str]
    result: ResultView
    rank: ResultView  # the rank-and-cut result on the same instance
    only_here: list[Difference]
    only_rank: list[Difference]
    amount_changed: list[Difference]
    pools: list[tuple[str, str]]  # (pool id, label) for the sensitivity form
    proposals: list[ProposalInfo]  # every proposal of the instance, by reference
    adoptable: bool
    not_adoptable_reason: str
    decision: DecisionSummary | None


def _totals(
    funded: Sequence[FundedRow],
    names: Names,
    years: Sequence[str],
    rules: Mapping[str, Any],
) -> tuple[list[TotalRow], list[TotalRow], list[TotalRow]]:
    zero = [ZERO] * len(years)
    # By stream: each initiative once.
    streams: dict[str, list[Any]] = {}
    for row in funded:
        key = row.info.stream or _("No stream")
        entry = streams.setdefault(key, [0, list(zero)])
        entry[0] += 1
        entry[1] = [a + (b or ZERO) for a, b in zip(entry[1], row.amounts, strict=True)]
    by_stream = [
        TotalRow(label=key, count=c, amounts=a, total=sum(a, ZERO))
        for key, (c, a) in sorted(streams.items())
    ]

    # By territory: an initiative serving several territories is counted in
    # each, its amount shared equally between them (cents to the first).
    min_territory = rules.get("min_per_territory") or {}
    per_territory: dict[str, list[Any]] = defaultdict(lambda: [0, list(zero)])
    for row in funded:
        codes = row.info.territories or ("",)
        shares = [[ZERO] * len(years) for _code in codes]
        for k, amount_or_none in enumerate(row.amounts):
            amount = amount_or_none or ZERO
            part = (amount / len(codes)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            for j in range(len(codes)):
                shares[j][k] = part
            shares[0][k] += amount - part * len(codes)
        for code, share in zip(codes, shares, strict=True):
            entry = per_territory[code]
            entry[0] += 1
            entry[1] = [a + b for a, b in zip(entry[1], share, strict=True)]
    codes_shown = set(per_territory) | set(min_territory)
    by_territory = []
    for code in sorted(
        codes_shown,
        key=lambda c: (c == "", names.territories[c].name if c in names.territories else c),
    ):
        count, amounts = per_territory[code] if code in per_territory else (0, list(zero))
        total = sum(amounts, ZERO)
        territory = names.territories.get(code)
        population = territory.population if territory else None
        by_territory.append(
            TotalRow(
                label=territory.name if territory else (code or _("No territory given")),
                count=count,
                amounts=amounts,
                total=total,
                population=population,
                per_capita=(total / population).quantize(Decimal("0.01")) if population else None,
                minimum=min_territory.get(code),
            )
        )

    # By priority: an initiative counts in full for each priority it answers.
    min_priority = rules.get("min_per_priority") or {}
    per_priority: dict[str, list[Any]] = defaultdict(lambda: [0, list(zero)])
    for row in funded:
        for code in row.info.priorities:
            entry = per_priority[code]
            entry[0] += 1
            entry[1] = [a + (b or ZERO) for a, b in zip(entry[1], row.amounts, strict=True)]
    by_priority = []
    for code in sorted(
        set(per_priority) | set(min_priority), key=lambda c: names.priorities.get(c, c)
    ):
        count, amounts = per_priority[code] if code in per_priority else (0, list(zero))
        by_priority.append(
            TotalRow(
                label=names.priorities.get(code, code),
                count=count,
                amounts=amounts,
                total=sum(amounts, ZERO),
                minimum=min_priority.get(code),
            )
        )
    return by_stream, by_territory, by_priority


def result_view(
    result: Mapping[str, Any] | None,
    *,
    names: Names,
    years: Sequence[str],
    rules: Mapping[str, Any],
    method: str,
    other: Mapping[str, Any] | None = None,
) -> ResultView:
    """Names and totals of one result; ``other`` marks what it also funds."""
    result = result or {}
    other_funded = {item["id"] for item in (other or {}).get("funded", [])}
    funded = []
    for item in result.get("funded", []):
        amounts = _amounts(item, years)
        funded.append(
            FundedRow(
                info=names.proposals[item["id"]],
                fraction=Decimal(str(item.get("fraction", "1"))),
                amounts=list[Decimal | None](amounts),
                total=sum(amounts, ZERO),
                reasons=list(item.get("reasons", [])),
                elsewhere=item["id"] in other_funded,
            )
        )
    not_funded = [
        NotFundedRow(
            info=names.proposals[item["id"]],
            reasons=list(item.get("reasons", [])),
            elsewhere=item["id"] in other_funded,
        )
        for item in result.get("not_funded", [])
    ]
    year_totals = [sum((row.amounts[k] or ZERO for row in funded), ZERO) for k in range(len(years))]
    by_stream, by_territory, by_priority = _totals(funded, names, years, rules)
    # The totals count every proposal; the rows of those the person looking
    # declared a conflict on show no amount and no reason.
    funded = [
        FundedRow(row.info, row.fraction, [None] * len(years), None, [], row.elsewhere)
        if row.info.recused
        else row
        for row in funded
    ]
    not_funded = [
        NotFundedRow(row.info, [], row.elsewhere) if row.info.recused else row for row in not_funded
    ]
    status = result_status(result or None)
    return ResultView(
        method=method,
        method_label=method_label(method),
        status=status,
        status_label=status_label(status, method),
        objective=result.get("objective"),
        bound=result.get("bound"),
        gap=result.get("gap"),
        seconds=result.get("seconds"),
        infeasibility=list(result.get("infeasibility", [])),
        funded=funded,
        not_funded=not_funded,
        year_totals=year_totals,
        total=sum(year_totals, ZERO),
        by_stream=by_stream,
        by_territory=by_territory,
        by_priority=by_priority,
    )


def rank_twin(scenario: Scenario) -> dict[str, Any]:
    """The spreadsheet's rank-and-cut on the scenario's very instance."""
    instance = parse_instance(scenario.instance)
    return result_to_dict(solve(instance, method="rank", objective=cast(Any, scenario.objective)))


def rules_in_words(rules: Mapping[str, Any], names: Names) -> list[str]:
    words = []
    if rules.get("max_per_organisation") is not None:
        words.append(
            _("At most %(n)s funded initiative(s) per organisation.")
            % {"n": rules["max_per_organisation"]}
        )
    if rules.get("min_score") is not None:
        words.append(_("Minimum score: %(score)s.") % {"score": rules["min_score"]})
    for code, n in sorted((rules.get("min_per_territory") or {}).items()):
        territory = names.territories.get(code)
        words.append(
            _("At least %(n)s initiative(s) serving %(where)s.")
            % {"n": n, "where": territory.name if territory else code}
        )
    for code, n in sorted((rules.get("min_per_priority") or {}).items()):
        words.append(
            _("At least %(n)s initiative(s) answering “%(priority)s”.")
            % {"n": n, "priority": names.priorities.get(code, code)}
        )
    return words


def scenario_options(instance: Mapping[str, Any]) -> tuple[Decimal | None, dict[str, str]]:
    """The partial-funding share and the locks a scenario was built with."""
    items = instance.get("proposals", [])
    fractions = {Decimal(str(item.get("min_fraction", "1"))) for item in items}
    partial = min(fractions) if fractions and min(fractions) < 1 else None
    locks = {item["id"]: item["lock"] for item in items if item.get("lock")}
    return partial, locks


def scenario_detail(
    scenario: Scenario,
    *,
    decision: DecisionSummary | None = None,
    hidden: frozenset[str] = frozenset(),
    blockers: Sequence[str] = (),
) -> ScenarioDetail:
    """Everything the scenario page shows, in a fixed number of queries.
    ``hidden``: the references the person looking declared a conflict on;
    ``blockers``: what stands between the call and its decision."""
    call = scenario.call
    instance = scenario.instance
    years = list(instance.get("fiscal_years", []))
    rules = instance.get("rules") or {}
    names = _names(call, instance, hidden)
    try:
        rank = rank_twin(scenario)
    except InstanceError:
        # A scenario edited by hand in the admin: show what is stored.
        rank = {}
    view = result_view(
        scenario.result, names=names, years=years, rules=rules, method=scenario.method, other=rank
    )
    rank_view = result_view(
        rank, names=names, years=years, rules=rules, method="rank", other=scenario.result
    )
    here = {row.info.reference: row.total for row in view.funded}
    there = {row.info.reference: row.total for row in rank_view.funded}
    only_here = [
        Difference(names.proposals[ref], here[ref], ZERO)
        for ref in sorted(here)
        if ref not in there
    ]
    only_rank = [
        Difference(names.proposals[ref], ZERO, there[ref])
        for ref in sorted(there)
        if ref not in here
    ]
    changed = [
        Difference(names.proposals[ref], here[ref], there[ref])
        for ref in sorted(here)
        if ref in there and here[ref] != there[ref]
    ]
    partial, locks = scenario_options(instance)
    adoptable, reason = may_adopt(scenario)
    if adoptable and blockers:
        adoptable, reason = False, " ".join(blockers)
    if decision is not None:
        adoptable, reason = False, _("This call has already been decided.")
    return ScenarioDetail(
        scenario=scenario,
        call=call,
        fiscal_years=years,
        rules=rules_in_words(rules, names),
        partial_funding=partial,
        locks=locks,
        result=view,
        rank=rank_view,
        only_here=only_here,
        only_rank=only_rank,
        amount_changed=changed,
        pools=[(p["id"], names.pool_label(p["id"])) for p in instance.get("pools", [])],
        proposals=[names.proposals[item["id"]] for item in instance.get("proposals", [])],
        adoptable=adoptable,
        not_adoptable_reason=reason,
        decision=decision,
    )


# ----------------------------------------------------------------------------- sensitivity


@dataclass(frozen=True)
class Sensitivity:
    pool_label: str
    fiscal_year: str  # "" for every fiscal year
    delta: Decimal
    status: str
    status_label: str
    objective: float | None
    before_objective: float | None
    total: Decimal
    before_total: Decimal
    entering: list[Difference]
    leaving: list[Difference]
    changed: list[Difference]
    infeasibility: list[str] = field(default_factory=list)


def _difference(names: Names, reference: str, here: Decimal, there: Decimal) -> Difference:
    info = names.proposals[reference]
    if info.recused:
        return Difference(info, None, None)
    return Difference(info, here, there)


def scenario_sensitivity(
    scenario: Scenario,
    *,
    pool: str,
    fiscal_year: str,
    delta: Decimal,
    hidden: frozenset[str] = frozenset(),
) -> Sensitivity:
    """Re-solve a copy of the scenario's instance with ``delta`` dollars more
    (or less) in ``pool`` for ``fiscal_year`` (``""``: each fiscal year).
    Nothing is stored: the committee explores, the scenario stays as it was."""
    instance = copy.deepcopy(scenario.instance)
    years = [fiscal_year] if fiscal_year else list(instance["fiscal_years"])
    for item in instance["pools"]:
        if item["id"] != pool:
            continue
        amounts = item.setdefault("amounts", {})
        for fy in years:
            new = max(_money(amounts.get(fy, "0")) + delta, ZERO)
            amounts[fy] = str(new)
    result = result_to_dict(
        solve(
            parse_instance(instance),
            method=cast(Any, scenario.method),
            objective=cast(Any, scenario.objective),
            time_limit=SENSITIVITY_TIME_LIMIT,
        )
    )
    names = _names(scenario.call, instance, hidden)
    before = {
        item["id"]: sum((_money(v) for v in item["amounts"].values()), ZERO)
        for item in (scenario.result or {}).get("funded", [])
    }
    after = {
        item["id"]: sum((_money(v) for v in item["amounts"].values()), ZERO)
        for item in result["funded"]
    }
    status = result_status(result)
    return Sensitivity(
        pool_label=names.pool_label(pool),
        fiscal_year=fiscal_year,
        delta=delta,
        status=status,
        status_label=status_label(status, scenario.method),
        objective=result.get("objective"),
        before_objective=(scenario.result or {}).get("objective"),
        total=sum(after.values(), ZERO),
        before_total=sum(before.values(), ZERO),
        entering=[_difference(names, r, after[r], ZERO) for r in sorted(after) if r not in before],
        leaving=[_difference(names, r, ZERO, before[r]) for r in sorted(before) if r not in after],
        changed=[
            _difference(names, r, after[r], before[r])
            for r in sorted(after)
            if r in before and after[r] != before[r]
        ],
        infeasibility=list(result.get("infeasibility", [])),
    )


# ----------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class CompareRow:
    label: str
    values: list[Decimal]
    counts: list[int]

    @property
    def pairs(self) -> list[tuple[Decimal, int]]:
        return list(zip(self.values, self.counts, strict=True))


@dataclass(frozen=True)
class MatrixRow:
    info: ProposalInfo
    cells: list[Decimal | None]  # amount funded in each scenario, None if not funded
    differs: bool


@dataclass(frozen=True)
class Comparison:
    call: Call
    columns: list[ScenarioRow]
    by_stream: list[CompareRow]
    by_territory: list[CompareRow]
    matrix: list[MatrixRow]
    # Each scenario's rules in words, in the order of ``columns``.
    rules: list[list[str]] = field(default_factory=list)


def _compare_rows(per_scenario: Sequence[Sequence[TotalRow]]) -> list[CompareRow]:
    labels: list[str] = []
    for rows in per_scenario:
        for row in rows:
            if row.label not in labels:
                labels.append(row.label)
    out = []
    for label in sorted(labels):
        found = [{r.label: r for r in rows}.get(label) for rows in per_scenario]
        out.append(
            CompareRow(
                label=label,
                values=[r.total if r else ZERO for r in found],
                counts=[r.count if r else 0 for r in found],
            )
        )
    return out


def scenarios_compare(
    call: Call, ids: Iterable[int], hidden: frozenset[str] = frozenset()
) -> Comparison:
    """Scenarios of ``call`` side by side, in the order asked; unknown ids
    and other calls' scenarios are left out. ``hidden``: see :func:`_names`."""
    wanted = list(dict.fromkeys(ids))
    found = {s.pk: s for s in Scenario.objects.filter(call=call, pk__in=wanted)}
    scenarios = [found[pk] for pk in wanted if pk in found]
    listing = {row.scenario.pk: row for row in call_selection(call).rows}
    merged: dict[str, Any] = {"proposals": []}
    seen: set[str] = set()
    for s in scenarios:
        for item in s.instance.get("proposals", []):
            if item["id"] not in seen:
                seen.add(item["id"])
                merged["proposals"].append(item)
    names = _names(call, merged, hidden)
    views = [
        result_view(
            s.result,
            names=names,
            years=s.instance.get("fiscal_years", []),
            rules=s.instance.get("rules") or {},
            method=s.method,
        )
        for s in scenarios
    ]
    funded_by = [{row.info.reference: row.total for row in v.funded} for v in views]
    refs = sorted(
        {ref for f in funded_by for ref in f},
        key=lambda r: (-names.proposals[r].score, r),
    )
    matrix = []
    for ref in refs:
        cells = [f.get(ref) for f in funded_by]
        matrix.append(
            MatrixRow(info=names.proposals[ref], cells=cells, differs=len(set(cells)) > 1)
        )
    return Comparison(
        call=call,
        columns=[listing[s.pk] for s in scenarios],
        by_stream=_compare_rows([v.by_stream for v in views]),
        by_territory=_compare_rows([v.by_territory for v in views]),
        matrix=matrix,
        rules=[_all_rules_in_words(s, names) for s in scenarios],
    )


def _all_rules_in_words(scenario: Scenario, names: Names) -> list[str]:
    """Everything a scenario was built with, in words: where its scores come
    from, partial funding, its rules and its locks."""
    instance = scenario.instance
    if instance.get("score_source") == "consensus":
        words = [_("Ranks by the committee's consensus scores.")]
    else:
        words = [_("Ranks by the reviewers' weighted mean.")]
    partial, locks = scenario_options(instance)
    if partial is None:
        words.append(_("All or nothing."))
    else:
        words.append(
            _("At least %(share)s of a request granted.")
            % {"share": f"{(partial * 100).normalize():f}\u00a0%"}
        )
    words += rules_in_words(instance.get("rules") or {}, names)
    if locks:
        words.append(_("%(count)d proposal(s) forced in or out.") % {"count": len(locks)})
    return words
