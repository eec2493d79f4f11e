"""The call's automatic assignment: what the coordination asks (reviews per
proposal, each evaluator's capacity, a due date), the problem handed to
:mod:`solidaire.reviews.assignment_engine`, and the assignment applied once
the coordinator has read it.

The proposal shown is carried by the page itself, signed, so that what is
applied is exactly what was read; applying checks every pair again (a
conflict may have appeared meanwhile) and writes all or nothing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.applications.models import Proposal
from solidaire.audit.services import audit_record
from solidaire.calls.models import Call
from solidaire.programmes.models import ProgrammeRole
from solidaire.reviews.assignment_engine import (
    Assignment,
    Evaluator,
    Problem,
    ProposalNeed,
    Shortfall,
    load_spread,
    solve,
)
from solidaire.reviews.conflicts import call_conflict_pairs
from solidaire.reviews.models import (
    AssignmentSettings,
    EvaluatorCapacity,
    EvaluatorKnowledge,
    Review,
)
from solidaire.reviews.selectors import ASSIGNABLE_STATUSES, call_evaluators
from solidaire.reviews.services import review_assign

_SALT = "solidaire.reviews.assignment"
# Seconds the page gives the solver; past it, the best assignment found is
# shown with how far from proven it stands.
TIME_LIMIT = 10.0
_ACTIVE = (Review.Status.ASSIGNED, Review.Status.SUBMITTED)


def assignment_settings(call: Call) -> AssignmentSettings:
    """The call's settings, or the defaults (3 reviews, no due date) unsaved."""
    found = AssignmentSettings.objects.filter(call=call).first()
    return found or AssignmentSettings(call=call)


def evaluator_capacities(call: Call, evaluators: Sequence[User], reviews: int) -> dict[int, int]:
    """Each evaluator's capacity: as recorded, else an even share of the
    reviews to give, plus one for room."""
    recorded = dict(
        EvaluatorCapacity.objects.filter(call=call).values_list("evaluator_id", "capacity")
    )
    n = Proposal.objects.filter(call=call, status__in=ASSIGNABLE_STATUSES).count()
    share = math.ceil(n * reviews / len(evaluators)) + 1 if evaluators else 0
    return {e.pk: recorded.get(e.pk, share) for e in evaluators}


def assignment_settings_save(
    *,
    call: Call,
    reviews_per_proposal: int,
    due_on: date | None,
    capacities: Mapping[int, int],
    actor: User | None,
) -> AssignmentSettings:
    """Record what the coordination asks of the call's assignment."""
    if reviews_per_proposal < 1:
        raise ValidationError({"reviews_per_proposal": [_("Ask for one review at least.")]})
    with transaction.atomic():
        settings, _created = AssignmentSettings.objects.update_or_create(
            call=call,
            defaults={"reviews_per_proposal": reviews_per_proposal, "due_on": due_on},
        )
        for evaluator_id, capacity in capacities.items():
            EvaluatorCapacity.objects.update_or_create(
                call=call, evaluator_id=evaluator_id, defaults={"capacity": capacity}
            )
        audit_record(
            actor=actor,
            event_type="review.assignment_settings",
            target=call,
            new_value=str(reviews_per_proposal),
            data={"capacities": {str(k): v for k, v in capacities.items()}},
        )
    return settings


def assignment_problem(
    call: Call, *, reviews_per_proposal: int, capacities: Mapping[int, int]
) -> Problem:
    """The call as the engine reads it: its assignable proposals, the
    programme's evaluators with their sector, capacity and territories
    known, the conflicts (declared and from ties), the reviews in progress
    or submitted (kept) and those recused or released (not made again)."""
    evaluators = call_evaluators(call)
    sectors = dict(
        ProgrammeRole.objects.filter(
            programme_id=call.programme_id, role=ProgrammeRole.Role.EVALUATOR
        ).values_list("user_id", "sector")
    )
    known: dict[int, set[str]] = defaultdict(set)
    for person_id, code in EvaluatorKnowledge.objects.filter(
        programme_id=call.programme_id, territories__isnull=False
    ).values_list("person_id", "territories__code"):
        known[person_id].add(code)
    served: dict[int, set[str]] = defaultdict(set)
    proposals = list(
        Proposal.objects.filter(call=call, status__in=ASSIGNABLE_STATUSES)
        .order_by("reference")
        .values_list("pk", flat=True)
    )
    for pk, code in Proposal.territories.through.objects.filter(
        proposal_id__in=proposals
    ).values_list("proposal_id", "territory__code"):
        served[pk].add(code)
    kept: set[tuple[int, int]] = set()
    excluded: set[tuple[int, int]] = set()
    for evaluator_id, proposal_id, status in Review.objects.filter(
        proposal_id__in=proposals
    ).values_list("evaluator_id", "proposal_id", "status"):
        (kept if status in _ACTIVE else excluded).add((evaluator_id, proposal_id))
    conflicts = call_conflict_pairs(call.pk)
    return Problem(
        evaluators=tuple(
            Evaluator(
                key=e.pk,
                capacity=capacities.get(e.pk, 0),
                sector=sectors.get(e.pk, ""),
                territories=frozenset(known[e.pk]),
            )
            for e in evaluators
        ),
        proposals=tuple(ProposalNeed(pk, frozenset(served[pk])) for pk in proposals),
        reviews_per_proposal=reviews_per_proposal,
        conflicts=conflicts,
        # A kept review now in conflict is recused, not kept.
        kept=frozenset(kept - conflicts),
        excluded=frozenset(excluded),
    )


