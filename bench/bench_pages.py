"""Page benchmark: median and p95 time and SQL queries per page, on a dataset
ten times larger than the demo.

The demo is loaded into a scratch database (SQLite in a temporary folder, or
the database named by BENCH_DATABASE_URL), then call 1 is copied nine times
as further calls (690 proposals in all, with their reviews, agreements and
scheduled payments), so that every list the roles see is ten times longer.
Each page is requested through Django's test client, signed in as the role
that sees it; figures are printed, nothing is asserted.

    python bench/bench_pages.py [--runs 20]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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
    call_command("load_demo", verbosity=0)


def _multiply(copies: int) -> None:
    """Copy call 1 (proposals, reviews, agreements, payments) ``copies`` times."""
    from django.db import transaction

    from solidaire.agreements.models import Agreement, Payment
    from solidaire.applications.models import Proposal, RequestedAmount
    from solidaire.calls.models import Call
    from solidaire.reviews.models import Review

    call1 = Call.objects.get(programme__region__code="03", number=1)
    proposals = list(Proposal.objects.filter(call=call1))
    amounts = list(RequestedAmount.objects.filter(proposal__call=call1))
    reviews = list(Review.objects.filter(proposal__call=call1))
    agreements = list(Agreement.objects.filter(proposal__call=call1))
    payments = list(Payment.objects.filter(agreement__proposal__call=call1))
    with transaction.atomic():
        for k in range(2, copies + 2):
            call = Call.objects.create(
                programme=call1.programme,
                number=100 + k,
                title=f"{call1.title} ({k})",
                published=True,
                opens_at=call1.opens_at,
                closes_at=call1.closes_at,
            )
            new_of: dict[int, Proposal] = {}
            for original in proposals:
                old = original.pk
                p = copy.copy(original)
                p.pk = None
                p.call = call
                p.reference = f"B{k}-{p.reference}"
                p.commitment = None
                p.status = Proposal.Status.SUBMITTED if p.status != "draft" else p.status
                new_of[old] = p
            Proposal.objects.bulk_create(new_of.values())
            RequestedAmount.objects.bulk_create(
                RequestedAmount(
                    proposal=new_of[a.proposal_id], fiscal_year_id=a.fiscal_year_id, amount=a.amount
                )
                for a in amounts
            )
            Review.objects.bulk_create(
                Review(
                    proposal=new_of[r.proposal_id],
                    evaluator_id=r.evaluator_id,
                    status=Review.Status.ASSIGNED,
                )
                for r in reviews
            )
            agreement_of: dict[int, Agreement] = {}
            for a in agreements:
                old = a.pk
                agreement_of[old] = Agreement(
                    proposal=new_of[a.proposal_id],
                    number=f"B{k}-{a.number}",
                    issued_on=a.issued_on,
                    ends_on=a.ends_on,
                )
            Agreement.objects.bulk_create(agreement_of.values())
            Payment.objects.bulk_create(
                Payment(
                    agreement=agreement_of[pay.agreement_id],
                    sequence=pay.sequence,
                    fiscal_year_id=pay.fiscal_year_id,
                    due_on=pay.due_on,
                    amount=pay.amount,
                    condition=pay.condition,
                )
                for pay in payments
            )


def _measure(runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from solidaire.accounts.models import User
    from solidaire.applications.models import Proposal
    from solidaire.calls.models import Call

    call1 = Call.objects.get(programme__region__code="03", number=1)
    slug = call1.programme.slug
    own = Proposal.objects.filter(organisation__members__username="organisme").first()
    pages = [
        ("public home", None, "/"),
        ("public results of call 1", None, f"/appels/{slug}/1/resultats/"),
        ("public calls", None, "/appels/"),
        ("public call 2", None, f"/appels/{slug}/2/"),
        ("public call 2 deadline (.ics)", None, f"/appels/{slug}/2/echeance.ics"),
        ("API programmes", None, "/api/v1/programmes/"),
        ("coordinator home", "coordination", "/"),
        ("programme figures", "coordination", f"/programmes/{slug}/"),
        ("selection of call 1", "coordination", f"/appels/{slug}/1/selection/"),
        ("evaluator home", "evaluation", "/"),
        ("evaluator reviews", "evaluation", "/evaluations/"),
        ("trustee home", "fiduciaire", "/"),
        ("trustee payments", "fiduciaire", "/versements/"),
        ("applicant home", "organisme", "/"),
        ("applicant proposal", "organisme", f"/demandes/{own.pk}/" if own else "/"),
    ]
    print(
        f"dataset: {Proposal.objects.count()} proposals, "
        f"{Call.objects.count()} calls; {runs} requests per page"
    )
    print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'status':>6}")
    for name, username, path in pages:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        client.get(path)  # warm the template and URL caches
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"{name:32} {statistics.median(times):8.1f} {p95:8.1f} "
            f"{len(queries.captured_queries):8d} {response.status_code:>6}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--copies", type=int, default=9, help="extra copies of call 1")
    parser.add_argument("--quick", action="store_true", help="5 runs per page")
    args = parser.parse_args()
    started = time.perf_counter()
    _setup_database()
    _multiply(args.copies)
    print(f"setup: {time.perf_counter() - started:.1f} s")
    _measure(5 if args.quick else args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
