"""Amendments: a change of an agreement's amounts per fiscal year or of its
end date, proposed by the programme's coordination with a reason, approved
by the trustee. An amendment also adds a fiscal year the agreement did not
fund (an open year of the programme, within the call's latest end date) or
drops one (its amount set to zero, when nothing of it was paid).

Approval never edits what was written: the ledger gets new entries (a
commitment for an increase, a release for a decrease), the agreement a new
version that both parties sign before any further payment, and the payment
schedule follows (the year's unpaid payments grow or shrink; nothing paid
changes). It is refused when the money is not there in open fiscal years or
when a year has ended.

Schedules and reports follow the years actually funded, as at issue
(``agreements.services.agreement_issue``): a progress report for each funded
year but the last, the final report on the last, the last tenth held back
until the final report. Adding or dropping a year moves them accordingly;
nothing paid and no report submitted is ever removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.agreements.documents import agreement_version_current, terms_snapshot
from solidaire.agreements.models import (
    Agreement,
    AgreementVersion,
    Amendment,
    AmendmentDueDate,
    AmendmentLine,
    Payment,
    Report,
)
from solidaire.agreements.reports import EDITABLE as REPORT_EDITABLE
from solidaire.agreements.services import (
    DUE_AFTER,
    FINAL_HOLDBACK,
    FINAL_REPORT_DELAY,
    PROGRESS_REPORT_DELAY,
    commitment_amounts,
)
from solidaire.applications.access import FUNDED_STATUSES
from solidaire.audit.services import audit_record
from solidaire.common.fiscal import quebec_today
from solidaire.common.money import ZERO, floor_cents, format_money, to_money
from solidaire.documents.storage import discard
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import programme_balances
from solidaire.ledger.services import LedgerError, ledger_commit, ledger_release
from solidaire.programmes.models import FiscalYear

AMENDABLE = (Agreement.Status.ISSUED, Agreement.Status.SIGNED)


def paid_by_year(commitment_id: int | None) -> dict[int, Decimal]:
    """Money paid on a commitment, per fiscal year id."""
    if commitment_id is None:
        return {}
    rows = (
        LedgerEntry.objects.filter(commitment_id=commitment_id)
        .values("fiscal_year")
        .annotate(paid=Coalesce(Sum("amount", filter=Q(kind=LedgerEntry.Kind.PAY)), ZERO))
    )
    return {row["fiscal_year"]: row["paid"] for row in rows}


def _check_amendable(agreement: Agreement) -> None:
    if agreement.status not in AMENDABLE or agreement.proposal.status not in FUNDED_STATUSES:
        raise ValidationError(_("Only an agreement in progress is amended."))


def _start(fy: FiscalYear) -> date:
    return fy.starts_on


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def amendment_addable_years(agreement: Agreement, today: date | None = None) -> list[FiscalYear]:
    """The fiscal years an amendment may add to the agreement: the
    programme's years it does not fund, not ended, starting before the
    programme ends and, when the call sets one, before its latest end date."""
    today = today or quebec_today()
    call = agreement.proposal.call
    funded = {fy.pk for fy in commitment_amounts(agreement.proposal)}
    years = FiscalYear.objects.filter(
        programme_id=call.programme_id,
        ends_on__gte=today,
        starts_on__lte=call.programme.ends_on,
    ).exclude(pk__in=funded)
    if call.latest_end_on is not None:
        years = years.filter(starts_on__lte=call.latest_end_on)
    return [fy for fy in years.order_by("starts_on") if not fy.has_ended(today)]


def _added_year_refusal(agreement: Agreement, fy: FiscalYear, today: date) -> str | None:
    """Why ``fy`` cannot be added to the agreement, or ``None``."""
    call = agreement.proposal.call
    programme = call.programme
    if fy.programme_id != programme.pk:
        return _("Fiscal year %(fy)s is not one of this programme's years.") % {"fy": fy.label}
    if fy.has_ended(today):
        return _("Fiscal year %(fy)s ended on %(end)s: it can no longer be added.") % {
            "fy": fy.label,
            "end": _day(fy.ends_on),
        }
    if fy.starts_on > programme.ends_on:
        return _("The programme ends on %(date)s: fiscal year %(fy)s is after it.") % {
            "date": _day(programme.ends_on),
            "fy": fy.label,
        }
    if call.latest_end_on is not None and fy.starts_on > call.latest_end_on:
        return _(
            "Initiatives of this call end by %(date)s: fiscal year %(fy)s starts after that day."
        ) % {"date": _day(call.latest_end_on), "fy": fy.label}
    return None


def _final_report_refusal(agreement: Agreement) -> str | None:
    """Why the final report cannot move to another year, or ``None``."""
    final = Report.objects.filter(agreement=agreement, kind=Report.Kind.FINAL).first()
    if final is None or final.state in REPORT_EDITABLE:
        return None
    return _(
        "The final report is already submitted: the initiative's last funded year no longer "
        "changes."
    )


def _changes(
    agreement: Agreement,
    amounts: Mapping[FiscalYear, Decimal],
    ends_on: date | None,
    today: date,
) -> tuple[dict[FiscalYear, tuple[Decimal, Decimal]], date, dict[str, list[str]]]:
    """The years whose amount changes (previous, new: 0 before for a year
    added, 0 after for a year dropped), the agreement's end date after the
    amendment, and the refusals per input (``amount_<fy id>``, ``ends_on``),
    under the rules of the ledger."""
    current = commitment_amounts(agreement.proposal)
    paid = paid_by_year(agreement.proposal.commitment_id)
    errors: dict[str, list[str]] = {}
    changes: dict[FiscalYear, tuple[Decimal, Decimal]] = {}
    for fy, wanted in amounts.items():
        key = f"amount_{fy.pk}"
        new = to_money(wanted)
        previous = current.get(fy, ZERO)
        if new == previous:
            continue
        if new < ZERO:
            errors[key] = [_("An amount cannot be negative.")]
        elif fy not in current:
            refusal = _added_year_refusal(agreement, fy, today)
            if refusal:
                errors[key] = [refusal]
            else:
                changes[fy] = (ZERO, new)
        elif fy.has_ended(today):
            errors[key] = [
                _("Fiscal year %(fy)s ended on %(end)s: its amount is no longer amended.")
                % {"fy": fy.label, "end": _day(fy.ends_on)}
            ]
        elif new == ZERO and paid.get(fy.pk, ZERO) > ZERO:
            errors[key] = [
                _(
                    "%(paid)s was already paid for %(fy)s: the year cannot be dropped; its "
                    "amount can come down to %(paid)s."
                )
                % {"paid": format_money(paid[fy.pk]), "fy": fy.label}
            ]
        elif new < paid.get(fy.pk, ZERO):
            errors[key] = [
                _("%(paid)s was already paid for %(fy)s: the amount cannot be lower.")
                % {"paid": format_money(paid[fy.pk]), "fy": fy.label}
            ]
        else:
            changes[fy] = (previous, new)
    old_years = sorted(current, key=_start)
    after = {**current, **{fy: new for fy, (_previous, new) in changes.items()}}
    new_years = sorted((fy for fy, amount in after.items() if amount > ZERO), key=_start)
    if old_years and not new_years:
        for fy, (_previous, new) in changes.items():
            if new == ZERO:
                errors[f"amount_{fy.pk}"] = [
                    _(
                        "Dropping %(fy)s would leave the agreement with no funded year. To stop "
                        "the initiative, cancel it from its page (“Cancel this initiative”)."
                    )
                    % {"fy": fy.label}
                ]
    programme = agreement.proposal.call.programme
    latest_end_on = agreement.proposal.call.latest_end_on
    new_ends_on = agreement.ends_on
    explicit = ends_on is not None and ends_on != agreement.ends_on
    if new_years and old_years and new_years[-1] != old_years[-1]:
        refusal = _final_report_refusal(agreement)
        if refusal:
            moved = new_years[-1] if new_years[-1] in changes else old_years[-1]
            errors.setdefault(f"amount_{moved.pk}", []).append(refusal)
    if explicit:
        assert ends_on is not None
        new_ends_on = ends_on
    elif new_years:
        # The end date follows the years funded: a year added after it
        # carries it to that year's end (as far as the programme and the
        # call allow); the last year dropped brings it back to the end of
        # the year now last (not before today).
        last = new_years[-1]
        if agreement.ends_on < last.starts_on:
            new_ends_on = min(
                day for day in (last.ends_on, programme.ends_on, latest_end_on) if day is not None
            )
        elif old_years and last != old_years[-1] and agreement.ends_on > last.ends_on:
            new_ends_on = max(last.ends_on, min(today, agreement.ends_on))
    if new_ends_on != agreement.ends_on:
        last_year = new_years[-1] if new_years else None
        if new_ends_on > programme.ends_on:
            errors["ends_on"] = [
                _("The programme ends on %(date)s: the initiative ends on that day or before.")
                % {"date": _day(programme.ends_on)}
            ]
        elif latest_end_on is not None and new_ends_on > latest_end_on:
            errors["ends_on"] = [
                _(
                    "Initiatives of this call end by %(date)s: the initiative ends on that day or before."
                )
                % {"date": _day(latest_end_on)}
            ]
        elif new_ends_on < agreement.issued_on or (
            last_year is not None and new_ends_on < last_year.starts_on
        ):
            errors["ends_on"] = [
                _("The initiative ends within its last funded fiscal year or after it.")
            ]
    if not errors:
        # What the programme has left in each year that grows (the stream
        # and its sub-envelope are checked again, under the ledger's lock,
        # when the amendment is approved).
        available = {b.label: b.available for b in programme_balances(programme)}
        for fy, (previous, new) in changes.items():
            room = available.get(fy.label, ZERO)
            if new - previous > room:
                errors[f"amount_{fy.pk}"] = [
                    _(
                        "The envelope of fiscal year %(fy)s has %(room)s left; the increase of "
                        "%(delta)s is not there."
                    )
                    % {
                        "fy": fy.label,
                        "room": format_money(room),
                        "delta": format_money(new - previous),
                    }
                ]
    return changes, new_ends_on, errors


def _due_date_changes(
    agreement: Agreement, due_dates: Mapping[int, date]
) -> tuple[dict[Payment, date], dict[str, list[str]]]:
    """The unpaid payments whose due date changes (payment id → new date), and
    the refusals per input (``due_<payment id>``)."""
    payments = {
        p.pk: p
        for p in Payment.objects.filter(agreement=agreement, pk__in=list(due_dates)).select_related(
            "fiscal_year"
        )
    }
    programme_ends_on = agreement.proposal.call.programme.ends_on
    changes: dict[Payment, date] = {}
    errors: dict[str, list[str]] = {}
    for pk, due_on in due_dates.items():
        payment = payments.get(pk)
        key = f"due_{pk}"
        if payment is None:
            errors[key] = [_("This payment is not one of this agreement's.")]
        elif due_on == payment.due_on:
            continue
        elif payment.status != Payment.Status.SCHEDULED:
            errors[key] = [_("Only an unpaid payment gets a new due date.")]
        elif due_on < agreement.issued_on or due_on > programme_ends_on:
            errors[key] = [
                _(
                    "A payment falls due between the agreement's issue (%(start)s) and the end of "
                    "the programme (%(end)s)."
                )
                % {"start": _day(agreement.issued_on), "end": _day(programme_ends_on)}
            ]
        else:
            changes[payment] = due_on
    return changes, errors


def amendment_propose(
    *,
    agreement: Agreement,
    actor: User,
    reason: str,
    amounts: Mapping[FiscalYear, Decimal],
    ends_on: date | None = None,
    due_dates: Mapping[int, date] | None = None,
    today: date | None = None,
) -> Amendment:
    """The coordination proposes new amounts per fiscal year (``amounts``,
    the years it changes: a year not funded yet is added, a year set to zero
    is dropped), a new end date or new due dates for unpaid payments
    (``due_dates``: payment id → date), with a reason. Refused, with the
    reason beside the input at fault, when a year has ended, an amount falls
    below what was paid (a year with a payment is not dropped), no funded
    year would be left, a year added lies beyond the programme or the call's
    latest end date, the envelope has not the money, or the end date leaves
    the programme. The end date follows a year added after it or a last
    year dropped, unless a new one is given."""
    today = today or quebec_today()
    _check_amendable(agreement)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say why the agreement is amended.")]
    changes, new_ends_on, change_errors = _changes(agreement, amounts, ends_on, today)
    errors.update(change_errors)
    new_dates, date_errors = _due_date_changes(agreement, due_dates or {})
    errors.update(date_errors)
    ends_changed = new_ends_on != agreement.ends_on
    if not errors and not (changes or new_dates or ends_changed):
        errors["__all__"] = [_("Change at least one amount, a due date or the end date.")]
    if errors:
        raise ValidationError(errors)
    if Amendment.objects.filter(agreement=agreement, status=Amendment.Status.PROPOSED).exists():
        raise ValidationError(_("An amendment of this agreement is already waiting for approval."))
    with transaction.atomic():
        amendment = Amendment.objects.create(
            agreement=agreement,
            reason=reason.strip(),
            ends_on=new_ends_on if ends_changed else None,
            proposed_by=actor,
        )
        AmendmentLine.objects.bulk_create(
            AmendmentLine(amendment=amendment, fiscal_year=fy, previous=previous, amount=new)
            for fy, (previous, new) in changes.items()
        )
        AmendmentDueDate.objects.bulk_create(
            AmendmentDueDate(amendment=amendment, payment=p, previous=p.due_on, due_on=due_on)
            for p, due_on in new_dates.items()
        )
        audit_record(
            actor=actor,
            event_type="agreement.amendment_proposed",
            target=agreement,
            reason=amendment.reason,
            data={fy.label: [str(p), str(n)] for fy, (p, n) in changes.items()},
        )
    return amendment


def _add_payment(
    agreement: Agreement,
    payments: list[Payment],
    fy: FiscalYear,
    amount: Decimal,
    condition: str,
    due_on: date,
) -> Payment:
    """A new scheduled payment, numbered after the agreement's last one."""
    last = Payment.objects.filter(agreement=agreement).aggregate(m=Max("sequence"))["m"] or 0
    payment = Payment.objects.create(
        agreement=agreement,
        sequence=last + 1,
        fiscal_year=fy,
        due_on=due_on,
        amount=amount,
        condition=condition,
    )
    payments.append(payment)
    return payment


