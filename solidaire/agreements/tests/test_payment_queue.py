# ruff: noqa: F401, F811  (the fixtures of test_views are imported by name)
"""The trustee's payment queue and recording a payment: conditions read as
conditions, overdue in words, refusals where the action was, and nothing
paid twice, early, above the commitment or by the wrong person."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from solidaire.agreements.models import Payment
from solidaire.agreements.services import agreement_sign, payment_record
from solidaire.agreements.tests.test_views import (
    _as,
    _pays,
    _rows,
    agreement,
    proposal,
    users,
)
from solidaire.ledger.models import LedgerEntry


def _post_pay(client, agreement, payment, **extra):  # type: ignore[no-untyped-def]
    data = {f"pay{payment.pk}-paid_on": "2020-06-01", f"pay{payment.pk}-confirm": "on"}
    data.update({f"pay{payment.pk}-{k}": v for k, v in extra.items()})
    return client.post(reverse("agreements:pay", args=[agreement.number, payment.pk]), data)


@pytest.mark.django_db
def test_queue_reads_the_condition_as_a_condition_and_says_why_it_is_blocked(
    client, users, agreement
):
    response = _as(client, users["trustee"]).get(reverse("payment_list"))
    html = response.content.decode()
    assert "Once the agreement is signed" in html
    assert "Blocked: The agreement is not signed by both parties yet." in html
    assert "Agreement signed" not in html


@pytest.mark.django_db
def test_overdue_filter_says_overdue_never_scheduled(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    response = _as(client, users["trustee"]).get(reverse("payment_list") + "?etat=overdue")
    html = response.content.decode()
    assert 'data-state="overdue"' in html
    assert "Overdue since" in html
    assert ">Scheduled<" not in html


@pytest.mark.django_db
def test_unmet_condition_disables_the_button_with_its_reason(client, users, agreement):
    html = (
        _as(client, users["trustee"])
        .get(reverse("agreements:detail", args=[agreement.number]))
        .content.decode()
    )
    first = agreement.payments.get(sequence=1)
    assert f'disabled aria-describedby="payment-{first.pk}-unmet"' in html
    assert "Not payable yet: The agreement is not signed by both parties yet." in html


@pytest.mark.django_db
def test_payment_before_its_condition_is_refused_beside_its_form(client, users, agreement):
    first = agreement.payments.get(sequence=1)
    response = _post_pay(_as(client, users["trustee"]), agreement, first)
    assert response.status_code == 400
    html = response.content.decode()
    # The form posts to an address that brings the browser back to itself.
    assert f'#payment-{first.pk}" novalidate' in html
    assert "The agreement is not signed by both parties yet." in html
    assert _pays() == 0


@pytest.mark.django_db
def test_the_same_instalment_paid_twice_is_paid_once(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    first = agreement.payments.get(sequence=1)
    trustee = _as(client, users["trustee"])
    assert _post_pay(trustee, agreement, first).status_code == 302
    second = _post_pay(trustee, agreement, first)  # double click, or a second tab
    assert second.status_code == 400
    assert "already been made" in second.content.decode()
    assert _pays() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "cannot be negative"),
        ("0", "greater than zero"),
        ("30000.01", "remains to be paid"),
    ],
)
def test_a_negative_zero_or_over_committed_amount_is_refused(
    client, users, agreement, amount, message
):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    first = agreement.payments.get(sequence=1)
    response = _post_pay(_as(client, users["trustee"]), agreement, first, amount=amount)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _pays() == 0


@pytest.mark.django_db
def test_amount_method_and_reference_are_recorded(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    first = agreement.payments.get(sequence=1)
    response = _post_pay(
        _as(client, users["trustee"]),
        agreement,
        first,
        amount="25000",
        method="transfer",
        reference="VIR-881",
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.amount, first.method, first.reference) == (
        Decimal("25000.00"),
        "transfer",
        "VIR-881",
    )
    assert first.ledger_entry.amount == Decimal("25000.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", 403), ("stranger", 404), ("applicant", 404), ("other_trustee", 404)],
)
def test_only_the_programmes_finance_officer_records_a_payment(
    client, users, agreement, who, status
):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    first = agreement.payments.get(sequence=1)
    assert _post_pay(_as(client, users[who]), agreement, first).status_code == status
    assert _pays() == 0


@pytest.mark.django_db
def test_payment_file_holds_the_due_and_overdue_of_the_day_in_csv_and_excel(
    client, users, agreement
):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    first = agreement.payments.get(sequence=1)
    trustee = _as(client, users["trustee"])
    url = reverse("agreements:payment_file")
    on = first.due_on.isoformat()
    rows = _rows(trustee.get(url, {"on": on, "format": "csv"}))
    assert [r[0] for r in rows[1:]] == [agreement.number]
    assert rows[1][8] == "Due"
    later = trustee.get(url, {"on": "2030-01-01", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(later.content)).active
    states = [row[8] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert states.count("Overdue") == 1  # the first, payable and late
    assert states.count("Blocked") == agreement.payments.count() - 1
    assert _as(client, users["stranger"]).get(url, {"on": on}).status_code == 404


@pytest.mark.django_db
def test_payment_file_refuses_a_missing_date_in_words(client, users, agreement):
    response = _as(client, users["trustee"]).get(
        reverse("agreements:payment_file"), {"on": "tomorrow"}, follow=True
    )
    assert "Enter a date as year-month-day" in response.content.decode()
    assert Payment.objects.filter(status="paid").count() == 0


@pytest.mark.django_db
def test_ledger_page_shows_labels_and_payment_memos_in_the_pages_language(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    first = agreement.payments.get(sequence=1)
    with translation.override("fr"):
        payment_record(payment=first, actor=None, paid_on=date(2020, 6, 1))
    programme = agreement.proposal.call.programme
    html = (
        _as(client, users["trustee"], "en")
        .get(reverse("agreements:ledger", args=[programme.slug]))
        .content.decode()
    )
    assert f"Payment 1 of agreement {agreement.number}" in html
    assert "Versement 1" not in html
    assert agreement.proposal.commitment.reference not in html


@pytest.mark.django_db
def test_the_trustee_reverses_a_payment_with_a_new_entry(client, users, agreement):
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    first = agreement.payments.get(sequence=1)
    payment_record(payment=first, actor=None, paid_on=date(2020, 6, 1))
    url = reverse("agreements:reverse", args=[agreement.number, first.pk])
    assert _as(client, users["coordinator"]).post(url, {"reason": "x"}).status_code == 403
    assert _as(client, users["stranger"]).post(url, {"reason": "x"}).status_code == 404
    trustee = _as(client, users["trustee"])
    trustee.post(url, {"reason": ""})
    assert not LedgerEntry.objects.filter(kind="refund").exists()
    trustee.post(url, {"reason": "Wrong account"})
    trustee.post(url, {"reason": "Wrong account"})  # a second click reverses nothing more
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    assert LedgerEntry.objects.filter(kind="pay").count() == 1
    first.refresh_from_db()
    assert first.status == Payment.Status.SCHEDULED


def _queries(client, path):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_queue_and_ledger_pages_read_a_constant_number_of_queries(client, users, agreement):

    from solidaire.agreements.services import agreement_issue
    from solidaire.agreements.tests.test_views import _funded

    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    payment_record(payment=agreement.payments.get(sequence=1), actor=None, paid_on=date(2020, 6, 1))
    trustee = _as(client, users["trustee"])
    slug = agreement.proposal.call.programme.slug
    paths = [reverse("payment_list"), reverse("agreements:ledger", args=[slug])]
    before = [_queries(trustee, path) for path in paths]
    call = agreement.proposal.call
    for n in range(2, 8):
        other = agreement_issue(
            proposal=_funded(call, n, amounts=[Decimal("1000.00"), Decimal("500.00")]),
            actor=None,
            issued_on=date(2020, 5, 1),
        )
        agreement_sign(agreement=other, actor=None, signed_on=date(2020, 5, 2), signatory="D")
        payment_record(payment=other.payments.get(sequence=1), actor=None, paid_on=date(2020, 6, 1))
    assert Payment.objects.count() > 15
    assert [_queries(trustee, path) for path in paths] == before
