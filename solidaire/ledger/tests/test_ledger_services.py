"""Commit, release and pay: the caps of the envelope, of streams and of
territorial sub-envelopes, per fiscal year; refusals write nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from solidaire.audit.models import AuditEvent
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.selectors import calls_figures, programme_balances
from solidaire.ledger.services import (
    LedgerError,
    commitment_create,
    ledger_commit,
    ledger_pay,
    ledger_release,
)
from solidaire.testing import factories as f

D = Decimal


@pytest.fixture(autouse=True)
def in_english():  # type: ignore[no-untyped-def]
    # The refusals are matched on their English msgids; French is the default.
    with translation.override("en"):
        yield


def _years(programme):  # type: ignore[no-untyped-def]
    return list(programme.fiscal_years.order_by("starts_on"))


def _written() -> tuple[int, int]:
    return LedgerEntry.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def years(programme):  # type: ignore[no-untyped-def]
    return _years(programme)


@pytest.fixture
def user(db):  # type: ignore[no-untyped-def]
    return f.UserFactory(username="tresoriere")


# --- the programme's envelope -------------------------------------------


@pytest.mark.django_db
def test_commit_writes_one_entry_per_fiscal_year_and_an_audit_event(programme, years, user):
    c = commitment_create(programme=programme, reference="x", label="X")

    entries = ledger_commit(
        commitment=c,
        amounts={years[1]: D("20000"), years[0]: D("10000.005"), years[2]: D("0")},
        actor=user,
        memo="Résolution 2020-12",
    )

    assert [(e.fiscal_year.label, e.kind, e.amount) for e in entries] == [
        ("2020-2021", "commit", D("10000.01")),
        ("2021-2022", "commit", D("20000.00")),
    ]
    event = AuditEvent.objects.get(event_type="ledger.commit")
    assert event.actor == user
    assert event.object_id == str(c.pk)
    assert event.new_value == "30000.01"
    assert event.reason == "Résolution 2020-12"
    assert event.data == {"2020-2021": "10000.01", "2021-2022": "20000.00"}


@pytest.mark.django_db
def test_commit_up_to_the_whole_envelope_is_accepted(programme, years):
    c = commitment_create(programme=programme, reference="x", label="X")

    ledger_commit(commitment=c, amounts={years[0]: D("840000.00")}, actor=None)

    assert programme_balances(programme)[0].available == D("0.00")


@pytest.mark.django_db
def test_commit_beyond_the_envelope_is_refused_and_writes_nothing(programme, years):
    a = commitment_create(programme=programme, reference="a", label="A")
    ledger_commit(commitment=a, amounts={years[0]: D("800000")}, actor=None)
    b = commitment_create(programme=programme, reference="b", label="B")
    before = _written()

    with pytest.raises(LedgerError, match="2020-2021") as refused:
        ledger_commit(commitment=b, amounts={years[0]: D("40000.01")}, actor=None)

    assert "$40,000.00 left" in str(refused.value)
    with translation.override("fr"), pytest.raises(LedgerError) as refused_fr:
        ledger_commit(commitment=b, amounts={years[0]: D("40000.01")}, actor=None)
    assert "40\xa0000,00\xa0$" in str(refused_fr.value)  # what is left, in Québec format
    assert _written() == before


@pytest.mark.django_db
def test_commit_over_several_years_is_all_or_nothing(programme, years):
    c = commitment_create(programme=programme, reference="x", label="X")
    before = _written()

    with pytest.raises(LedgerError, match="2021-2022"):
        ledger_commit(
            commitment=c, amounts={years[0]: D("1000"), years[1]: D("840000.01")}, actor=None
        )

    assert _written() == before


@pytest.mark.django_db
def test_each_fiscal_year_has_its_own_envelope(programme, years):
    c = commitment_create(programme=programme, reference="x", label="X")
    ledger_commit(commitment=c, amounts={years[0]: D("840000")}, actor=None)

    ledger_commit(commitment=c, amounts={years[1]: D("840000")}, actor=None)

    assert [b.available for b in programme_balances(programme)][:3] == [
        D("0.00"),
        D("0.00"),
        D("840000.00"),
    ]


@pytest.mark.django_db
def test_negative_commitment_is_refused(programme, years):
    c = commitment_create(programme=programme, reference="x", label="X")

    with pytest.raises(LedgerError, match="negative"):
        ledger_commit(commitment=c, amounts={years[0]: D("-1")}, actor=None)
    assert LedgerEntry.objects.count() == 0


@pytest.mark.django_db
def test_fiscal_year_of_another_programme_is_refused(programme, years):
    other = f.ProgrammeFactory(years=[D("1000000")])
    c = commitment_create(programme=programme, reference="x", label="X")

    with pytest.raises(LedgerError, match="another programme"):
        ledger_commit(commitment=c, amounts={other.fiscal_years.get(): D("1")}, actor=None)
    assert LedgerEntry.objects.count() == 0


# --- streams ---------------------------------------------------------------


@pytest.mark.django_db
def test_stream_cap_is_enforced_per_fiscal_year(programme, years, call):
    stream = f.StreamFactory(call=call, name="Volet local")
    f.AllocationFactory(stream=stream, fiscal_year=years[0], amount=D("100000"))
    f.AllocationFactory(stream=stream, fiscal_year=years[1], amount=D("50000"))
    a = commitment_create(programme=programme, reference="a", label="A", stream=stream)
    ledger_commit(commitment=a, amounts={years[0]: D("100000"), years[1]: D("20000")}, actor=None)
    b = commitment_create(programme=programme, reference="b", label="B", stream=stream)
    before = _written()

    with pytest.raises(LedgerError, match="Volet local"):
        ledger_commit(commitment=b, amounts={years[0]: D("0.01")}, actor=None)
    with pytest.raises(LedgerError, match="2021-2022"):
        ledger_commit(commitment=b, amounts={years[1]: D("30000.01")}, actor=None)
    assert _written() == before

    ledger_commit(commitment=b, amounts={years[1]: D("30000")}, actor=None)
    assert calls_figures([call])[call.pk].available == D("0.00")


@pytest.mark.django_db
def test_stream_without_money_in_a_fiscal_year_refuses_commitments(programme, years, call):
    stream = f.StreamFactory(call=call, name="Volet régional")
    f.AllocationFactory(stream=stream, fiscal_year=years[0], amount=D("100000"))
    c = commitment_create(programme=programme, reference="x", label="X", stream=stream)

    with pytest.raises(LedgerError, match="no money"):
        ledger_commit(commitment=c, amounts={years[1]: D("1")}, actor=None)
    assert LedgerEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_call_without_allocations_draws_on_the_remaining_envelope(programme, years, call):
    stream = f.StreamFactory(call=call, name="Volet local")
    c = commitment_create(programme=programme, reference="x", label="X", stream=stream)

    ledger_commit(commitment=c, amounts={years[1]: years[1].envelope}, actor=None)
    with pytest.raises(LedgerError, match="envelope"):
        ledger_commit(commitment=c, amounts={years[1]: D("0.01")}, actor=None)
    assert LedgerEntry.objects.count() == 1


@pytest.mark.django_db
def test_streams_draw_on_the_programme_envelope_too(programme, years, call):
    stream = f.StreamFactory(call=call)
    f.AllocationFactory(stream=stream, fiscal_year=years[0], amount=D("500000"))
    outside = commitment_create(programme=programme, reference="o", label="Hors appel")
    ledger_commit(commitment=outside, amounts={years[0]: D("800000")}, actor=None)
    c = commitment_create(programme=programme, reference="x", label="X", stream=stream)

    with pytest.raises(LedgerError, match="envelope"):
        ledger_commit(commitment=c, amounts={years[0]: D("40000.01")}, actor=None)
    ledger_commit(commitment=c, amounts={years[0]: D("40000")}, actor=None)


# --- territorial sub-envelopes ----------------------------------------------


@pytest.fixture
def territorial(programme, years, call):  # type: ignore[no-untyped-def]
    """A stream split into two sub-envelopes in the first year (Portneuf
    30 000 $, Charlevoix 10 000 $) with no stream-level amount."""
    stream = f.StreamFactory(call=call, name="Volet territorial", territorial=True)
    portneuf, charlevoix = f.territory("2434"), f.territory("2416")
    f.AllocationFactory(stream=stream, territory=portneuf, fiscal_year=years[0], amount=D("30000"))
    f.AllocationFactory(
        stream=stream, territory=charlevoix, fiscal_year=years[0], amount=D("10000")
    )
    return stream, portneuf, charlevoix


@pytest.mark.django_db
def test_sub_envelope_cap_is_enforced(programme, years, territorial):
    stream, portneuf, charlevoix = territorial
    a = commitment_create(
        programme=programme, reference="a", label="A", stream=stream, territory=charlevoix
    )
    ledger_commit(commitment=a, amounts={years[0]: D("10000")}, actor=None)
    b = commitment_create(
        programme=programme, reference="b", label="B", stream=stream, territory=charlevoix
    )
    before = _written()

    with pytest.raises(LedgerError, match="Charlevoix"):
        ledger_commit(commitment=b, amounts={years[0]: D("0.01")}, actor=None)
    assert _written() == before

    # Money left in Portneuf stays in Portneuf.
    c = commitment_create(
        programme=programme, reference="c", label="C", stream=stream, territory=portneuf
    )
    ledger_commit(commitment=c, amounts={years[0]: D("30000")}, actor=None)


@pytest.mark.django_db
def test_territory_without_a_sub_envelope_is_refused(programme, years, territorial):
    stream, _portneuf, _charlevoix = territorial
    c = commitment_create(
        programme=programme, reference="x", label="X", stream=stream, territory=f.territory("2420")
    )

    with pytest.raises(LedgerError, match="no sub-envelope"):
        ledger_commit(commitment=c, amounts={years[0]: D("1")}, actor=None)
    assert LedgerEntry.objects.count() == 0


@pytest.mark.django_db
def test_territorial_stream_total_holds_for_commitments_without_territory(
    programme, years, territorial
):
    """A stream split into sub-envelopes has, in all, the sum of its
    sub-envelopes: a commitment naming no territory cannot take more, and
    cannot let the territories' commitments push the stream past it."""
    stream, portneuf, _charlevoix = territorial
    whole = commitment_create(programme=programme, reference="w", label="W", stream=stream)

    with pytest.raises(LedgerError, match="Volet territorial"):
        ledger_commit(commitment=whole, amounts={years[0]: D("40000.01")}, actor=None)
    ledger_commit(commitment=whole, amounts={years[0]: D("35000")}, actor=None)

    local = commitment_create(
        programme=programme, reference="p", label="P", stream=stream, territory=portneuf
    )
    with pytest.raises(LedgerError, match="Volet territorial"):
        ledger_commit(commitment=local, amounts={years[0]: D("5000.01")}, actor=None)
    ledger_commit(commitment=local, amounts={years[0]: D("5000")}, actor=None)