def _take_from(payments: Sequence[Payment], amount: Decimal) -> Decimal:
    """Take up to ``amount`` from unpaid ``payments``, the last first: a
    payment emptied is cancelled (it keeps its amount, as cancelled rows
    do), another is lowered. Returns what was taken."""
    taken = ZERO
    for payment in reversed(payments):
        if taken == amount:
            break
        take = min(payment.amount, amount - taken)
        if take == payment.amount:
            payment.status = Payment.Status.CANCELLED
            payment.save(update_fields=["status"])
        else:
            payment.amount -= take
            payment.save(update_fields=["amount"])
        taken += take
    return taken


def _reschedule(
    agreement: Agreement, fy: FiscalYear, delta: Decimal, payments: list[Payment], today: date
) -> None:
    """Make the year's unpaid payments grow or shrink by ``delta``."""
    scheduled = [
        p for p in payments if p.fiscal_year_id == fy.pk and p.status == Payment.Status.SCHEDULED
    ]
    if delta > ZERO:
        if scheduled:
            first = scheduled[0]
            first.amount += delta
            first.save(update_fields=["amount"])
            return
        same_year = [p for p in payments if p.fiscal_year_id == fy.pk]
        condition = same_year[0].condition if same_year else Payment.Condition.SIGNATURE
        _add_payment(agreement, payments, fy, delta, condition, today + DUE_AFTER)
        return
    if _take_from(scheduled, -delta) < -delta:
        raise ValidationError(
            _("Only what is not paid yet in %(fy)s can be taken back.") % {"fy": fy.label}
        )


