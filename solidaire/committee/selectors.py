"""Reads of the committee step: the meeting's agenda (ranking per stream,
recusals, consensus, the panel's opinion beside it), the minutes, and the
panel's results.

Who is conflicted with which proposal is asked of
:mod:`solidaire.reviews.conflicts` only: a conflicted person sees a
proposal's row as « recused », without any figure, and is named among the
recusals of the minutes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Sum

from solidaire.accounts.models import User
from solidaire.applications.access import requested_amount_expression
from solidaire.applications.models import Proposal
from solidaire.calls.models import Allocation, Call, Criterion
from solidaire.committee.models import (
    Attendance,
    Consensus,
    Meeting,
    PanelAnswer,
    PanelAssignment,
    PanelQuestion,
)
from solidaire.committee.services import meeting_members
from solidaire.common.bilingual import local_text
from solidaire.reviews.conflicts import conflicted_proposal_ids
from solidaire.reviews.scoring import ScoreSummary, proposal_scores

HUNDRED = Decimal(100)
PLACES = Decimal("0.01")


@dataclass(frozen=True)
class PanelResult:
    """The panel's opinion on a proposal, out of 100 (answers 1–4 mapped
    to 0–100), and how many panellists answered."""

    score: Decimal
    n_panellists: int


@dataclass
class AgendaItem:
    proposal: Proposal
    rank: int
    summary: ScoreSummary | None
    panel: PanelResult | None
    # The reviewers' mean with the panel counted as one more criterion of
    # the grid (None when the meeting gives the panel no weight).
    combined: Decimal | None
    consensus: Consensus | None
    requested: Decimal
    recused: list[User] = field(default_factory=list)
    hidden: bool = False
    # Within the stream's money along the ranking; None when the stream has
    # no money of its own (the call draws on the programme's envelope).
    above_line: bool | None = None
    tied_at_line: bool = False


@dataclass
class StreamAgenda:
    name: str
    available: Decimal
    items: list[AgendaItem]


def panel_score(mean_value: Decimal) -> Decimal:
    """A mean answer on the panel's scale (1 to 4) out of 100."""
    return ((mean_value - 1) * HUNDRED / 3).quantize(PLACES, rounding=ROUND_HALF_UP)


def panel_results(call: Call) -> dict[int, PanelResult]:
    """Each proposal's panel result (proposal id → result), completed
    answers only; two queries whatever the size."""
    rows = (
        PanelAnswer.objects.filter(
            assignment__proposal__call=call, assignment__completed_at__isnull=False
        )
        .values("assignment__proposal_id")
        .annotate(mean=Avg("value"), n=Count("assignment", distinct=True))
    )
    return {
        row["assignment__proposal_id"]: PanelResult(
            score=panel_score(Decimal(str(row["mean"]))), n_panellists=row["n"]
        )
        for row in rows
    }


def combined_score(
    *, mean: Decimal, grid_weight: Decimal, panel: Decimal, weight: Decimal
) -> Decimal:
    """The reviewers' weighted mean with the panel's score as one more
    criterion of weight ``weight`` beside the grid's ``grid_weight``."""
    total = grid_weight + weight
    if total <= 0:
        return mean
    return ((mean * grid_weight + panel * weight) / total).quantize(PLACES, rounding=ROUND_HALF_UP)


