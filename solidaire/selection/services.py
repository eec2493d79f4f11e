"""Scenarios and the committee's decision.

A scenario is the engine's instance built from the database (pools from the
call's allocations, proposals with the committee's weighted scores) plus the
result the engine gave. Adopting a scenario is the decision: one transaction
that funds and declines proposals, commits the money in the ledger under its
lock, and queues the decision letters once the transaction has committed.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.applications.cycle import IN_COMPETITION, CycleRefused, cycle_check
from solidaire.applications.models import Proposal, RequestedAmount
from solidaire.applications.workflow import TRANSITIONS, proposal_transition
from solidaire.audit.services import audit_record
from solidaire.calls.models import Allocation, Call, Stream
from solidaire.committee.selectors import consensus_scores
from solidaire.common.money import ZERO, to_money
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import programme_balances
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.programmes.models import FiscalYear, Territory
from solidaire.reviews.conflicts import conflicted_proposal_ids
from solidaire.reviews.models import Review
from solidaire.reviews.scoring import proposal_scores
from solidaire.selection.engine import parse_instance, result_to_dict, solve
from solidaire.selection.models import Award, Decision, Scenario

S = Proposal.Status

# Proposals still in the running before the decision (the cycle's rules);
# of these, a scenario funds only those the evaluators have scored
# (:func:`competing_proposals`).
SELECTABLE = tuple(sorted(IN_COMPETITION))
# The id of the pool standing for what is left of the programme's envelope:
# the ledger refuses any commitment beyond it, so the engine must know it too.
ENVELOPE_POOL = "enveloppe"


class SelectionError(ValidationError):
    """A scenario or decision the rules refuse, with a reason people can read.
    A ValidationError, so that any page showing a service's refusals shows
    this one in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="selection")

    def __str__(self) -> str:
        return self.messages[0]


# Where a scenario's scores come from: the reviewers' weighted mean, or the
# consensus the committee recorded at its meeting.
SCORE_REVIEWS = "reviews"
SCORE_CONSENSUS = "consensus"


def competing_proposals(call: Call) -> QuerySet[Proposal]:
    """The proposals that compete for the call's money: in the running and
    with at least one submitted review (recused and released reviews do
    not count). An eligible proposal nobody scored has no score to compete
    with; it is declined with the others when the decision is adopted."""
    return Proposal.objects.filter(
        call=call,
        status__in=SELECTABLE,
        pk__in=Review.objects.filter(proposal__call=call, status=Review.Status.SUBMITTED).values(
            "proposal_id"
        ),
    )


def conflicted_references(user: User | None, call: Call) -> frozenset[str]:
    """References of the call's proposals ``user`` is in a conflict of
    interest with (declared, or from a tie known in advance): what every page
    of the committee hides from that person."""
    if user is None or not user.is_authenticated:
        return frozenset()
    of_call = dict(Proposal.objects.filter(call=call).values_list("pk", "reference"))
    return frozenset(of_call[pk] for pk in conflicted_proposal_ids(user.pk, of_call))


def decision_blockers(call: Call) -> list[str]:
    """What stands between the call and its decision, in words (empty when
    nothing does): submitted proposals not screened yet, and assigned
    reviews of proposals in the running neither submitted nor released."""
    blockers = []
    unscreened = sorted(
        Proposal.objects.filter(call=call, status=S.SUBMITTED).values_list("reference", flat=True)
    )
    if unscreened:
        blockers.append(
            _("Submitted proposals not screened yet: %(refs)s.") % {"refs": ", ".join(unscreened)}
        )
    pending = sorted(
        set(
            Review.objects.filter(
                proposal__call=call,
                proposal__status__in=SELECTABLE,
                status=Review.Status.ASSIGNED,
            ).values_list("proposal__reference", flat=True)
        )
    )
    if pending:
        blockers.append(
            _(
                "Reviews neither submitted nor released on: %(refs)s. Each evaluator submits, "
                "or the coordination releases the review."
            )
            % {"refs": ", ".join(pending)}
        )
    return blockers


def sub_envelope_pool(stream: Stream | str, territory_code: str) -> str:
    code = stream if isinstance(stream, str) else stream.code
    return f"{code}/{territory_code}"