def _regular_terms(
    fy: FiscalYear,
    years: list[FiscalYear],
    progress_due: Mapping[int, date],
    today: date,
) -> tuple[str, date]:
    """A year's payment condition and due date as at issue: the first funded
    year's at signature (of the amended version), a later year's once the
    previous funded year's progress report is in."""
    k = years.index(fy)
    if k == 0:
        return Payment.Condition.SIGNATURE, today + DUE_AFTER
    return Payment.Condition.PROGRESS_REPORT, progress_due[years[k - 1].pk] + DUE_AFTER


def _follow_years(
    agreement: Agreement,
    old_years: list[FiscalYear],
    amounts: Mapping[FiscalYear, Decimal],
    payments: list[Payment],
    today: date,
) -> None:
    """Make the reports and the payment schedule follow the years funded
    after the amendment (``amounts``: the net commitment of each year
    funded), as ``agreement_issue`` sets them: a progress report for every
    year but the last, the final report on the last, each year paid at
    signature (the first) or once the previous year's progress report is in,
    the last tenth of the whole held back until the final report.

    A year dropped has already had its unpaid payments cancelled; here its
    report goes, unless submitted. Nothing paid changes."""
    years = sorted(amounts, key=_start)
    added = [fy for fy in years if fy not in old_years]
    final_due = agreement.ends_on + FINAL_REPORT_DELAY
    C = Payment.Condition

    # Reports.
    reports = list(
        Report.objects.select_for_update(of=("self",))
        .filter(agreement=agreement)
        .select_related("fiscal_year")
    )
    last = years[-1]
    progress: dict[int, Report] = {}
    for report in reports:
        if report.kind == Report.Kind.FINAL:
            if report.fiscal_year_id != last.pk:
                report.fiscal_year = last
                report.due_on = final_due
                report.save(update_fields=["fiscal_year", "due_on"])
            continue
        unfunded = report.fiscal_year not in amounts or report.fiscal_year == last
        if unfunded and report.state in REPORT_EDITABLE and report.received_on is None:
            # A year no longer funded, or the year now last (its final
            # report covers it), owes no progress report any more. Its
            # draft's files leave the store once the approval is committed.
            stored = list(report.documents.values_list("stored_name", flat=True))
            report.delete()
            for name in stored:
                transaction.on_commit(partial(discard, name))
        else:
            progress[report.fiscal_year_id] = report
    missing = [
        Report(
            agreement=agreement,
            kind=Report.Kind.PROGRESS,
            fiscal_year=fy,
            due_on=fy.ends_on + PROGRESS_REPORT_DELAY,
        )
        for fy in years[:-1]
        if fy.pk not in progress
    ]
    for report in Report.objects.bulk_create(missing):
        progress[report.fiscal_year_id] = report
    progress_due = {pk: report.due_on for pk, report in progress.items()}

    # Payments of the years kept whose place among the years changed.
    old_previous = {later.pk: earlier for earlier, later in pairwise(old_years)}
    new_previous = {later.pk: earlier for earlier, later in pairwise(years)}
    for fy in years:
        if fy in added:
            continue
        regular = [
            p
            for p in payments
            if p.fiscal_year_id == fy.pk
            and p.status == Payment.Status.SCHEDULED
            and (p.condition != C.FINAL_REPORT or fy != last)
        ]
        moved = old_previous.get(fy.pk) != new_previous.get(fy.pk)
        no_longer_last = fy == old_years[-1] and fy != last
        for payment in regular:
            if moved or (no_longer_last and payment.condition == C.FINAL_REPORT):
                payment.condition, payment.due_on = _regular_terms(fy, years, progress_due, today)
                payment.save(update_fields=["condition", "due_on"])

    total = sum(amounts.values(), ZERO)
    holdback = floor_cents(total * FINAL_HOLDBACK)

    def schedule(fy: FiscalYear, amount: Decimal, condition: str, due_on: date) -> None:
        _add_payment(agreement, payments, fy, amount, condition, due_on)

    for fy in added:
        amount = amounts[fy]
        held = min(holdback, amount) if fy == last else ZERO
        if amount - held > ZERO:
            condition, due_on = _regular_terms(fy, years, progress_due, today)
            schedule(fy, amount - held, condition, due_on)
        if held > ZERO:
            schedule(fy, held, C.FINAL_REPORT, final_due + DUE_AFTER)
    if last not in added and last != old_years[-1]:
        # The year now last (the last one was dropped) holds back the last
        # tenth, taken from its last unpaid payment.
        unpaid = [
            p
            for p in payments
            if p.fiscal_year_id == last.pk and p.status == Payment.Status.SCHEDULED
        ]
        if unpaid and not any(p.condition == C.FINAL_REPORT for p in unpaid):
            payment = unpaid[-1]
            held = min(holdback, payment.amount)
            if held == payment.amount:
                payment.condition, payment.due_on = C.FINAL_REPORT, final_due + DUE_AFTER
                payment.save(update_fields=["condition", "due_on"])
            elif held > ZERO:
                payment.amount -= held
                payment.save(update_fields=["amount"])
                schedule(last, held, C.FINAL_REPORT, final_due + DUE_AFTER)


