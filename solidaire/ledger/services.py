"""Writes that move money: commit, release, pay, carry over.

Invariants, per fiscal year, for the programme's envelope and for each stream
and territorial sub-envelope of a call:

* net committed (committed − released) ≤ envelope + carried over (or allocation);
* paid ≤ net committed, for the programme and for each commitment;
* a fiscal year that has ended (``FiscalYear.has_ended``) takes no new
  commitment and no new payment schedule line; what it leaves uncommitted
  (releases included) lapses, unless a carry-over moves it to a later, open
  fiscal year of the same programme.

Every write runs in one transaction that first locks the programme's fiscal
years it touches (``select_for_update`` on PostgreSQL; on SQLite the
IMMEDIATE transaction mode takes the database write lock at BEGIN). Without
that lock two coordinators adopting decisions at the same moment could each
read the same available balance and together commit more than the envelope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.audit.services import audit_record
from solidaire.calls.models import Allocation, Call, Stream
from solidaire.common.fiscal import quebec_today
from solidaire.common.money import ZERO, format_money, to_money
from solidaire.ledger.models import CarryOver, Commitment, LedgerEntry
from solidaire.ledger.selectors import money_sums
from solidaire.programmes.models import FiscalYear, Programme, Territory

K = LedgerEntry.Kind


class LedgerError(Exception):
    """A movement of money the ledger refuses, with a reason people can read
    and, when one input is at fault, the name of that input (``field``)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _totals(**filters: object) -> dict[str, Decimal]:
    return LedgerEntry.objects.filter(**filters).aggregate(**money_sums())


