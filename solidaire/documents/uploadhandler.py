"""Stop keeping an uploaded file once it passes the per-file limit.

Django keeps every uploaded file whole (in memory or in a temporary file)
before any view runs. This handler, first in ``FILE_UPLOAD_HANDLERS``,
passes the data on to the usual handlers only up to ``UPLOAD_MAX_BYTES``;
past it, the rest of the file is read from the request and dropped, and the
view receives an empty stand-in that tells the file's name and how much of
it was seen. ``validate_upload`` refuses that stand-in for its size, like
any file over the limit: the one path gives the one message. The other
fields of the form are parsed as usual, so nothing typed is lost.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from solidaire.documents.validation import max_upload_bytes


class OversizedUpload(UploadedFile):
    """An upload larger than the limit: its name and size, none of its content."""

    def __init__(self, name: str, size: int, content_type: str | None) -> None:
        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=size)


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0
        self.over = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        if self.seen > max_upload_bytes():
            # The handlers after this one get nothing more of this file.
            self.over = True
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.over:
            return None  # the next handler holds the whole file
        return OversizedUpload(self.file_name or "", self.seen, self.content_type)
