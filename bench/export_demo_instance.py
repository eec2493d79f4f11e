"""Export the demo's call 1 as the selection engine sees it: workload W1.

Loads the demo into a scratch SQLite database (``manage.py migrate`` then
``manage.py load_demo``) and writes the instance the application stored on
call 1's adopted scenario — built by ``scenario_instance_for_call`` before the
decision moved the proposals to funded/declined — to
``bench/data/w1-demo-call1.json``.

    DATABASE_URL=sqlite:////tmp/w1.sqlite3 python bench/export_demo_instance.py [--keep-db]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "data" / "w1-demo-call1.json"
DEFAULT_DB = "/tmp/w1.sqlite3"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=OUT)
    parser.add_argument(
        "--keep-db", action="store_true", help="reuse the database if the demo is loaded"
    )
    args = parser.parse_args()
    url = os.environ.setdefault("DATABASE_URL", f"sqlite:///{DEFAULT_DB}")
    if not url.startswith("sqlite:"):
        print(f"refusing to load the demo into {url}: use a scratch SQLite file", file=sys.stderr)
        return 2
    path = url.removeprefix("sqlite:///")
    if not args.keep_db and path and Path(path).exists():
        Path(path).unlink()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidaire.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from solidaire.calls.models import Call
    from solidaire.selection.models import Scenario

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", "--if-empty", verbosity=0)
    call1 = Call.objects.get(programme__region__code="03", number=1)
    scenarios = list(Scenario.objects.filter(call=call1).order_by("pk"))
    # The adopted scenario (the decision) — else the last one — was built
    # before the decision, while every proposal of call 1 was still selectable.
    adopted = [s for s in scenarios if s.decisions.exists()]
    chosen = (adopted or scenarios)[-1]
    instance = chosen.instance
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(instance, ensure_ascii=False, indent=1) + "\n")
    print(
        f"call 1 scenario {chosen.pk} « {chosen.name} »: {len(instance['proposals'])} proposals, "
        f"{len(instance['pools'])} pools, {len(instance['fiscal_years'])} fiscal years "
        f"-> {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
