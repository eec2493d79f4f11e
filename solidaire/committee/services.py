"""Writes of the committee step: the meeting (date, attendance, the rule that
breaks ties, consensus and recommendations) and the panel of people living
in poverty (questions, proposals given, consent, answers).

Every write checks its input here, not in a form: a refused input raises a
ValidationError keyed by field and writes nothing. Each change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.applications.models import Proposal
from solidaire.audit.services import audit_record
from solidaire.calls.models import Call
from solidaire.committee.models import (
    Attendance,
    Consensus,
    Meeting,
    PanelAnswer,
    PanelAssignment,
    PanelConsent,
    PanelQuestion,
)
from solidaire.common.text import sort_key
from solidaire.programmes.models import Programme, ProgrammeRole
from solidaire.reviews.conflicts import is_conflicted

MIN_QUESTIONS = 3
MAX_QUESTIONS = 4
PANEL_VALUES = (1, 2, 3, 4)
HUNDRED = Decimal(100)


def _require_undecided(call: Call) -> None:
    """The meeting prepares the decision: once the call is decided, its
    record (details, attendance, consensus) and the panel are closed."""
    if call.decided_at is not None:
        raise ValidationError(
            _("The committee has decided this call: the meeting's record is closed.")
        )


def meeting_for_call(call: Call) -> Meeting:
    """The call's meeting, created empty the first time it is asked for."""
    meeting, _created = Meeting.objects.get_or_create(call=call)
    return meeting


def meeting_update(
    *,
    meeting: Meeting,
    held_on: date | None,
    reviews_due_on: date | None,
    tie_break_rule: str,
    panel_weight: Decimal,
    actor: User,
) -> Meeting:
    """Record the meeting's date, the date reviews are due, the rule that
    breaks ties at the funding line and the weight of the panel's opinion."""
    _require_undecided(meeting.call)
    if panel_weight < 0:
        raise ValidationError({"panel_weight": [_("The weight cannot be negative.")]})
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        old_rule = locked.tie_break_rule
        locked.held_on = held_on
        locked.reviews_due_on = reviews_due_on
        locked.tie_break_rule = tie_break_rule.strip()
        locked.panel_weight = panel_weight
        locked.save()
        audit_record(
            actor=actor,
            event_type="meeting.updated",
            target=locked,
            old_value=old_rule,
            new_value=locked.tie_break_rule,
            data={
                "held_on": held_on.isoformat() if held_on else None,
                "reviews_due_on": reviews_due_on.isoformat() if reviews_due_on else None,
                "panel_weight": str(panel_weight),
            },
        )
    return locked


def meeting_members(programme: Programme) -> list[User]:
    """The people who sit at the meeting: the committee and the coordination."""
    ids = ProgrammeRole.objects.filter(
        programme=programme,
        role__in=[ProgrammeRole.Role.COMMITTEE, ProgrammeRole.Role.COORDINATOR],
    ).values_list("user_id", flat=True)
    return sorted(
        User.objects.filter(pk__in=ids), key=lambda u: (*sort_key(u.last_name, u.first_name), u.pk)
    )


def attendance_record(*, meeting: Meeting, present: Iterable[int], actor: User) -> None:
    """Record who attended: members of the meeting only."""
    _require_undecided(meeting.call)
    members = {u.pk for u in meeting_members(meeting.call.programme)}
    present_ids = set(present)
    if not present_ids <= members:
        raise ValidationError({"present": [_("Only the committee's members attend the meeting.")]})
    with transaction.atomic():
        for person_id in sorted(members):
            Attendance.objects.update_or_create(
                meeting=meeting, person_id=person_id, defaults={"present": person_id in present_ids}
            )
        audit_record(
            actor=actor,
            event_type="meeting.attendance",
            target=meeting,
            data={"present": sorted(present_ids)},
        )


