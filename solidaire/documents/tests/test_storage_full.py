# ruff: noqa: F401, F811  (the fixtures of the editor's tests are imported by name)
"""A disk that fills up while a document is stored: the person reads why
beside the file's field, the typed answers are kept, no row names a missing
file and nothing of the file stays on disk. The fault is real (see
``solidaire.testing.faults``): writes past a few bytes fail with EFBIG."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from solidaire.applications.models import Attachment, BudgetLine, Proposal
from solidaire.applications.tests.test_documents import (
    call,
    client_for,
    documents,
    draft,
    edit_url,
    owner,
    slot,
    stored_files,
    typed,
)
from solidaire.documents.storage import store
from solidaire.documents.validation import UploadRefused, validate_upload
from solidaire.testing.faults import DISK_ROOM_BYTES, disk_full, large_png

pytestmark = pytest.mark.django_db

FULL = "l&#x27;espace de stockage du serveur est plein. Votre brouillon est intact"


def test_the_store_removes_what_it_wrote_and_says_the_disk_is_full(private_media):  # type: ignore[no-untyped-def]
    file = io.BytesIO(large_png(2 * DISK_ROOM_BYTES))
    file.name = "photo.png"
    upload = validate_upload(file)

    with disk_full(), pytest.raises(UploadRefused) as refused:
        store(upload, folder="attachments")

    assert refused.value.code == "storage_full"
    assert stored_files(private_media) == []
    # The same file is stored once the disk has room again.
    name = store(upload, folder="attachments")
    assert (private_media / name).read_bytes() == upload.content


def test_the_editor_reports_a_full_disk_beside_the_slot_and_keeps_the_answers(  # type: ignore[no-untyped-def]
    draft, owner, documents, client_for, private_media
):
    picture = SimpleUploadedFile("local.png", large_png(2 * DISK_ROOM_BYTES))
    client = client_for(owner)

    with disk_full():
        response = client.post(
            edit_url(draft), typed(draft, **{slot(documents["photos"]): picture})
        )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Le document n&#x27;a pas pu être enregistré" in page
    assert FULL in page
    # The message is the slot's own error, and what was typed is still there.
    error = page.split(f'id="id_{slot(documents["photos"])}_error">', 1)[1].split("</p>")[0]
    assert FULL in error
    assert 'value="Cuisines collectives du quartier Saint-Roch"' in page
    assert not Attachment.objects.filter(proposal=draft).exists()
    assert stored_files(private_media) == []
    assert Proposal.objects.get(pk=draft.pk).title == "Cuisines collectives du quartier Saint-Roch"


def test_a_large_budget_file_that_cannot_be_kept_while_it_arrives_is_refused(  # type: ignore[no-untyped-def]
    draft, owner, client_for, settings, tmp_path
):
    # Past FILE_UPLOAD_MAX_MEMORY_SIZE, Django keeps the file in a temporary file.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    workbook = SimpleUploadedFile("budget.xlsx", b"PK" + b"\0" * (6 * 1024 * 1024))
    client = client_for(owner)

    with disk_full():
        response = client.post(
            reverse("applications:budget_import", args=[draft.pk]), {"workbook": workbook}
        )

    assert response.status_code == 400
    assert FULL in response.content.decode()
    assert not BudgetLine.objects.filter(proposal=draft).exists()
    assert list(Path(tmp_path).iterdir()) == []
