"""The private store: outside every served folder, random names, no URL,
and downloads that a browser never renders."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings

from solidaire import settings as project_settings
from solidaire.documents.responses import attachment_response
from solidaire.documents.storage import (
    PrivateFileSystemStorage,
    discard,
    private_storage,
    store,
)
from solidaire.documents.validation import validate_upload
from solidaire.testing import files


def upload(name: str = "Lettre d'appui.pdf") -> object:
    file = io.BytesIO(files.pdf())
    file.name = name
    return validate_upload(file)


def test_the_default_private_root_is_var_private_outside_static_and_media() -> None:
    root = Path(project_settings.PRIVATE_MEDIA_ROOT).resolve()
    assert root == (project_settings.BASE_DIR / "var" / "private").resolve()
    assert not root.is_relative_to(Path(project_settings.MEDIA_ROOT).resolve())
    assert not root.is_relative_to(Path(project_settings.STATIC_ROOT).resolve())
    assert project_settings.STORAGES["private"]["OPTIONS"]["location"] == root
    # Not a folder of the static files either.
    for folder in getattr(project_settings, "STATICFILES_DIRS", []):
        assert not root.is_relative_to(Path(folder).resolve())


def test_tests_store_in_a_temporary_folder(private_media: Path) -> None:
    storage = private_storage()
    assert isinstance(storage, PrivateFileSystemStorage)
    assert Path(storage.location) == private_media
    assert not private_media.resolve().is_relative_to(settings.BASE_DIR.resolve())


def test_files_are_stored_under_random_names_with_their_content(private_media: Path) -> None:
    first = store(upload(), folder="attachments")  # type: ignore[arg-type]
    second = store(upload(), folder="attachments")  # type: ignore[arg-type]
    assert first != second
    for name in (first, second):
        assert re.fullmatch(r"attachments/[0-9a-f]{32}\.pdf", name)
        assert "appui" not in name
        assert (private_media / name).read_bytes() == files.pdf()
    discard(first)
    assert not (private_media / first).exists()


def test_private_files_have_no_url() -> None:
    name = store(upload(), folder="attachments")  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError):
        private_storage().url(name)


def test_the_storage_never_falls_back_to_media_root(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PRIVATE_MEDIA_ROOT = "/tmp/solidaire-private-check"
    assert PrivateFileSystemStorage().location == "/tmp/solidaire-private-check"


def test_downloads_are_attachments_that_are_never_sniffed() -> None:
    name = store(upload(), folder="attachments")  # type: ignore[arg-type]
    response = attachment_response(
        stored_name=name, filename="Lettre d'appui.pdf", content_type="application/pdf"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Lettre" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == files.pdf()  # type: ignore[arg-type]
    response.file_to_stream.close()  # type: ignore[union-attr]


def test_a_file_past_the_limit_is_dropped_while_it_arrives(settings) -> None:  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    from solidaire.documents.uploadhandler import OversizedUpload, SizeLimitUploadHandler
    from solidaire.documents.validation import UploadRefused

    settings.UPLOAD_MAX_BYTES = 100
    handler = SizeLimitUploadHandler(RequestFactory().post("/"))
    handler.new_file("document_1", "gros.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    # Past the limit, the handlers after this one receive nothing more.
    assert handler.receive_data_chunk(b"x" * 60, 60) is None
    assert handler.receive_data_chunk(b"x" * 60, 120) is None
    stand_in = handler.file_complete(180)
    assert isinstance(stand_in, OversizedUpload)
    assert stand_in.size == 180
    assert stand_in.read() == b""
    with pytest.raises(UploadRefused) as refused:
        validate_upload(stand_in)
    assert refused.value.code == "too_large"
    assert "gros.pdf" in refused.value.messages[0]


def test_a_file_within_the_limit_is_left_to_the_usual_handlers(settings) -> None:  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    from solidaire.documents.uploadhandler import SizeLimitUploadHandler

    settings.UPLOAD_MAX_BYTES = 100
    handler = SizeLimitUploadHandler(RequestFactory().post("/"))
    handler.new_file("document_1", "petit.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(b"x" * 100, 0) == b"x" * 100
    assert handler.file_complete(100) is None