def scenario_instance_for_call(
    *,
    call: Call,
    rules: Mapping[str, Any] | None = None,
    objective: str = Scenario.Objective.MERIT_ORDER,
    partial_funding: Decimal | None = None,
    locks: Mapping[str, str] | None = None,
    include_envelope: bool = True,
    score_source: str = SCORE_REVIEWS,
) -> dict[str, Any]:
    """The engine's Instance JSON for ``call``, from the database.

    Pools: one per stream (id = stream code; per fiscal year its stream-level
    allocation, or the sum of its territorial sub-envelopes), one per
    sub-envelope (id ``"stream/territory-code"``), and the programme's
    remaining envelope; each pool holds what is still uncommitted in it, the
    same figures the ledger will check at adoption. Proposals: every
    selectable proposal with its weighted score, its organisation, its stream
    pool plus the sub-envelope of its organisation's territory (or else of the
    first territory it serves), its requested amounts per fiscal year, its
    territories and priorities. ``partial_funding`` is the smallest fraction
    of a request the committee would grant (``None``: all or nothing);
    ``locks`` maps a proposal reference to ``"in"`` or ``"out"``.
    ``score_source`` is :data:`SCORE_REVIEWS` (the reviewers' weighted mean)
    or :data:`SCORE_CONSENSUS` (the committee's consensus score recorded at
    its meeting; every competing proposal must then have one).
    """
    programme = call.programme
    years = {fy.pk: fy for fy in FiscalYear.objects.filter(programme=programme)}
    streams = {s.pk: s for s in Stream.objects.filter(call=call)}
    allocations = list(
        Allocation.objects.filter(stream__call=call).select_related("territory", "fiscal_year")
    )
    proposals = list(
        competing_proposals(call)
        .select_related("organisation__territory")
        .prefetch_related("territories", "priorities")
        .order_by("reference")
    )
    requested: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in RequestedAmount.objects.filter(proposal__in=proposals).values(
        "proposal_id", "fiscal_year_id", "amount"
    ):
        requested[row["proposal_id"]][row["fiscal_year_id"]] = row["amount"]
    scores = {pk: summary.mean for pk, summary in proposal_scores(call).items()}
    if score_source == SCORE_CONSENSUS:
        agreed = consensus_scores(call)
        missing = sorted(p.reference for p in proposals if p.pk not in agreed)
        if missing:
            raise ValidationError(
                {
                    "score_source": [
                        _("The committee has not recorded a consensus score on %(refs)s.")
                        % {"refs": ", ".join(missing)}
                    ]
                }
            )
        scores = agreed
    elif score_source != SCORE_REVIEWS:
        raise ValidationError({"score_source": [_("Unknown source of scores.")]})

    used_years = {a.fiscal_year_id for a in allocations}
    for amounts in requested.values():
        used_years.update(amounts)
    fiscal_years = sorted((years[pk] for pk in used_years), key=lambda fy: fy.starts_on)

    # Money already committed from each pool (normally none before a decision).
    committed: dict[tuple[int, int | None, int], Decimal] = defaultdict(lambda: ZERO)
    for entry in LedgerEntry.objects.filter(commitment__call=call).values(
        "commitment__stream_id", "commitment__territory_id", "fiscal_year_id", "kind", "amount"
    ):
        sign = {"commit": 1, "release": -1}.get(entry["kind"], 0)
        key = (
            entry["commitment__stream_id"],
            entry["commitment__territory_id"],
            entry["fiscal_year_id"],
        )
        committed[key] += sign * entry["amount"]

    stream_level: dict[int, dict[int, Decimal]] = defaultdict(dict)
    territorial: dict[tuple[int, Territory], dict[int, Decimal]] = defaultdict(dict)
    for a in allocations:
        if a.territory is None:
            stream_level[a.stream_id][a.fiscal_year_id] = a.amount
        else:
            territorial[(a.stream_id, a.territory)][a.fiscal_year_id] = a.amount

    def money_map(values: Mapping[int, Decimal]) -> dict[str, str]:
        return {years[fy].label: str(to_money(max(v, ZERO))) for fy, v in values.items()}

    pools: list[dict[str, Any]] = []
    sub_pools: dict[int, dict[str, str]] = defaultdict(dict)  # stream → territory code → pool id
    # A call that splits no money among its streams draws on the programme's
    # remaining envelope alone (the ledger reads it the same way).
    streams_have_pools = bool(allocations)
    for stream in sorted(streams.values(), key=lambda s: s.pk) if streams_have_pools else []:
        per_year: dict[int, Decimal] = {}
        if stream.pk in stream_level:
            for fy, amount in stream_level[stream.pk].items():
                per_year[fy] = amount
        else:
            for (stream_id, _territory), amounts in territorial.items():
                if stream_id == stream.pk:
                    for fy, amount in amounts.items():
                        per_year[fy] = per_year.get(fy, ZERO) + amount
        stream_committed = {
            fy: sum((v for (s, _t, y), v in committed.items() if s == stream.pk and y == fy), ZERO)
            for fy in per_year
        }
        pools.append(
            {
                "id": stream.code,
                "amounts": money_map({fy: v - stream_committed[fy] for fy, v in per_year.items()}),
            }
        )
        for (stream_id, territory), amounts in sorted(
            territorial.items(), key=lambda item: (item[0][0], item[0][1].code)
        ):
            if stream_id != stream.pk:
                continue
            pool_id = sub_envelope_pool(stream, territory.code)
            sub_pools[stream.pk][territory.code] = pool_id
            pools.append(
                {
                    "id": pool_id,
                    "amounts": money_map(
                        {
                            fy: v - committed[(stream.pk, territory.pk, fy)]
                            for fy, v in amounts.items()
                        }
                    ),
                }
            )
    if include_envelope:
        left = {b.label: b.available for b in programme_balances(programme)}
        pools.append(
            {
                "id": ENVELOPE_POOL,
                "amounts": {
                    fy.label: str(to_money(max(left.get(fy.label, ZERO), ZERO)))
                    for fy in fiscal_years
                },
            }
        )

    items: list[dict[str, Any]] = []
    for p in proposals:
        its_pools: list[str] = []
        if streams_have_pools and p.stream_id is not None and p.stream_id in streams:
            stream = streams[p.stream_id]
            its_pools.append(stream.code)
            candidates = [p.organisation.territory.code] + [t.code for t in p.territories.all()]
            for code in candidates:
                if code in sub_pools.get(stream.pk, {}):
                    its_pools.append(sub_pools[stream.pk][code])
                    break
        if include_envelope:
            its_pools.append(ENVELOPE_POOL)
        score = scores.get(p.pk)
        items.append(
            {
                "id": p.reference,
                "organisation": str(p.organisation_id),
                "score": float(score) if score is not None else 0.0,
                "pools": its_pools,
                "requested": {
                    years[fy].label: str(amount) for fy, amount in requested[p.pk].items()
                },
                "min_fraction": str(partial_funding) if partial_funding is not None else "1",
                "territories": sorted(t.code for t in p.territories.all()),
                "priorities": sorted(pr.code for pr in p.priorities.all()),
                "lock": (locks or {}).get(p.reference),
            }
        )
    instance = {
        "fiscal_years": [fy.label for fy in fiscal_years],
        "pools": pools,
        "proposals": items,
        "rules": dict(rules or {}),
        "objective": objective,
        # Not read by the engine: what the scenario's scores are, for its readers.
        "score_source": score_source,
    }
    parse_instance(instance)  # fail here, naming the field, rather than at solving time
    return instance