@dataclass(frozen=True)
class ShortfallRow:
    proposal: Proposal
    shortfall: Shortfall


@dataclass(frozen=True)
class AssignmentProposal:
    """An assignment ready to be read, then applied: the new reviews per
    proposal, each evaluator's load, and ``signed``, what the page posts back."""

    outcome: Assignment
    problem: Problem
    new_pairs: frozenset[tuple[int, int]]
    shortfalls: list[ShortfallRow]
    spread: int
    signed: str

    @property
    def feasible(self) -> bool:
        return not self.outcome.shortfalls

    @property
    def gap_percent(self) -> Decimal | None:
        """How far from the best possible the assignment may stand, in
        percent; None when time ran out before any bound was proven."""
        if not math.isfinite(self.outcome.gap):
            return None
        return Decimal(str(round(self.outcome.gap * 100, 1)))


def assignment_propose(
    call: Call, *, reviews_per_proposal: int, capacities: Mapping[int, int]
) -> AssignmentProposal:
    """Solve the call's assignment; nothing is written."""
    problem = assignment_problem(
        call, reviews_per_proposal=reviews_per_proposal, capacities=capacities
    )
    outcome = solve(problem, time_limit=TIME_LIMIT)
    new_pairs = outcome.pairs - problem.kept
    by_pk = Proposal.objects.in_bulk([s.proposal for s in outcome.shortfalls])
    return AssignmentProposal(
        outcome=outcome,
        problem=problem,
        new_pairs=new_pairs,
        shortfalls=[ShortfallRow(by_pk[s.proposal], s) for s in outcome.shortfalls],
        spread=load_spread(problem, outcome.loads),
        signed=signing.dumps({"call": call.pk, "pairs": sorted(new_pairs)}, salt=_SALT),
    )


def signed_pairs(call: Call, signed: str) -> list[tuple[int, int]]:
    """The (evaluator id, proposal id) pairs of a proposal shown for
    ``call``; a ValidationError when the text was altered or is another call's."""
    try:
        data = signing.loads(signed, salt=_SALT)
    except signing.BadSignature as exc:
        raise ValidationError(_("This assignment could not be read: propose it again.")) from exc
    if data.get("call") != call.pk:
        raise ValidationError(_("This assignment could not be read: propose it again."))
    return [(int(e), int(p)) for e, p in data["pairs"]]


def assignment_apply(
    *, call: Call, pairs: Sequence[tuple[int, int]], due_on: date | None, actor: User
) -> int:
    """Create the reviews of ``pairs`` (evaluator id, proposal id), all or
    none: a pair whose evaluator has since come into a conflict, or whose
    proposal left the evaluation, refuses the whole assignment. Returns the
    number of reviews created."""
    evaluators = {e.pk: e for e in call_evaluators(call)}
    proposals = Proposal.objects.select_related("call").in_bulk(
        {p for _e, p in pairs}, field_name="pk"
    )
    conflicts = call_conflict_pairs(call.pk)
    refused = sorted(
        proposals[p].reference if p in proposals else str(p)
        for e, p in pairs
        if (e, p) in conflicts
        or e not in evaluators
        or p not in proposals
        or proposals[p].call_id != call.pk
        or proposals[p].status not in ASSIGNABLE_STATUSES
    )
    if refused:
        raise ValidationError(
            _("The call changed since this assignment was proposed (%(refs)s): propose it again.")
            % {"refs": ", ".join(sorted(set(refused)))}
        )
    with transaction.atomic():
        for evaluator_id, proposal_id in pairs:
            review = review_assign(
                proposal=proposals[proposal_id], evaluator=evaluators[evaluator_id], actor=actor
            )
            if due_on is not None and review.due_on != due_on:
                review.due_on = due_on
                review.save(update_fields=["due_on"])
        audit_record(
            actor=actor,
            event_type="review.assignment_applied",
            target=call,
            new_value=str(len(pairs)),
            data={"pairs": [list(pair) for pair in pairs]},
        )
    return len(pairs)
