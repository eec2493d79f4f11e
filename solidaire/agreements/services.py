"""Agreements, payment schedules, reports and payments.

The trustee issues one agreement per funded initiative with a schedule whose
payments add up, fiscal year by fiscal year, exactly to the money committed
in the ledger. A payment is released only when its condition is met (the
agreement signed, the previous year's progress report received, the final
report received), and is recorded in the ledger under its lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.agreements.models import (
    Agreement,
    CancellationRequest,
    Payment,
    PaymentMethod,
    Report,
    ReportState,
)
from solidaire.applications.cycle import (
    NO_AGREEMENT,
    CycleRefused,
    cycle_check,
    cycle_require,
    date_refusal,
    require_date,
)
from solidaire.applications.models import Proposal
from solidaire.applications.workflow import proposal_transition
from solidaire.audit.services import audit_record
from solidaire.common.money import ZERO, floor_cents, format_money
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import money_sums
from solidaire.ledger.services import (
    LedgerError,
    ledger_pay,
    ledger_refuse_ended_years,
    ledger_release,
)
from solidaire.programmes.models import FiscalYear

# Held back until the final report: the last tenth of the whole agreement.
FINAL_HOLDBACK = Decimal("0.10")
# Payments fall due a month after the event that releases them.
DUE_AFTER = timedelta(days=30)
# A progress report is due a month after its fiscal year; the final report
# within three months of the initiative's end.
PROGRESS_REPORT_DELAY = timedelta(days=30)
FINAL_REPORT_DELAY = timedelta(days=90)


class PaymentRefused(ValidationError):
    """A payment whose condition is not met, or that was already made."""


def commitment_amounts(proposal: Proposal) -> dict[FiscalYear, Decimal]:
    """Net committed money of a funded proposal per fiscal year (from the ledger)."""
    if proposal.commitment_id is None:
        return {}
    rows = (
        LedgerEntry.objects.filter(commitment_id=proposal.commitment_id)
        .values("fiscal_year")
        .annotate(
            committed=Coalesce(Sum("amount", filter=Q(kind="commit")), ZERO),
            released=Coalesce(Sum("amount", filter=Q(kind="release")), ZERO),
        )
    )
    net = {row["fiscal_year"]: row["committed"] - row["released"] for row in rows}
    years = FiscalYear.objects.filter(pk__in=net).order_by("starts_on")
    return {fy: net[fy.pk] for fy in years if net[fy.pk] > ZERO}


def payment_plan(amounts: dict[FiscalYear, Decimal]) -> list[tuple[FiscalYear, Decimal, str]]:
    """The schedule (fiscal year, amount, condition) for committed amounts.

    First year: paid at signature. Each later year: paid when the previous
    year's progress report is received. The last tenth of the whole (never
    more than the last year holds) waits for the final report. Amounts per
    fiscal year add up exactly to the commitment.
    """
    years = sorted(amounts, key=lambda fy: fy.starts_on)
    if not years:
        return []
    total = sum(amounts.values(), ZERO)
    holdback = min(floor_cents(total * FINAL_HOLDBACK), amounts[years[-1]])
    C = Payment.Condition
    plan: list[tuple[FiscalYear, Decimal, str]] = []
    for k, fy in enumerate(years):
        amount = amounts[fy]
        if k == len(years) - 1:
            amount -= holdback
        if amount > ZERO:
            plan.append((fy, amount, C.SIGNATURE if k == 0 else C.PROGRESS_REPORT))
    if holdback > ZERO:
        plan.append((years[-1], holdback, C.FINAL_REPORT))
    return plan


def agreement_issue(
    *,
    proposal: Proposal,
    actor: User | None,
    issued_on: date,
    number: str | None = None,
) -> Agreement:
    """Issue the agreement of a funded proposal with its payment schedule and
    the reports it owes (one progress report per year but the last, and a
    final report)."""
    has_agreement = Agreement.objects.filter(proposal=proposal).exists()
    cycle_require(
        "agreement.issue",
        call=proposal.call.status,
        proposal=proposal.status,
        agreement="issued" if has_agreement else NO_AGREEMENT,
    )
    if proposal.commitment_id is None:
        raise ValidationError(_("Only a funded proposal with a commitment gets an agreement."))
    amounts = commitment_amounts(proposal)
    plan = payment_plan(amounts)
    if not plan:
        raise ValidationError(_("Nothing is committed for this proposal."))
    try:
        ledger_refuse_ended_years({fy for fy, _amount, _condition in plan}, schedule=True)
    except LedgerError as exc:
        raise ValidationError(exc.message) from exc
    years = sorted(amounts, key=lambda fy: fy.starts_on)
    ends_on = proposal.ends_on or years[-1].ends_on
    with transaction.atomic():
        agreement = Agreement.objects.create(
            proposal=proposal,
            number=number or f"CAF-{proposal.reference}",
            issued_on=issued_on,
            ends_on=ends_on,
        )
        reports = {
            fy.pk: Report(
                agreement=agreement,
                kind=Report.Kind.PROGRESS,
                fiscal_year=fy,
                due_on=fy.ends_on + PROGRESS_REPORT_DELAY,
            )
            for fy in years[:-1]
        }
        final = Report(
            agreement=agreement,
            kind=Report.Kind.FINAL,
            fiscal_year=years[-1],
            due_on=ends_on + FINAL_REPORT_DELAY,
        )
        Report.objects.bulk_create([*reports.values(), final])
        previous = {later.pk: earlier for earlier, later in pairwise(years)}
        payments = []
        for sequence, (fy, amount, condition) in enumerate(plan, start=1):
            if condition == Payment.Condition.SIGNATURE:
                due_on = issued_on + DUE_AFTER
            elif condition == Payment.Condition.PROGRESS_REPORT:
                due_on = reports[previous[fy.pk].pk].due_on + DUE_AFTER
            else:
                due_on = final.due_on + DUE_AFTER
            payments.append(
                Payment(
                    agreement=agreement,
                    sequence=sequence,
                    fiscal_year=fy,
                    due_on=due_on,
                    amount=amount,
                    condition=condition,
                )
            )
        Payment.objects.bulk_create(payments)
        audit_record(
            actor=actor,
            event_type="agreement.issued",
            target=agreement,
            new_value=str(sum(amounts.values(), ZERO)),
        )
    return agreement


def agreement_sign(
    *,
    agreement: Agreement,
    actor: User | None,
    signed_on: date,
    signatory: str,
    today: date | None = None,
) -> Agreement:
    """Record the organisation's signature; the initiative becomes active.

    Only an issued agreement of an initiative still funded is signed (the
    row is locked: a cancellation at the same moment wins or waits), on a
    day between its issue and today.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = (
            Agreement.objects.select_for_update().select_related("proposal").get(pk=agreement.pk)
        )
        cycle_require("agreement.sign", proposal=locked.proposal.status, agreement=locked.status)
        require_date(
            "signed_on",
            date_refusal(
                on=signed_on,
                today=today,
                not_before=locked.issued_on,
                not_before_reason=_("An agreement is signed on or after its issue, %(date)s."),
            ),
        )
        if not signatory.strip():
            raise ValidationError({"signatory": [_("Name the person who signed.")]})
        locked.status = Agreement.Status.SIGNED
        locked.signed_on = signed_on
        locked.signatory = signatory.strip()
        locked.save(update_fields=["status", "signed_on", "signatory"])
        proposal_transition(
            proposal=locked.proposal,
            to=Proposal.Status.ACTIVE,
            actor=actor,
            reason=_("Agreement %(number)s signed") % {"number": locked.number},
        )
        audit_record(
            actor=actor, event_type="agreement.signed", target=locked, new_value=str(signed_on)
        )
    agreement.status = locked.status
    agreement.signed_on = locked.signed_on
    agreement.signatory = locked.signatory
    agreement.proposal.status = locked.proposal.status
    return agreement