@pytest.mark.django_db
def test_stream_cap_and_sub_envelope_are_both_enforced(programme, years, call):
    stream = f.StreamFactory(call=call, name="Volet mixte")
    portneuf = f.territory("2434")
    f.AllocationFactory(stream=stream, fiscal_year=years[0], amount=D("20000"))
    f.AllocationFactory(stream=stream, territory=portneuf, fiscal_year=years[0], amount=D("50000"))
    a = commitment_create(
        programme=programme, reference="a", label="A", stream=stream, territory=portneuf
    )

    with pytest.raises(LedgerError, match="Volet mixte"):
        ledger_commit(commitment=a, amounts={years[0]: D("20000.01")}, actor=None)
    ledger_commit(commitment=a, amounts={years[0]: D("20000")}, actor=None)


# --- release and pay ----------------------------------------------------------


@pytest.mark.django_db
def test_release_gives_money_back_to_envelope_and_stream(programme, years, call, user):
    stream = f.StreamFactory(call=call)
    f.AllocationFactory(stream=stream, fiscal_year=years[0], amount=D("100000"))
    a = commitment_create(programme=programme, reference="a", label="A", stream=stream)
    ledger_commit(commitment=a, amounts={years[0]: D("100000")}, actor=None)

    entry = ledger_release(
        commitment=a, fiscal_year=years[0], amount=D("25000"), actor=user, memo="Projet réduit"
    )

    assert (entry.kind, entry.amount) == ("release", D("25000.00"))
    event = AuditEvent.objects.get(event_type="ledger.release")
    assert (event.actor, event.new_value, event.reason) == (user, "25000.00", "Projet réduit")
    assert programme_balances(programme)[0].net_committed == D("75000.00")
    assert calls_figures([call])[call.pk].available == D("25000.00")
    b = commitment_create(programme=programme, reference="b", label="B", stream=stream)
    ledger_commit(commitment=b, amounts={years[0]: D("25000")}, actor=None)


