"""Two coordinators commit 60 % of the same envelope at the same moment:
exactly one succeeds, and the envelope is never over-committed. The same
for two carry-overs of the same ended year's lapsed balance.

Real threads with their own database connections, so the test works on
committed rows, outside the test transaction. PostgreSQL serialises the two writers
with ``select_for_update`` on the fiscal year; SQLite with IMMEDIATE
transactions, which take the write lock at BEGIN.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.models import Q, QuerySet, Sum

from solidaire.audit.models import AuditEvent
from solidaire.common.fiscal import fiscal_today
from solidaire.ledger.models import CarryOver, Commitment, LedgerEntry
from solidaire.ledger.services import (
    LedgerError,
    carry_over_record,
    commitment_create,
    ledger_commit,
)
from solidaire.programmes.models import Region
from solidaire.testing import factories as f

ENVELOPE = Decimal("100000.00")
SHARE = Decimal("60000.00")


@pytest.fixture
def committed_rows(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Real, committed rows that threads on other connections can see.

    Not ``django_db(transaction=True)``: the flush that ends such a test
    would also empty the regions and territories loaded by migrations, which
    later transactional tests (the browser walk) need. The rows made here
    are removed here instead.
    """
    with django_db_blocker.unblock():
        # Tests without a database mark run last, possibly after a
        # transactional test has flushed the reference regions.
        region, region_created = Region.objects.get_or_create(
            code="03", defaults={"name": "Capitale-Nationale"}
        )
        programme = f.ProgrammeFactory(region=region, years=[ENVELOPE])
        try:
            yield programme
        finally:
            commitments = Commitment.objects.filter(programme=programme)
            AuditEvent.objects.filter(
                object_type="ledger.commitment",
                object_id__in=[str(pk) for pk in commitments.values_list("pk", flat=True)],
            ).delete()
            # The ledger refuses deletes (append-only), through its model and
            # its manager; a plain QuerySet undoes only this test's own rows.
            QuerySet(LedgerEntry).filter(commitment__programme=programme).delete()
            commitments.delete()
            programme.fiscal_years.all().delete()
            programme.delete()
            if region_created:
                region.delete()


# SQLite's test database lives in memory, where threads lock tables instead
# of waiting; the SQLite race runs on a database file in the next test.
@pytest.mark.skipif(connection.vendor == "sqlite", reason="runs on PostgreSQL")
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_over_commit_is_refused(attempt: int, committed_rows) -> None:  # type: ignore[no-untyped-def]
    programme = committed_rows
    fy = programme.fiscal_years.get()
    commitments = [
        commitment_create(programme=programme, reference=f"race-{attempt}-{i}", label=f"R{i}")
        for i in range(2)
    ]
    barrier = threading.Barrier(len(commitments))
    outcomes: list[str] = []

    def commit(commitment) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            ledger_commit(commitment=commitment, amounts={fy: SHARE}, actor=None)
            outcomes.append("committed")
        except LedgerError:
            outcomes.append("refused")
        except Exception as exc:  # reported below: a thread's error must fail the test
            outcomes.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=commit, args=(c,)) for c in commitments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["committed", "refused"]
    total = LedgerEntry.objects.filter(fiscal_year=fy).aggregate(
        net=Sum("amount", filter=Q(kind="commit"))
    )["net"]
    assert total == SHARE
    assert total <= ENVELOPE


