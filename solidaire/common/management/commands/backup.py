"""``manage.py backup DEST``: the database and the private files in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from solidaire.common.backup import backup_write


class Command(BaseCommand):
    help = (
        "Write a backup archive (.tar.gz) of every database row and every private file, "
        "with a manifest of SHA-256 checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "destination", help="the archive to write, e.g. backups/2026-04-01.tar.gz"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = backup_write(destination=Path(options["destination"]))
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {summary.path}: the database and {summary.files} files "
                f"({summary.bytes} bytes)."
            )
        )