def report_receive(
    *,
    report: Report,
    actor: User | None,
    received_on: date,
    people_reached: int | None = None,
    people_in_poverty_involved: int | None = None,
    partners_mobilised: int | None = None,
    spent: Decimal | None = None,
    narrative: str = "",
    early_closing: str = "",
    today: date | None = None,
) -> Report:
    """Record a progress or final report as received, with its indicators.

    A progress report covers a fiscal year: it is received once that year
    has ended. A final report is received once the initiative has ended,
    unless an early closing is recorded (``early_closing`` says why): it
    releases the last payment. Nothing is received in the future.
    """
    today = today or timezone.localdate()
    if report.received_on is not None:
        raise ValidationError(_("This report has already been received."))
    agreement = Agreement.objects.select_related("proposal").get(pk=report.agreement_id)
    cycle_require("report.receive", proposal=agreement.proposal.status, agreement=agreement.status)
    if spent is not None and spent < ZERO:
        raise ValidationError({"spent": [_("An amount cannot be negative.")]})
    if report.kind == Report.Kind.PROGRESS:
        refusal = date_refusal(
            on=received_on,
            today=today,
            not_before=report.fiscal_year.ends_on + timedelta(days=1),
            not_before_reason=_(
                "A progress report covers its whole fiscal year: it is received from %(date)s on."
            ),
        )
    else:
        refusal = date_refusal(
            on=received_on,
            today=today,
            not_before=agreement.ends_on,
            not_before_reason=_(
                "The initiative ends on %(date)s: its final report comes after, unless you "
                "record why it closes early."
            ),
            exception_recorded=bool(early_closing.strip()),
        )
    require_date("received_on", refusal)
    report.received_on = received_on
    # Received by the trustee (on paper, say): accepted as it stands.
    report.state = ReportState.APPROVED
    report.people_reached = people_reached
    report.people_in_poverty_involved = people_in_poverty_involved
    report.partners_mobilised = partners_mobilised
    report.spent = spent
    report.narrative = narrative
    early = report.kind == Report.Kind.FINAL and received_on < agreement.ends_on
    report.early_closing = early_closing.strip() if early else ""
    with transaction.atomic():
        report.save()
        audit_record(
            actor=actor,
            event_type="report.received",
            target=report,
            new_value=str(received_on),
            reason=report.early_closing,
        )
    return report


