"""Property test: any sequence of commits, releases and payments keeps the
ledger's invariants, and the ledger refuses exactly the operations that would
break them (and a refusal writes nothing).

The invariants, after every step, per fiscal year:

* programme: net committed (committed − released) ≤ envelope, paid ≤ net committed;
* each stream: net committed ≤ its pool (stream allocation, or the sum of its
  territorial sub-envelopes);
* each territorial sub-envelope: net committed ≤ its amount;
* each commitment: paid ≤ net committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solidaire.audit.models import AuditEvent
from solidaire.common.money import ZERO
from solidaire.ledger.models import LedgerEntry
from solidaire.ledger.services import (
    LedgerError,
    commitment_create,
    ledger_commit,
    ledger_pay,
    ledger_release,
)
from solidaire.testing import factories as f

D = Decimal
ENVELOPES = [D("1000.00"), D("600.00")]
STREAM_A = [D("700.00"), D("400.00")]  # stream-level allocation per year
# Stream B is split into sub-envelopes; territory 2 has none in year 2.
SUBS_B = {"T1": [D("300.00"), D("250.00")], "T2": [D("200.00"), None]}
# (stream, territory) of each commitment; None stream = programme only.
COMMITMENTS = [(None, None), ("A", None), ("A", None), ("B", "T1"), ("B", "T2"), ("B", None)]
TERRITORY_CODES = {"T1": "2434", "T2": "2416"}


@dataclass
class Model:
    """What the ledger should hold, kept by the test independently of it."""

    net: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    paid: dict[tuple[int, int], Decimal] = field(default_factory=dict)

    def net_where(self, fy: int, keep) -> Decimal:  # type: ignore[no-untyped-def]
        return sum((v for (k, y), v in self.net.items() if y == fy and keep(COMMITMENTS[k])), ZERO)

    def commit_fits(self, k: int, fy: int, amount: Decimal) -> bool:
        if self.net_where(fy, lambda c: True) + amount > ENVELOPES[fy]:
            return False
        stream, territory = COMMITMENTS[k]
        if stream == "A":
            return self.net_where(fy, lambda c: c[0] == "A") + amount <= STREAM_A[fy]
        if stream == "B":
            subs = {t: caps[fy] for t, caps in SUBS_B.items() if caps[fy] is not None}
            pool = sum(subs.values(), ZERO)
            if self.net_where(fy, lambda c: c[0] == "B") + amount > pool:
                return False
            if territory is not None:
                if territory not in subs:
                    return False
                used = self.net_where(fy, lambda c: c == ("B", territory))
                return used + amount <= subs[territory]
        return True

    def unpaid(self, k: int, fy: int) -> Decimal:
        return self.net.get((k, fy), ZERO) - self.paid.get((k, fy), ZERO)


operations = st.lists(
    st.tuples(
        st.sampled_from(["commit", "commit", "release", "pay"]),
        st.integers(0, len(COMMITMENTS) - 1),
        st.integers(0, len(ENVELOPES) - 1),
        st.integers(1, 80_000).map(lambda cents: D(cents) / 100),
    ),
    min_size=1,
    max_size=30,
)


def _setup():  # type: ignore[no-untyped-def]
    programme = f.ProgrammeFactory(years=ENVELOPES)
    years = list(programme.fiscal_years.order_by("starts_on"))
    call = f.CallFactory(programme=programme)
    stream_a = f.StreamFactory(call=call, name="A")
    stream_b = f.StreamFactory(call=call, name="B", territorial=True)
    territories = {t: f.territory(code) for t, code in TERRITORY_CODES.items()}
    for fy, amount in zip(years, STREAM_A, strict=True):
        f.AllocationFactory(stream=stream_a, fiscal_year=fy, amount=amount)
    for t, caps in SUBS_B.items():
        for fy, amount in zip(years, caps, strict=True):
            if amount is not None:
                f.AllocationFactory(
                    stream=stream_b, territory=territories[t], fiscal_year=fy, amount=amount
                )
    streams = {"A": stream_a, "B": stream_b}
    commitments = [
        commitment_create(
            programme=programme,
            reference=f"k{programme.pk}-{i}",
            label=f"K{i}",
            call=call,
            stream=streams[s] if s else None,
            territory=territories[t] if t else None,
        )
        for i, (s, t) in enumerate(COMMITMENTS)
    ]
    return programme, years, streams, territories, commitments


def _totals(**filters: object) -> tuple[Decimal, Decimal]:
    sums = LedgerEntry.objects.filter(**filters).aggregate(
        c=Coalesce(Sum("amount", filter=Q(kind="commit")), ZERO),
        r=Coalesce(Sum("amount", filter=Q(kind="release")), ZERO),
        p=Coalesce(Sum("amount", filter=Q(kind="pay")), ZERO),
    )
    return sums["c"] - sums["r"], sums["p"]


def _assert_invariants(years, streams, territories, commitments) -> None:  # type: ignore[no-untyped-def]
    for y, fy in enumerate(years):
        net, paid = _totals(fiscal_year=fy)
        assert ZERO <= paid <= net <= fy.envelope, fy.label
        net_a, _ = _totals(fiscal_year=fy, commitment__stream=streams["A"])
        assert net_a <= STREAM_A[y]
        net_b, _ = _totals(fiscal_year=fy, commitment__stream=streams["B"])
        assert net_b <= sum((caps[y] for caps in SUBS_B.values() if caps[y]), ZERO)
        for t, caps in SUBS_B.items():
            net_t, _ = _totals(
                fiscal_year=fy,
                commitment__stream=streams["B"],
                commitment__territory=territories[t],
            )
            assert net_t <= (caps[y] or ZERO), (t, fy.label)
        for c in commitments:
            net_c, paid_c = _totals(fiscal_year=fy, commitment=c)
            assert ZERO <= paid_c <= net_c


def _apply(kind: str, commitment, fy, amount: Decimal) -> bool:  # type: ignore[no-untyped-def]
    """Run one operation; ``True`` when the ledger accepted it."""
    try:
        if kind == "commit":
            ledger_commit(commitment=commitment, amounts={fy: amount}, actor=None)
        elif kind == "release":
            ledger_release(commitment=commitment, fiscal_year=fy, amount=amount, actor=None)
        else:
            ledger_pay(commitment=commitment, fiscal_year=fy, amount=amount, actor=None)
    except LedgerError:
        return False
    return True


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_random_sequences_keep_the_ledger_invariants(ops) -> None:  # type: ignore[no-untyped-def]
    # Each example runs in its own transaction, rolled back at the end, so
    # that it starts from an empty ledger whatever the previous one did.
    with transaction.atomic():
        _programme, years, streams, territories, commitments = _setup()
        model = Model()
        for kind, k, y, amount in ops:
            commitment, fy = commitments[k], years[y]
            before = (LedgerEntry.objects.count(), AuditEvent.objects.count())
            if kind == "commit":
                expected = model.commit_fits(k, y, amount)
            else:
                expected = amount <= model.unpaid(k, y)
            accepted = _apply(kind, commitment, fy, amount)
            assert accepted == expected, (kind, COMMITMENTS[k], fy.label, amount, model)
            if accepted:
                assert LedgerEntry.objects.count() == before[0] + 1
                assert AuditEvent.objects.count() == before[1] + 1
                if kind == "commit":
                    model.net[(k, y)] = model.net.get((k, y), ZERO) + amount
                elif kind == "release":
                    model.net[(k, y)] -= amount
                else:
                    model.paid[(k, y)] = model.paid.get((k, y), ZERO) + amount
            else:
                assert (LedgerEntry.objects.count(), AuditEvent.objects.count()) == before
            _assert_invariants(years, streams, territories, commitments)
        transaction.set_rollback(True)
