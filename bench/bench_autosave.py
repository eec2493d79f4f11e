"""Autosave benchmark: the editor's autosave round trip through Django's test
client, median and p95 time and SQL queries per save, on drafts of several
shapes.

Each shape is a draft with 6 attached documents and N budget lines (a line
per category and description, an amount in each of the call's fiscal
years), the amounts drawn from a seeded generator; several seeds per shape.
Every save posts the whole page (answers, amounts, other funding and the
budget table) with the version the previous save returned, as the page
does. The baseline is the same autosave of a draft without a budget table.
Queries per save must not grow with the lines: the lines are replaced by
one delete and one bulk insert.

    python bench/bench_autosave.py [--runs 30] [--seeds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHAPES = [0, 10, 30, 60, 120]  # budget lines; 0 is the baseline
YEARS = [2, 3, 5]  # fiscal years of the call, one per seed in turn
DOCUMENTS = 6


def _setup_database() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        folder = tempfile.mkdtemp(prefix="solidaire-bench-")
        url = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidaire.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)


def _draft(lines: int, years: int, rng: random.Random) -> tuple[Any, Any, dict[str, str]]:
    """A draft with its documents, its owner, and the page's post with
    ``lines`` budget lines over ``years`` fiscal years."""
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    from solidaire.applications.models import Attachment, BudgetLine
    from solidaire.applications.views import _fiscal_years
    from solidaire.testing import factories as f

    programme = f.ProgrammeFactory(years=[Decimal("840000.00")] * years)
    call = f.CallFactory(
        programme=programme,
        opens_at=datetime(2020, 9, 1, 12, tzinfo=UTC),
        closes_at=timezone.now() + timedelta(days=30),
    )
    proposal = f.ProposalFactory(call=call, title="Cuisines collectives")
    user = f.OrganisationMemberFactory(organisation=proposal.organisation).user
    for index in range(DOCUMENTS):
        document = f.RequiredDocumentFactory(call=call, mandatory=True)
        Attachment.objects.create(
            proposal=proposal,
            document=document,
            stored_name=f"bench/{proposal.pk}-{index}.pdf",
            name=f"document-{index}.pdf",
            size=100_000,
        )
    fys = _fiscal_years(proposal)
    categories = list(BudgetLine.Category.values)
    data = {
        "title": "Cuisines collectives du quartier",
        "summary": "Des repas préparés ensemble. " * 40,
        "scope": "local",
        "territories": str(f.territory("2434").pk),
        "poverty_participation": "Un comité de participantes anime les ateliers. " * 30,
        "partners": "CIUSSS, Ville, Centraide",
        "starts_on": "2021-04-01",
        "ends_on": "2023-03-31",
        "total_cost": "400 000",
        f"requested_{fys[0].pk}": "24 000,00 $",
        "funding-TOTAL_FORMS": "1",
        "funding-INITIAL_FORMS": "0",
        "funding-0-source": "Centraide",
        "funding-0-amount": "5 000",
    }
    if lines:
        data["budget-TOTAL_FORMS"] = str(lines)
        data["budget-INITIAL_FORMS"] = "0"
        for i in range(lines):
            data[f"budget-{i}-category"] = rng.choice(categories)
            data[f"budget-{i}-description"] = f"Ligne {i}"
            for fy in fys:
                data[f"budget-{i}-amount_{fy.pk}"] = (
                    f"{rng.randrange(0, 50_000)} {rng.randrange(100):02d}"
                )
    return proposal, user, data


def _measure(runs: int, seeds: int) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from solidaire.applications.models import BudgetLine

    print(
        f"{DOCUMENTS} documents per draft; {runs} saves per draft; "
        f"{seeds} seeds per shape (fiscal years {', '.join(map(str, YEARS[:seeds]))})"
    )
    print(
        f"{'budget lines':>12} {'p50 ms':>8} {'p95 ms':>8} {'worst ms':>9} "
        f"{'queries':>8} {'lines stored':>13}"
    )
    for lines in SHAPES:
        times: list[float] = []
        query_counts: set[int] = set()
        stored = 0
        for seed in range(seeds):
            rng = random.Random(seed * 1000 + lines)
            proposal, user, data = _draft(lines, YEARS[seed % len(YEARS)], rng)
            client = Client()
            client.force_login(user)
            url = reverse("applications:autosave", args=[proposal.pk])
            proposal.refresh_from_db()
            data["version"] = proposal.updated_at.isoformat()
            for run in range(runs + 1):
                data["title"] = f"Cuisines collectives, version {run}"
                # The query log is a bounded deque: emptied so that each
                # capture counts only its own save.
                reset_queries()
                start = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    response = client.post(url, data)
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, response.content
                data["version"] = response.json()["version"]
                if run:  # the first save warms the caches
                    times.append(elapsed)
                    query_counts.add(len(queries.captured_queries))
            stored += BudgetLine.objects.filter(proposal=proposal).count()
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        label = f"{lines}" if lines else "0 (baseline)"
        print(
            f"{label:>12} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:9.1f} "
            f"{'/'.join(map(str, sorted(query_counts))):>8} {stored // seeds:>13}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5 saves per draft")
    args = parser.parse_args()
    _setup_database()
    _measure(5 if args.quick else args.runs, max(1, min(args.seeds, len(YEARS))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
