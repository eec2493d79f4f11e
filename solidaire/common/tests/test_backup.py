"""``backup`` and ``restore``: the demo goes out and comes back with every
row and every private file; a truncated or altered archive is refused before
anything is written."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from solidaire.common.backup import private_file_names
from solidaire.documents.storage import private_storage
from solidaire.testing import factories as f

NOT_COMPARED = {"contenttypes.ContentType", "auth.Permission"}


def every_row() -> dict[str, list[dict]]:
    rows = {}
    for model in apps.get_models():
        if model._meta.label in NOT_COMPARED or model._meta.proxy:
            continue
        rows[model._meta.label] = serializers.serialize(
            "python", model._default_manager.order_by("pk"), use_natural_foreign_keys=True
        )
    return rows


def every_file() -> dict[str, bytes]:
    storage = private_storage()
    files = {}
    for name in private_file_names(storage):
        with storage.open(name, "rb") as stored:
            files[name] = stored.read()
    return files


@pytest.fixture
def demo_archive(transactional_db, tmp_path):  # type: ignore[no-untyped-def]
    call_command("load_demo", verbosity=0)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    return archive


@pytest.fixture
def small_archive(transactional_db, tmp_path):  # type: ignore[no-untyped-def]
    """A user and one private file: enough for the refusals, quicker than the demo."""
    f.UserFactory()
    private_storage().save("proposals/letter.pdf", ContentFile(b"%PDF-1.4 letter of support"))
    archive = tmp_path / "small.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    return archive


def test_backup_then_restore_into_an_empty_database_gives_back_every_row_and_file(
    demo_archive, private_media
):
    rows_before, files_before = every_row(), every_file()
    assert files_before, "the demo stores documents"
    assert sum(len(r) for r in rows_before.values()) > 1000

    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(private_media)
    private_media.mkdir()
    assert every_file() == {}
    call_command("restore", str(demo_archive), stdout=io.StringIO())

    rows_after = every_row()
    for label, rows in rows_before.items():
        assert len(rows_after[label]) == len(rows), label
        for before, after in zip(rows, rows_after[label], strict=True):
            differing = {
                name: (value, after["fields"].get(name))
                for name, value in before["fields"].items()
                if after["fields"].get(name) != value
            }
            assert (after["pk"], differing) == (before["pk"], {}), label
    assert every_file() == files_before


def _rewrite(archive: Path, target: Path, change) -> None:  # type: ignore[no-untyped-def]
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for info in source:
            data = source.extractfile(info).read()  # type: ignore[union-attr]
            data = change(info.name, data)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def test_restore_refuses_an_altered_file_and_writes_nothing(small_archive, tmp_path):
    altered = tmp_path / "altered.tar.gz"

    def change(name: str, data: bytes) -> bytes:
        return data + b"%tampered" if name.startswith("files/") else data

    _rewrite(small_archive, altered, change)
    call_command("flush", interactive=False, verbosity=0)

    with pytest.raises(CommandError, match=r"does not match its manifest \(altered: files/"):
        call_command("restore", str(altered))
    assert not apps.get_model("accounts", "User").objects.exists()


def test_restore_refuses_an_altered_database_dump(small_archive, tmp_path):
    altered = tmp_path / "altered.tar.gz"

    def change(name: str, data: bytes) -> bytes:
        return (
            data.replace(b'"is_superuser": false', b'"is_superuser": true', 1)
            if name == "database.json"
            else data
        )

    _rewrite(small_archive, altered, change)

    with pytest.raises(CommandError, match=r"altered: database.json"):
        call_command("restore", str(altered), check=True)


def test_restore_refuses_a_truncated_archive(small_archive, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    data = small_archive.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])

    with pytest.raises(CommandError, match=r"is damaged or truncated \(.*\); nothing was restored"):
        call_command("restore", str(truncated))


def test_restore_refuses_to_load_over_a_database_in_use(small_archive):
    with pytest.raises(CommandError, match="already has accounts"):
        call_command("restore", str(small_archive))


def test_the_manifest_lists_every_member_with_its_checksum(small_archive):
    with tarfile.open(small_archive, "r:gz") as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]

    assert sorted(manifest["members"]) == sorted(n for n in names if n != "manifest.json")
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())
