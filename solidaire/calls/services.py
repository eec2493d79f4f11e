"""Writes of call set-up: a draft call, a copy of a previous one, changes
(with the rules that hold once proposals came in), publication behind a
checklist.

``calls`` sits on the same floor as ``ledger`` and below ``applications``:
it cannot read what the ledger has available nor whether proposals were
submitted. Those two facts are arguments here (``fiscal_years`` with the
ledger's available amounts, ``submissions_received``), gathered by the pages
one floor up (``solidaire.callsetup``), so that the rules themselves stay
pure functions of the call and of the facts, testable without a ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.audit.services import audit_record
from solidaire.calls.models import (
    Allocation,
    Call,
    CallNotice,
    Criterion,
    EligibilityRule,
    RequiredDocument,
    ScaleLevel,
    Stream,
)
from solidaire.common.money import ZERO, format_money
from solidaire.programmes.models import Programme

if TYPE_CHECKING:
    from solidaire.calls.forms import CallSetupForms

HUNDRED = Decimal("100")


class CallChangeRefused(ValidationError):
    """A change the call's moment does not allow; nothing was written."""


class CallNotReady(ValidationError):
    """Publication refused: ``messages`` names every missing piece."""


# ----------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class YearFunds:
    """What the ledger says of one fiscal year, as the checklist needs it."""

    label: str
    ends_on: date
    available: Decimal


@dataclass(frozen=True)
class AllocationLine:
    stream: int | str
    territory: int | None
    fiscal_year: int
    amount: Decimal


@dataclass(frozen=True)
class StreamPlan:
    key: int
    name: str
    territorial: bool


@dataclass(frozen=True)
class ScalePlan:
    value: int
    label: str
    descriptor: str


@dataclass(frozen=True)
class CallPlan:
    """Everything of a call the publication checklist looks at, read once."""

    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    streams: list[StreamPlan]
    allocations: list[AllocationLine]
    weights: list[Decimal]
    scale: list[ScalePlan]
    rules: int
    documents: int


def call_plan(call: Call) -> CallPlan:
    """The call's set-up as plain data, in a few queries."""
    return CallPlan(
        title=call.title,
        description=call.description,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        streams=[
            StreamPlan(key=s.pk, name=s.name, territorial=s.territorial)
            for s in call.streams.order_by("id")
        ],
        allocations=[
            AllocationLine(
                stream=a.stream_id,
                territory=a.territory_id,
                fiscal_year=a.fiscal_year_id,
                amount=a.amount,
            )
            for a in Allocation.objects.filter(stream__call=call)
        ],
        weights=list(call.criteria.values_list("weight", flat=True)),
        scale=[ScalePlan(s.value, s.label, s.descriptor) for s in call.scale.all()],
        rules=call.eligibility_rules.count(),
        documents=call.required_documents.count(),
    )


# ----------------------------------------------------------------------------- pure rules


def allocation_pools(lines: Iterable[AllocationLine]) -> dict[int, Decimal]:
    """Money each fiscal year's allocations promise. A stream's pool in a year
    is its stream-level allocation, or, when it has none, the sum of its
    territorial sub-envelopes (the same reading as the ledger's call figures)."""
    stream_level: dict[tuple[int | str, int], Decimal] = {}
    territories: dict[tuple[int | str, int], Decimal] = {}
    for line in lines:
        key = (line.stream, line.fiscal_year)
        if line.territory is None:
            stream_level[key] = line.amount
        else:
            territories[key] = territories.get(key, ZERO) + line.amount
    per_year: dict[int, Decimal] = {}
    for key in stream_level.keys() | territories.keys():
        amount = stream_level.get(key, territories.get(key, ZERO))
        per_year[key[1]] = per_year.get(key[1], ZERO) + amount
    return per_year


def allocation_excess(
    lines: Iterable[AllocationLine], available: Mapping[int, Decimal]
) -> dict[int, tuple[Decimal, Decimal]]:
    """Fiscal years whose allocations exceed what is available:
    ``{fiscal year id: (allocated, available)}``. A year missing from
    ``available`` has nothing available."""
    return {
        year: (allocated, available.get(year, ZERO))
        for year, allocated in allocation_pools(lines).items()
        if allocated > available.get(year, ZERO)
    }


