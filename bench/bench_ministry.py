"""Ministry view benchmark: median and p95 time and SQL queries of
``/ministere/`` (and its CSV and Excel copies) with every region running a
programme.

A scratch database (SQLite in a temporary folder, or BENCH_DATABASE_URL)
receives 17 programmes (one per region) of 5 fiscal years and 10 calls of
3 streams each, and ``--proposals`` proposals spread over the calls; one in
ten is funded, with its commitment and, for half of those, a payment in the
ledger. Everything is written with bulk inserts so that the dataset builds
in well under a minute. The page is first measured with one programme,
then with all of them: its query count must not change.

    python bench/bench_ministry.py [--proposals 20000] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEARS = 5
CALLS = 10
STREAMS = (
    ("local", "Volet local"),
    ("communautes", "Volet communautés"),
    ("regional", "Volet régional"),
)


def _setup_database() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        folder = tempfile.mkdtemp(prefix="solidaire-bench-")
        url = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidaire.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build(region_codes: list[str], proposals: int, seed: int = 8) -> None:
    """Programmes of ``region_codes`` with their years, calls, streams,
    proposals and ledger entries (bulk inserts, one transaction)."""
    from django.db import transaction

    from solidaire.applications.models import Organisation, Proposal
    from solidaire.calls.models import Call, Stream
    from solidaire.common.fiscal import fiscal_year_bounds, fiscal_year_label
    from solidaire.ledger.models import Commitment, LedgerEntry, entry_digest
    from solidaire.programmes.models import FiscalYear, Programme, Region, Territory

    rng = random.Random(seed)
    when = datetime(2021, 10, 1, tzinfo=UTC)
    with transaction.atomic():
        territory = Territory.objects.first()
        assert territory is not None
        regions = {r.code: r for r in Region.objects.filter(code__in=region_codes)}
        programmes = Programme.objects.bulk_create(
            Programme(
                region=regions[code],
                name=f"Alliance pour la solidarité — {regions[code].name}",
                slug=f"bench-{code}",
                trustee=f"Fiduciaire {code}",
                starts_on=fiscal_year_bounds(2020)[0],
                ends_on=fiscal_year_bounds(2020 + YEARS - 1)[1],
            )
            for code in region_codes
        )
        programmes = list(Programme.objects.filter(slug__in=[p.slug for p in programmes]))
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
        first_year = {
            fy.programme_id: fy
            for fy in FiscalYear.objects.filter(programme__in=programmes, label="2020-2021")
        }
        Call.objects.bulk_create(
            Call(
                programme=p,
                number=n,
                title=f"Appel {n}",
                published=True,
                opens_at=when,
                closes_at=when.replace(month=12),
                decided_at=when.replace(year=2022),
            )
            for p in programmes
            for n in range(1, CALLS + 1)
        )
        calls = list(Call.objects.filter(programme__in=programmes))
        Stream.objects.bulk_create(
            Stream(call=c, code=code, name=name) for c in calls for code, name in STREAMS
        )
        streams = list(Stream.objects.filter(call__in=calls).select_related("call"))
        organisations = Organisation.objects.bulk_create(
            Organisation(
                legal_name=f"Organisme {k}",
                neq=f"88{seed * 1_000_000 + k:08d}",
                org_type=Organisation.Type.NONPROFIT,
                territory=territory,
            )
            for k in range(max(1, proposals // 10))
        )
        organisations = list(Organisation.objects.all())
        rows = []
        for k in range(proposals):
            stream = streams[k % len(streams)]
            funded = k % 10 == 0
            rows.append(
                Proposal(
                    call=stream.call,
                    stream=stream,
                    organisation=rng.choice(organisations),
                    reference=f"B{seed}-{k:06d}",
                    title=f"Initiative {k}",
                    status=Proposal.Status.FUNDED if funded else Proposal.Status.SUBMITTED,
                    submitted_at=when,
                )
            )
        Proposal.objects.bulk_create(rows, batch_size=2000)
        funded_rows = list(
            Proposal.objects.filter(status=Proposal.Status.FUNDED, call__in=calls)
            .select_related("call", "stream")
            .order_by("pk")
        )
        Commitment.objects.bulk_create(
            (
                Commitment(
                    programme_id=p.call.programme_id,
                    call=p.call,
                    stream=p.stream,
                    reference=f"E-{p.reference}",
                    label=p.title,
                )
                for p in funded_rows
            ),
            batch_size=2000,
        )
        commitments = {c.reference: c for c in Commitment.objects.filter(programme__in=programmes)}
        entries = []
        for k, p in enumerate(funded_rows):
            commitment = commitments[f"E-{p.reference}"]
            fy = first_year[p.call.programme_id]
            entries.append(
                LedgerEntry(
                    commitment=commitment,
                    fiscal_year=fy,
                    kind=LedgerEntry.Kind.COMMIT,
                    amount=Decimal("1000.00"),
                    effective_on=fy.starts_on,
                )
            )
            if k % 2 == 0:
                entries.append(
                    LedgerEntry(
                        commitment=commitment,
                        fiscal_year=fy,
                        kind=LedgerEntry.Kind.PAY,
                        amount=Decimal("500.00"),
                        effective_on=fy.starts_on,
                    )
                )
        # bulk_create skips save(): each entry gets its fingerprint here, so
        # that ledger_verify finds this ledger as the product writes it.
        for entry in entries:
            entry.digest = entry_digest(entry)
        LedgerEntry.objects.bulk_create(entries, batch_size=2000)


def _measure(client: Any, path: str, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm the template and URL caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(queries.captured_queries), response.status_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--proposals", type=int, default=20000)
    parser.add_argument("--quick", action="store_true", help="5 runs per page")
    args, _unknown = parser.parse_known_args()  # run_all passes its own arguments
    runs = 5 if args.quick else args.runs
    started = time.perf_counter()
    _setup_database()

    from django.test import Client

    from solidaire.accounts.models import User
    from solidaire.applications.models import Proposal
    from solidaire.programmes.models import Region

    observer = User.objects.create(username="ministere", is_ministry_observer=True)
    client = Client()
    client.force_login(observer)
    codes = list(Region.objects.order_by("code").values_list("code", flat=True))

    print(f"{'dataset':44} {'page':14} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'status':>6}")
    share = max(1, args.proposals // len(codes))
    _build(codes[:1], share)
    p50, p95, queries, status = _measure(client, "/ministere/", runs)
    print(
        f"{'1 programme, ' + str(Proposal.objects.count()) + ' proposals':44} {'/ministere/':14} "
        f"{p50:8.1f} {p95:8.1f} {queries:8d} {status:>6}"
    )
    _build(codes[1:], args.proposals - share, seed=9)
    build = time.perf_counter() - started
    label = f"{len(codes)} programmes, {Proposal.objects.count()} proposals"
    for name, path in (
        ("/ministere/", "/ministere/"),
        ("CSV", "/ministere/programmes.csv"),
        ("Excel", "/ministere/programmes.xlsx"),
    ):
        p50, p95, queries, status = _measure(client, path, runs)
        print(f"{label:44} {name:14} {p50:8.1f} {p95:8.1f} {queries:8d} {status:>6}")
    print(
        f"({YEARS} fiscal years and {CALLS} calls of {len(STREAMS)} streams per programme; "
        f"one proposal in ten funded; set-up {build:.1f} s; {runs} requests per page)"
    )
    # The dataset is a ledger like any other: its entries must verify.
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("ledger_verify", stdout=out)
    except SystemExit as exc:
        print(f"ledger_verify: {out.getvalue().strip()}")
        return int(exc.code or 1)
    print(f"ledger_verify: {out.getvalue().strip().splitlines()[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