def payment_condition_unmet(
    payment: Payment, on: date, *, reports: Sequence[Report] | None = None
) -> str | None:
    """Why ``payment`` cannot be made on ``on``, or ``None`` when it can.

    ``reports`` are the agreement's reports with their fiscal years, when the
    caller already read them (a page showing a whole schedule reads them once
    instead of once per payment); otherwise they are read here.
    """
    agreement = payment.agreement
    # ``signed_on`` is set once both parties have signed (the organisation,
    # then the trustee's countersignature: ``agreements.documents``).
    if agreement.signed_on is None or agreement.signed_on > on:
        return _("The agreement is not signed by both parties yet.")
    if agreement.amendment_unsigned:
        return _("The amended agreement is not signed by both parties yet.")
    C = Payment.Condition
    if payment.condition not in (C.PROGRESS_REPORT, C.FINAL_REPORT):
        return None
    if reports is None:
        reports = list(Report.objects.filter(agreement=agreement).select_related("fiscal_year"))
    if payment.condition == C.PROGRESS_REPORT:
        # The previous year *the initiative is funded in*, not the previous
        # year of the programme: an initiative funded in 2026-2027 and
        # 2028-2029 reports on 2026-2027 before its second payment, and owes
        # no report for a year it has no money in.
        earlier = [
            r
            for r in reports
            if r.kind == Report.Kind.PROGRESS
            and r.fiscal_year.starts_on < payment.fiscal_year.starts_on
        ]
        if not earlier:
            return _("No progress report precedes this payment; the schedule needs correcting.")
        report = max(earlier, key=lambda r: r.fiscal_year.starts_on)
        if report.received_on is None or report.received_on > on:
            return _("The progress report of %(fy)s has not been received.") % {
                "fy": report.fiscal_year.label
            }
    else:
        received = any(
            r.kind == Report.Kind.FINAL and r.received_on is not None and r.received_on <= on
            for r in reports
        )
        if not received:
            return _("The final report has not been received.")
    return None