def _lock_fiscal_years(fiscal_years: list[FiscalYear]) -> None:
    ids = sorted({fy.pk for fy in fiscal_years})
    # Locked in id order so that two writers never wait on each other in a cycle.
    list(FiscalYear.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _net_committed(**filters: object) -> Decimal:
    totals = _totals(**filters)
    return totals["committed"] - totals["released"]


def _paid(**filters: object) -> Decimal:
    return _totals(**filters)["paid"]


def _carried_over(fy: FiscalYear) -> Decimal:
    """Received minus sent: what carry-overs added to (or took from) ``fy``."""
    sums = CarryOver.objects.filter(Q(source=fy) | Q(target=fy)).aggregate(
        received=Coalesce(Sum("amount", filter=Q(target=fy)), ZERO),
        sent=Coalesce(Sum("amount", filter=Q(source=fy)), ZERO),
    )
    return sums["received"] - sums["sent"]


def _uncommitted(fy: FiscalYear) -> Decimal:
    return fy.envelope + _carried_over(fy) - _net_committed(fiscal_year=fy)


def ledger_refuse_ended_years(
    fiscal_years: Iterable[FiscalYear], *, schedule: bool = False
) -> None:
    """Raise :class:`LedgerError` if any of ``fiscal_years`` has ended: an
    ended year takes no new commitment (``schedule``: no new payment schedule
    line). The one place where services ask whether money may still go to a year."""
    for fy in sorted(fiscal_years, key=lambda y: y.starts_on):
        if fy.has_ended():
            if schedule:
                message = _(
                    "Fiscal year %(fy)s ended on %(end)s: it takes no new payment schedule line."
                )
            else:
                message = _("Fiscal year %(fy)s ended on %(end)s: it takes no new commitment.")
            raise LedgerError(message % {"fy": fy.label, "end": formats.date_format(fy.ends_on)})


def _check_commit(commitment: Commitment, fy: FiscalYear, amount: Decimal) -> None:
    envelope_room = _uncommitted(fy)
    if amount > envelope_room:
        raise LedgerError(
            _(
                "The envelope of fiscal year %(fy)s has %(room)s left; %(amount)s cannot be "
                "committed."
            )
            % {"fy": fy.label, "room": format_money(envelope_room), "amount": format_money(amount)}
        )
    stream = commitment.stream
    if stream is None:
        return
    if not Allocation.objects.filter(stream__call_id=stream.call_id).exists():
        # A call that splits no money among its streams draws on what the
        # programme's envelope has left (checked above): that is how a
        # second call's amount follows from what the first did not commit.
        return
    allocations = list(Allocation.objects.filter(stream=stream, fiscal_year=fy))
    stream_cap = next((a.amount for a in allocations if a.territory_id is None), None)
    sub_caps = {a.territory_id: a.amount for a in allocations if a.territory_id is not None}
    # A stream's pool in a year is its stream-level allocation or, when it has
    # none, the sum of its territorial sub-envelopes (as ``calls_figures`` and
    # the selection read it). It binds every commitment of the stream, with a
    # territory or without: otherwise commitments naming no territory could
    # take the sub-envelopes' money a second time.
    pool = stream_cap if stream_cap is not None else sum(sub_caps.values(), ZERO)
    if stream_cap is None and not sub_caps:
        raise LedgerError(
            _("The stream “%(stream)s” has no money for fiscal year %(fy)s.")
            % {"stream": stream.name, "fy": fy.label}
        )
    room = pool - _net_committed(fiscal_year=fy, commitment__stream=stream)
    if amount > room:
        raise LedgerError(
            _(
                "The stream “%(stream)s” has %(room)s left in %(fy)s; %(amount)s cannot be committed."
            )
            % {
                "stream": stream.name,
                "fy": fy.label,
                "room": format_money(room),
                "amount": format_money(amount),
            }
        )
    territory = commitment.territory
    if territory is None:
        return
    sub_cap = sub_caps.get(territory.pk)
    if sub_cap is None:
        if sub_caps:
            raise LedgerError(
                _("The stream “%(stream)s” has no sub-envelope for %(territory)s in %(fy)s.")
                % {"stream": stream.name, "territory": territory.name, "fy": fy.label}
            )
        return
    room = sub_cap - _net_committed(
        fiscal_year=fy, commitment__stream=stream, commitment__territory=territory
    )
    if amount > room:
        raise LedgerError(
            _(
                "The sub-envelope of %(territory)s in “%(stream)s” has %(room)s left in %(fy)s; "
                "%(amount)s cannot be committed."
            )
            % {
                "territory": territory.name,
                "stream": stream.name,
                "fy": fy.label,
                "room": format_money(room),
                "amount": format_money(amount),
            }
        )


def commitment_create(
    *,
    programme: Programme,
    reference: str,
    label: str,
    call: Call | None = None,
    stream: Stream | None = None,
    territory: Territory | None = None,
) -> Commitment:
    """Open an (empty) commitment; money enters it with :func:`ledger_commit`."""
    if stream is not None and call is None:
        call = stream.call
    return Commitment.objects.create(
        programme=programme,
        call=call,
        stream=stream,
        territory=territory,
        reference=reference,
        label=label,
    )


def ledger_commit(
    *,
    commitment: Commitment,
    amounts: Mapping[FiscalYear, Decimal],
    actor: User | None,
    memo: str = "",
    effective_on: date | None = None,
) -> list[LedgerEntry]:
    """Commit money to ``commitment``, per fiscal year, all or nothing.

    Raises :class:`LedgerError` when any fiscal year's envelope, stream or
    sub-envelope has not enough left; then nothing is written.
    """
    wanted = {fy: to_money(amount) for fy, amount in amounts.items() if to_money(amount) != ZERO}
    for fy, amount in wanted.items():
        if amount < ZERO:
            raise LedgerError(_("A commitment cannot be negative; record a release instead."))
        if fy.programme_id != commitment.programme_id:
            raise LedgerError(_("That fiscal year belongs to another programme."))
    ledger_refuse_ended_years(wanted)
    effective_on = effective_on or quebec_today()
    _check_effective_on(commitment.programme_id, effective_on)
    with transaction.atomic():
        _lock_fiscal_years(list(wanted))
        for fy, amount in wanted.items():
            _check_commit(commitment, fy, amount)
        entries = [
            LedgerEntry.objects.create(
                commitment=commitment,
                fiscal_year=fy,
                kind=K.COMMIT,
                amount=amount,
                actor=actor,
                memo=memo,
                effective_on=effective_on,
            )
            for fy, amount in sorted(wanted.items(), key=lambda item: item[0].starts_on)
        ]
        audit_record(
            actor=actor,
            event_type="ledger.commit",
            target=commitment,
            new_value=str(sum(wanted.values(), ZERO)),
            reason=memo,
            data={fy.label: str(amount) for fy, amount in wanted.items()},
        )
    return entries


def _check_effective_on(programme_id: int, day: date) -> None:
    """Every entry's effective date lies within its programme's dates: money
    is neither committed nor paid before the programme starts or after it
    ends."""
    programme = Programme.objects.only("starts_on", "ends_on").get(pk=programme_id)
    if not programme.starts_on <= day <= programme.ends_on:
        raise LedgerError(
            _("%(date)s is outside the programme, which runs from %(start)s to %(end)s.")
            % {
                "date": formats.date_format(day, "DATE_FORMAT"),
                "start": formats.date_format(programme.starts_on, "DATE_FORMAT"),
                "end": formats.date_format(programme.ends_on, "DATE_FORMAT"),
            },
            field="effective_on",
        )


def _draw_on_unpaid(
    *,
    kind: str,
    commitment: Commitment,
    fiscal_year: FiscalYear,
    amount: Decimal,
    actor: User | None,
    memo: str,
    effective_on: date | None,
) -> LedgerEntry:
    """Release or pay part of what a commitment has committed and not yet
    paid in one fiscal year: both draw on the same unpaid balance."""
    amount = to_money(amount)
    if amount <= ZERO:
        raise LedgerError(_("The amount must be greater than zero."))
    effective_on = effective_on or quebec_today()
    _check_effective_on(commitment.programme_id, effective_on)
    with transaction.atomic():
        _lock_fiscal_years([fiscal_year])
        room = _net_committed(commitment=commitment, fiscal_year=fiscal_year) - _paid(
            commitment=commitment, fiscal_year=fiscal_year
        )
        if amount > room:
            figures = {
                "room": format_money(room),
                "fy": fiscal_year.label,
                "amount": format_money(amount),
            }
            if kind == K.RELEASE:
                message = _(
                    "Only %(room)s of this commitment is unpaid in %(fy)s; %(amount)s cannot be released."
                )
            else:
                message = _(
                    "Only %(room)s of this commitment remains to be paid in %(fy)s; %(amount)s cannot be paid."
                )
            raise LedgerError(message % figures)
        entry = LedgerEntry.objects.create(
            commitment=commitment,
            fiscal_year=fiscal_year,
            kind=kind,
            amount=amount,
            actor=actor,
            memo=memo,
            effective_on=effective_on,
        )
        audit_record(
            actor=actor,
            event_type=f"ledger.{kind}",
            target=commitment,
            new_value=str(amount),
            reason=memo,
        )
    return entry


def ledger_release(
    *,
    commitment: Commitment,
    fiscal_year: FiscalYear,
    amount: Decimal,
    actor: User | None,
    memo: str = "",
    effective_on: date | None = None,
) -> LedgerEntry:
    """Give back unspent committed money to the envelope (never below what was paid)."""
    return _draw_on_unpaid(
        kind=K.RELEASE,
        commitment=commitment,
        fiscal_year=fiscal_year,
        amount=amount,
        actor=actor,
        memo=memo,
        effective_on=effective_on,
    )


def ledger_pay(
    *,
    commitment: Commitment,
    fiscal_year: FiscalYear,
    amount: Decimal,
    actor: User | None,
    memo: str = "",
    effective_on: date | None = None,
) -> LedgerEntry:
    """Record a payment against a commitment; refused beyond what it has committed."""
    return _draw_on_unpaid(
        kind=K.PAY,
        commitment=commitment,
        fiscal_year=fiscal_year,
        amount=amount,
        actor=actor,
        memo=memo,
        effective_on=effective_on,
    )


def carry_over_record(
    *,
    programme: Programme,
    source: FiscalYear,
    target: FiscalYear,
    amount: Decimal,
    reason: str,
    authorisation: str,
    actor: User | None,
    effective_on: date | None = None,
) -> CarryOver:
    """Carry part of what an ended fiscal year left uncommitted over to a
    later, open fiscal year of the same programme, with the funder's
    authorisation. The source year's available balance falls and the
    target's envelope rises by exactly ``amount``.

    Raises :class:`LedgerError` (naming the input at fault) when the source
    has not ended, the target has, either belongs to another programme, the
    amount is not positive or above what the source has uncommitted, or the
    reason or authorisation is missing; then nothing is written.
    """
    amount = to_money(amount)
    reason, authorisation = reason.strip(), authorisation.strip()
    if source.programme_id != programme.pk:
        raise LedgerError(_("That fiscal year belongs to another programme."), field="source")
    if target.programme_id != programme.pk:
        raise LedgerError(_("That fiscal year belongs to another programme."), field="target")
    if not source.has_ended():
        raise LedgerError(
            _(
                "Fiscal year %(fy)s has not ended: its money can still be committed. Only an "
                "ended year's uncommitted balance is carried over."
            )
            % {"fy": source.label},
            field="source",
        )
    if target.has_ended():
        raise LedgerError(
            _("Fiscal year %(fy)s has ended: it cannot receive a carry-over.")
            % {"fy": target.label},
            field="target",
        )
    if target.starts_on <= source.starts_on:
        raise LedgerError(_("A carry-over goes to a later fiscal year."), field="target")
    if amount <= ZERO:
        raise LedgerError(_("The amount must be greater than zero."), field="amount")
    if not reason:
        raise LedgerError(_("Give the reason for the carry-over."), field="reason")
    if not authorisation:
        raise LedgerError(
            _("Give the reference of the funder's authorisation."), field="authorisation"
        )
    _check_effective_on(programme.pk, effective_on or quebec_today())
    with transaction.atomic():
        # Both years are locked: two coordinators carrying the same lapsed
        # balance at once would otherwise each see it whole and together
        # carry more than the year left, and a commitment racing into the
        # target would read its envelope before the carry-over lands.
        _lock_fiscal_years([source, target])
        room = _uncommitted(source)
        if amount > room:
            raise LedgerError(
                _("Fiscal year %(fy)s has %(room)s uncommitted; %(amount)s cannot be carried over.")
                % {"fy": source.label, "room": format_money(room), "amount": format_money(amount)},
                field="amount",
            )
        carry_over = CarryOver.objects.create(
            programme=programme,
            source=source,
            target=target,
            amount=amount,
            reason=reason,
            authorisation=authorisation,
            actor=actor,
            effective_on=effective_on or quebec_today(),
        )
        audit_record(
            actor=actor,
            event_type="ledger.carry_over",
            target=carry_over,
            new_value=str(amount),
            reason=reason,
            data={"from": source.label, "to": target.label, "authorisation": authorisation},
        )
    return carry_over


def ledger_return(
    *,
    commitment: Commitment,
    fiscal_year: FiscalYear,
    amount: Decimal,
    actor: User | None,
    memo: str = "",
    effective_on: date | None = None,
) -> LedgerEntry:
    """Record money paid that comes back (a payment reversed, unspent money
    repaid): what the commitment paid in that year falls by ``amount``, its
    commitment stays (release it to give it back to the envelope). Refused
    beyond what was paid."""
    amount = to_money(amount)
    if amount <= ZERO:
        raise LedgerError(_("The amount must be greater than zero."))
    effective_on = effective_on or quebec_today()
    _check_effective_on(commitment.programme_id, effective_on)
    with transaction.atomic():
        # The year is locked: two returns of the same payment at once would
        # otherwise each see it paid and together return it twice.
        _lock_fiscal_years([fiscal_year])
        paid = _paid(commitment=commitment, fiscal_year=fiscal_year)
        if amount > paid:
            raise LedgerError(
                _(
                    "Only %(paid)s was paid on this commitment in %(fy)s; %(amount)s cannot come back."
                )
                % {
                    "paid": format_money(paid),
                    "fy": fiscal_year.label,
                    "amount": format_money(amount),
                }
            )
        entry = LedgerEntry.objects.create(
            commitment=commitment,
            fiscal_year=fiscal_year,
            kind=K.REFUND,
            amount=amount,
            actor=actor,
            memo=memo,
            effective_on=effective_on,
        )
        audit_record(
            actor=actor,
            event_type="ledger.refund",
            target=commitment,
            new_value=str(amount),
            reason=memo,
        )
    return entry