def stream_amounts(call: Call) -> dict[int, Decimal]:
    """What each stream of the call may commit, over every fiscal year: its
    stream-wide allocations, or the sum of its territorial sub-envelopes."""
    whole: dict[int, Decimal] = defaultdict(Decimal)
    parts: dict[int, Decimal] = defaultdict(Decimal)
    rows = (
        Allocation.objects.filter(stream__call=call)
        .values("stream_id", "territory_id")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        target = parts if row["territory_id"] else whole
        target[row["stream_id"]] += row["total"]
    return {sid: whole.get(sid) or parts[sid] for sid in set(whole) | set(parts)}


def meeting_agenda(call: Call, *, viewer_id: int) -> list[StreamAgenda]:
    """The agenda in ranking order per stream: every proposal under review
    (or decided) with at least one review, best reviewers' mean first.

    The funding line falls where the stream's money runs out along the
    ranking; proposals with the same score on both sides of the line are
    flagged as tied there (the meeting's recorded rule breaks the tie).
    A proposal ``viewer_id`` is conflicted with shows no figure.
    """
    meeting = Meeting.objects.filter(call=call).first()
    summaries = proposal_scores(call)
    panel = panel_results(call)
    grid_weight = sum(
        Criterion.objects.filter(call=call).values_list("weight", flat=True), Decimal(0)
    )
    weight = meeting.panel_weight if meeting else Decimal(0)
    proposals = list(
        Proposal.objects.filter(call=call, reviews__isnull=False)
        .exclude(status__in=[Proposal.Status.WITHDRAWN, Proposal.Status.INELIGIBLE])
        .distinct()
        .select_related("organisation", "stream")
        .annotate(requested=requested_amount_expression())
        .order_by("reference")
    )
    ids = [p.pk for p in proposals]
    consensuses = (
        {c.proposal_id: c for c in Consensus.objects.filter(meeting=meeting)} if meeting else {}
    )
    recused: dict[int, list[User]] = defaultdict(list)
    for person in meeting_members(call.programme):
        for proposal_id in conflicted_proposal_ids(person.pk, ids):
            recused[proposal_id].append(person)
    hidden = conflicted_proposal_ids(viewer_id, ids)
    amounts = stream_amounts(call)
    groups: dict[int | None, list[AgendaItem]] = defaultdict(list)
    names: dict[int | None, str] = {}
    for proposal in proposals:
        summary = summaries.get(proposal.pk)
        result = panel.get(proposal.pk)
        combined = None
        if summary is not None and result is not None and weight > 0:
            combined = combined_score(
                mean=summary.mean, grid_weight=grid_weight, panel=result.score, weight=weight
            )
        stream = proposal.stream
        key = stream.pk if stream else None
        names[key] = local_text(stream.name, stream.name_en) if stream else ""
        groups[key].append(
            AgendaItem(
                proposal=proposal,
                rank=0,
                summary=summary,
                panel=result,
                combined=combined,
                consensus=consensuses.get(proposal.pk),
                requested=proposal.requested,  # type: ignore[attr-defined]
                recused=recused.get(proposal.pk, []),
                hidden=proposal.pk in hidden,
            )
        )
    agenda = []
    for key in sorted(groups, key=lambda k: (k is None, names[k])):
        items = groups[key]
        items.sort(key=lambda i: (-_ranking_score(i), i.proposal.reference))
        available = amounts.get(key, Decimal(0)) if key is not None else Decimal(0)
        spent = Decimal(0)
        for rank, item in enumerate(items, start=1):
            item.rank = rank
            spent += item.requested
            item.above_line = spent <= available if available > 0 else None
        _flag_ties(items)
        agenda.append(StreamAgenda(name=names[key], available=available, items=items))
    return agenda


def _ranking_score(item: AgendaItem) -> Decimal:
    if item.combined is not None:
        return item.combined
    return item.summary.mean if item.summary else Decimal(-1)


def _flag_ties(items: list[AgendaItem]) -> None:
    """Flag the proposals whose score equals that of one on the other side
    of the funding line."""
    above = {_ranking_score(i) for i in items if i.above_line is True}
    below = {_ranking_score(i) for i in items if i.above_line is False}
    for item in items:
        item.tied_at_line = _ranking_score(item) in above & below


@dataclass(frozen=True)
class Minutes:
    meeting: Meeting
    present: list[User]
    absent: list[User]
    agenda: list[StreamAgenda]
    recusals: list[tuple[Proposal, list[User]]]
    questions: list[PanelQuestion]


def meeting_minutes(call: Call, *, viewer_id: int) -> Minutes:
    """What the minutes record: attendance, the rule that breaks ties, each
    proposal's consensus and recommendation, and who was recused from what."""
    meeting = Meeting.objects.get_or_create(call=call)[0]
    attendance = {a.person_id: a.present for a in Attendance.objects.filter(meeting=meeting)}
    members = meeting_members(call.programme)
    agenda = meeting_agenda(call, viewer_id=viewer_id)
    recusals = [
        (item.proposal, item.recused) for stream in agenda for item in stream.items if item.recused
    ]
    return Minutes(
        meeting=meeting,
        present=[m for m in members if attendance.get(m.pk)],
        absent=[m for m in members if not attendance.get(m.pk)],
        agenda=agenda,
        recusals=recusals,
        questions=list(PanelQuestion.objects.filter(call=call)),
    )


def consensus_scores(call: Call) -> dict[int, Decimal]:
    """The committee's consensus score of each proposal of ``call`` that has one."""
    return dict(Consensus.objects.filter(meeting__call=call).values_list("proposal_id", "score"))


# ----------------------------------------------------------------------------- the panellist's pages


def panel_assignments_for(person_id: int) -> list[PanelAssignment]:
    """The proposals given to a panellist, those they are conflicted with
    left out; not yet answered first."""
    rows = list(
        PanelAssignment.objects.filter(panellist_id=person_id)
        .exclude(proposal__status=Proposal.Status.WITHDRAWN)
        .select_related("proposal__call__programme", "proposal__organisation")
        .order_by(F("completed_at").asc(nulls_first=True), "proposal__reference")
    )
    hidden = conflicted_proposal_ids(person_id, [a.proposal_id for a in rows])
    return [a for a in rows if a.proposal_id not in hidden]
