"""The funded organisation's space on its proposal's page: its agreement,
its payment schedule (paid, due, blocked and why) and the reports it owes,
read-only, in a constant number of queries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from solidaire.agreements.models import Agreement, Report
from solidaire.agreements.selectors import funded_space
from solidaire.agreements.services import (
    agreement_issue,
    agreement_sign,
    payment_record,
    report_receive,
)
from solidaire.applications.models import Proposal
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.testing import factories as f

pytestmark = pytest.mark.django_db
AMOUNTS = [Decimal("30000.00"), Decimal("25000.00"), Decimal("12345.67")]


def funded(call: Any, n: int = 1, amounts: list[Decimal] = AMOUNTS) -> Proposal:
    years = list(call.programme.fiscal_years.order_by("starts_on"))[: len(amounts)]
    commitment = commitment_create(
        programme=call.programme, reference=f"p:{call.pk}:{n}", label=f"Initiative {n}"
    )
    ledger_commit(commitment=commitment, amounts=dict(zip(years, amounts, strict=True)), actor=None)
    return f.ProposalFactory(
        call=call,
        status=Proposal.Status.FUNDED,
        commitment=commitment,
        submitted_at=datetime(2020, 1, 1, tzinfo=UTC),
    )


@pytest.fixture
def proposal(call: Any) -> Proposal:
    return funded(call)


@pytest.fixture
def member(proposal: Proposal) -> Any:
    return f.OrganisationMemberFactory(organisation=proposal.organisation).user


@pytest.fixture
def agreement(proposal: Proposal) -> Agreement:
    agreement = agreement_issue(
        proposal=proposal, actor=None, issued_on=date(2020, 5, 1), number="CAF-ESPACE-1"
    )
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="D")
    return agreement


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(user: Any, proposal: Proposal) -> str:
    response = client_for(user).get(reverse("proposal_detail", args=[proposal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def states(html: str, kind: str) -> list[str]:
    return re.findall(rf'data-{kind}-state="(\w+)"', html)


def test_the_member_sees_the_agreement_schedule_and_reports(
    agreement: Agreement, proposal: Proposal, member: Any
) -> None:
    payment_record(payment=agreement.payments.get(sequence=1), actor=None, paid_on=date(2020, 6, 1))
    html = page(member, proposal)
    assert "CAF-ESPACE-1" in html
    assert "Signed" in html
    # First paid; the others wait for reports, and say which.
    assert states(html, "payment") == ["paid", "blocked", "blocked", "blocked"]
    assert "The progress report of 2020-2021 has not been received." in html
    assert "The final report has not been received." in html
    assert "$30,000.00" in html
    assert len(states(html, "report")) == agreement.reports.count()
    # Read-only: no form of the trustee's.
    assert (
        reverse("agreements:pay", args=[agreement.number, agreement.payments.first().pk])
        not in html
    )


def test_a_received_report_unblocks_the_next_payment(
    agreement: Agreement, proposal: Proposal, member: Any
) -> None:
    progress = agreement.reports.get(kind=Report.Kind.PROGRESS, fiscal_year__label="2020-2021")
    # The report is received after its fiscal year (2020-2021 ends 2021-03-31).
    Report.objects.filter(pk=progress.pk).update(received_on=date(2021, 4, 20))
    space = funded_space(proposal, date(2021, 5, 1))
    assert space is not None
    assert [row.state for row in space.schedule] == ["due", "due", "blocked", "blocked"]
    assert space.reports[0].state == "received"
    html = page(member, proposal)
    assert states(html, "report")[0] == "received"


def test_a_report_past_its_due_date_is_late(agreement: Agreement, proposal: Proposal) -> None:
    first = agreement.reports.order_by("due_on").first()
    assert first is not None
    space = funded_space(proposal, first.due_on)
    assert space is not None and space.reports[0].state == "expected"
    later = date.fromordinal(first.due_on.toordinal() + 1)
    space = funded_space(proposal, later)
    assert space is not None and space.reports[0].state == "late"


def test_a_funded_proposal_without_agreement_says_it_is_coming(
    proposal: Proposal, member: Any
) -> None:
    html = page(member, proposal)
    assert "The trustee has not issued the agreement yet" in html
    assert states(html, "payment") == []


def test_a_member_of_another_organisation_gets_404(
    agreement: Agreement, proposal: Proposal
) -> None:
    stranger = f.OrganisationMemberFactory().user
    response = client_for(stranger).get(reverse("proposal_detail", args=[proposal.pk]))
    assert response.status_code == 404


def test_the_page_takes_as_many_queries_with_many_payments_as_with_few(
    call: Any, member: Any
) -> None:
    def count(proposal: Proposal) -> int:
        f.OrganisationMemberFactory(organisation=proposal.organisation, user=member)
        client = client_for(member)
        client.get(reverse("proposal_detail", args=[proposal.pk]))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("proposal_detail", args=[proposal.pk]))
        return len(queries.captured_queries)

    small = funded(call, 2, [Decimal("30000.00")])
    large = funded(call, 3, [Decimal("30000.00")] * 5)
    for proposal in (small, large):
        agreement = agreement_issue(proposal=proposal, actor=None, issued_on=date(2020, 5, 1))
        agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="D")
    assert small.agreement.payments.count() < large.agreement.payments.count()
    assert count(small) == count(large)


def test_a_payment_condition_reads_the_same_with_reports_given_or_not(
    agreement: Agreement, proposal: Proposal
) -> None:
    """The trustee's path (no reports given) and the organisation's (reports
    read once) judge a payment alike."""
    from solidaire.agreements.services import payment_condition_unmet

    progress = agreement.reports.get(kind=Report.Kind.PROGRESS, fiscal_year__label="2020-2021")
    report_receive(report=progress, actor=None, received_on=date(2021, 4, 20))
    reports = list(agreement.reports.select_related("fiscal_year"))
    for payment in agreement.payments.select_related("fiscal_year", "agreement"):
        for on in (date(2021, 4, 1), date(2021, 5, 1)):
            assert payment_condition_unmet(payment, on) == payment_condition_unmet(
                payment, on, reports=reports
            )
