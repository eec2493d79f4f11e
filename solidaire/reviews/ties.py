"""Ties known in advance: the organisations an evaluator or committee member
belongs to, sits on the board of, works for or is otherwise tied to, kept per
programme by the person and read by the coordination.

A tie makes a conflict of interest without any declaration (see
:mod:`solidaire.reviews.conflicts`): recording one recuses at once the
person's reviews of the proposals it now conflicts with, as a declaration does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.applications.models import Organisation
from solidaire.audit.services import audit_record
from solidaire.programmes.models import Programme, ProgrammeRole, Territory
from solidaire.reviews.conflicts import tied_proposal_ids
from solidaire.reviews.models import EvaluatorKnowledge, Review, Tie

# The roles that keep ties: those who read proposals' scores or score them.
TIE_ROLES = (ProgrammeRole.Role.EVALUATOR, ProgrammeRole.Role.COMMITTEE)


def tie_programmes(person: User) -> QuerySet[Programme]:
    """The programmes where ``person`` evaluates or sits on the committee."""
    return (
        Programme.objects.filter(roles__user=person, roles__role__in=TIE_ROLES)
        .distinct()
        .order_by("name")
    )


def ties_of(person: User) -> QuerySet[Tie]:
    return Tie.objects.filter(person=person).select_related("programme", "organisation")


def programme_ties(programme: Programme) -> QuerySet[Tie]:
    """Every tie kept in ``programme``, by person, for the coordination."""
    return (
        Tie.objects.filter(programme=programme)
        .select_related("person", "organisation")
        .order_by("person__last_name", "person__first_name", "person_id", "pk")
    )


def _recuse_tied_reviews(person: User, programme: Programme, actor: User, reason: str) -> int:
    tied = tied_proposal_ids(person.pk)
    reviews = Review.objects.filter(
        evaluator=person, proposal_id__in=list(tied), proposal__call__programme=programme
    ).exclude(status__in=(Review.Status.RECUSED, Review.Status.RELEASED))
    count = 0
    for review in reviews.select_for_update():
        old = review.status
        review.status = Review.Status.RECUSED
        review.save(update_fields=["status"])
        audit_record(
            actor=actor,
            event_type="review.recused",
            target=review,
            old_value=old,
            new_value=review.status,
            reason=reason,
        )
        count += 1
    return count


def tie_record(
    *,
    person: User,
    programme: Programme,
    kind: str,
    organisation_name: str = "",
    neq: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    note: str = "",
    actor: User | None = None,
) -> Tie:
    """Record a tie of ``person`` in ``programme``. The organisation is the
    one of the system with that NEQ when there is one; otherwise the name
    (and NEQ) given is what proposals are matched against.

    Reviews of proposals the tie now conflicts with are recused at once."""
    errors: dict[str, list[str]] = {}
    if not ProgrammeRole.objects.filter(
        programme=programme, user=person, role__in=TIE_ROLES
    ).exists():
        errors.setdefault("programme", []).append(
            _("You neither evaluate nor sit on the committee of this programme.")
        )
    neq = neq.strip()
    organisation = Organisation.objects.filter(neq=neq).first() if neq else None
    if organisation is None and not organisation_name.strip():
        errors.setdefault("organisation_name", []).append(
            _("Name the organisation, or give its NEQ if it is known here.")
        )
    if kind not in Tie.Kind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of tie."))
    if starts_on and ends_on and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("The tie cannot end before it starts."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        tie = Tie(
            programme=programme,
            person=person,
            organisation=organisation,
            organisation_name=organisation_name.strip(),
            neq=neq,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note.strip(),
        )
        tie.full_clean()
        tie.save()
        audit_record(
            actor=actor or person,
            event_type="review.tie_recorded",
            target=tie,
            new_value=tie.name,
            data={"kind": kind, "person": person.pk},
        )
        _recuse_tied_reviews(person, programme, actor or person, _("Tie to %s") % tie.name)
    return tie


def tie_remove(*, tie: Tie, actor: User) -> None:
    """Remove a tie recorded by mistake. Reviews it recused stay recused."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type="review.tie_removed",
            target=tie,
            old_value=tie.name,
            data={"person": tie.person_id},
        )
        tie.delete()


def knowledge_of(person: User, programme: Programme) -> frozenset[int]:
    """Ids of the territories ``person`` knows in ``programme``."""
    return frozenset(
        EvaluatorKnowledge.objects.filter(
            person=person, programme=programme, territories__isnull=False
        ).values_list("territories", flat=True)
    )


def knowledge_save(
    *, person: User, programme: Programme, territories: Iterable[Territory]
) -> EvaluatorKnowledge:
    """The territories ``person`` knows well in ``programme`` (the automatic
    assignment prefers them for proposals serving those territories)."""
    chosen = list(territories)
    outside = [t.name for t in chosen if t.region_id != programme.region_id]
    if outside:
        raise ValidationError({"territories": [_("Choose territories of the programme's region.")]})
    with transaction.atomic():
        knowledge, _created = EvaluatorKnowledge.objects.get_or_create(
            person=person, programme=programme
        )
        knowledge.territories.set(chosen)
    return knowledge
