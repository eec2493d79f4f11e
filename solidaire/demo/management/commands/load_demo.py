"""``manage.py load_demo``: the Capitale-Nationale programme, ready to walk,
beside a smaller one in Chaudière-Appalaches."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from solidaire.common.money import format_money
from solidaire.demo.builder import DEFAULT_SEED, DemoError, demo_load
from solidaire.demo.data import DEMO_PASSWORD, PROGRAMME_SLUG
from solidaire.programmes.models import Programme


class Command(BaseCommand):
    help = (
        "Load the Capitale-Nationale demo: the programme of the press release (4 200 000,00 $ "
        "over 5 fiscal years), call 1 decided by the selection engine (69 proposals, "
        "20 organisations, 1 200 000,00 $) with agreements and payments, and call 2 open; "
        "and a smaller programme in Chaudière-Appalaches whose first call is decided. "
        "Dates are shifted by whole years so that today falls in autumn 2020 of the story, "
        "unless --historical is given. Creates demo accounts whose password is "
        f"'{DEMO_PASSWORD}'."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--historical",
            action="store_true",
            help="Keep the real dates (work plan 2018-2023, call 2 in autumn 2020).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when a programme already exists (for make run).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Seed of the fictional data (default {DEFAULT_SEED}); the same seed gives "
            "the same demo.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Programme.objects.exists():
            if options["if_empty"]:
                self.stdout.write("A programme already exists; the demo was not loaded.")
                return
            if Programme.objects.filter(slug=PROGRAMME_SLUG).exists():
                raise CommandError(
                    "The demo is already loaded; start from an empty database to load it again."
                )
        started = time.perf_counter()

        def log(message: str) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {time.perf_counter() - started:5.1f} s  {message}")

        try:
            summary = demo_load(historical=options["historical"], seed=options["seed"], log=log)
        except DemoError as exc:
            raise CommandError(f"The demo is inconsistent: {exc}") from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.programme.name}: call 1 received {summary.proposals_received} "
                f"proposals, funded {summary.organisations_funded} organisations for "
                f"{format_money(summary.committed, 'fr')}; call 2 closes "
                f"{summary.call2.closes_at:%Y-%m-%d}. Loaded in {elapsed:.1f} s."
            )
        )
        second = summary.second
        if second is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{second.programme.name}: call 1 received {second.proposals_received} "
                    f"proposals, funded {second.organisations_funded} organisations for "
                    f"{format_money(second.committed, 'fr')}."
                )
            )
        self.stdout.write(f"Demo accounts (password « {DEMO_PASSWORD} »):")
        for username, role in summary.accounts:
            self.stdout.write(f"  {username:<14} {role}")