def publication_checklist(
    plan: CallPlan, *, fiscal_years: Mapping[int, YearFunds], now: datetime
) -> list[str]:
    """Every piece a call lacks before it may be published, in words the
    coordinator can act on; empty when it is ready. ``fiscal_years`` maps the
    programme's fiscal years to what the ledger has available in each."""
    missing: list[str] = []
    if not plan.title.strip():
        missing.append(_("The call has no title."))
    if not plan.description.strip():
        missing.append(_("The call has no description for applicants."))
    if plan.closes_at <= plan.opens_at:
        missing.append(_("The call must close after it opens."))
    if plan.closes_at <= now:
        missing.append(_("The closing instant is already past: choose a later one."))
    if not plan.streams:
        missing.append(_("The call has no stream: add at least one."))
    allocated_streams = {line.stream for line in plan.allocations}
    for stream in plan.streams:
        if stream.key not in allocated_streams:
            missing.append(
                _("The stream “%(stream)s” has no allocation for any fiscal year.")
                % {"stream": stream.name}
            )
    today = timezone.localdate(now)
    years_used = sorted({line.fiscal_year for line in plan.allocations})
    ended = [
        fiscal_years[y] for y in years_used if y in fiscal_years and fiscal_years[y].ends_on < today
    ]
    for year in ended:
        missing.append(
            _("The fiscal year %(year)s has ended: it takes no new allocation.")
            % {"year": year.label}
        )
    open_available = {
        pk: funds.available for pk, funds in fiscal_years.items() if funds.ends_on >= today
    }
    for year_id, (allocated, available) in sorted(
        allocation_excess(plan.allocations, open_available).items()
    ):
        funds = fiscal_years.get(year_id)
        if funds is None or funds.ends_on < today:
            continue  # already named above
        missing.append(
            _(
                "The allocations of %(year)s add up to %(allocated)s; the ledger has "
                "%(available)s available in that fiscal year."
            )
            % {
                "year": funds.label,
                "allocated": format_money(allocated),
                "available": format_money(available),
            }
        )
    if not plan.weights:
        missing.append(_("The evaluation grid has no criterion."))
    elif (total := sum(plan.weights, ZERO)) != HUNDRED:
        missing.append(
            _("The criteria's weights add up to %(total)s; they must add up to 100.")
            % {"total": f"{total.normalize():f}"}
        )
    if len(plan.scale) < 2:
        missing.append(_("The scoring scale needs at least two levels."))
    for level in plan.scale:
        if not level.descriptor.strip():
            missing.append(
                _("The scale level %(value)s (%(label)s) has no descriptor.")
                % {"value": level.value, "label": level.label}
            )
    if not plan.rules:
        missing.append(_("The call has no eligibility rule."))
    if not plan.documents:
        missing.append(_("The call lists no required document."))
    return missing


# What may still change once proposals were submitted, and what not: the
# rules, limits, documents and streams applicants answered to are frozen;
# the text, the grid (evaluation has not necessarily begun), the allocations
# (an amount "announced later") and a later closing may change with a reason.
FROZEN_AFTER_SUBMISSION = {"opening", "rules", "documents", "limits", "streams"}
PART_NAMES = {
    "opening": _("the opening instant"),
    "rules": _("the eligibility rules"),
    "documents": _("the required documents"),
    "limits": _("the limits per initiative"),
    "streams": _("the streams"),
}


@dataclass(frozen=True)
class ChangeDecision:
    allowed: bool
    refusal: str = ""
    needs_reason: bool = False
    extension: bool = False


