"""File names as sent, made safe to store, show and download."""

from __future__ import annotations

import pytest

from solidaire.documents.names import safe_filename


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\lettre.pdf", "lettre.pdf"),
        ("/var/www/../lettre.pdf", "lettre.pdf"),
        ("..", "document"),
        ("", "document"),
        (".pdf", "pdf"),
        ("lettre\x00\x1b[31m\n\r\t.pdf", "lettre[31m.pdf"),
        ("facture\u202efdp.exe", "facturefdp.exe"),
        ("Résolution du CA.PDF", "Résolution du CA.pdf"),
        ('a:b*c?"d|e.pdf', "a_b_c__d_e.pdf"),
        # A slash is a folder separator, whatever surrounds it.
        ("<script>alert(1)</script>.pdf", "script>.pdf"),
        # Markup without one is kept as text, to be escaped where it is shown.
        ("<img src=x onerror=alert(1)>.pdf", "<img src=x onerror=alert(1)>.pdf"),
    ],
)
def test_names_lose_folders_and_invisible_characters(sent: str, kept: str) -> None:
    assert safe_filename(sent) == kept


def test_a_long_name_is_capped_keeping_its_extension() -> None:
    name = safe_filename("x" * 300 + ".docx")
    assert len(name) == 150
    assert name.endswith(".docx")


def test_a_long_name_without_extension_is_capped() -> None:
    assert len(safe_filename("y" * 300)) == 150


def test_the_extension_of_the_content_replaces_a_wrong_one() -> None:
    assert safe_filename("lettre.docx", extension=".pdf") == "lettre.pdf"
    assert safe_filename("lettre", extension=".pdf") == "lettre.pdf"
    assert safe_filename("lettre.PDF", extension=".pdf") == "lettre.pdf"