def scenario_create(
    *,
    call: Call,
    name: str,
    actor: User | None,
    method: str = Scenario.Method.OPTIMAL,
    objective: str = Scenario.Objective.MERIT_ORDER,
    rules: Mapping[str, Any] | None = None,
    partial_funding: Decimal | None = None,
    locks: Mapping[str, str] | None = None,
    now: datetime | None = None,
    score_source: str = SCORE_REVIEWS,
) -> Scenario:
    """Build and store a scenario for ``call`` from the committee's current scores.

    Only until the call is decided; a person may not force in or out a
    proposal they declared a conflict on, nor one that is not competing.
    """
    allowed, why = cycle_check("selection.build", call=call.status_at(now or timezone.now()))
    if not allowed:
        raise CycleRefused("selection.build", why)
    if locks:
        hidden = conflicted_references(actor, call)
        refused = sorted(ref for ref in locks if ref in hidden)
        if refused:
            raise ValidationError(
                {
                    "locks": [
                        _(
                            "You declared a conflict of interest on %(refs)s: you cannot "
                            "force it in or out."
                        )
                        % {"refs": ", ".join(refused)}
                    ]
                }
            )
        competing = set(competing_proposals(call).values_list("reference", flat=True))
        outside = sorted(ref for ref in locks if ref not in competing)
        if outside:
            raise ValidationError(
                {
                    "locks": [
                        _("These proposals are not competing: %(refs)s.")
                        % {"refs": ", ".join(outside)}
                    ]
                }
            )
    if method not in Scenario.Method.values:
        raise ValidationError({"method": [_("Unknown method.")]})
    if objective not in Scenario.Objective.values:
        raise ValidationError({"objective": [_("Unknown objective.")]})
    instance = scenario_instance_for_call(
        call=call,
        rules=rules,
        objective=objective,
        partial_funding=partial_funding,
        locks=locks,
        score_source=score_source,
    )
    # The scenario and its audit event together, or neither.
    with transaction.atomic():
        scenario = Scenario.objects.create(
            call=call,
            name=name,
            method=method,
            objective=objective,
            instance=instance,
            created_by=actor,
        )
        audit_record(actor=actor, event_type="selection.scenario_created", target=scenario)
    return scenario


