"""``manage.py restore SRC``: an archive of ``backup`` back into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solidaire.common.backup import BackupRefused, backup_read, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty, migrated database and the private store, "
        "after checking every member against the manifest. --check only checks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="the archive written by manage.py backup")
        parser.add_argument(
            "--check", action="store_true", help="check the archive only; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"])
        try:
            if options["check"]:
                manifest, members = backup_read(source=source)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{source} is whole: {len(members)} members match the manifest of "
                        f"{manifest['created_at']}."
                    )
                )
                return
            summary = backup_restore(source=source)
        except BackupRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {source}: the database and {summary.files} files ({summary.bytes} bytes)."
            )
        )