@pytest.mark.django_db
def test_release_never_goes_below_what_was_paid(programme, years):
    a = commitment_create(programme=programme, reference="a", label="A")
    ledger_commit(commitment=a, amounts={years[0]: D("10000")}, actor=None)
    ledger_pay(commitment=a, fiscal_year=years[0], amount=D("7000"), actor=None)
    before = _written()

    with pytest.raises(LedgerError, match="unpaid"):
        ledger_release(commitment=a, fiscal_year=years[0], amount=D("3000.01"), actor=None)
    assert _written() == before

    ledger_release(commitment=a, fiscal_year=years[0], amount=D("3000"), actor=None)
    with pytest.raises(LedgerError):
        ledger_release(commitment=a, fiscal_year=years[0], amount=D("0.01"), actor=None)


@pytest.mark.django_db
def test_pay_is_limited_to_the_commitment_in_that_year(programme, years, user):
    a = commitment_create(programme=programme, reference="a", label="A")
    b = commitment_create(programme=programme, reference="b", label="B")
    ledger_commit(commitment=a, amounts={years[0]: D("10000"), years[1]: D("5000")}, actor=None)
    ledger_commit(commitment=b, amounts={years[0]: D("50000")}, actor=None)

    entry = ledger_pay(
        commitment=a, fiscal_year=years[0], amount=D("6000"), actor=user, memo="Versement 1"
    )
    before = _written()

    assert (entry.kind, entry.amount, entry.actor) == ("pay", D("6000.00"), user)
    # b's money is not a's, nor is next year's.
    with pytest.raises(LedgerError, match="remains to be paid"):
        ledger_pay(commitment=a, fiscal_year=years[0], amount=D("4000.01"), actor=None)
    with pytest.raises(LedgerError):
        ledger_pay(commitment=a, fiscal_year=years[2], amount=D("1"), actor=None)
    assert _written() == before
    ledger_pay(commitment=a, fiscal_year=years[0], amount=D("4000"), actor=None)
    assert programme_balances(programme)[0].paid == D("10000.00")
    assert AuditEvent.objects.filter(event_type="ledger.pay").count() == 2


