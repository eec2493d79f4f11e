from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from solidaire.agreements.models import Agreement, Payment, Report
from solidaire.agreements.services import (
    PaymentRefused,
    agreement_issue,
    agreement_sign,
    payment_record,
    report_receive,
)
from solidaire.applications.models import Proposal
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import programme_balances
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.testing import factories as f


@pytest.fixture(autouse=True)
def english():
    # These tests read the services' messages in English; French is the
    # default, checked by the catalogue tests.
    with translation.override("en"):
        yield


S = Proposal.Status
AMOUNTS = [Decimal("30000.00"), Decimal("25000.00"), Decimal("12345.67")]


@pytest.fixture
def funded(call):
    years = list(call.programme.fiscal_years.order_by("starts_on"))[:3]
    commitment = commitment_create(programme=call.programme, reference="p:1", label="Initiative")
    ledger_commit(commitment=commitment, amounts=dict(zip(years, AMOUNTS, strict=True)), actor=None)
    proposal = f.ProposalFactory(
        call=call,
        status=S.FUNDED,
        commitment=commitment,
        submitted_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    return proposal, years


@pytest.fixture
def agreement(funded):
    return agreement_issue(proposal=funded[0], actor=None, issued_on=date(2020, 5, 1))


@pytest.mark.django_db
def test_schedule_sums_exactly_to_the_commitment_per_fiscal_year(funded, agreement):
    _proposal, years = funded
    payments = list(agreement.payments.order_by("sequence"))
    for fy, amount in zip(years, AMOUNTS, strict=True):
        assert sum(p.amount for p in payments if p.fiscal_year_id == fy.pk) == amount
    # Ten per cent of the whole waits for the final report.
    final = [p for p in payments if p.condition == Payment.Condition.FINAL_REPORT]
    assert [p.amount for p in final] == [Decimal("6734.56")]
    assert payments[0].condition == Payment.Condition.SIGNATURE
    assert {p.condition for p in payments[1:-1]} == {Payment.Condition.PROGRESS_REPORT}
    assert agreement.reports.filter(kind=Report.Kind.PROGRESS).count() == 2
    assert agreement.reports.filter(kind=Report.Kind.FINAL).count() == 1


@pytest.mark.django_db
def test_payment_refused_before_signature_then_paid_once(funded, agreement):
    first = agreement.payments.get(sequence=1)
    with pytest.raises(PaymentRefused, match="signed"):
        payment_record(payment=first, actor=None, paid_on=date(2020, 5, 15))
    assert not LedgerEntry.objects.filter(kind="pay").exists()
    agreement_sign(
        agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="Direction"
    )
    assert Proposal.objects.get(pk=funded[0].pk).status == S.ACTIVE
    payment_record(payment=first, actor=None, paid_on=date(2020, 6, 1))
    saved = Payment.objects.get(pk=first.pk)
    assert saved.status == Payment.Status.PAID
    assert saved.ledger_entry.amount == Decimal("30000.00")
    # A second click on the same, stale, payment object must not pay twice.
    stale = Payment.objects.get(pk=first.pk)
    stale.status = Payment.Status.SCHEDULED
    with pytest.raises(PaymentRefused, match="already"):
        payment_record(payment=stale, actor=None, paid_on=date(2020, 6, 2))
    assert LedgerEntry.objects.filter(kind="pay").count() == 1
    assert programme_balances(funded[0].call.programme)[0].paid == Decimal("30000.00")


@pytest.mark.django_db
def test_progress_payment_waits_for_the_previous_years_report(funded, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="D")
    second = agreement.payments.get(sequence=2)
    with pytest.raises(PaymentRefused, match="progress report"):
        payment_record(payment=second, actor=None, paid_on=date(2021, 5, 15))
    report = agreement.reports.get(kind=Report.Kind.PROGRESS, fiscal_year=funded[1][0])
    report_receive(report=report, actor=None, received_on=date(2021, 4, 20), people_reached=120)
    payment_record(payment=second, actor=None, paid_on=date(2021, 6, 1))
    assert Payment.objects.get(pk=second.pk).status == Payment.Status.PAID
    final = agreement.payments.get(condition=Payment.Condition.FINAL_REPORT)
    with pytest.raises(PaymentRefused, match="final report"):
        payment_record(payment=final, actor=None, paid_on=date(2023, 6, 1))


@pytest.mark.django_db
def test_only_funded_proposals_get_one_agreement(call, funded, agreement):
    with pytest.raises(ValidationError):
        agreement_issue(proposal=funded[0], actor=None, issued_on=date(2020, 5, 2))
    draft = f.ProposalFactory(call=call)
    with pytest.raises(ValidationError):
        agreement_issue(proposal=draft, actor=None, issued_on=date(2020, 5, 2))
    assert Agreement.objects.count() == 1
