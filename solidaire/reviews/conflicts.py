"""Who is in a conflict of interest with which proposal: the one answer every
page, export and API asks.

A person is conflicted with a proposal when they declared it, or when one of
their ties known in advance (:class:`~solidaire.reviews.models.Tie`, kept per
programme) names the proposal's applicant organisation or one of its declared
partners: the conflict then holds without any declaration. Everything that
hides a proposal from a conflicted person (review access, scores, the
committee's pages, exports, the minutes' recusals, the automatic assignment)
asks these functions.

A tie matches a proposal of its programme when it names the applicant (the
organisation itself, its NEQ, or its legal name written the same way once
accents, case and punctuation are set aside), or when that name or NEQ
appears among the proposal's partners. An ended tie still counts for calls
opening within :data:`COOLING_OFF` of its end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Q

from solidaire.applications.models import Proposal
from solidaire.common.text import fold
from solidaire.reviews.models import ConflictDeclaration, Tie

# How long a tie that ended keeps its holder away from the organisation.
COOLING_OFF = timedelta(days=730)
# Names shorter than this (once normalised) would match too much partner text.
_SHORTEST_NAME = 3
_ASCII_WORD = re.compile(r"[A-Za-z0-9]{3,}")


def match_key(text: str) -> str:
    """``text`` as names are compared: see :func:`solidaire.common.text.fold`."""
    return fold(text)


@dataclass(frozen=True)
class _TieFacts:
    person_id: int
    programme_id: int
    organisation_id: int | None
    neq: str
    name_key: str
    raw_name: str
    ends_on: date | None


@dataclass(frozen=True)
class _ProposalFacts:
    pk: int
    programme_id: int
    organisation_id: int
    neq: str
    name_key: str
    partners_key: str
    partners_digits: str
    opens_on: date


_PROPOSAL_FIELDS = (
    "pk",
    "call__programme_id",
    "organisation_id",
    "organisation__neq",
    "organisation__legal_name",
    "partners",
    "call__opens_at",
)


def _proposal_facts(row: tuple[int, int, int, str, str, str, datetime]) -> _ProposalFacts:
    pk, programme_id, organisation_id, neq, legal_name, partners, opens_at = row
    return _ProposalFacts(
        pk=pk,
        programme_id=programme_id,
        organisation_id=organisation_id,
        neq=neq,
        name_key=match_key(legal_name),
        partners_key=f" {match_key(partners)} ",
        partners_digits=re.sub(r"\D", "", partners),
        opens_on=opens_at.date(),
    )


def _ties(**filters: object) -> list[_TieFacts]:
    rows = Tie.objects.filter(**filters).values_list(
        "person_id",
        "programme_id",
        "organisation_id",
        "neq",
        "organisation__neq",
        "organisation_name",
        "organisation__legal_name",
        "ends_on",
    )
    return [
        _TieFacts(
            person_id=person_id,
            programme_id=programme_id,
            organisation_id=organisation_id,
            neq=neq or org_neq or "",
            name_key=match_key(legal_name or name),
            raw_name=legal_name or name,
            ends_on=ends_on,
        )
        for person_id, programme_id, organisation_id, neq, org_neq, name, legal_name, ends_on in rows
    ]


def _tie_matches(tie: _TieFacts, proposal: _ProposalFacts) -> bool:
    if tie.programme_id != proposal.programme_id:
        return False
    if tie.ends_on is not None and tie.ends_on < proposal.opens_on - COOLING_OFF:
        return False
    if tie.organisation_id is not None and tie.organisation_id == proposal.organisation_id:
        return True
    if tie.neq and (tie.neq == proposal.neq or tie.neq in proposal.partners_digits):
        return True
    if len(tie.name_key) < _SHORTEST_NAME:
        return False
    return tie.name_key == proposal.name_key or f" {tie.name_key} " in proposal.partners_key


def _candidates(ties: list[_TieFacts]) -> Q | None:
    """A database filter that keeps at least every proposal the ties may
    match (the exact comparison is done in Python), or None when a name
    offers no plain word to look for and every proposal must be read."""
    condition = Q(organisation_id__in=[t.organisation_id for t in ties if t.organisation_id])
    for tie in ties:
        if tie.neq:
            condition |= Q(organisation__neq=tie.neq) | Q(partners__contains=tie.neq[:4])
        words = _ASCII_WORD.findall(tie.raw_name)
        if not words:
            if tie.organisation_id is None:
                return None
            continue
        word = max(words, key=len)
        condition |= Q(partners__icontains=word) | Q(organisation__legal_name__icontains=word)
    return condition


def tied_proposal_ids(person_id: int, proposals: Iterable[int] | None = None) -> frozenset[int]:
    """The proposals (among ``proposals`` when given) one of person
    ``person_id``'s ties puts them in a conflict with."""
    ties = _ties(person_id=person_id)
    if not ties:
        return frozenset()
    rows = Proposal.objects.filter(call__programme_id__in={t.programme_id for t in ties})
    if proposals is not None:
        rows = rows.filter(pk__in=list(proposals))
    condition = _candidates(ties)
    if condition is not None:
        rows = rows.filter(condition)
    found = set()
    for row in rows.values_list(*_PROPOSAL_FIELDS):
        facts = _proposal_facts(row)
        if any(_tie_matches(tie, facts) for tie in ties):
            found.add(facts.pk)
    return frozenset(found)


