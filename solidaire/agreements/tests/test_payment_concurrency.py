"""Two finance officers pay the same instalment at the same moment on
PostgreSQL: one wins, the other is refused, and the ledger holds one
payment. Real threads with their own connections, on committed rows."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import QuerySet

from solidaire.agreements.models import Agreement, Payment, Report
from solidaire.agreements.services import agreement_issue, agreement_sign, payment_record
from solidaire.applications.models import Proposal
from solidaire.audit.models import AuditEvent
from solidaire.ledger.models import Commitment, LedgerEntry
from solidaire.programmes.models import Region, Territory
from solidaire.programmes.reference import reference_load
from solidaire.testing import factories as f


@pytest.fixture
def signed_agreement(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """A signed agreement in committed rows (removed here afterwards, not by
    a flush that would empty the reference regions)."""
    with django_db_blocker.unblock():
        last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        # The reference regions and territories, which a transactional test
        # run before this one may have flushed (loading them is idempotent).
        reference_load(Region, Territory)
        region = Region.objects.get(code="03")
        programme = f.ProgrammeFactory(region=region, years=[Decimal("840000.00")] * 5)
        call = f.decided_call(programme)
        proposal = f.funded_proposal(call=call, submitted_at=datetime(2020, 1, 1, tzinfo=UTC))
        agreement = agreement_issue(proposal=proposal, actor=None, issued_on=date(2020, 5, 1))
        agreement_sign(agreement=agreement, actor=None, signed_on=date(2020, 5, 2), signatory="D")
        try:
            yield agreement
        finally:
            Payment.objects.filter(agreement=agreement).delete()
            Report.objects.filter(agreement=agreement).delete()
            Agreement.objects.filter(pk=agreement.pk).delete()
            AuditEvent.objects.filter(pk__gt=last_event).delete()
            commitment_ids = list(
                Commitment.objects.filter(programme=programme).values_list("pk", flat=True)
            )
            Proposal.objects.filter(call=call).update(commitment=None)
            QuerySet(LedgerEntry).filter(commitment__in=commitment_ids).delete()
            Commitment.objects.filter(pk__in=commitment_ids).delete()
            organisation = proposal.organisation
            Proposal.objects.filter(call=call).delete()
            organisation.delete()
            call.delete()
            programme.fiscal_years.all().delete()
            programme.delete()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="runs on PostgreSQL")
@pytest.mark.parametrize("attempt", range(3))
def test_two_officers_paying_the_same_instalment_pay_it_once(attempt, signed_agreement):  # type: ignore[no-untyped-def]
    payment = Payment.objects.get(agreement=signed_agreement, sequence=1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay() -> None:
        try:
            stale = Payment.objects.select_related("agreement").get(pk=payment.pk)
            barrier.wait(timeout=10)
            payment_record(payment=stale, actor=None, paid_on=date(2020, 6, 1))
            outcomes.append("paid")
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:  # a thread's error must fail the test
            outcomes.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["paid", "refused"]
    assert (
        LedgerEntry.objects.filter(
            commitment=signed_agreement.proposal.commitment, kind="pay"
        ).count()
        == 1
    )
