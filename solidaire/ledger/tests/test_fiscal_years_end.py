"""Fiscal years end: an ended year takes no new commitment and no new
payment schedule line; what it left uncommitted lapses unless the
coordination carries it over to a later, open year of the same programme."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from solidaire.audit.models import AuditEvent
from solidaire.common.fiscal import fiscal_today
from solidaire.ledger import services
from solidaire.ledger.models import CarryOver, LedgerEntry
from solidaire.ledger.selectors import calls_figures, programme_balances
from solidaire.ledger.services import (
    LedgerError,
    carry_over_record,
    commitment_create,
    ledger_commit,
    ledger_pay,
    ledger_refuse_ended_years,
    ledger_release,
)
from solidaire.testing import factories as f

D = Decimal
# 2020-2021 has ended; 2021-2022 is the current year.
A_YEAR_LATER = date(2021, 10, 15)


@pytest.fixture(autouse=True)
def in_english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def years(programme):  # type: ignore[no-untyped-def]
    return list(programme.fiscal_years.order_by("starts_on"))


@pytest.fixture
def committed(programme, years):  # type: ignore[no-untyped-def]
    """200 000 $ committed in 2020-2021 (50 000 $ of it paid) and 100 000 $ in
    2021-2022, in autumn 2020; then the clock moves a year on."""
    c = commitment_create(programme=programme, reference="c", label="Initiative")
    ledger_commit(commitment=c, amounts={years[0]: D("200000"), years[1]: D("100000")}, actor=None)
    ledger_pay(commitment=c, fiscal_year=years[0], amount=D("50000"), actor=None)
    with fiscal_today(A_YEAR_LATER):
        yield c


def _carry(programme, source, target, amount="100000", **kwargs):  # type: ignore[no-untyped-def]
    return carry_over_record(
        programme=programme,
        source=source,
        target=target,
        amount=D(amount),
        reason=kwargs.get("reason", "Initiatives retardées"),
        authorisation=kwargs.get("authorisation", "MTESS-2021-044"),
        actor=kwargs.get("actor"),
    )


def _written() -> tuple[int, int, int]:
    return CarryOver.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count()


# --- the rule ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_year_ends_the_day_after_its_last_day(years):
    assert not years[0].has_ended(date(2021, 3, 31))
    assert years[0].has_ended(date(2021, 4, 1))
    with fiscal_today(date(2021, 4, 1)):
        assert years[0].has_ended() and not years[1].has_ended()


@pytest.mark.django_db
def test_a_commitment_in_an_ended_year_is_refused_and_writes_nothing(programme, years, committed):
    c = commitment_create(programme=programme, reference="late", label="Late")
    before = _written()

    with pytest.raises(LedgerError, match="2020-2021 ended on March 31, 2021") as refused:
        ledger_commit(commitment=c, amounts={years[0]: D("1000"), years[1]: D("1000")}, actor=None)

    assert "no new commitment" in str(refused.value)
    assert _written() == before
    # The open year alone still takes it.
    ledger_commit(commitment=c, amounts={years[1]: D("1000")}, actor=None)


@pytest.mark.django_db
def test_a_payment_schedule_line_in_an_ended_year_is_refused(years, committed):
    with pytest.raises(LedgerError, match="no new payment schedule line"):
        ledger_refuse_ended_years([years[1], years[0]], schedule=True)
    ledger_refuse_ended_years([years[1], years[2]], schedule=True)


@pytest.mark.django_db
def test_an_ended_years_uncommitted_balance_has_lapsed(programme, committed):
    first, second, *_rest = programme_balances(programme)

    assert (first.ended, first.carried_over, first.lapsed, first.available) == (
        True,
        D("0.00"),
        D("640000.00"),
        D("0.00"),
    )
    assert first.paid == D("50000.00")  # paying what was committed goes on
    assert (second.ended, second.lapsed, second.available) == (False, D("0.00"), D("740000.00"))


@pytest.mark.django_db
def test_a_release_in_an_ended_year_lapses_instead_of_returning_to_the_envelope(
    programme, years, committed
):
    ledger_release(commitment=committed, fiscal_year=years[0], amount=D("30000"), actor=None)

    first = programme_balances(programme)[0]
    assert first.net_committed == D("170000.00")
    assert (first.lapsed, first.available) == (D("670000.00"), D("0.00"))


@pytest.mark.django_db
def test_a_calls_available_amount_counts_only_open_years(programme, committed):
    call = f.CallFactory(programme=programme)  # no allocations: draws on the envelope

    # 4 × 840 000 $ in the open years, less 100 000 $ committed in 2021-2022.
    assert calls_figures([call])[call.pk].available == D("3260000.00")
    _carry(programme, *list(programme.fiscal_years.order_by("starts_on"))[:2])
    assert calls_figures([call])[call.pk].available == D("3360000.00")
    left = sum((b.available for b in programme_balances(programme) if not b.ended), D(0))
    assert calls_figures([call])[call.pk].available == left


# --- carry-overs ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_carry_over_moves_exactly_its_amount_and_is_audited(programme, years, committed):
    user = f.UserFactory(username="coordination-test")

    carry = _carry(programme, years[0], years[1], "150000", actor=user)

    first, second, *_rest = programme_balances(programme)
    assert (first.carried_over, first.lapsed, first.available) == (
        D("-150000.00"),
        D("490000.00"),
        D("0.00"),
    )
    assert (second.envelope, second.carried_over, second.available) == (
        D("840000.00"),  # the envelope as voted
        D("150000.00"),
        D("890000.00"),
    )
    for year in (first, second):
        assert (
            year.available == year.envelope + year.carried_over - year.net_committed - year.lapsed
        )
    event = AuditEvent.objects.get(event_type="ledger.carry_over")
    assert (event.actor, event.new_value, event.reason) == (user, "150000.00", carry.reason)
    assert event.data == {"from": "2020-2021", "to": "2021-2022", "authorisation": "MTESS-2021-044"}
    assert carry.effective_on == A_YEAR_LATER


@pytest.mark.django_db
def test_the_target_year_can_commit_what_it_received_and_no_more(programme, years, committed):
    _carry(programme, years[0], years[1], "150000")
    c = commitment_create(programme=programme, reference="more", label="More")

    with pytest.raises(LedgerError, match="890"):
        ledger_commit(commitment=c, amounts={years[1]: D("890000.01")}, actor=None)
    ledger_commit(commitment=c, amounts={years[1]: D("890000.00")}, actor=None)
    assert programme_balances(programme)[1].available == D("0.00")


@pytest.mark.django_db
def test_two_carry_overs_cannot_together_exceed_the_lapsed_balance(programme, years, committed):
    _carry(programme, years[0], years[1], "400000")
    before = _written()

    with pytest.raises(LedgerError, match="240") as refused:
        _carry(programme, years[0], years[2], "240000.01")

    assert refused.value.field == "amount"
    assert _written() == before
    _carry(programme, years[0], years[2], "240000.00")
    assert programme_balances(programme)[0].lapsed == D("0.00")


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("from_open_year", "source", "2021-2022 has not ended"),
        ("into_ended_year", "target", "2021-2022 has ended: it cannot receive"),
        ("to_the_same_year", "target", "2020-2021 has ended: it cannot receive"),
        ("above_lapsed", "amount", r"\$640,000.00 uncommitted"),
        ("negative", "amount", "greater than zero"),
        ("zero", "amount", "greater than zero"),
        ("other_programme", "target", "another programme"),
        ("no_reason", "reason", "reason"),
        ("no_authorisation", "authorisation", "authorisation"),
    ],
)
@pytest.mark.django_db
def test_a_bad_carry_over_is_refused_with_its_reason_and_writes_nothing(
    programme, years, committed, case, field, message
):
    source, target, amount, kwargs = years[0], years[1], "100000", {}
    today = A_YEAR_LATER
    if case == "from_open_year":
        source, target = years[1], years[2]
    elif case == "into_ended_year":
        today = date(2022, 10, 15)
    elif case == "to_the_same_year":
        source, target = years[0], years[0]
    elif case == "above_lapsed":
        amount = "640000.01"
    elif case == "negative":
        amount = "-100"
    elif case == "zero":
        amount = "0"
    elif case == "other_programme":
        target = f.ProgrammeFactory(years=[D("1000"), D("1000")]).fiscal_years.order_by(
            "starts_on"
        )[1]
    elif case == "no_reason":
        kwargs["reason"] = "   "
    elif case == "no_authorisation":
        kwargs["authorisation"] = ""
    before = _written()

    with fiscal_today(today), pytest.raises(LedgerError, match=message) as refused:
        _carry(programme, source, target, amount, **kwargs)

    assert refused.value.field == field
    assert _written() == before


@pytest.mark.django_db
def test_a_carry_over_locks_both_fiscal_years(programme, years, committed, monkeypatch):
    locked: list[list[int]] = []
    real_lock = services._lock_fiscal_years

    def spy(fiscal_years):  # type: ignore[no-untyped-def]
        # The balance must be read after the lock: nothing is written yet.
        assert not CarryOver.objects.exists()
        locked.append(sorted(fy.pk for fy in fiscal_years))
        real_lock(fiscal_years)

    monkeypatch.setattr(services, "_lock_fiscal_years", spy)
    _carry(programme, years[0], years[1])

    assert locked == [sorted([years[0].pk, years[1].pk])]


@pytest.mark.django_db
def test_carry_overs_are_append_only(programme, years, committed):
    carry = _carry(programme, years[0], years[1])

    carry.amount = D("1")
    with pytest.raises(ValueError, match="append-only"):
        carry.save()
    with pytest.raises(ValueError, match="append-only"):
        carry.delete()
    with pytest.raises(ValueError, match="append-only"):
        CarryOver.objects.filter(pk=carry.pk).update(amount=D("1"))
    with pytest.raises(ValueError, match="append-only"):
        CarryOver.objects.all().delete()
    assert CarryOver.objects.get().amount == D("100000.00")


@pytest.mark.django_db
def test_the_database_refuses_a_carry_over_to_the_same_year_or_without_amount(programme, years):
    for kwargs in ({"target": years[0]}, {"amount": D("0")}, {"authorisation": ""}):
        values = {
            "programme": programme,
            "source": years[0],
            "target": years[1],
            "amount": D("10"),
            "reason": "r",
            "authorisation": "a",
            "effective_on": A_YEAR_LATER,
            **kwargs,
        }
        with pytest.raises(IntegrityError), transaction.atomic():
            CarryOver.objects.create(**values)
