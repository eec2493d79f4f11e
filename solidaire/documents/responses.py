"""Sending a stored file back, to a person a view has already checked."""

from __future__ import annotations

from django.http import FileResponse

from solidaire.documents.storage import private_storage


def attachment_response(*, stored_name: str, filename: str, content_type: str) -> FileResponse:
    """The stored file as a download named ``filename``.

    Always ``Content-Disposition: attachment`` and ``nosniff``, so that a
    browser never renders an upload as a page of this site, whatever it
    holds; never cached by shared caches; sandboxed should it be opened.
    """
    response = FileResponse(
        private_storage().open(stored_name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
