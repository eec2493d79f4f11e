"""``manage.py ledger_verify``: recompute the ledger from its entries and
check every invariant; exit 1 naming each mismatch."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from solidaire.agreements.verify import payments_verify
from solidaire.ledger.verify import ledger_verify


class Command(BaseCommand):
    help = (
        "Recompute every balance of the ledger from its entries and check every invariant "
        "(per fiscal year, stream, sub-envelope, commitment and payment). Prints each "
        "mismatch and exits with status 1 when there is any; 0 when the ledger is sound."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        result = ledger_verify()
        mismatches = [*result.mismatches, *payments_verify()]
        elapsed = time.perf_counter() - start
        for mismatch in mismatches:
            self.stderr.write(str(mismatch))
        summary = _(
            "%(entries)s entries, %(commitments)s commitments, %(years)s fiscal years "
            "verified in %(seconds).2f s: %(count)s mismatch(es)."
        ) % {
            "entries": result.entries,
            "commitments": result.commitments,
            "years": result.fiscal_years,
            "seconds": elapsed,
            "count": len(mismatches),
        }
        if mismatches:
            self.stderr.write(summary)
            sys.exit(1)
        self.stdout.write(summary)
