"""Ledger benchmark: the programme's ledger page (time and SQL queries per
page) and ``ledger_verify`` over every programme, as the ledger grows.

A scratch database (BENCH_DATABASE_URL, e.g. a PostgreSQL database of your
own; SQLite in a temporary folder otherwise) receives 17 programmes (one per
region) of 5 fiscal years. Funded initiatives are added in three steps — a
smaller baseline, the target (5 000 initiatives, 40 000 entries) and a
larger variant — each with eight entries: a commitment over three fiscal
years, a payment in each, a release and money returned, spread over the
years so that every invariant holds (``ledger_verify`` must find nothing).
The entries are bulk inserted with their fingerprints.

At each step the ledger page of one programme is requested (first page and
last page of its entries): median and worst time over the runs, and the
number of queries, which must not grow with the entries.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ledger \\
        python bench/bench_ledger.py [--runs 20] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEARS = 5
STEPS = ((500, "baseline"), (5000, "target"), (10000, "larger"))
COMMITTED = Decimal("1000.00")  # per fiscal year, three years per initiative
PAID = Decimal("700.00")
RELEASED = Decimal("200.00")
RETURNED = Decimal("50.00")


def _setup_database() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        folder = tempfile.mkdtemp(prefix="solidaire-bench-ledger-")
        url = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidaire.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor


def _programmes() -> list[Any]:
    from django.db import transaction

    from solidaire.common.fiscal import fiscal_year_bounds, fiscal_year_label
    from solidaire.programmes.models import FiscalYear, Programme, Region

    with transaction.atomic():
        regions = list(Region.objects.order_by("code"))
        Programme.objects.bulk_create(
            Programme(
                region=region,
                name=f"Alliance pour la solidarité — {region.name}",
                slug=f"bench-ledger-{region.code}",
                trustee=f"Fiduciaire {region.code}",
                starts_on=fiscal_year_bounds(2020)[0],
                ends_on=fiscal_year_bounds(2020 + YEARS - 1)[1],
            )
            for region in regions
        )
        programmes = list(Programme.objects.filter(slug__startswith="bench-ledger-"))
        FiscalYear.objects.bulk_create(
            FiscalYear(
                programme=p,
                label=fiscal_year_label(2020 + k),
                starts_on=fiscal_year_bounds(2020 + k)[0],
                ends_on=fiscal_year_bounds(2020 + k)[1],
                envelope=Decimal("840000.00"),
            )
            for p in programmes
            for k in range(YEARS)
        )
    return programmes


def _add_initiatives(programmes: list[Any], start: int, stop: int) -> None:
    """Initiatives ``start``…``stop - 1``, round-robin over the programmes,
    each with its eight entries (bulk inserts, one transaction)."""
    from django.db import transaction

    from solidaire.ledger.models import Commitment, LedgerEntry, digest_of
    from solidaire.programmes.models import FiscalYear

    years: dict[int, list[Any]] = {}
    for fy in FiscalYear.objects.filter(programme__in=programmes).order_by("starts_on"):
        years.setdefault(fy.programme_id, []).append(fy)
    with transaction.atomic():
        Commitment.objects.bulk_create(
            (
                Commitment(
                    programme=programmes[k % len(programmes)],
                    reference=f"bench:{k}",
                    label=f"I-{k:05d} — Organisme {k} — Initiative {k}",
                )
                for k in range(start, stop)
            ),
            batch_size=2000,
        )
        commitments = Commitment.objects.filter(
            reference__in=[f"bench:{k}" for k in range(start, stop)]
        )
        entries = []
        for commitment in commitments.iterator(chunk_size=2000):
            k = int(commitment.reference.split(":")[1])
            first = (k // len(programmes)) % (YEARS - 2)
            spans = years[commitment.programme_id][first : first + 3]
            moves = [(fy, "commit", COMMITTED) for fy in spans]
            moves += [(fy, "pay", PAID) for fy in spans]
            moves += [(spans[-1], "release", RELEASED), (spans[0], "refund", RETURNED)]
            for fy, kind, amount in moves:
                effective_on = max(fy.starts_on, date(2020, 4, 1))
                entries.append(
                    LedgerEntry(
                        commitment=commitment,
                        fiscal_year=fy,
                        kind=kind,
                        amount=amount,
                        effective_on=effective_on,
                        memo=f"{kind} {k}",
                        digest=digest_of(
                            commitment_id=commitment.pk,
                            fiscal_year_id=fy.pk,
                            kind=kind,
                            amount=amount,
                            effective_on=effective_on,
                            memo=f"{kind} {k}",
                        ),
                    )
                )
        LedgerEntry.objects.bulk_create(entries, batch_size=5000)


def _measure(client: Any, path: str, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm the template and URL caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return statistics.median(times), max(times), len(queries.captured_queries), response.status_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="5 runs per page")
    args, _unknown = parser.parse_known_args()  # run_all passes its own arguments
    runs = 5 if args.quick else args.runs
    vendor = _setup_database()

    from django.test import Client

    from solidaire.accounts.models import User
    from solidaire.ledger.models import LedgerEntry
    from solidaire.ledger.verify import ledger_verify

    programmes = _programmes()
    user = User.objects.create(username="bench-ledger", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(user)
    page_path = f"/registre/{programmes[0].slug}/"

    print(f"database: {vendor}; {len(programmes)} programmes of {YEARS} fiscal years")
    print(
        f"{'step':9} {'initiatives':>11} {'entries':>8} {'page':10} "
        f"{'p50 ms':>8} {'worst ms':>9} {'queries':>8} {'status':>6}"
    )
    verify_rows = []
    done = 0
    for target, name in STEPS:
        started = time.perf_counter()
        _add_initiatives(programmes, done, target)
        build = time.perf_counter() - started
        done = target
        entries = LedgerEntry.objects.count()
        in_first = LedgerEntry.objects.filter(commitment__programme=programmes[0]).count()
        last_page = max(1, (in_first + 49) // 50)
        for label, path in (
            ("first", page_path),
            (f"last ({last_page})", f"{page_path}?page={last_page}"),
        ):
            p50, worst, queries, status = _measure(client, path, runs)
            print(
                f"{name:9} {target:11d} {entries:8d} {label:10} "
                f"{p50:8.1f} {worst:9.1f} {queries:8d} {status:>6}"
            )
        times = []
        for _ in range(3):
            start = time.perf_counter()
            result = ledger_verify()
            times.append(time.perf_counter() - start)
        verify_rows.append(
            (name, entries, statistics.median(times), max(times), len(result.mismatches), build)
        )
    print()
    print(
        f"{'step':9} {'entries':>8} {'verify p50 s':>13} {'worst s':>8} {'mismatches':>11} {'build s':>8}"
    )
    for name, entries, p50, worst, mismatches, build in verify_rows:
        print(f"{name:9} {entries:8d} {p50:13.2f} {worst:8.2f} {mismatches:11d} {build:8.1f}")
    print(f"({runs} requests per page; ledger_verify run 3 times per step over every programme)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