def _rebalance_holdback(
    agreement: Agreement,
    amounts: Mapping[FiscalYear, Decimal],
    payments: list[Payment],
    today: date,
) -> None:
    """Keep the rule of the schedule after any amendment: the last tenth of
    the whole (never more than the last year holds) waits for the final
    report. Money moves only between the last year's unpaid payments, so
    each year's total, and so the ledger, is unchanged; once the final
    report's payment is made nothing moves."""
    if not amounts:
        return
    C = Payment.Condition
    years = sorted(amounts, key=_start)
    last = years[-1]
    target = min(floor_cents(sum(amounts.values(), ZERO) * FINAL_HOLDBACK), amounts[last])
    in_last = [p for p in payments if p.fiscal_year_id == last.pk]
    final = [p for p in in_last if p.condition == C.FINAL_REPORT]
    if any(p.status == Payment.Status.PAID for p in final):
        return
    final = [p for p in final if p.status == Payment.Status.SCHEDULED]
    regular = [
        p for p in in_last if p.condition != C.FINAL_REPORT and p.status == Payment.Status.SCHEDULED
    ]
    move = target - sum((p.amount for p in final), ZERO)
    if move > ZERO:
        # Held back from the last regular payments, as far as they go.
        taken = _take_from(regular, move)
        if not taken:
            return
        if final:
            final[0].amount += taken
            final[0].save(update_fields=["amount"])
            return
        _add_payment(
            agreement,
            payments,
            last,
            taken,
            C.FINAL_REPORT,
            agreement.ends_on + FINAL_REPORT_DELAY + DUE_AFTER,
        )
    elif move < ZERO:
        # Released to the last regular payment, or to a new one on the
        # year's regular terms.
        _take_from(final, -move)
        if regular:
            regular[-1].amount += -move
            regular[-1].save(update_fields=["amount"])
            return
        progress_due = dict(
            Report.objects.filter(agreement=agreement, kind=Report.Kind.PROGRESS).values_list(
                "fiscal_year_id", "due_on"
            )
        )
        condition, due_on = _regular_terms(last, years, progress_due, today)
        _add_payment(agreement, payments, last, -move, condition, due_on)


