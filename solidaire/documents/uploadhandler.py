"""Stop keeping an uploaded file once it passes the per-file limit.

Django keeps every uploaded file whole (in memory or in a temporary file)
before any view runs. This handler, first in ``FILE_UPLOAD_HANDLERS``,
passes the data on to the usual handlers only up to ``UPLOAD_MAX_BYTES``;
past it, the rest of the file is read from the request and dropped, and the
view receives an empty stand-in that tells the file's name and how much of
it was seen. ``validate_upload`` refuses that stand-in for its size, like
any file over the limit: the one path gives the one message. The other
fields of the form are parsed as usual, so nothing typed is lost.

A large file is kept in a temporary file while it arrives; when the server
cannot write it (a full disk), :class:`TemporaryFileOrErrorUploadHandler`
drops what it wrote and hands the view a stand-in carrying the system's
error, which ``validate_upload`` turns into the "could not be saved"
refusal instead of a server error, the typed answers kept as above.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler

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


class UnwrittenUpload(UploadedFile):
    """An upload the server could not keep: its name, size and the error."""

    def __init__(self, name: str, size: int, content_type: str | None, error: OSError) -> None:
        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=size)
        self.storage_error = error


class TemporaryFileOrErrorUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.error: OSError | None = None
        self.seen = 0
        try:
            super().new_file(*args, **kwargs)
        except OSError as error:
            self.error = error

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        if self.error is None:
            try:
                super().receive_data_chunk(raw_data, start)
            except OSError as error:
                self._give_up(error)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.error is None:
            try:
                return super().file_complete(file_size)  # type: ignore[no-any-return]
            except OSError as error:  # the last buffered part, written now
                self._give_up(error)
        assert self.error is not None
        return UnwrittenUpload(self.file_name or "", self.seen, self.content_type, self.error)

    def _give_up(self, error: OSError) -> None:
        """Keep the error; close and remove the temporary file, whose
        closing may fail again on the same full disk."""
        self.error = error
        path = self.file.temporary_file_path()
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
