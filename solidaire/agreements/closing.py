"""Money coming back: a payment reversed, an initiative closed after its
final report, unspent money owed and repaid.

Each of these writes new ledger entries, never edits: a reversal returns a
payment (a refund entry); closing releases what was committed and not paid,
fiscal year by fiscal year (in an ended year the released money lapses, as
the ledger's fiscal-year rules say, unless carried over); money the final
report shows unspent is recorded as owed, and when repaid it is returned
(refund) and released to the envelope of its fiscal year.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from solidaire.accounts.models import User
from solidaire.agreements.models import Agreement, Payment, PaymentReversal, Repayment, Report
from solidaire.agreements.services import _unpaid_by_year
from solidaire.applications.models import Proposal
from solidaire.applications.workflow import proposal_transition
from solidaire.audit.services import audit_record
from solidaire.common.fiscal import quebec_today
from solidaire.common.money import ZERO, format_money
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.services import LedgerError, ledger_release, ledger_return


def payment_reverse(
    *, payment: Payment, actor: User | None, reason: str, on: date | None = None
) -> PaymentReversal:
    """Reverse a payment recorded in error: a new ledger entry returns its
    money and the payment is due again. The payment row is locked: two
    clicks reverse it once."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the payment is reversed.")]})
    on = on or quebec_today()
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("agreement__proposal__commitment", "ledger_entry", "fiscal_year")
            .get(pk=payment.pk)
        )
        if locked.status != Payment.Status.PAID or locked.ledger_entry is None:
            raise ValidationError(_("Only a payment made can be reversed."))
        original = locked.ledger_entry
        try:
            entry = ledger_return(
                commitment=original.commitment,
                fiscal_year=locked.fiscal_year,
                amount=original.amount,
                actor=actor,
                memo=_("Reversal of payment %(n)s of agreement %(number)s")
                % {"n": locked.sequence, "number": locked.agreement.number},
                effective_on=on,
            )
        except LedgerError as exc:
            raise ValidationError(exc.message) from exc
        reversal = PaymentReversal.objects.create(
            payment=locked, reversed_entry=original, entry=entry, reason=reason.strip(), actor=actor
        )
        locked.status = Payment.Status.SCHEDULED
        locked.paid_on = None
        locked.ledger_entry = None
        locked.save(update_fields=["status", "paid_on", "ledger_entry"])
        audit_record(
            actor=actor,
            event_type="payment.reversed",
            target=locked,
            old_value=format_money(original.amount, "en"),
            reason=reason.strip(),
        )
    return reversal


def initiative_close(
    *, agreement: Agreement, actor: User | None, today: date | None = None
) -> list[Repayment]:
    """Close an initiative once its final report is in: release, per fiscal
    year, what was committed and not paid; record as owed what the final
    report shows paid and not spent (taken from the latest fiscal years
    first); the agreement is completed and the initiative closed. Returns
    the money owed recorded (none when everything paid was spent)."""
    today = today or quebec_today()
    with transaction.atomic():
        # Locked: a payment recorded at the same moment waits, then finds
        # the agreement completed and every unpaid payment cancelled.
        locked = (
            Agreement.objects.select_for_update(of=("self",))
            .select_related("proposal__commitment")
            .get(pk=agreement.pk)
        )
        if locked.status != Agreement.Status.SIGNED:
            raise ValidationError(_("Only an initiative under a signed agreement is closed."))
        final = Report.objects.filter(
            agreement=locked, kind=Report.Kind.FINAL, received_on__isnull=False
        ).first()
        if final is None:
            raise ValidationError(_("An initiative is closed after its final report is in."))
        commitment = locked.proposal.commitment
        if commitment is None:
            raise ValidationError(_("The initiative has no commitment in the ledger."))
        memo = _("Closing of %(reference)s") % {"reference": locked.proposal.reference}
        for fiscal_year, unpaid in _unpaid_by_year(commitment.pk).items():
            ledger_release(
                commitment=commitment,
                fiscal_year=fiscal_year,
                amount=unpaid,
                actor=actor,
                memo=memo,
                effective_on=today,
            )
        Payment.objects.filter(agreement=locked, status=Payment.Status.SCHEDULED).update(
            status=Payment.Status.CANCELLED
        )
        owed = _record_owed(locked, final, today)
        locked.status = Agreement.Status.COMPLETED
        locked.save(update_fields=["status"])
        if locked.proposal.status == Proposal.Status.ACTIVE:
            proposal_transition(
                proposal=locked.proposal, to=Proposal.Status.CLOSED, actor=actor, reason=memo
            )
        audit_record(
            actor=actor,
            event_type="agreement.completed",
            target=locked,
            new_value=str(sum((r.amount for r in owed), ZERO)),
        )
    agreement.status = locked.status
    return owed