def amendment_approve(
    *, amendment: Amendment, actor: User, today: date | None = None
) -> AgreementVersion:
    """The trustee approves: new ledger entries (commit the increases,
    release the decreases), the schedule and end date follow, and a new
    version of the agreement awaits both signatures. All or nothing."""
    today = today or quebec_today()
    with transaction.atomic():
        locked = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if locked.status != Amendment.Status.PROPOSED:
            raise ValidationError(_("This amendment was already decided."))
        # Version 1 is taken before anything changes: it must show the terms
        # both parties had, not the amended ones.
        agreement_version_current(locked.agreement)
        # The agreement's row, then its unpaid payments: a payment recorded
        # at this moment (which locks its payment row first) either finishes
        # before the schedule is changed or waits and sees the new amounts;
        # a cancellation (which locks the agreement) cannot release the
        # money this approval commits.
        agreement = (
            # Only the agreement's row: its commitment is a nullable join,
            # which PostgreSQL does not lock.
            Agreement.objects.select_for_update(of=("self",))
            .select_related("proposal__call__programme", "proposal__commitment")
            .get(pk=locked.agreement_id)
        )
        _check_amendable(agreement)
        payments = list(
            Payment.objects.select_for_update().filter(agreement=agreement).order_by("sequence")
        )
        # The reports too, before they are read: a final report submitted at
        # this moment either is seen as submitted (the last year then stays
        # where it is) or waits until its year has moved with it.
        list(
            Report.objects.select_for_update(of=("self",))
            .filter(agreement=agreement)
            .values_list("pk", flat=True)
        )
        lines = list(locked.lines.select_related("fiscal_year"))
        wanted = {line.fiscal_year: line.amount for line in lines}
        old_years = sorted(commitment_amounts(agreement.proposal), key=_start)
        changes, new_ends_on, errors = _changes(agreement, wanted, locked.ends_on, today)
        due_lines = list(locked.due_dates.all())
        new_dates, date_errors = _due_date_changes(
            agreement, {line.payment_id: line.due_on for line in due_lines}
        )
        errors.update(date_errors)
        if errors:
            raise ValidationError(errors)
        commitment = agreement.proposal.commitment
        if commitment is None:
            raise ValidationError(_("The initiative has no commitment in the ledger."))
        memo = (
            _("Amendment of agreement %(number)s: %(reason)s")
            % {
                "number": agreement.number,
                "reason": locked.reason,
            }
        )[:300]
        increases = {
            fy: new - previous for fy, (previous, new) in changes.items() if new > previous
        }
        try:
            if increases:
                # The ledger locks the fiscal years and checks the envelope,
                # the stream and the sub-envelope: two approvals at once
                # cannot both take the last dollars.
                ledger_commit(
                    commitment=commitment,
                    amounts=increases,
                    actor=actor,
                    memo=memo,
                    effective_on=today,
                )
            for fy, (previous, new) in changes.items():
                if new < previous:
                    ledger_release(
                        commitment=commitment,
                        fiscal_year=fy,
                        amount=previous - new,
                        actor=actor,
                        memo=memo,
                        effective_on=today,
                    )
        except LedgerError as exc:
            raise ValidationError(exc.message) from exc
        for fy, (previous, new) in sorted(changes.items(), key=lambda c: c[0].starts_on):
            if previous > ZERO:
                # A year dropped (new amount zero) has all its unpaid
                # payments cancelled here: nothing of it was paid.
                _reschedule(agreement, fy, new - previous, payments, today)
        ends_changed = new_ends_on != agreement.ends_on
        agreement.ends_on = new_ends_on
        amounts = commitment_amounts(agreement.proposal)
        if set(amounts) != set(old_years):
            _follow_years(agreement, old_years, amounts, payments, today)
        _rebalance_holdback(agreement, amounts, payments, today)
        if ends_changed:
            final_due = new_ends_on + FINAL_REPORT_DELAY
            Report.objects.filter(
                agreement=agreement, kind=Report.Kind.FINAL, received_on__isnull=True
            ).update(due_on=final_due)
            for payment in payments:
                if (
                    payment.condition == Payment.Condition.FINAL_REPORT
                    and payment.status == Payment.Status.SCHEDULED
                ):
                    payment.due_on = final_due + DUE_AFTER
                    payment.save(update_fields=["due_on"])
        for payment in payments:
            if payment in new_dates and payment.status == Payment.Status.SCHEDULED:
                payment.due_on = new_dates[payment]
                payment.save(update_fields=["due_on"])
        agreement.amendment_unsigned = True
        agreement.save(update_fields=["ends_on", "amendment_unsigned"])
        number = (
            AgreementVersion.objects.filter(agreement=agreement).aggregate(m=Max("number"))["m"]
            or 1
        ) + 1
        version = AgreementVersion.objects.create(
            agreement=agreement,
            number=number,
            terms=terms_snapshot(agreement),
            created_by=actor,
            amendment=locked,
        )
        locked.status = Amendment.Status.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            event_type="agreement.amendment_approved",
            target=agreement,
            new_value=f"v{number}",
            reason=locked.reason,
        )
    amendment.status = locked.status
    return version


def amendment_reject(*, amendment: Amendment, actor: User, note: str) -> Amendment:
    """The trustee rejects the amendment, saying why; nothing else changes."""
    if not note.strip():
        raise ValidationError({"note": [_("Say why the amendment is rejected.")]})
    with transaction.atomic():
        locked = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if locked.status != Amendment.Status.PROPOSED:
            raise ValidationError(_("This amendment was already decided."))
        locked.status = Amendment.Status.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note.strip()[:1000]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=actor,
            event_type="agreement.amendment_rejected",
            target=locked.agreement,
            reason=locked.decision_note,
        )
    return locked
