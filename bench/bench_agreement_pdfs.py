"""Agreement documents: how long issuing a PDF takes, to decide whether the
demo renders them while loading or when each is first opened.

Loads the demo into a scratch database (SQLite in a temporary folder, or
BENCH_DATABASE_URL) with its private store in a temporary folder, then
issues the document of every agreement of the demo's first call (20
agreements, each a different shape: one to three fiscal years, two to four
payments), in French, then again in English, and prints median and worst
per document beside a plain baseline: the same template rendered to HTML
only (what a page costs without WeasyPrint). Load time of the demo is
printed too. Nothing is asserted.

    python bench/bench_agreement_pdfs.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    folder = tempfile.mkdtemp(prefix="solidaire-bench-pdf-")
    os.environ.setdefault(
        "DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    )
    os.environ["PRIVATE_MEDIA_ROOT"] = f"{folder}/private"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidaire.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.template.loader import render_to_string
    from django.utils import translation

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("load_demo", verbosity=0)
    print(f"load_demo: {time.perf_counter() - started:.2f} s")

    from solidaire.agreements.documents import (
        _document_context,
        agreement_document_get,
        agreement_version_current,
    )
    from solidaire.agreements.models import Agreement

    agreements = list(
        Agreement.objects.filter(
            proposal__call__number=1, proposal__call__programme__slug__startswith="capitale"
        ).select_related("proposal")
    )
    if not agreements:
        agreements = list(Agreement.objects.filter(proposal__call__number=1))
    versions = [agreement_version_current(a) for a in agreements]
    for language in ("fr", "en"):
        html_times, pdf_times, sizes = [], [], []
        for version in versions:
            with translation.override(language):
                t = time.perf_counter()
                render_to_string("pdf/agreement.html", _document_context(version, language))
                html_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            document = agreement_document_get(version=version, language=language)
            pdf_times.append(time.perf_counter() - t)
            sizes.append(document.size)
        print(
            f"{language}: {len(versions)} documents issued in {sum(pdf_times):.2f} s; "
            f"per document median {statistics.median(pdf_times) * 1000:.0f} ms, "
            f"worst {max(pdf_times) * 1000:.0f} ms, {statistics.median(sizes) // 1024} KiB median; "
            f"baseline HTML only median {statistics.median(html_times) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
