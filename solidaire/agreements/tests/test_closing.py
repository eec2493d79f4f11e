"""Money coming back: a payment reversed, an initiative closed or cancelled,
unspent money owed and repaid — and the next call's amount that follows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from solidaire.agreements.closing import initiative_close, payment_reverse, repayment_receive
from solidaire.agreements.models import Agreement, Payment, Report
from solidaire.agreements.services import (
    agreement_issue,
    agreement_sign,
    initiative_cancel,
    payment_record,
    report_receive,
)
from solidaire.applications.models import Proposal
from solidaire.common.fiscal import fiscal_today
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import calls_figures, programme_balances
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.ledger.verify import ledger_verify
from solidaire.testing import factories as f

FIRST, SECOND = Decimal("30000.00"), Decimal("20000.00")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def signed(call):
    years = list(call.programme.fiscal_years.order_by("starts_on"))[:2]
    commitment = commitment_create(programme=call.programme, reference="p:1", label="Initiative")
    ledger_commit(commitment=commitment, amounts={years[0]: FIRST, years[1]: SECOND}, actor=None)
    proposal = f.ProposalFactory(
        call=call,
        status=Proposal.Status.FUNDED,
        commitment=commitment,
        submitted_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    agreement = agreement_issue(proposal=proposal, actor=None, issued_on=date(2020, 5, 1))
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    return agreement


def _pay_first(agreement: Agreement) -> Payment:
    payment = agreement.payments.get(sequence=1)
    payment_record(payment=payment, actor=None, paid_on=date(2020, 6, 1))
    payment.refresh_from_db()
    return payment


@pytest.mark.django_db
def test_cancelling_raises_the_next_calls_amount_by_exactly_the_release_in_open_years(
    programme, signed
):
    _pay_first(signed)  # all of the first year is paid: nothing to release there
    next_call = f.CallFactory(programme=programme)
    # A year later the first fiscal year has ended: only the second is open.
    with fiscal_today(date(2021, 6, 1)):
        before = calls_figures([next_call])[next_call.pk].available
        initiative_cancel(
            proposal=signed.proposal, actor=None, reason="Stops", today=date(2021, 6, 1)
        )
        after = calls_figures([next_call])[next_call.pk].available
    assert after - before == SECOND
    assert ledger_verify().mismatches == []


@pytest.mark.django_db
def test_money_released_in_an_ended_year_lapses_and_does_not_reach_the_next_call(programme, signed):
    next_call = f.CallFactory(programme=programme)
    with fiscal_today(date(2021, 6, 1)):
        before = calls_figures([next_call])[next_call.pk].available
        initiative_cancel(
            proposal=signed.proposal, actor=None, reason="Stops", today=date(2021, 6, 1)
        )
        after = calls_figures([next_call])[next_call.pk].available
        first_year = programme_balances(programme)[0]
    # Both years were released, but only the open year's money is available.
    assert after - before == SECOND
    assert first_year.released == FIRST
    assert first_year.lapsed == first_year.envelope


@pytest.mark.django_db
def test_closing_waits_for_the_final_report(signed):
    with pytest.raises(ValidationError, match="final report"):
        initiative_close(agreement=signed, actor=None)
    assert not LedgerEntry.objects.filter(kind="release").exists()


@pytest.mark.django_db
def test_closing_releases_the_unpaid_and_records_unspent_money_as_owed(programme, signed):
    _pay_first(signed)
    final = signed.reports.get(kind=Report.Kind.FINAL)
    report_receive(
        report=final,
        actor=None,
        received_on=date(2020, 9, 1),
        spent=Decimal("25000.00"),
        early_closing="The project ended sooner.",
    )
    owed = initiative_close(agreement=signed, actor=None)
    assert [(r.fiscal_year.label, r.amount) for r in owed] == [
        (programme.fiscal_years.order_by("starts_on")[0].label, Decimal("5000.00"))
    ]
    signed.refresh_from_db()
    assert signed.status == Agreement.Status.COMPLETED
    assert signed.proposal.status == Proposal.Status.CLOSED
    assert not signed.payments.filter(status=Payment.Status.SCHEDULED).exists()
    balances = programme_balances(programme)
    assert balances[1].net_committed == Decimal("0.00")  # the unpaid second year released
    available_before = balances[0].available

    repayment_receive(repayment=owed[0], actor=None, repaid_on=date(2020, 10, 1))
    first = programme_balances(programme)[0]
    assert first.paid == Decimal("25000.00")
    assert first.net_committed == Decimal("25000.00")
    assert first.available == available_before + Decimal("5000.00")
    with pytest.raises(ValidationError, match="already repaid"):
        repayment_receive(repayment=owed[0], actor=None)
    assert ledger_verify().mismatches == []


@pytest.mark.django_db
def test_a_reversal_is_a_new_entry_and_the_payment_is_due_again(programme, signed):
    payment = _pay_first(signed)
    original = payment.ledger_entry_id
    reversal = payment_reverse(
        payment=payment, actor=None, reason="Wrong account", on=date(2020, 6, 2)
    )
    assert LedgerEntry.objects.filter(pk=original, kind="pay").exists()  # never edited
    assert reversal.entry.kind == "refund" and reversal.entry.amount == FIRST
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SCHEDULED
    assert programme_balances(programme)[0].paid == Decimal("0.00")
    with pytest.raises(ValidationError, match="Only a payment made"):
        payment_reverse(payment=payment, actor=None, reason="Again")
    payment_record(payment=payment, actor=None, paid_on=date(2020, 6, 3))
    assert programme_balances(programme)[0].paid == FIRST
    assert ledger_verify().mismatches == []


# ----------------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_close_and_repay_from_the_agreements_page(client, programme, signed):
    from django.conf import settings
    from django.urls import reverse

    from solidaire.programmes.models import ProgrammeRole

    coordinator, trustee, stranger = (f.UserFactory() for _ in range(3))
    f.ProgrammeRoleFactory(
        programme=programme, user=coordinator, role=ProgrammeRole.Role.COORDINATOR
    )
    f.ProgrammeRoleFactory(
        programme=programme, user=trustee, role=ProgrammeRole.Role.TRUSTEE_FINANCE
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    close_url = reverse("agreements:close", args=[signed.number])
    client.force_login(coordinator)
    page = client.get(reverse("agreements:detail", args=[signed.number])).content.decode()
    assert 'disabled aria-describedby="close-refusal"' in page  # no final report yet
    _pay_first(signed)
    report_receive(
        report=signed.reports.get(kind=Report.Kind.FINAL),
        actor=None,
        received_on=date(2020, 9, 1),
        spent=Decimal("29000.00"),
        early_closing="Ended sooner.",
    )
    client.force_login(trustee)
    assert client.post(close_url).status_code == 403
    client.force_login(stranger)
    assert client.post(close_url).status_code == 404
    client.force_login(coordinator)
    response = client.post(close_url, follow=True)
    assert "owes $1,000.00 of unspent money" in response.content.decode()
    owed = signed.repayments.get()
    repay_url = reverse("agreements:repayment", args=[signed.number, owed.pk])
    assert client.post(repay_url).status_code == 403  # the trustee records money received
    client.force_login(trustee)
    with fiscal_today(date(2020, 10, 15)):
        client.post(repay_url)
    owed.refresh_from_db()
    assert owed.repaid_on is not None
    assert programme_balances(programme)[0].paid == Decimal("29000.00")
