"""The trustee's pages: agreements, signature, reports, payments, exports
and the ledger — who sees them, what a refusal looks like, and that nothing
is written when the answer is no."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from solidaire.agreements.models import Agreement, Payment, Report
from solidaire.agreements.services import agreement_issue, agreement_sign, payment_record
from solidaire.applications.models import Proposal
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import programme_balances
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.programmes.models import ProgrammeRole
from solidaire.testing import factories as f

R = ProgrammeRole.Role
AMOUNTS = [Decimal("30000.00"), Decimal("25000.00"), Decimal("12345.67")]


def _funded(call, n: int = 1, amounts=AMOUNTS):  # type: ignore[no-untyped-def]
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
def users(programme):  # type: ignore[no-untyped-def]
    trustee = f.UserFactory(username="fiduciaire-test")
    coordinator = f.UserFactory(username="coordination-test")
    evaluator = f.UserFactory(username="evaluation-test")
    applicant = f.UserFactory(username="organisme-test")
    stranger = f.UserFactory(username="inconnu-test")
    other_trustee = f.UserFactory(username="autre-fiduciaire")
    f.ProgrammeRoleFactory(programme=programme, user=trustee, role=R.TRUSTEE_FINANCE)
    f.ProgrammeRoleFactory(programme=programme, user=coordinator, role=R.COORDINATOR)
    f.ProgrammeRoleFactory(programme=programme, user=evaluator, role=R.EVALUATOR)
    f.ProgrammeRoleFactory(user=other_trustee, role=R.TRUSTEE_FINANCE)  # another programme
    return {
        "trustee": trustee,
        "coordinator": coordinator,
        "evaluator": evaluator,
        "applicant": applicant,
        "stranger": stranger,
        "other_trustee": other_trustee,
    }


@pytest.fixture
def proposal(call, users):  # type: ignore[no-untyped-def]
    proposal = _funded(call)
    f.OrganisationMemberFactory(organisation=proposal.organisation, user=users["applicant"])
    return proposal


@pytest.fixture
def agreement(proposal):  # type: ignore[no-untyped-def]
    return agreement_issue(
        proposal=proposal, actor=None, issued_on=date(2020, 5, 1), number="CAF-TEST-1"
    )


def _as(client, user, language: str = "en"):  # type: ignore[no-untyped-def]
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _pays() -> int:
    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAY).count()


def _rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode()), "CSV exports start with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


# ----------------------------------------------------------------------------- access


def _urls(agreement, programme) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        reverse("agreements:list"),
        reverse("agreements:detail", args=[agreement.number]),
        reverse("agreements:detail", args=[str(agreement.pk)]),
        reverse("agreements:ledger", args=[programme.slug]),
        reverse("agreements:ledger_csv", args=[programme.slug]),
        reverse("agreements:payments_csv"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["trustee", "coordinator"])
def test_trustee_and_coordination_see_the_agreement_pages(client, users, agreement, programme, who):
    _as(client, users[who])
    for url in _urls(agreement, programme):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "evaluator", "stranger", "other_trustee"])
def test_agreement_pages_check_ownership(client, users, agreement, programme, who):
    _as(client, users[who])
    for url in _urls(agreement, programme)[1:-1]:
        assert client.get(url).status_code == 404, url
    csv_of_payments = client.get(_urls(agreement, programme)[-1])
    if who == "other_trustee":  # its own programme's payments: none of ours
        assert len(_rows(csv_of_payments)) == 1
    else:
        assert csv_of_payments.status_code == 404
    assert client.get(reverse("agreements:issue", args=[agreement.proposal_id])).status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, agreement, programme):
    for url in _urls(agreement, programme):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_coordination_reads_but_neither_signs_nor_pays(client, users, agreement):
    _as(client, users["coordinator"])
    page = client.get(reverse("agreements:detail", args=[agreement.number])).content.decode()
    assert "Record the signature" not in page
    assert "Record payment" not in page
    first = agreement.payments.get(sequence=1)
    posts = [
        (reverse("agreements:sign", args=[agreement.number]), {"sign-signed_on": "2020-05-10"}),
        (
            reverse("agreements:pay", args=[agreement.number, first.pk]),
            {f"pay{first.pk}-paid_on": "2020-06-01", f"pay{first.pk}-confirm": "on"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert Agreement.objects.get(pk=agreement.pk).signed_on is None
    assert _pays() == 0


@pytest.mark.django_db
def test_strangers_posting_learn_nothing(client, users, agreement):
    _as(client, users["stranger"])
    url = reverse("agreements:sign", args=[agreement.number])
    response = client.post(url, {"sign-signed_on": "2020-05-10", "sign-signatory": "X"})
    assert response.status_code == 404
    assert Agreement.objects.get(pk=agreement.pk).signed_on is None


# ----------------------------------------------------------------------------- issue


@pytest.mark.django_db
def test_trustee_issues_an_agreement_whose_schedule_adds_up_to_the_commitment(
    client, users, proposal
):
    _as(client, users["trustee"])
    url = reverse("agreements:issue", args=[proposal.pk])
    page = client.get(url).content.decode()
    assert "$67,345.67" in page  # the total committed, shown before issuing
    response = client.post(url, {"issued_on": "2020-05-01", "number": ""})
    agreement = Agreement.objects.get(proposal=proposal)
    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:detail", args=[agreement.number])
    years = list(proposal.call.programme.fiscal_years.order_by("starts_on"))[:3]
    for fy, amount in zip(years, AMOUNTS, strict=True):
        assert sum(p.amount for p in agreement.payments.filter(fiscal_year=fy)) == amount


@pytest.mark.django_db
def test_issue_with_a_bad_date_keeps_the_input_and_writes_nothing(client, users, proposal):
    _as(client, users["trustee"])
    url = reverse("agreements:issue", args=[proposal.pk])
    response = client.post(url, {"issued_on": "31/02/2020", "number": "CAF-SPECIAL"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a date as year-month-day" in page
    assert 'value="CAF-SPECIAL"' in page
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_issue_with_a_number_already_taken_is_refused(client, users, call, agreement):
    other = _funded(call, n=2)
    _as(client, users["trustee"])
    url = reverse("agreements:issue", args=[other.pk])
    response = client.post(url, {"issued_on": "2020-05-01", "number": agreement.number})
    assert response.status_code == 400
    assert "already used by another agreement" in response.content.decode()
    assert not Agreement.objects.filter(proposal=other).exists()


@pytest.mark.django_db
def test_an_agreement_issued_twice_is_refused(client, users, agreement):
    _as(client, users["trustee"])
    url = reverse("agreements:issue", args=[agreement.proposal_id])
    response = client.post(url, {"issued_on": "2020-05-01"})
    assert response.status_code == 400
    assert "already has an agreement" in response.content.decode()
    assert Agreement.objects.count() == 1


# ----------------------------------------------------------------------------- sign


@pytest.mark.django_db
def test_trustee_cannot_countersign_before_the_organisation_signs(client, users, agreement):
    _as(client, users["trustee"])
    url = reverse("agreements:sign", args=[agreement.number])
    response = client.post(
        url, {"sign-name": "Marie Roy", "sign-title": "Trésorière", "sign-confirm": "on"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The organisation signs first; the trustee countersigns after it." in page
    assert 'value="Marie Roy"' in page
    saved = Agreement.objects.get(pk=agreement.pk)
    assert (saved.signed_on, saved.status) == (None, Agreement.Status.ISSUED)


@pytest.mark.django_db
def test_refusals_are_in_french_by_default(client, users, agreement):
    _as(client, users["trustee"], language="fr")
    url = reverse("agreements:sign", args=[agreement.number])
    response = client.post(url, {"sign-name": "", "sign-title": "Trésorière"})
    assert response.status_code == 400
    assert "Indiquez le nom de la personne qui signe." in response.content.decode()


# ----------------------------------------------------------------------------- pay


def _pay(client, agreement, payment, day="2020-06-01", confirm=True):  # type: ignore[no-untyped-def]
    data = {f"pay{payment.pk}-paid_on": day}
    if confirm:
        data[f"pay{payment.pk}-confirm"] = "on"
    return client.post(reverse("agreements:pay", args=[agreement.number, payment.pk]), data)


@pytest.mark.django_db
def test_payment_before_its_condition_is_refused_and_nothing_written(client, users, agreement):
    _as(client, users["trustee"])
    first = agreement.payments.get(sequence=1)
    page = client.get(reverse("agreements:detail", args=[agreement.number])).content.decode()
    assert "The agreement is not signed by both parties yet." in page  # shown before anyone tries
    response = _pay(client, agreement, first)
    assert response.status_code == 400
    assert "The agreement is not signed by both parties yet." in response.content.decode()
    assert 'value="2020-06-01"' in response.content.decode()
    assert _pays() == 0
    assert Payment.objects.get(pk=first.pk).status == Payment.Status.SCHEDULED


@pytest.mark.django_db
def test_progress_payment_waits_for_the_report(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="X")
    _as(client, users["trustee"])
    second = agreement.payments.get(sequence=2)
    response = _pay(client, agreement, second, day="2021-06-01")
    assert response.status_code == 400
    assert "progress report" in response.content.decode()
    assert _pays() == 0


@pytest.mark.django_db
def test_payment_needs_the_confirmation(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="X")
    _as(client, users["trustee"])
    response = _pay(client, agreement, agreement.payments.get(sequence=1), confirm=False)
    assert response.status_code == 400
    assert "Tick the box to confirm the payment." in response.content.decode()
    assert _pays() == 0


@pytest.mark.django_db
def test_the_same_payment_posted_from_two_tabs_is_paid_once(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="X")
    _as(client, users["trustee"])
    first = agreement.payments.get(sequence=1)
    assert _pay(client, agreement, first).status_code == 302
    again = _pay(client, agreement, first, day="2020-06-02")
    assert again.status_code == 400
    assert "This payment has already been made." in again.content.decode()
    assert _pays() == 1
    saved = Payment.objects.get(pk=first.pk)
    assert (saved.status, saved.paid_on) == (Payment.Status.PAID, date(2020, 6, 1))
    paid = LedgerEntry.objects.get(kind=LedgerEntry.Kind.PAY)
    assert paid.amount == first.amount


# ----------------------------------------------------------------------------- reports


@pytest.mark.django_db
def test_report_with_a_bad_amount_keeps_the_input_and_writes_nothing(client, users, agreement):
    _as(client, users["trustee"])
    report = agreement.reports.get(kind=Report.Kind.PROGRESS, fiscal_year__label="2020-2021")
    p = f"report{report.pk}-"
    data = {
        p + "received_on": "2021-04-20",
        p + "people_reached": "120",
        p + "spent": "douze mille",
        p + "narrative": "Une année de mobilisation.",
    }
    response = client.post(reverse("agreements:receive", args=[agreement.number, report.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter an amount in dollars" in page
    assert 'value="douze mille"' in page and "Une année de mobilisation." in page
    assert Report.objects.get(pk=report.pk).received_on is None


@pytest.mark.django_db
def test_report_received_then_its_payment_released(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="X")
    _as(client, users["trustee"])
    report = agreement.reports.get(kind=Report.Kind.PROGRESS, fiscal_year__label="2020-2021")
    p = f"report{report.pk}-"
    data = {
        p + "received_on": "2021-04-20",
        p + "people_reached": "120",
        p + "people_in_poverty_involved": "35",
        p + "partners_mobilised": "8",
        p + "spent": "29 876,54",
    }
    response = client.post(reverse("agreements:receive", args=[agreement.number, report.pk]), data)
    assert response.status_code == 302
    saved = Report.objects.get(pk=report.pk)
    assert (saved.received_on, saved.spent, saved.people_reached) == (
        date(2021, 4, 20),
        Decimal("29876.54"),
        120,
    )
    assert (
        _pay(client, agreement, agreement.payments.get(sequence=2), day="2021-05-30").status_code
        == 302
    )
    assert _pays() == 1


# ----------------------------------------------------------------------------- payments list and CSV


@pytest.mark.django_db
def test_payments_filtered_by_state(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="X")
    payment_record(payment=agreement.payments.get(sequence=1), actor=None, paid_on=date(2020, 6, 1))
    _as(client, users["trustee"])
    url = reverse("payment_list")

    def shown(state: str) -> set[int]:
        response = client.get(url, {"etat": state} if state else {})
        return {p.sequence for p in response.context["page"].object_list}

    assert shown("") == {1, 2, 3, 4}
    assert shown("paid") == {1}
    assert shown("due") == {2, 3, 4}
    # Every due date of this 2020 agreement is in the past by now.
    assert shown("overdue") == {2, 3, 4}
    Payment.objects.filter(sequence=4).update(due_on=timezone.localdate() + timedelta(days=5))
    assert shown("overdue") == {2, 3}
    page = client.get(url).content.decode()
    assert reverse("agreements:detail", args=[agreement.number]) in page


@pytest.mark.django_db
def test_payments_made_csv_is_exact(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="X")
    first = payment_record(
        payment=agreement.payments.get(sequence=1), actor=None, paid_on=date(2020, 6, 1)
    )
    _as(client, users["trustee"])
    response = client.get(reverse("agreements:payments_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    organisation = agreement.proposal.organisation
    assert _rows(response) == [
        [
            "Agreement",
            "Payment number",
            "Organisation",
            "NEQ",
            "Initiative",
            "Fiscal year",
            "Due on",
            "Paid on",
            "Amount",
            "Ledger entry",
        ],
        [
            "CAF-TEST-1",
            "1",
            organisation.legal_name,
            organisation.neq,
            agreement.proposal.reference,
            "2020-2021",
            first.due_on.isoformat(),
            "2020-06-01",
            "30000.00",
            str(first.ledger_entry_id),
        ],
    ]
    _as(client, users["trustee"], language="fr")
    header = _rows(client.get(reverse("agreements:payments_csv")))[0]
    assert (header[0], header[5]) == ("Convention", "Exercice financier")


# ----------------------------------------------------------------------------- ledger


@pytest.mark.django_db
def test_ledger_totals_equal_the_sums_of_its_entries(client, users, call, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 10), signatory="X")
    payment_record(payment=agreement.payments.get(sequence=1), actor=None, paid_on=date(2020, 6, 1))
    _funded(call, n=2, amounts=[Decimal("1000.01"), Decimal("0.99")])
    _as(client, users["trustee"])
    programme = call.programme
    page = client.get(reverse("agreements:ledger", args=[programme.slug]))
    totals = page.context["totals"]
    rows = _rows(client.get(reverse("agreements:ledger_csv", args=[programme.slug])))
    header, entries = rows[0], rows[1:]
    assert header[3] == "Kind" and header[7] == "Amount"
    sums: dict[str, Decimal] = {}
    for row in entries:
        sums[row[3]] = sums.get(row[3], Decimal("0.00")) + Decimal(row[7])
    assert sums == {"Commitment": totals.committed, "Payment": totals.paid}
    assert totals.committed == sum(AMOUNTS) + Decimal("1001.00")
    assert totals.paid == Decimal("30000.00")
    balances = {b.label: b for b in programme_balances(programme)}
    assert balances["2020-2021"].available == Decimal("840000.00") - Decimal("31000.01")
    assert len(entries) == LedgerEntry.objects.count() == 6
    shown = [e.pk for e in page.context["page"].object_list]
    assert shown == sorted(shown, reverse=True)  # newest first


# ----------------------------------------------------------------------------- query counts


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_agreements_list_query_count_is_constant(client, users, call):
    _as(client, users["trustee"])
    url = reverse("agreements:list")
    first = _funded(call, n=0, amounts=[Decimal("100.00")])
    agreement_issue(proposal=first, actor=None, issued_on=date(2020, 5, 1))
    one = _count(client, url)
    for n in range(1, 30):
        proposal = _funded(call, n=n, amounts=[Decimal("100.00")])
        if n % 2:
            agreement_issue(proposal=proposal, actor=None, issued_on=date(2020, 5, 1))
    assert _count(client, url) == one


@pytest.mark.django_db
def test_ledger_page_query_count_is_constant(client, users, call):
    _as(client, users["trustee"])
    url = reverse("agreements:ledger", args=[call.programme.slug])
    _funded(call, n=0, amounts=[Decimal("100.00")])
    assert LedgerEntry.objects.count() == 1
    one = _count(client, url)
    other_user = f.UserFactory()
    for n in range(1, 30):
        commitment = commitment_create(programme=call.programme, reference=f"q{n}", label=f"Q{n}")
        fy = call.programme.fiscal_years.order_by("starts_on")[n % 5]
        ledger_commit(commitment=commitment, amounts={fy: Decimal("10.00")}, actor=other_user)
    assert LedgerEntry.objects.count() == 30
    assert _count(client, url) == one