@pytest.mark.django_db
def test_pay_after_release_is_limited_to_net_committed(programme, years):
    a = commitment_create(programme=programme, reference="a", label="A")
    ledger_commit(commitment=a, amounts={years[0]: D("10000")}, actor=None)
    ledger_release(commitment=a, fiscal_year=years[0], amount=D("4000"), actor=None)

    with pytest.raises(LedgerError):
        ledger_pay(commitment=a, fiscal_year=years[0], amount=D("6000.01"), actor=None)
    ledger_pay(commitment=a, fiscal_year=years[0], amount=D("6000"), actor=None)


@pytest.mark.django_db
@pytest.mark.parametrize("amount", [D("0"), D("-5"), D("0.004")])
def test_release_and_pay_need_a_positive_amount(programme, years, amount):
    a = commitment_create(programme=programme, reference="a", label="A")
    ledger_commit(commitment=a, amounts={years[0]: D("100")}, actor=None)
    before = _written()

    with pytest.raises(LedgerError, match="greater than zero"):
        ledger_pay(commitment=a, fiscal_year=years[0], amount=amount, actor=None)
    with pytest.raises(LedgerError, match="greater than zero"):
        ledger_release(commitment=a, fiscal_year=years[0], amount=amount, actor=None)
    assert _written() == before


# --- append-only --------------------------------------------------------------


@pytest.fixture
def entry(programme, years):  # type: ignore[no-untyped-def]
    a = commitment_create(programme=programme, reference="a", label="A")
    return ledger_commit(commitment=a, amounts={years[0]: D("100")}, actor=None)[0]


@pytest.mark.django_db
def test_ledger_entry_cannot_be_changed(entry):
    entry.amount = D("1000000")

    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    entry.refresh_from_db()
    assert entry.amount == D("100.00")


@pytest.mark.django_db
def test_ledger_entry_cannot_be_deleted(entry):
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_commitment_with_entries_cannot_be_deleted(entry):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        entry.commitment.delete()
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_ledger_entry_amount_must_be_positive_in_the_database(programme, years):
    from django.db import IntegrityError, transaction

    a = commitment_create(programme=programme, reference="a", label="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            commitment=a,
            fiscal_year=years[0],
            kind="commit",
            amount=D("-1"),
            effective_on=years[0].starts_on,
        )


@pytest.mark.django_db
def test_ledger_entries_cannot_be_rewritten_in_bulk(entry):
    with pytest.raises(ValueError, match="append-only"):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("1"))
    entry.refresh_from_db()
    assert entry.amount == D("100.00")


@pytest.mark.django_db
def test_ledger_entries_cannot_be_deleted_in_bulk(entry):
    with pytest.raises(ValueError, match="append-only"):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
