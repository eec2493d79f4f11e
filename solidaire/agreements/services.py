"""Agreements, payment schedules, reports and payments.

The trustee issues one agreement per funded initiative with a schedule whose
payments add up, fiscal year by fiscal year, exactly to the money committed
in the ledger. A payment is released only when its condition is met (the
agreement signed, the previous year's progress report received, the final
report received), and is recorded in the ledger under its lock.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.agreements.models import Agreement, Payment, Report
from solidaire.applications.models import Proposal
from solidaire.applications.workflow import proposal_transition
from solidaire.audit.services import audit_record
from solidaire.common.money import ZERO, floor_cents, format_money
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.services import LedgerError, ledger_pay, ledger_refuse_ended_years
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
    if proposal.status != Proposal.Status.FUNDED or proposal.commitment_id is None:
        raise ValidationError(_("Only a funded proposal with a commitment gets an agreement."))
    if Agreement.objects.filter(proposal=proposal).exists():
        raise ValidationError(_("This proposal already has an agreement."))
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
    *, agreement: Agreement, actor: User | None, signed_on: date, signatory: str
) -> Agreement:
    """Record the organisation's signature; the initiative becomes active."""
    if agreement.status != Agreement.Status.ISSUED:
        raise ValidationError(_("Only an issued agreement can be signed."))
    if signed_on < agreement.issued_on:
        raise ValidationError({"signed_on": [_("An agreement is signed after it is issued.")]})
    if not signatory.strip():
        raise ValidationError({"signatory": [_("Name the person who signed.")]})
    with transaction.atomic():
        agreement.status = Agreement.Status.SIGNED
        agreement.signed_on = signed_on
        agreement.signatory = signatory.strip()
        agreement.save(update_fields=["status", "signed_on", "signatory"])
        proposal_transition(
            proposal=agreement.proposal,
            to=Proposal.Status.ACTIVE,
            actor=actor,
            reason=_("Agreement %(number)s signed") % {"number": agreement.number},
        )
        audit_record(
            actor=actor, event_type="agreement.signed", target=agreement, new_value=str(signed_on)
        )
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
) -> Report:
    """Record a progress or final report as received, with its indicators."""
    if report.received_on is not None:
        raise ValidationError(_("This report has already been received."))
    if spent is not None and spent < ZERO:
        raise ValidationError({"spent": [_("An amount cannot be negative.")]})
    report.received_on = received_on
    report.people_reached = people_reached
    report.people_in_poverty_involved = people_in_poverty_involved
    report.partners_mobilised = partners_mobilised
    report.spent = spent
    report.narrative = narrative
    with transaction.atomic():
        report.save()
        audit_record(
            actor=actor, event_type="report.received", target=report, new_value=str(received_on)
        )
    return report


def payment_condition_unmet(payment: Payment, on: date) -> str | None:
    """Why ``payment`` cannot be made on ``on``, or ``None`` when it can."""
    agreement = payment.agreement
    if agreement.signed_on is None or agreement.signed_on > on:
        return _("The agreement is not signed yet.")
    C = Payment.Condition
    if payment.condition == C.PROGRESS_REPORT:
        previous = (
            FiscalYear.objects.filter(
                programme_id=payment.fiscal_year.programme_id,
                starts_on__lt=payment.fiscal_year.starts_on,
            )
            .order_by("-starts_on")
            .first()
        )
        received = Report.objects.filter(
            agreement=agreement,
            kind=Report.Kind.PROGRESS,
            fiscal_year=previous,
            received_on__isnull=False,
            received_on__lte=on,
        ).exists()
        if not received:
            return _("The progress report of %(fy)s has not been received.") % {
                "fy": previous.label if previous else "—"
            }
    elif payment.condition == C.FINAL_REPORT:
        received = Report.objects.filter(
            agreement=agreement,
            kind=Report.Kind.FINAL,
            received_on__isnull=False,
            received_on__lte=on,
        ).exists()
        if not received:
            return _("The final report has not been received.")
    return None


def payment_record(*, payment: Payment, actor: User | None, paid_on: date) -> Payment:
    """Pay a scheduled payment: ledger entry, link, status — all or nothing.

    The payment row is locked and re-read first: two clicks on "pay" (or two
    finance officers) must not pay the same instalment twice. The ledger then
    takes its own lock and refuses a payment beyond what was committed.
    """
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update()
            .select_related("agreement__proposal", "fiscal_year")
            .get(pk=payment.pk)
        )
        if locked.status == Payment.Status.PAID:
            raise PaymentRefused(_("This payment has already been made."))
        if locked.status != Payment.Status.SCHEDULED:
            raise PaymentRefused(_("This payment was cancelled."))
        reason = payment_condition_unmet(locked, paid_on)
        if reason is not None:
            raise PaymentRefused(reason)
        commitment = locked.agreement.proposal.commitment
        if commitment is None:
            raise PaymentRefused(_("The initiative has no commitment in the ledger."))
        entry = ledger_pay(
            commitment=commitment,
            fiscal_year=locked.fiscal_year,
            amount=locked.amount,
            actor=actor,
            memo=_("Payment %(n)s of agreement %(number)s")
            % {"n": locked.sequence, "number": locked.agreement.number},
            effective_on=paid_on,
        )
        locked.status = Payment.Status.PAID
        locked.paid_on = paid_on
        locked.ledger_entry = entry
        locked.save(update_fields=["status", "paid_on", "ledger_entry"])
        audit_record(
            actor=actor,
            event_type="payment.paid",
            target=locked,
            new_value=format_money(locked.amount, "en"),
        )
    payment.status = locked.status
    payment.paid_on = locked.paid_on
    payment.ledger_entry = entry
    return payment