def change_decision(
    parts: set[str],
    *,
    published: bool,
    decided: bool,
    submissions_received: bool,
    old_closes_at: datetime,
    new_closes_at: datetime,
) -> ChangeDecision:
    """Whether a change to ``parts`` of a call is allowed at this moment of
    its life, and whether it must carry a reason. Pure: the caller says
    whether proposals were submitted."""
    if not parts:
        return ChangeDecision(allowed=True)
    if decided:
        return ChangeDecision(False, _("This call is decided; it can no longer change."))
    if not published:
        return ChangeDecision(allowed=True)
    if new_closes_at < old_closes_at:
        return ChangeDecision(
            False, _("A published call's closing instant can move later, never earlier.")
        )
    if submissions_received and (frozen := parts & FROZEN_AFTER_SUBMISSION):
        names = ", ".join(str(PART_NAMES[p]) for p in sorted(frozen))
        return ChangeDecision(
            False,
            _(
                "Proposals were already submitted under %(parts)s of this call; "
                "these can no longer change."
            )
            % {"parts": names},
        )
    extension = new_closes_at > old_closes_at
    return ChangeDecision(
        allowed=True, needs_reason=extension or submissions_received, extension=extension
    )


# ----------------------------------------------------------------------------- writes


def _next_number(programme: Programme) -> int:
    last = Call.objects.filter(programme=programme).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1


@transaction.atomic
def call_create_draft(
    *, programme: Programme, actor: User | None, fields: Mapping[str, object]
) -> Call:
    """A new unpublished call of ``programme``, numbered after the last one."""
    call = Call(programme=programme, number=_next_number(programme), published=False, **fields)
    call.full_clean(exclude=["number"])
    call.save()
    audit_record(actor=actor, event_type="call.created", target=call, new_value=str(call))
    return call


@transaction.atomic
def call_copy(*, source: Call, actor: User | None) -> Call:
    """A new draft call with everything of ``source``: text, instants,
    limits, streams and their allocations, grid, scale, rules, documents.
    The coordinator then changes what differs."""
    call = Call.objects.create(
        programme=source.programme,
        number=_next_number(source.programme),
        title=source.title,
        description=source.description,
        published=False,
        opens_at=source.opens_at,
        closes_at=source.closes_at,
        min_request=source.min_request,
        max_request=source.max_request,
        max_share_of_expenses=source.max_share_of_expenses,
        max_duration_months=source.max_duration_months,
        latest_end_on=source.latest_end_on,
    )
    for stream in source.streams.order_by("id").prefetch_related("allocations"):
        copy = Stream.objects.create(
            call=call,
            code=stream.code,
            name=stream.name,
            name_en=stream.name_en,
            scope=stream.scope,
            territorial=stream.territorial,
        )
        Allocation.objects.bulk_create(
            [
                Allocation(
                    stream=copy,
                    territory_id=a.territory_id,
                    fiscal_year_id=a.fiscal_year_id,
                    amount=a.amount,
                )
                for a in stream.allocations.all()
            ]
        )
    Criterion.objects.bulk_create(
        [
            Criterion(
                call=call,
                code=c.code,
                name=c.name,
                name_en=c.name_en,
                description=c.description,
                description_en=c.description_en,
                weight=c.weight,
                order=c.order,
            )
            for c in source.criteria.all()
        ]
    )
    ScaleLevel.objects.bulk_create(
        [
            ScaleLevel(
                call=call,
                value=s.value,
                label=s.label,
                label_en=s.label_en,
                descriptor=s.descriptor,
                descriptor_en=s.descriptor_en,
            )
            for s in source.scale.all()
        ]
    )
    EligibilityRule.objects.bulk_create(
        [
            EligibilityRule(
                call=call,
                code=r.code,
                kind=r.kind,
                description=r.description,
                description_en=r.description_en,
                order=r.order,
            )
            for r in source.eligibility_rules.all()
        ]
    )
    RequiredDocument.objects.bulk_create(
        [
            RequiredDocument(
                call=call, code=d.code, name=d.name, name_en=d.name_en, mandatory=d.mandatory
            )
            for d in source.required_documents.all()
        ]
    )
    audit_record(
        actor=actor,
        event_type="call.copied",
        target=call,
        old_value=str(source),
        new_value=str(call),
        data={"source": source.pk},
    )
    return call


