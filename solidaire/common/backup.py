"""Backups: the whole database and every private file in one archive.

The archive is a gzipped tar holding ``database.json`` (every row under its
own id, in Django's serialization; the content types and permissions rows
point to are named by natural key, so it loads into any freshly migrated
database, SQLite or PostgreSQL alike), the private files under
``files/`` with their stored names, and ``manifest.json``: the SHA-256 and
size of every other member. ``restore`` reads the whole archive and checks
every checksum before it writes anything: a truncated or altered archive is
refused with a message that says so, and the database and files are left
as they were.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.management import call_command
from django.db import connection, transaction

from solidaire.documents.storage import private_storage

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.json"
FILES = "files/"
# Rows every migrated database makes for itself, under ids of its own; the
# other rows name them by natural key.
EXCLUDED = ["contenttypes", "auth.permission"]


class BackupRefused(Exception):
    """The archive cannot be restored; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    files: int
    bytes: int


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def private_file_names(storage: Storage, folder: str = "") -> list[str]:
    """Every stored name under ``folder``, through the storage's own API (a
    folder on disk or a bucket alike)."""
    folders, files = storage.listdir(folder)
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names.extend(private_file_names(storage, f"{folder}{sub}/"))
    return sorted(names)


def _add(archive: tarfile.TarFile, name: str, data: bytes, manifest: dict[str, dict]) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))
    manifest[name] = {"sha256": _sha256(data), "size": len(data)}


def backup_write(*, destination: Path) -> BackupSummary:
    """Write the archive to ``destination`` (replaced only once complete)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    storage = private_storage()
    manifest: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DATABASE
        # One transaction: the rows are read from one snapshot (on
        # PostgreSQL), so a proposal and its budget lines agree.
        with transaction.atomic():
            call_command(
                "dumpdata",
                exclude=EXCLUDED,
                natural_foreign=True,
                natural_primary=False,
                format="exactjson",
                output=str(dump),
                verbosity=0,
            )
        partial = destination.with_name(destination.name + ".partial")
        total = 0
        with tarfile.open(partial, "w:gz") as archive:
            data = dump.read_bytes()
            _add(archive, DATABASE, data, manifest)
            total += len(data)
            names = private_file_names(storage)
            for name in names:
                with storage.open(name, "rb") as stored:
                    data = stored.read()
                _add(archive, FILES + name, data, manifest)
                total += len(data)
            header = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(),
                "database_vendor": connection.vendor,
                "members": manifest,
            }
            _add(archive, MANIFEST, json.dumps(header, indent=1).encode(), {})
        os.replace(partial, destination)
    return BackupSummary(path=destination, files=len(names), bytes=total)


def backup_read(*, source: Path) -> tuple[dict, dict[str, bytes]]:
    """Every member of the archive, checked against the manifest."""
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(source, "r:gz") as archive:
            for info in archive:
                if not info.isfile():
                    raise BackupRefused(f"The archive holds {info.name!r}, which is not a file.")
                extracted = archive.extractfile(info)
                if extracted is None:
                    raise BackupRefused(f"The archive's member {info.name!r} cannot be read.")
                members[info.name] = extracted.read()
    except FileNotFoundError as exc:
        raise BackupRefused(f"There is no archive at {source}.") from exc
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupRefused(
            f"The archive {source} is damaged or truncated ({exc}); nothing was restored."
        ) from exc
    if MANIFEST not in members:
        raise BackupRefused("The archive has no manifest; nothing was restored.")
    try:
        manifest = json.loads(members.pop(MANIFEST))
        expected = manifest["members"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupRefused("The archive's manifest cannot be read; nothing was restored.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupRefused(f"The archive's format {manifest.get('format')!r} is not {FORMAT}.")
    missing = sorted(set(expected) - set(members))
    extra = sorted(set(members) - set(expected))
    altered = sorted(
        name
        for name, data in members.items()
        if name in expected
        and (_sha256(data) != expected[name]["sha256"] or len(data) != expected[name]["size"])
    )
    if missing or extra or altered:
        details = "; ".join(
            f"{label}: {', '.join(names[:5])}"
            for label, names in (
                ("missing", missing),
                ("not in the manifest", extra),
                ("altered", altered),
            )
            if names
        )
        raise BackupRefused(
            f"The archive does not match its manifest ({details}); nothing was restored."
        )
    if DATABASE not in members:
        raise BackupRefused("The archive has no database dump; nothing was restored.")
    return manifest, members


def backup_restore(*, source: Path) -> BackupSummary:
    """Load an archive into an empty, migrated database and its private store.

    Everything is checked before anything is written; the rows load in one
    transaction, and the files are written only once the rows are in.
    """
    from solidaire.accounts.models import User

    _manifest, members = backup_read(source=source)
    if User.objects.exists():
        raise BackupRefused(
            "The database already has accounts: restore into an empty database "
            "(create it, run `manage.py migrate`, then restore)."
        )
    storage = private_storage()
    with tempfile.TemporaryDirectory() as work:
        # loaddata tells the format by the file's extension.
        dump = Path(work) / "database.exactjson"
        dump.write_bytes(members.pop(DATABASE))
        with transaction.atomic():
            call_command("loaddata", str(dump), verbosity=0)
    total = 0
    for name, data in sorted(members.items()):
        stored_name = name.removeprefix(FILES)
        if storage.exists(stored_name):
            storage.delete(stored_name)
        saved = storage.save(stored_name, ContentFile(data))
        if saved != stored_name:
            raise BackupRefused(f"The file {stored_name} could not be written under its name.")
        total += len(data)
    return BackupSummary(path=source, files=len(members), bytes=total)