# The same race on a SQLite database file, with the settings' IMMEDIATE
# transactions and busy timeout, in a fresh process: the in-memory test
# database cannot be shared between threads without table locks.
_SQLITE_RACE = """
import json, threading
from decimal import Decimal
import django
django.setup()
from django.core.management import call_command
from django.db import connections
call_command("migrate", verbosity=0)
from solidaire.programmes.models import Region
from solidaire.ledger.services import LedgerError, commitment_create, ledger_commit
from solidaire.audit.models import AuditEvent
from solidaire.ledger.models import Commitment, LedgerEntry
from solidaire.testing import factories as f
from solidaire.common.fiscal import fiscal_today
from datetime import date

present = fiscal_today(date(2020, 10, 15))  # the factories' programme is open then
present.__enter__()
outcomes = []
for attempt in range(5):
    programme = f.ProgrammeFactory(years=[Decimal("100000.00")])
    fy = programme.fiscal_years.get()
    commitments = [
        commitment_create(programme=programme, reference=f"race-{attempt}-{i}", label="R")
        for i in range(2)
    ]
    barrier = threading.Barrier(2)
    results = []

    def commit(commitment):
        try:
            barrier.wait(timeout=10)
            ledger_commit(commitment=commitment, amounts={fy: Decimal("60000.00")}, actor=None)
            results.append("committed")
        except LedgerError:
            results.append("refused")
        except Exception as exc:
            results.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=commit, args=(c,)) for c in commitments]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    total = sum(e.amount for e in LedgerEntry.objects.filter(fiscal_year=fy))
    outcomes.append({"results": sorted(results), "total": str(total)})
print(json.dumps(outcomes))
"""


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite counterpart of the test above"
)
def test_concurrent_over_commit_is_refused_on_a_sqlite_file(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "solidaire.settings",
    }
    run = subprocess.run(
        [sys.executable, "-c", _SQLITE_RACE],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert run.returncode == 0, run.stderr
    outcomes = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcomes == [{"results": ["committed", "refused"], "total": "60000.00"}] * 5


# Two coordinators carry 60 % of the same ended year's lapsed balance at the
# same moment: exactly one carry-over is recorded, the source year never sends
# more than it left uncommitted. Same SQLite file set-up as above.
_SQLITE_CARRY_OVER_RACE = """
import json, threading
from datetime import date
from decimal import Decimal
import django
django.setup()
from django.core.management import call_command
from django.db import connections
call_command("migrate", verbosity=0)
from solidaire.common.fiscal import fiscal_today
from solidaire.ledger.models import CarryOver
from solidaire.ledger.services import LedgerError, carry_over_record
from solidaire.testing import factories as f

present = fiscal_today(date(2021, 10, 15))  # 2020-2021 has ended, 2021-2022 is open
present.__enter__()
outcomes = []
for attempt in range(5):
    programme = f.ProgrammeFactory(years=[Decimal("100000.00"), Decimal("100000.00")])
    source, target = programme.fiscal_years.order_by("starts_on")
    barrier = threading.Barrier(2)
    results = []

    def carry():
        try:
            barrier.wait(timeout=10)
            carry_over_record(
                programme=programme, source=source, target=target,
                amount=Decimal("60000.00"), reason="R", authorisation="A", actor=None,
            )
            results.append("carried")
        except LedgerError:
            results.append("refused")
        except Exception as exc:
            results.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=carry) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    total = sum(c.amount for c in CarryOver.objects.filter(source=source))
    outcomes.append({"results": sorted(results), "total": str(total)})
print(json.dumps(outcomes))
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's IMMEDIATE transactions")
def test_concurrent_carry_overs_never_send_more_than_the_year_left(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'carry.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "solidaire.settings",
    }
    run = subprocess.run(
        [sys.executable, "-c", _SQLITE_CARRY_OVER_RACE],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert run.returncode == 0, run.stderr
    outcomes = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcomes == [{"results": ["carried", "refused"], "total": "60000.00"}] * 5


@pytest.mark.skipif(connection.vendor == "sqlite", reason="runs on PostgreSQL")
def test_concurrent_carry_overs_are_serialised_on_postgresql(committed_rows) -> None:  # type: ignore[no-untyped-def]
    programme = committed_rows
    source = programme.fiscal_years.get()
    target = f.FiscalYearFactory(
        programme=programme,
        label="2021-2022",
        starts_on=date(2021, 4, 1),
        ends_on=date(2022, 3, 31),
        envelope=ENVELOPE,
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def carry() -> None:
        try:
            barrier.wait(timeout=10)
            carry_over_record(
                programme=programme,
                source=source,
                target=target,
                amount=SHARE,
                reason="R",
                authorisation="A",
                actor=None,
            )
            outcomes.append("carried")
        except LedgerError:
            outcomes.append("refused")
        except Exception as exc:  # reported below: a thread's error must fail the test
            outcomes.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    try:
        with fiscal_today(date(2021, 10, 15)):
            threads = [threading.Thread(target=carry) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        assert sorted(outcomes) == ["carried", "refused"]
        assert sum(c.amount for c in CarryOver.objects.filter(source=source)) == SHARE
    finally:
        AuditEvent.objects.filter(event_type="ledger.carry_over").delete()
        QuerySet(CarryOver).filter(programme=programme).delete()
        target.delete()