@dataclass(frozen=True)
class CallUpdate:
    call: Call
    parts: set[str]
    notices: list[CallNotice]


def call_update(
    *,
    call: Call,
    actor: User | None,
    forms: CallSetupForms,
    submissions_received: bool,
    now: datetime | None = None,
) -> CallUpdate:
    """Save the set-up page of ``call`` whole, or nothing.

    ``forms`` must be valid. A published call follows :func:`change_decision`:
    refused changes raise :class:`CallChangeRefused`; allowed ones are
    recorded in the audit trail with their reason, and a later closing
    instant, or a change after proposals came in, is posted on the call as
    a notice to applicants (returned, for the page to announce further).
    """
    now = now or timezone.now()
    old = Call.objects.get(pk=call.pk)
    parts = forms.changed_parts()
    new_closes_at = forms.call_form.cleaned_data["closes_at"]
    decision = change_decision(
        parts,
        published=old.published,
        decided=old.decided_at is not None,
        submissions_received=submissions_received,
        old_closes_at=old.closes_at,
        new_closes_at=new_closes_at,
    )
    if not decision.allowed:
        raise CallChangeRefused(decision.refusal, code="refused")
    reason = forms.reason_form.cleaned_data.get("reason", "").strip()
    if decision.needs_reason and not reason:
        raise CallChangeRefused(
            _("Give the reason for this change: it is recorded and shown to applicants."),
            code="reason",
        )
    notices: list[CallNotice] = []
    try:
        with transaction.atomic():
            # The call's row is the lock two coordinators editing at once
            # queue on; the second save then sees the first one's instants.
            Call.objects.select_for_update().filter(pk=call.pk).first()
            forms.call_form.save()
            # Deleted rows go first so that a code freed by one row can be
            # taken by another in the same save.
            for formset in [*forms.inline.values(), forms.allocations]:
                formset.save(commit=False)
                for obj in formset.deleted_objects:
                    obj.delete()
            for formset in forms.inline.values():
                for obj in formset.new_objects + [o for o, _f in formset.changed_objects]:
                    obj.save()
            for obj in forms.allocations.new_objects + [
                o for o, _f in forms.allocations.changed_objects
            ]:
                obj.save()
            if old.published and parts:
                audit_record(
                    actor=actor,
                    event_type="call.changed",
                    target=call,
                    reason=reason,
                    data={"parts": sorted(parts)},
                )
            if decision.extension:
                notices.append(
                    CallNotice.objects.create(
                        call=call,
                        kind=CallNotice.Kind.EXTENSION,
                        posted_at=now,
                        reason=reason,
                        old_closes_at=old.closes_at,
                        new_closes_at=new_closes_at,
                    )
                )
                audit_record(
                    actor=actor,
                    event_type="call.extended",
                    target=call,
                    old_value=old.closes_at.isoformat(),
                    new_value=new_closes_at.isoformat(),
                    reason=reason,
                )
            elif old.published and submissions_received and parts - {"closing"}:
                notices.append(
                    CallNotice.objects.create(
                        call=call, kind=CallNotice.Kind.CHANGE, posted_at=now, reason=reason
                    )
                )
    except ProtectedError as exc:
        raise CallChangeRefused(
            _("“%(item)s” cannot be removed: proposals or reviews already use it.")
            % {"item": next(iter(exc.protected_objects), "")},
            code="protected",
        ) from exc
    return CallUpdate(call=call, parts=parts, notices=notices)


def call_publish(
    *,
    call: Call,
    actor: User | None,
    fiscal_years: Mapping[int, YearFunds],
    now: datetime | None = None,
) -> Call:
    """Publish ``call`` if :func:`publication_checklist` finds nothing
    missing; else raise :class:`CallNotReady` naming every missing piece."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.published:
            return locked
        missing = publication_checklist(call_plan(locked), fiscal_years=fiscal_years, now=now)
        if missing:
            raise CallNotReady(missing, code="not_ready")
        locked.published = True
        locked.save(update_fields=["published"])
        audit_record(actor=actor, event_type="call.published", target=locked, new_value=str(locked))
    return locked