def _record_owed(agreement: Agreement, final: Report, today: date) -> list[Repayment]:
    """Paid − spent (from the reports), allotted to the fiscal years paid,
    latest first."""
    commitment_id = agreement.proposal.commitment_id
    assert commitment_id is not None
    spent = Report.objects.filter(agreement=agreement, received_on__isnull=False).aggregate(
        total=Sum("spent")
    )["total"]
    if spent is None:
        return []
    paid_by_year: dict[int, Decimal] = {}
    for entry in LedgerEntry.objects.filter(
        commitment_id=commitment_id, kind__in=["pay", "refund"]
    ).select_related("fiscal_year"):
        sign = 1 if entry.kind == LedgerEntry.Kind.PAY else -1
        paid_by_year[entry.fiscal_year_id] = paid_by_year.get(entry.fiscal_year_id, ZERO) + (
            sign * entry.amount
        )
    left = sum(paid_by_year.values(), ZERO) - spent
    owed = []
    years = agreement.proposal.commitment.entries.values_list(  # type: ignore[union-attr]
        "fiscal_year", "fiscal_year__starts_on"
    ).distinct()
    for fy_id, _start in sorted(set(years), key=lambda y: y[1], reverse=True):
        if left <= ZERO:
            break
        share = min(left, paid_by_year.get(fy_id, ZERO))
        if share > ZERO:
            owed.append(
                Repayment.objects.create(
                    agreement=agreement, fiscal_year_id=fy_id, amount=share, recorded_on=today
                )
            )
            left -= share
    return owed


def repayment_receive(
    *, repayment: Repayment, actor: User | None, repaid_on: date | None = None
) -> Repayment:
    """Money owed comes back: returned (refund entry) and released to the
    envelope of its fiscal year (release entry), once. In an ended fiscal
    year the released money lapses unless carried over."""
    repaid_on = repaid_on or quebec_today()
    with transaction.atomic():
        # Locked: two clicks on "repaid" return the money once.
        locked = (
            Repayment.objects.select_for_update(of=("self",))
            .select_related("agreement__proposal__commitment", "fiscal_year")
            .get(pk=repayment.pk)
        )
        if locked.repaid_on is not None:
            raise ValidationError(_("This money was already repaid."))
        commitment = locked.agreement.proposal.commitment
        assert commitment is not None
        memo = _("Unspent money repaid by %(reference)s") % {
            "reference": locked.agreement.proposal.reference
        }
        try:
            refund = ledger_return(
                commitment=commitment,
                fiscal_year=locked.fiscal_year,
                amount=locked.amount,
                actor=actor,
                memo=memo,
                effective_on=repaid_on,
            )
            release = ledger_release(
                commitment=commitment,
                fiscal_year=locked.fiscal_year,
                amount=locked.amount,
                actor=actor,
                memo=memo,
                effective_on=repaid_on,
            )
        except LedgerError as exc:
            raise ValidationError(exc.message) from exc
        locked.repaid_on = repaid_on
        locked.refund_entry = refund
        locked.release_entry = release
        locked.save(update_fields=["repaid_on", "refund_entry", "release_entry"])
    return locked