def payment_record(
    *,
    payment: Payment,
    actor: User | None,
    paid_on: date,
    early_reason: str = "",
    amount: Decimal | None = None,
    method: str = "",
    reference: str = "",
    today: date | None = None,
) -> Payment:
    """Pay a scheduled payment: ledger entry, link, status — all or nothing.

    ``amount`` (the scheduled amount when not given) is what the trustee
    pays; it is refused when not positive or above what remains committed
    and unpaid for the initiative in the payment's fiscal year.

    The payment row is locked and re-read first: two clicks on "pay" (or two
    finance officers) must not pay the same instalment twice. The ledger then
    takes its own lock and refuses a payment beyond what was committed.
    A payment is dated today or earlier, on or after its due date unless
    the trustee records why it is paid early (``early_reason``), and within
    the programme's dates.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update()
            .select_related("agreement__proposal__call__programme", "fiscal_year")
            .get(pk=payment.pk)
        )
        if locked.status == Payment.Status.PAID:
            raise PaymentRefused(_("This payment has already been made."))
        if locked.status != Payment.Status.SCHEDULED:
            raise PaymentRefused(_("This payment was cancelled."))
        allowed, why = cycle_check(
            "payment.record",
            proposal=locked.agreement.proposal.status,
            agreement=locked.agreement.status,
        )
        if not allowed:
            raise PaymentRefused(why)
        reason = payment_condition_unmet(locked, paid_on)
        if reason is not None:
            raise PaymentRefused(reason)
        require_date(
            "paid_on",
            date_refusal(
                on=paid_on,
                today=today,
                not_before=locked.due_on,
                not_before_reason=_("This payment is due on %(date)s; to pay it earlier, say why."),
                exception_recorded=bool(early_reason.strip()),
                not_after=locked.agreement.proposal.call.programme.ends_on,
                not_after_reason=_("The programme ends on %(date)s; nothing is paid after."),
            ),
        )
        commitment = locked.agreement.proposal.commitment
        if commitment is None:
            raise PaymentRefused(_("The initiative has no commitment in the ledger."))
        if amount is not None and amount <= ZERO:
            raise ValidationError({"amount": [_("The amount must be greater than zero.")]})
        if method and method not in PaymentMethod.values:
            raise ValidationError({"method": [_("Choose how the payment was made.")]})
        try:
            entry = ledger_pay(
                commitment=commitment,
                fiscal_year=locked.fiscal_year,
                amount=locked.amount if amount is None else amount,
                actor=actor,
                memo=_("Payment %(n)s of agreement %(number)s")
                % {"n": locked.sequence, "number": locked.agreement.number},
                effective_on=paid_on,
            )
        except LedgerError as exc:
            raise ValidationError({"amount": [exc.message]}) from exc
        locked.status = Payment.Status.PAID
        locked.paid_on = paid_on
        locked.ledger_entry = entry
        locked.amount = entry.amount
        locked.method = method
        locked.reference = reference.strip()[:100]
        locked.early_reason = early_reason.strip() if paid_on < locked.due_on else ""
        locked.save(
            update_fields=[
                "status",
                "paid_on",
                "ledger_entry",
                "early_reason",
                "amount",
                "method",
                "reference",
            ]
        )
        audit_record(
            actor=actor,
            event_type="payment.paid",
            target=locked,
            new_value=format_money(locked.amount, "en"),
            reason=locked.early_reason,
        )
    payment.status = locked.status
    payment.paid_on = locked.paid_on
    payment.ledger_entry = entry
    payment.amount = locked.amount
    return payment


# ----------------------------------------------------------------------------- leaving the cycle


def cancellation_request(
    *, proposal: Proposal, actor: User, reason: str, now: date | None = None
) -> CancellationRequest:
    """The funded organisation asks the coordination to cancel its
    initiative (it cannot withdraw it alone: its money is committed)."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the initiative stops.")]})
    cycle_require(
        "proposal.request_cancellation", call=proposal.call.status, proposal=proposal.status
    )
    if CancellationRequest.objects.filter(proposal=proposal, handled_at__isnull=True).exists():
        raise ValidationError(_("A request to cancel this initiative is already waiting."))
    with transaction.atomic():
        request = CancellationRequest.objects.create(
            proposal=proposal, requested_by=actor, reason=reason.strip()
        )
        audit_record(
            actor=actor,
            event_type="proposal.cancellation_requested",
            target=proposal,
            reason=reason.strip(),
        )
    return request