def conflicted_person_ids(proposal: Proposal) -> frozenset[int]:
    """The people in a conflict of interest with ``proposal``."""
    declared = set(
        ConflictDeclaration.objects.filter(proposal=proposal).values_list("user_id", flat=True)
    )
    row = Proposal.objects.filter(pk=proposal.pk).values_list(*_PROPOSAL_FIELDS).first()
    if row is None:
        return frozenset(declared)
    facts = _proposal_facts(row)
    tied = {t.person_id for t in _ties(programme_id=facts.programme_id) if _tie_matches(t, facts)}
    return frozenset(declared | tied)


def conflicted_proposal_ids(
    person_id: int, proposals: Iterable[int] | None = None
) -> frozenset[int]:
    """The proposals (among ``proposals`` when given) that person ``person_id``
    is in a conflict of interest with."""
    chosen = list(proposals) if proposals is not None else None
    declared = ConflictDeclaration.objects.filter(user_id=person_id)
    if chosen is not None:
        declared = declared.filter(proposal_id__in=chosen)
    return frozenset(declared.values_list("proposal_id", flat=True)) | tied_proposal_ids(
        person_id, chosen
    )


def is_conflicted(person_id: int, proposal_id: int) -> bool:
    if ConflictDeclaration.objects.filter(user_id=person_id, proposal_id=proposal_id).exists():
        return True
    return bool(tied_proposal_ids(person_id, [proposal_id]))


def call_conflict_pairs(call_id: int) -> frozenset[tuple[int, int]]:
    """Every (person id, proposal id) pair of call ``call_id`` in a conflict
    of interest, declared or from ties: what the automatic assignment avoids."""
    pairs = set(
        ConflictDeclaration.objects.filter(proposal__call_id=call_id).values_list(
            "user_id", "proposal_id"
        )
    )
    proposals = [
        _proposal_facts(row)
        for row in Proposal.objects.filter(call_id=call_id).values_list(*_PROPOSAL_FIELDS)
    ]
    if proposals:
        ties = _ties(programme_id=proposals[0].programme_id)
        pairs.update(
            (tie.person_id, facts.pk)
            for facts in proposals
            for tie in ties
            if _tie_matches(tie, facts)
        )
    return frozenset(pairs)


def proposal_conflicted_expression(person_id: int, proposal_ref: str = "pk") -> Exists:
    """A query expression: true on rows whose proposal (``proposal_ref``, an
    ``OuterRef`` path to the proposal's id) person ``person_id`` is conflicted with.

    The person's ties are matched once, when the expression is built."""
    tied = tied_proposal_ids(person_id)
    return Exists(
        Proposal.objects.filter(pk=OuterRef(proposal_ref)).filter(
            Q(pk__in=list(tied)) | Q(conflicts__user_id=person_id)
        )
    )


def declared_by(person_id: int) -> list[ConflictDeclaration]:
    """The conflicts of interest ``person_id`` declared, newest first, with
    their proposal: the person's own list."""
    return list(
        ConflictDeclaration.objects.filter(user_id=person_id)
        .select_related("proposal__call__programme")
        .order_by("-declared_at")
    )
