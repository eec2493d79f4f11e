from io import BytesIO

from django.utils import translation
from pypdf import PdfReader

from solidaire.common.pdf import pdf_response, render_pdf, sha256_hex


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_a_template_renders_to_a_pdf_whose_text_can_be_read(tmp_path, settings):
    (tmp_path / "doc.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}<h1>Reçu {{ amount }}</h1>{% endblock %}',
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    with translation.override("fr"):
        pdf = render_pdf("doc.html", {"amount": "1 200 000,00 $"})
    assert pdf.startswith(b"%PDF-")
    assert "Reçu 1 200 000,00 $" in _text(pdf)


def test_the_response_is_a_pdf_that_is_not_sniffed():
    response = pdf_response(b"%PDF-1.7 x", "recu.pdf", inline=False)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="recu.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_fingerprint_is_the_sha256_of_the_bytes():
    assert sha256_hex(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
