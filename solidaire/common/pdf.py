"""Documents the product issues as PDF: receipts, agreements, letters, minutes.

Every PDF is rendered from a Django template by WeasyPrint, so a document
reads like the page it comes from and is translated the same way. The PDF is
produced in the language active when the function is called; callers that
render for somebody else (a task e-mailing a receipt) activate that person's
language first.

The bytes are returned, never written here: the caller decides whether the
document is kept (an agreement as issued, with its SHA-256) or served once.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(
    template_name: str, context: dict[str, Any], *, base_url: str | None = None
) -> bytes:
    """The template rendered to a PDF document (A4, fonts embedded)."""
    # Imported here: WeasyPrint loads Pango through cffi, which costs a few
    # hundred milliseconds that pages without a PDF should not pay.
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    pdf = HTML(string=html, base_url=base_url).write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf returns bytes without a target
        raise RuntimeError("WeasyPrint returned no document")
    return bytes(pdf)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """A PDF served to its reader: opened in the browser, or downloaded."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
