"""Two trustees approve, at the same moment, two amendments that each take
most of what the fiscal year has left: exactly one is approved, and the
envelope is never over-committed. Real threads with their own connections
(PostgreSQL: ``select_for_update`` on the amendment, the agreement, its
payments and the fiscal years; SQLite's in-memory test database cannot share
rows between threads, so this runs on PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Q, Sum

from solidaire.agreements.amendments import amendment_approve, amendment_propose
from solidaire.agreements.models import Amendment
from solidaire.agreements.services import agreement_issue
from solidaire.ledger.models import LedgerEntry
from solidaire.testing import factories as f

ENVELOPE = Decimal("100000.00")


@pytest.mark.skipif(connection.vendor == "sqlite", reason="runs on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_for_the_last_dollars_commit_only_once() -> None:
    programme = f.ProgrammeFactory(years=[ENVELOPE])
    fy = programme.fiscal_years.get()
    call = f.decided_call(programme)
    coordinator, trustee = f.UserFactory(), f.UserFactory()
    amendments = []
    for n in range(2):
        proposal = f.funded_proposal(call=call, amount=Decimal("20000.00"))
        agreement = agreement_issue(
            proposal=proposal, actor=None, issued_on=date(2020, 5, 1), number=f"CAF-RACE-{n}"
        )
        # Each increase fits in what is left (60 000 $), but not both.
        amendments.append(
            amendment_propose(
                agreement=agreement,
                actor=coordinator,
                reason="Plus de participants",
                amounts={fy: Decimal("55000.00")},
            )
        )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(amendment: Amendment) -> None:
        try:
            barrier.wait(timeout=10)
            amendment_approve(amendment=amendment, actor=trustee)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:  # a thread's error must fail the test
            outcomes.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(a,)) for a in amendments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["approved", "refused"]
    net = LedgerEntry.objects.filter(fiscal_year=fy).aggregate(
        committed=Sum("amount", filter=Q(kind="commit")),
    )["committed"]
    assert net == Decimal("75000.00") and net <= ENVELOPE
    assert sorted(Amendment.objects.values_list("status", flat=True)) == ["approved", "proposed"]
