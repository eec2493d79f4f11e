"""Eligibility screening, evaluator assignment, conflicts of interest and reviews.

Eligibility comes first: every rule of the call passes or fails with a
reason, and the proposal moves to eligible or ineligible through the
workflow. Then evaluators are assigned (never one who declared a conflict),
and each scores every criterion of the grid on the call's scale.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.applications.cycle import cycle_require
from solidaire.applications.models import Proposal
from solidaire.applications.workflow import proposal_transition
from solidaire.audit.services import audit_record
from solidaire.calls.models import Criterion, EligibilityRule, ScaleLevel
from solidaire.reviews.conflicts import is_conflicted
from solidaire.reviews.models import ConflictDeclaration, EligibilityResult, Review, Score
from solidaire.reviews.selectors import eligibility_suggestion, screening_proposals
from solidaire.reviews.tasks import ineligibility_letter_send

S = Proposal.Status

# A score is a value, optionally with the evaluator's comment on the criterion.
ScoreInput = int | tuple[int, str]
# In a draft the value may still be missing while the comment is written.
DraftScoreInput = int | tuple[int | None, str]


def _call_status(proposal: Proposal, now: datetime | None) -> str:
    return proposal.call.status_at(now or timezone.now())


def eligibility_record(
    *,
    proposal: Proposal,
    results: Mapping[str, tuple[bool, str]],
    actor: User | None,
    now: datetime | None = None,
) -> Proposal:
    """Record the outcome of every eligibility rule of the call (rule code →
    (passed, reason)) and move the proposal to eligible or ineligible.

    Every rule must be answered and a failure must say why: an applicant told
    "ineligible" is owed the reason. Screening again an ineligible proposal
    (after a correction) may make it eligible. Screening ends when the
    proposal goes under review, and with the call's decision.
    """
    cycle_require("screening.record", call=_call_status(proposal, now), proposal=proposal.status)
    rules = {rule.code: rule for rule in EligibilityRule.objects.filter(call_id=proposal.call_id)}
    errors: dict[str, list[str]] = {}
    for code in results:
        if code not in rules:
            errors.setdefault(code, []).append(_("This rule does not belong to the call."))
    for code in rules:
        if code not in results:
            errors.setdefault(code, []).append(_("Every eligibility rule must be checked."))
        elif not results[code][0] and not results[code][1].strip():
            errors.setdefault(code, []).append(_("Say why the proposal fails this rule."))
    overruled = {
        code: automatic
        for code, automatic in _automatic_checks(proposal, rules).items()
        if code in results and automatic is not None and automatic != results[code][0]
    }
    for code in overruled:
        if not results[code][1].strip() and code not in errors:
            errors.setdefault(code, []).append(
                _("You overrule the automatic check: say why in the reason.")
            )
    if errors:
        raise ValidationError(errors)
    eligible = all(passed for passed, _reason in results.values())
    with transaction.atomic():
        for code, automatic in sorted(overruled.items()):
            audit_record(
                actor=actor,
                event_type="eligibility.overruled",
                target=proposal,
                old_value="passed" if automatic else "failed",
                new_value="passed" if results[code][0] else "failed",
                reason=results[code][1].strip(),
                data={"rule": code},
            )
        for code, (passed, reason) in results.items():
            EligibilityResult.objects.update_or_create(
                proposal=proposal,
                rule=rules[code],
                defaults={"passed": passed, "reason": reason.strip(), "checked_by": actor},
            )
        target = S.ELIGIBLE if eligible else S.INELIGIBLE
        if proposal.status != target:
            failed = [results[c][1] for c in sorted(results) if not results[c][0]]
            proposal_transition(
                proposal=proposal, to=target, actor=actor, reason="; ".join(failed)[:1000]
            )
            if target == S.INELIGIBLE:
                # The proposal leaves the review flow: its organisation is
                # owed the reasons, in a letter sent once this is committed.
                proposal_id = proposal.pk
                transaction.on_commit(lambda: ineligibility_letter_send.enqueue(proposal_id))
    return proposal


def _automatic_checks(
    proposal: Proposal, rules: Mapping[str, EligibilityRule]
) -> dict[str, bool | None]:
    """What the data says of each rule (code → passed, or None when the data
    cannot tell), read as the screening page reads it."""
    call = proposal.call
    loaded = screening_proposals(call).filter(pk=proposal.pk).first()
    if loaded is None:
        return {}
    return {code: eligibility_suggestion(rule, loaded, call).passed for code, rule in rules.items()}


def conflict_declare(
    *,
    proposal: Proposal,
    user: User,
    reason: str,
    actor: User | None = None,
    now: datetime | None = None,
) -> ConflictDeclaration:
    """Record that ``user`` has a conflict of interest with ``proposal``.

    An existing review of that person on that proposal is recused at once,
    even if already submitted: its scores then leave the committee's totals
    (see :mod:`solidaire.reviews.scoring`), which only count submitted reviews.
    """
    cycle_require("conflict.declare", call=_call_status(proposal, now), proposal=proposal.status)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say what the conflict of interest is.")]})
    with transaction.atomic():
        declaration, _created = ConflictDeclaration.objects.get_or_create(
            proposal=proposal, user=user, defaults={"reason": reason.strip()}
        )
        recused = Review.objects.filter(proposal=proposal, evaluator=user).exclude(
            status=Review.Status.RECUSED
        )
        for review in recused.select_for_update():
            old = review.status
            review.status = Review.Status.RECUSED
            review.save(update_fields=["status"])
            audit_record(
                actor=actor or user,
                event_type="review.recused",
                target=review,
                old_value=old,
                new_value=review.status,
                reason=reason,
            )
        audit_record(
            actor=actor or user,
            event_type="review.conflict_declared",
            target=proposal,
            new_value=str(user.pk),
            reason=reason,
        )
    return declaration


def review_assign(
    *, proposal: Proposal, evaluator: User, actor: User | None, now: datetime | None = None
) -> Review:
    """Assign ``evaluator`` to ``proposal``; refused on a declared conflict.

    The first assignment starts the evaluation: an eligible proposal moves to
    under review. A released review assigned again is open again.
    """
    cycle_require("review.assign", call=_call_status(proposal, now), proposal=proposal.status)
    if is_conflicted(evaluator.pk, proposal.pk):
        raise ValidationError(
            _("%(person)s is in a conflict of interest with this proposal.") % {"person": evaluator}
        )
    with transaction.atomic():
        review, created = Review.objects.get_or_create(proposal=proposal, evaluator=evaluator)
        if not created and review.status == Review.Status.RELEASED:
            review.status = Review.Status.ASSIGNED
            review.save(update_fields=["status"])
            created = True
        if created:
            audit_record(
                actor=actor,
                event_type="review.assigned",
                target=review,
                new_value=str(evaluator.pk),
            )
        if proposal.status == S.ELIGIBLE:
            proposal_transition(proposal=proposal, to=S.UNDER_REVIEW, actor=actor)
    return review


def _parsed_scores(
    review: Review, scores: Mapping[str, DraftScoreInput | None], *, complete: bool
) -> tuple[dict[str, Criterion], dict[str, tuple[int | None, str]]]:
    """The call's criteria and the scores given (code → (value, comment)),
    each checked against the call's scale; ``complete`` asks for every
    criterion. Raises a ValidationError keyed by criterion code."""
    call_id = review.proposal.call_id
    criteria = {c.code: c for c in Criterion.objects.filter(call_id=call_id)}
    levels = set(ScaleLevel.objects.filter(call_id=call_id).values_list("value", flat=True))
    errors: dict[str, list[str]] = {}
    parsed: dict[str, tuple[int | None, str]] = {}
    for code, given in scores.items():
        if given is None:
            continue
        value, note = given if isinstance(given, tuple) else (given, "")
        if code not in criteria:
            errors.setdefault(code, []).append(_("This criterion is not in the call's grid."))
        elif value is None and not complete:
            # A comment typed before the value is chosen is kept in the draft.
            parsed[code] = (None, note)
        elif isinstance(value, bool) or not isinstance(value, int) or value not in levels:
            errors.setdefault(code, []).append(
                _("Choose a value of the scale (%(values)s).")
                % {"values": ", ".join(str(v) for v in sorted(levels))}
            )
        elif complete and value in (min(levels), max(levels)) and not note.strip():
            # The extremes of the scale weigh most on the ranking: the
            # committee is owed the evaluator's reasons for them.
            errors.setdefault(code, []).append(
                _("Explain a score of %(value)d: the lowest and highest levels need a comment.")
                % {"value": value}
            )
        else:
            parsed[code] = (value, note)
    if complete:
        for code in criteria:
            if (code not in parsed or parsed[code][0] is None) and code not in errors:
                errors.setdefault(code, []).append(_("Score every criterion of the grid."))
    if errors:
        raise ValidationError(errors)
    return criteria, parsed


def _store_scores(
    review: Review,
    criteria: dict[str, Criterion],
    parsed: dict[str, tuple[int | None, str]],
    now: datetime | None,
) -> Review:
    """Replace the review's scores, inside the caller's transaction.

    The review is re-read under lock: a conflict declared a moment ago
    recuses it, and a review submitted twice must not duplicate its scores.
    The proposal and its call are re-read too: a proposal withdrawn or a
    call decided since the page was opened closes the review.
    """
    locked = Review.objects.select_for_update().get(pk=review.pk)
    proposal = Proposal.objects.select_related("call").get(pk=locked.proposal_id)
    if locked.status != Review.Status.RECUSED:
        cycle_require(
            "review.score",
            call=_call_status(proposal, now),
            proposal=proposal.status,
            review=locked.status,
        )
    if locked.status == Review.Status.RECUSED or is_conflicted(
        locked.evaluator_id, locked.proposal_id
    ):
        raise ValidationError(_("This review was recused for a conflict of interest."))
    if locked.status == Review.Status.SUBMITTED:
        raise ValidationError(_("This review has already been submitted."))
    Score.objects.filter(review=locked).delete()
    Score.objects.bulk_create(
        [
            Score(review=locked, criterion=criteria[code], value=value, comment=note)
            for code, (value, note) in parsed.items()
        ]
    )
    return locked


def review_check_complete(*, review: Review, scores: Mapping[str, DraftScoreInput]) -> None:
    """Raise the errors :func:`review_submit` would raise on ``scores``
    (criterion code → value or (value, comment)), writing nothing: the recap
    shown before the final submission is only shown for a complete review."""
    _parsed_scores(review, scores, complete=True)


def review_submit(
    *,
    review: Review,
    scores: Mapping[str, DraftScoreInput],
    actor: User,
    comment: str = "",
    now: datetime | None = None,
) -> Review:
    """Submit an evaluator's scores (criterion code → value or (value, comment)).

    Every criterion of the call's grid must be scored with a value of the
    call's scale; errors are reported per criterion code. Only the assigned
    evaluator may submit, and never after a declared conflict.
    """
    if actor.pk != review.evaluator_id:
        raise PermissionDenied(_("Only the assigned evaluator can submit this review."))
    criteria, parsed = _parsed_scores(review, scores, complete=True)
    now = now or timezone.now()
    with transaction.atomic():
        # The call's state is read at the real moment of writing: ``now``
        # only stamps the submission (the demo replays past evaluations).
        locked = _store_scores(review, criteria, parsed, None)
        locked.status = Review.Status.SUBMITTED
        locked.submitted_at = now
        locked.comment = comment
        locked.save(update_fields=["status", "submitted_at", "comment"])
        audit_record(
            actor=actor,
            event_type="review.submitted",
            target=locked,
            new_value=Review.Status.SUBMITTED,
            data={code: value for code, (value, _note) in parsed.items()},
        )
    review.status = locked.status
    review.submitted_at = locked.submitted_at
    review.comment = comment
    return review


def review_save_draft(
    *,
    review: Review,
    scores: Mapping[str, DraftScoreInput | None],
    actor: User,
    comment: str = "",
    now: datetime | None = None,
) -> Review:
    """Keep an evaluator's unfinished scores (criterion code → value, (value,
    comment) or None when not scored yet) without submitting the review.

    The review stays assigned: a draft is its scores saved while its status
    is still "assigned"; only :func:`review_submit` makes it count. Values
    given must be on the call's scale; missing ones are simply left out.
    """
    if actor.pk != review.evaluator_id:
        raise PermissionDenied(_("Only the assigned evaluator can score this review."))
    criteria, parsed = _parsed_scores(review, scores, complete=False)
    with transaction.atomic():
        locked = _store_scores(review, criteria, parsed, now)
        locked.comment = comment
        locked.save(update_fields=["comment"])
    review.comment = comment
    return review


def review_release(
    *,
    review: Review,
    actor: User | None,
    reason: str,
    keep_draft: bool = True,
    now: datetime | None = None,
) -> Review:
    """The coordination releases an evaluator from a review still in
    progress (they withdrew, fell ill, or were unassigned): the review no
    longer holds up the decision. Its draft is kept, never counted, so that
    the evaluator finds it if assigned again; or discarded when
    ``keep_draft`` is false. The choice is recorded."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the review is released.")]})
    with transaction.atomic():
        locked = (
            Review.objects.select_for_update().select_related("proposal__call").get(pk=review.pk)
        )
        cycle_require(
            "review.release", call=_call_status(locked.proposal, now), review=locked.status
        )
        old = locked.status
        locked.status = Review.Status.RELEASED
        fields = ["status"]
        discarded = 0
        if not keep_draft:
            discarded, _counts = Score.objects.filter(review=locked).delete()
            locked.comment = ""
            fields.append("comment")
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            event_type="review.released",
            target=locked,
            old_value=old,
            new_value=locked.status,
            reason=reason.strip(),
            data={"draft": "kept" if keep_draft else "discarded", "scores_discarded": discarded},
        )
    review.status = locked.status
    return review