def scenario_solve(
    *, scenario: Scenario, time_limit: float = 10.0, now: datetime | None = None
) -> Scenario:
    """Run the engine on the scenario's instance and store its result."""
    instance = parse_instance(scenario.instance)
    result = solve(
        instance,
        method=scenario.method,  # type: ignore[arg-type]
        objective=scenario.objective,  # type: ignore[arg-type]
        time_limit=time_limit,
    )
    scenario.result = result_to_dict(result)
    scenario.solved_at = now or timezone.now()
    scenario.save(update_fields=["result", "solved_at"])
    return scenario


def _path(current: str, target: str) -> list[str]:
    """Shortest series of workflow steps from ``current`` to ``target``
    (for instance eligible → under review → recommended → funded), so that
    each step is a legal transition with its own audit event."""
    queue: deque[list[str]] = deque([[current]])
    seen = {current}
    while queue:
        path = queue.popleft()
        if path[-1] == target:
            return path[1:]
        for nxt in sorted(TRANSITIONS.get(path[-1], frozenset())):
            if nxt not in seen and nxt != S.WITHDRAWN:
                seen.add(nxt)
                queue.append([*path, nxt])
    raise SelectionError(
        _("A proposal cannot go from “%(from)s” to “%(to)s”.")
        % {"from": S(current).label, "to": S(target).label}
    )


