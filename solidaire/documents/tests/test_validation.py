"""The one validation path: type by content, size limits, zip containers
inspected without extraction, PDFs inspected with pypdf. Every file here is
made by the test (solidaire.testing.files)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

import pytest
from django.utils import translation

from solidaire.documents.validation import (
    DOCX,
    JPEG,
    ODS,
    ODT,
    PDF,
    PNG,
    XLSX,
    DocumentKind,
    UploadRefused,
    validate_upload,
)
from solidaire.testing import files


def named(content: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (files.pdf, "budget.pdf", PDF),
        (files.docx, "lettre.docx", DOCX),
        (files.xlsx, "budget.xlsx", XLSX),
        (files.odt, "statuts.odt", ODT),
        (files.ods, "budget.ods", ODS),
        (files.jpeg, "photo.jpg", JPEG),
        (files.png, "schema.png", PNG),
    ],
)
def test_accepted_documents_are_recognised_by_content(
    make: Callable[[], bytes], name: str, kind: DocumentKind
) -> None:
    content = make()
    upload = validate_upload(named(content, name))
    assert upload.kind is kind
    assert upload.content_type == kind.mime
    assert upload.name == name
    assert upload.size == len(content)
    assert upload.sha256 == hashlib.sha256(content).hexdigest()
    assert upload.content == content


def test_the_content_decides_the_type_and_the_extension_follows() -> None:
    upload = validate_upload(named(files.pdf(), "lettre.docx"))
    assert upload.kind is PDF
    assert upload.name == "lettre.pdf"


def test_jpeg_keeps_either_spelling_of_its_extension() -> None:
    assert validate_upload(named(files.jpeg(), "photo.JPEG")).name == "photo.jpeg"


@pytest.mark.parametrize(
    ("make", "name", "code", "reason"),
    [
        (files.pdf_with_javascript, "budget.pdf", "javascript", "JavaScript"),
        (files.pdf_with_hidden_javascript, "budget.pdf", "javascript", "JavaScript"),
        (files.pdf_with_open_action_javascript, "budget.pdf", "javascript", "JavaScript"),
        (files.pdf_with_launch_action, "budget.pdf", "launch", "lance un programme"),
        (files.pdf_with_embedded_file, "budget.pdf", "embedded_file", "fichiers intégrés"),
        (files.encrypted_pdf, "budget.pdf", "encrypted", "chiffré"),
        (files.broken_pdf, "budget.pdf", "unreadable", "PDF valide"),
        (files.elf_executable, "budget.pdf", "type", "type accepté"),
        (files.windows_executable, "budget.pdf", "type", "type accepté"),
        (files.svg, "logo.svg", "type", "type accepté"),
        (files.svg, "logo.png", "type", "type accepté"),
        (files.html, "page.pdf", "type", "type accepté"),
        (files.zip_bomb_docx, "lettre.docx", "zip_bomb", "bombe"),
        (files.docm, "lettre.docx", "macros", "macros"),
        (lambda: b"", "vide.pdf", "empty", "vide"),
        (lambda: b"just some words", "notes.pdf", "type", "type accepté"),
    ],
)
def test_bad_files_are_refused_in_french_naming_the_file_and_the_reason(
    make: Callable[[], bytes], name: str, code: str, reason: str
) -> None:
    with translation.override("fr"), pytest.raises(UploadRefused) as refused:
        validate_upload(named(make(), name))
    assert refused.value.code == code
    message = refused.value.messages[0]
    assert f"«\u00a0{name}\u00a0»" in message or f"“{name}”" in message
    assert reason in message


def test_refusals_are_translated_to_english() -> None:
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        validate_upload(named(files.pdf_with_javascript(), "budget.pdf"))
    assert refused.value.messages[0] == (
        "“budget.pdf” was refused: it contains JavaScript, which could run a program."
    )


def test_a_file_over_the_limit_is_refused_with_the_limit() -> None:
    content = files.pdf()
    with translation.override("fr"), pytest.raises(UploadRefused) as refused:
        validate_upload(named(content, "gros.pdf"), max_bytes=len(content) - 1)
    assert refused.value.code == "too_large"
    assert "gros.pdf" in refused.value.messages[0]
    # Exactly at the limit is accepted.
    assert validate_upload(named(content, "juste.pdf"), max_bytes=len(content)).size == len(content)


def test_the_default_limit_comes_from_the_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(UploadRefused) as refused:
        validate_upload(named(files.pdf(), "budget.pdf"))
    assert refused.value.code == "too_large"


class _Huge(io.BytesIO):
    """An upload that says it is huge and must not be read."""

    name = "huge.pdf"
    size = 10**12

    def read(self, *args: object) -> bytes:
        raise AssertionError("a file over the limit was read")


def test_a_declared_size_over_the_limit_is_refused_before_reading() -> None:
    with pytest.raises(UploadRefused) as refused:
        validate_upload(_Huge())
    assert refused.value.code == "too_large"


def test_an_accepted_type_outside_the_allowed_list_is_refused() -> None:
    with pytest.raises(UploadRefused) as refused:
        validate_upload(named(files.png(), "image.png"), allowed=[PDF])
    assert refused.value.code == "type"
    assert validate_upload(named(files.pdf(), "doc.pdf"), allowed=[PDF]).kind is PDF


def test_a_zip_bomb_is_refused_without_being_extracted(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def no_extraction(*args: object, **kwargs: object) -> None:
        raise AssertionError("the archive was extracted")

    import zipfile

    monkeypatch.setattr(zipfile.ZipFile, "extractall", no_extraction)
    monkeypatch.setattr(zipfile.ZipFile, "extract", no_extraction)
    bomb = files.zip_bomb_docx(megabytes=20)
    assert len(bomb) < 100_000
    with pytest.raises(UploadRefused) as refused:
        validate_upload(named(bomb, "lettre.docx"))
    assert refused.value.code == "zip_bomb"


def test_a_plain_zip_is_not_a_document() -> None:
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "bonjour")
    with pytest.raises(UploadRefused) as refused:
        validate_upload(named(buffer.getvalue(), "lettre.docx"))
    assert refused.value.code == "type"