def consensus_record(
    *,
    meeting: Meeting,
    proposal: Proposal,
    score: Decimal | str,
    rationale: str,
    recommendation: str,
    actor: User,
) -> Consensus:
    """Record the committee's consensus on ``proposal``: a score out of 100,
    its rationale and a recommendation. The person recording must not be in
    a conflict of interest with the proposal."""
    if proposal.call_id != meeting.call_id:
        raise ValidationError(_("This proposal is not on the meeting's agenda."))
    _require_undecided(meeting.call)
    if is_conflicted(actor.pk, proposal.pk):
        raise PermissionDenied(_("You are in a conflict of interest with this proposal."))
    errors: dict[str, list[str]] = {}
    try:
        value = Decimal(str(score).replace(",", ".").strip())
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not Decimal(0) <= value <= HUNDRED:
        errors["score"] = [_("Give a score between 0 and 100.")]
    if not rationale.strip():
        errors["rationale"] = [_("Say how the committee reached this score.")]
    if recommendation not in Consensus.Recommendation.values:
        errors["recommendation"] = [_("Choose a recommendation.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consensus, _created = Consensus.objects.update_or_create(
            meeting=meeting,
            proposal=proposal,
            defaults={
                "score": value.quantize(Decimal("0.01")),
                "rationale": rationale.strip(),
                "recommendation": recommendation,
                "recorded_by": actor,
            },
        )
        audit_record(
            actor=actor,
            event_type="meeting.consensus",
            target=proposal,
            new_value=f"{consensus.score} {recommendation}",
            reason=rationale.strip(),
        )
    return consensus


# ----------------------------------------------------------------------------- the panel


def panel_questions_set(
    *, call: Call, questions: Sequence[tuple[str, str]], actor: User
) -> list[PanelQuestion]:
    """Replace the panel's questions of ``call`` by ``questions`` ((French,
    English) pairs, blanks ignored): three or four, in plain language.
    Answers already given to a question that changed are discarded."""
    given = [(fr.strip(), en.strip()) for fr, en in questions if fr.strip() or en.strip()]
    errors: list[str] = []
    if not MIN_QUESTIONS <= len(given) <= MAX_QUESTIONS:
        errors.append(
            _("Ask %(min)d or %(max)d questions.") % {"min": MIN_QUESTIONS, "max": MAX_QUESTIONS}
        )
    if any(not fr for fr, _en in given):
        errors.append(_("Every question needs its French wording."))
    if errors:
        raise ValidationError({"questions": errors})
    with transaction.atomic():
        existing = {q.position: q for q in PanelQuestion.objects.filter(call=call)}
        kept = []
        for position, (fr, en) in enumerate(given, start=1):
            question = existing.pop(position, None)
            if question is None:
                question = PanelQuestion.objects.create(
                    call=call, position=position, text=fr, text_en=en
                )
            elif (question.text, question.text_en) != (fr, en):
                question.answers.all().delete()
                question.text, question.text_en = fr, en
                question.save()
            kept.append(question)
        for question in existing.values():
            question.delete()
        audit_record(
            actor=actor, event_type="panel.questions", target=call, data={"questions": given}
        )
    return kept


def panellists(programme: Programme) -> list[User]:
    ids = ProgrammeRole.objects.filter(
        programme=programme, role=ProgrammeRole.Role.PANELLIST
    ).values_list("user_id", flat=True)
    return sorted(
        User.objects.filter(pk__in=ids), key=lambda u: (*sort_key(u.last_name, u.first_name), u.pk)
    )


def panel_give(*, proposals: Iterable[Proposal], panellist: User, actor: User) -> int:
    """Give proposals to a panellist; a proposal they are in a conflict of
    interest with is refused. Returns how many were newly given."""
    proposals = list(proposals)
    if not proposals:
        return 0
    programme_id = proposals[0].call.programme_id
    if not ProgrammeRole.objects.filter(
        programme_id=programme_id, user=panellist, role=ProgrammeRole.Role.PANELLIST
    ).exists():
        raise ValidationError(
            {"panellist": [_("This person is not a panellist of the programme.")]}
        )
    refused = [p.reference for p in proposals if is_conflicted(panellist.pk, p.pk)]
    if refused:
        raise ValidationError(
            {
                "proposals": [
                    _("%(person)s is in a conflict of interest with %(references)s.")
                    % {"person": panellist, "references": ", ".join(refused)}
                ]
            }
        )
    created = 0
    with transaction.atomic():
        for proposal in proposals:
            _assignment, new = PanelAssignment.objects.get_or_create(
                proposal=proposal, panellist=panellist
            )
            created += int(new)
        audit_record(
            actor=actor,
            event_type="panel.given",
            target=panellist,
            data={"proposals": [p.pk for p in proposals]},
        )
    return created


def panel_consent(
    *, programme: Programme, person: User, given: bool, actor: User | None = None
) -> PanelConsent | None:
    """Give (``given``) or withdraw a panellist's consent. Withdrawing keeps
    the record with its instant; the panel's pages close to the person."""
    if not ProgrammeRole.objects.filter(
        programme=programme, user=person, role=ProgrammeRole.Role.PANELLIST
    ).exists():
        raise PermissionDenied(_("Only the programme's panellists take part in the panel."))
    now = timezone.now()
    with transaction.atomic():
        consent = (
            PanelConsent.objects.select_for_update()
            .filter(programme=programme, person=person)
            .first()
        )
        if given:
            if consent is None:
                consent = PanelConsent.objects.create(
                    programme=programme, person=person, given_at=now
                )
            elif consent.withdrawn_at is not None:
                consent.given_at, consent.withdrawn_at = now, None
                consent.save()
        elif consent is not None and consent.withdrawn_at is None:
            consent.withdrawn_at = now
            consent.save()
        audit_record(
            actor=actor or person,
            event_type="panel.consent_given" if given else "panel.consent_withdrawn",
            target=programme,
            new_value=str(person.pk),
        )
    return consent


def has_consented(*, programme_id: int, person_id: int) -> bool:
    return PanelConsent.objects.filter(
        programme_id=programme_id, person_id=person_id, withdrawn_at__isnull=True
    ).exists()


def panel_answer(
    *, assignment: PanelAssignment, answers: Mapping[int, int | None], actor: User
) -> PanelAssignment:
    """Record a panellist's answers (question id → 1 to 4) on the proposal
    given to them; every question of the call must be answered."""
    if actor.pk != assignment.panellist_id:
        raise PermissionDenied(_("These questions were given to someone else."))
    proposal = assignment.proposal
    if not has_consented(programme_id=proposal.call.programme_id, person_id=actor.pk):
        raise PermissionDenied(_("Give your consent before answering the panel's questions."))
    if is_conflicted(actor.pk, proposal.pk):
        raise PermissionDenied(_("You are in a conflict of interest with this proposal."))
    _require_undecided(proposal.call)
    questions = list(PanelQuestion.objects.filter(call_id=proposal.call_id))
    errors: dict[str, list[str]] = {}
    for question in questions:
        value = answers.get(question.pk)
        if value is None:
            errors[f"q{question.pk}"] = [_("Choose an answer.")]
        elif isinstance(value, bool) or value not in PANEL_VALUES:
            errors[f"q{question.pk}"] = [_("Choose one of the four answers.")]
    if not questions:
        errors["__all__"] = [_("The coordination has not asked its questions yet.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = PanelAssignment.objects.select_for_update().get(pk=assignment.pk)
        for question in questions:
            value = answers[question.pk]
            assert value is not None  # checked above
            PanelAnswer.objects.update_or_create(
                assignment=locked, question=question, defaults={"value": value}
            )
        locked.completed_at = timezone.now()
        locked.save(update_fields=["completed_at"])
    assignment.completed_at = locked.completed_at
    return assignment