def decision_adopt(
    *,
    scenario: Scenario,
    actor: User,
    resolution_number: str,
    now: datetime | None = None,
    notify: bool = True,
) -> Decision:
    """Adopt ``scenario`` as the committee's decision on its call.

    Only once the call has closed, every submitted proposal is screened and
    every review of a proposal in the running is submitted or released
    (:func:`decision_blockers`). All or nothing, in one transaction: the
    decision is recorded; every funded proposal moves to funded (through
    recommended), gets a ledger commitment of its amounts per fiscal year
    and an award; every other proposal in the running is declined, so that
    each submitted proposal ends funded, declined, ineligible or withdrawn;
    the call is marked decided. If the
    ledger no longer has the money (another call committed it since the
    scenario was solved) a :class:`~solidaire.ledger.services.LedgerError`
    says where, and nothing at all is written. Decision letters are queued
    only once the transaction has committed (``notify=False`` skips them).
    """
    if not resolution_number.strip():
        raise ValidationError({"resolution_number": [_("Give the resolution number.")]})
    result = scenario.result
    if not result or result.get("status") not in ("optimal", "time_limit"):
        raise SelectionError(_("Solve the scenario before adopting it."))
    if result.get("infeasibility"):
        raise SelectionError(_("This scenario does not meet every rule; it cannot be adopted."))
    now = now or timezone.now()
    funded = {item["id"]: item for item in result["funded"]}
    pools_of = {p["id"]: p["pools"] for p in scenario.instance.get("proposals", [])}
    with transaction.atomic():
        # Locking the call serialises two adoptions of scenarios of the same
        # call: the second sees the first's decision and stops.
        call = Call.objects.select_for_update().select_related("programme").get(pk=scenario.call_id)
        if call.decided_at is not None or Decision.objects.filter(call=call).exists():
            raise SelectionError(_("This call has already been decided."))
        allowed, why = cycle_check("selection.adopt", call=call.status_at(now))
        if not allowed:
            raise CycleRefused("selection.adopt", why)
        blockers = decision_blockers(call)
        if blockers:
            raise SelectionError(" ".join([str(_("The decision cannot be taken yet.")), *blockers]))
        competing = set(competing_proposals(call).values_list("reference", flat=True))
        years = {fy.label: fy for fy in FiscalYear.objects.filter(programme=call.programme)}
        territories = {t.code: t for t in Territory.objects.all()}
        proposals = {
            p.reference: p
            for p in Proposal.objects.filter(call=call).select_related("stream", "organisation")
        }
        missing = [ref for ref in funded if ref not in proposals]
        not_selectable = [ref for ref in funded if ref in proposals and ref not in competing]
        if missing or not_selectable:
            raise SelectionError(
                _("These proposals can no longer be funded: %(refs)s. Build the scenario again.")
                % {"refs": ", ".join(sorted(missing + not_selectable))}
            )
        decision = Decision.objects.create(
            call=call,
            scenario=scenario,
            resolution_number=resolution_number.strip(),
            decided_by=actor,
            decided_at=now,
        )
        why = _("Decision %(number)s") % {"number": decision.resolution_number}
        total = ZERO
        for ref in sorted(funded):
            proposal = proposals[ref]
            item = funded[ref]
            amounts = {years[fy]: to_money(v) for fy, v in item["amounts"].items()}
            territory = None
            for pool in pools_of.get(ref, []):
                if proposal.stream and pool.startswith(f"{proposal.stream.code}/"):
                    territory = territories.get(pool.split("/", 1)[1])
            commitment = commitment_create(
                programme=call.programme,
                reference=f"proposal:{proposal.pk}",
                label=f"{proposal.reference} — {proposal.organisation} — {proposal.title}"[:300],
                call=call,
                stream=proposal.stream,
                territory=territory,
            )
            ledger_commit(
                commitment=commitment,
                amounts=amounts,
                actor=actor,
                memo=why,
                effective_on=timezone.localtime(now).date(),
            )
            total += sum(amounts.values(), ZERO)
            steps = _path(proposal.status, S.FUNDED)
            for step in steps:
                changes: dict[str, object] | None = (
                    {"commitment": commitment} if step == S.FUNDED else None
                )
                proposal_transition(
                    proposal=proposal, to=step, actor=actor, reason=why, changes=changes
                )
            Award.objects.create(
                decision=decision,
                proposal=proposal,
                fraction=Decimal(item["fraction"]).quantize(Decimal("0.000001")),
            )
        for proposal in proposals.values():
            if proposal.reference in funded or proposal.status not in SELECTABLE:
                continue
            for step in _path(proposal.status, S.DECLINED):
                proposal_transition(proposal=proposal, to=step, actor=actor, reason=why)
        call.decided_at = now
        call.save(update_fields=["decided_at"])
        audit_record(
            actor=actor,
            event_type="selection.decision_adopted",
            target=decision,
            new_value=str(total),
            reason=why,
            data={"scenario": scenario.pk, "funded": sorted(funded)},
        )
        if notify:
            from solidaire.selection.tasks import decision_letters_send

            decision_id = decision.pk
            transaction.on_commit(lambda: decision_letters_send.enqueue(decision_id))
    return decision
