"""``manage.py ledger_verify`` recomputes the ledger from its entries and
names every entry, commitment or payment that contradicts it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from solidaire.agreements.models import Payment
from solidaire.agreements.services import agreement_issue, agreement_sign, payment_record
from solidaire.applications.models import Proposal
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.services import commitment_create, ledger_commit
from solidaire.testing import factories as f


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def paid(call):
    years = list(call.programme.fiscal_years.order_by("starts_on"))[:2]
    commitment = commitment_create(programme=call.programme, reference="p:1", label="Initiative")
    ledger_commit(
        commitment=commitment,
        amounts={years[0]: Decimal("30000.00"), years[1]: Decimal("20000.00")},
        actor=None,
    )
    proposal = f.ProposalFactory(
        call=call,
        status=Proposal.Status.FUNDED,
        commitment=commitment,
        submitted_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    agreement = agreement_issue(proposal=proposal, actor=None, issued_on=date(2020, 5, 1))
    agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
    payment = agreement.payments.get(sequence=1)
    payment_record(payment=payment, actor=None, paid_on=date(2020, 6, 1))
    payment.refresh_from_db()
    return payment


def _verify() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("ledger_verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _behind_the_products_back(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_a_sound_ledger_verifies_with_exit_zero(paid):
    code, out, err = _verify()
    assert code == 0, err
    assert "0 mismatch" in out
    assert f"{LedgerEntry.objects.count()} entries" in out


@pytest.mark.django_db
def test_an_amount_altered_in_the_database_fails_naming_the_entry(paid):
    entry = paid.ledger_entry
    table = LedgerEntry._meta.db_table
    _behind_the_products_back(
        f"UPDATE {table} SET amount = %s WHERE id = %s", ["31000.00", entry.pk]
    )
    code, _out, err = _verify()
    assert code == 1
    assert f"entry #{entry.pk}: its content no longer matches" in err
    # Paid now exceeds what the commitment holds in that year, and the
    # payment no longer matches its entry: each is named.
    assert "exceed the 30 000,00 $ committed" in err or "exceed the $30,000.00 committed" in err
    assert f"payment 1 of agreement {paid.agreement.number}" in err


@pytest.mark.django_db
def test_a_memo_rewritten_in_the_database_is_caught_by_the_fingerprint(paid):
    entry = LedgerEntry.objects.filter(kind="commit").first()
    table = LedgerEntry._meta.db_table
    _behind_the_products_back(f"UPDATE {table} SET memo = %s WHERE id = %s", ["edited", entry.pk])
    code, _out, err = _verify()
    assert code == 1
    assert f"entry #{entry.pk}" in err


@pytest.mark.django_db
def test_a_payment_row_altered_in_the_database_fails_naming_its_entry(paid):
    table = Payment._meta.db_table
    _behind_the_products_back(f"UPDATE {table} SET amount = %s WHERE id = %s", ["1.00", paid.pk])
    code, _out, err = _verify()
    assert code == 1
    assert f"entry #{paid.ledger_entry_id} records" in err


@pytest.mark.django_db
def test_an_entry_inserted_beyond_the_envelope_names_the_fiscal_year(paid):
    fy = paid.fiscal_year
    commitment = paid.agreement.proposal.commitment
    # A commitment above the year's whole envelope, inserted with a valid
    # fingerprint: only the recomputed balances can catch it.
    entry = LedgerEntry(
        commitment=commitment,
        fiscal_year=fy,
        kind="commit",
        amount=fy.envelope + Decimal("1.00"),
        effective_on=date(2020, 6, 1),
    )
    entry.save()
    code, _out, err = _verify()
    assert code == 1
    assert f"fiscal year {fy.label} of {fy.programme.slug}: net committed" in err
    assert f"#{entry.pk}" in err
