"""Verification of the payments against the ledger entries that record them
(the agreements' side of ``manage.py ledger_verify``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from solidaire.agreements.models import Payment
from solidaire.common.money import format_money
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.verify import Mismatch


def payments_verify() -> list[Mismatch]:
    """Each payment made has its ledger entry, a payment of the same amount
    in the same fiscal year, drawn on its initiative's commitment."""
    found = []
    rows = Payment.objects.filter(status=Payment.Status.PAID).values_list(
        "pk",
        "agreement__number",
        "sequence",
        "amount",
        "fiscal_year",
        "agreement__proposal__commitment",
        "ledger_entry",
        "ledger_entry__kind",
        "ledger_entry__amount",
        "ledger_entry__fiscal_year",
        "ledger_entry__commitment",
    )
    for (
        _pk,
        number,
        sequence,
        amount,
        fy_id,
        commitment_id,
        entry_id,
        entry_kind,
        entry_amount,
        entry_fy,
        entry_commitment,
    ) in rows.iterator(chunk_size=2000):
        subject = _("payment %(n)s of agreement %(number)s") % {"n": sequence, "number": number}
        if entry_id is None:
            found.append(Mismatch(subject, _("marked paid without a ledger entry.")))
            continue
        named = {"entry": entry_id}
        if entry_kind != LedgerEntry.Kind.PAY:
            found.append(Mismatch(subject, _("entry #%(entry)s is not a payment.") % named))
        if entry_amount != amount:
            found.append(
                Mismatch(
                    subject,
                    _("entry #%(entry)s records %(recorded)s for a payment of %(amount)s.")
                    % {
                        **named,
                        "recorded": format_money(entry_amount),
                        "amount": format_money(amount),
                    },
                )
            )
        if entry_fy != fy_id or entry_commitment != commitment_id:
            found.append(
                Mismatch(
                    subject,
                    _("entry #%(entry)s is in another fiscal year or commitment.") % named,
                )
            )
    return found