def initiative_cancel(
    *, proposal: Proposal, actor: User | None, reason: str, today: date | None = None
) -> Proposal:
    """Cancel a funded initiative, in one locked transaction: release what
    its commitment has not paid, fiscal year by fiscal year; terminate its
    agreement and cancel its unpaid payments; the proposal leaves as
    withdrawn. Every figure that reads the ledger (the programme's
    available money, the call's awarded total, the next call's amount)
    follows at once. What was already paid stays paid.
    """
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the initiative is cancelled.")]})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
        agreement = Agreement.objects.select_for_update().filter(proposal=locked).first()
        allowed, why = cycle_check(
            "proposal.cancel",
            call=locked.call.status,
            proposal=locked.status,
            agreement=agreement.status if agreement else NO_AGREEMENT,
        )
        if not allowed:
            raise CycleRefused("proposal.cancel", why)
        memo = _("Cancellation of %(reference)s: %(reason)s") % {
            "reference": locked.reference,
            "reason": reason.strip(),
        }
        if locked.commitment_id is not None:
            for fiscal_year, unpaid in _unpaid_by_year(locked.commitment_id).items():
                ledger_release(
                    commitment=locked.commitment,  # type: ignore[arg-type]
                    fiscal_year=fiscal_year,
                    amount=unpaid,
                    actor=actor,
                    memo=memo[:300],
                    effective_on=today,
                )
        if agreement is not None:
            agreement.status = Agreement.Status.TERMINATED
            agreement.save(update_fields=["status"])
            Payment.objects.filter(agreement=agreement, status=Payment.Status.SCHEDULED).update(
                status=Payment.Status.CANCELLED
            )
            audit_record(
                actor=actor, event_type="agreement.terminated", target=agreement, reason=reason
            )
        proposal_transition(
            proposal=locked, to=Proposal.Status.WITHDRAWN, actor=actor, reason=memo[:1000]
        )
        CancellationRequest.objects.filter(proposal=locked, handled_at__isnull=True).update(
            handled_at=timezone.now(), handled_by=actor
        )
    proposal.status = locked.status
    return proposal


def _unpaid_by_year(commitment_id: int) -> dict[FiscalYear, Decimal]:
    """Committed − released − paid of a commitment, per fiscal year, when positive."""
    rows: Any = (
        LedgerEntry.objects.filter(commitment_id=commitment_id)
        .values("fiscal_year")
        .annotate(**money_sums())
    )
    unpaid = {r["fiscal_year"]: r["committed"] - r["released"] - r["paid"] for r in rows}
    years = FiscalYear.objects.filter(pk__in=[pk for pk, v in unpaid.items() if v > ZERO])
    return {fy: unpaid[fy.pk] for fy in years.order_by("starts_on")}
