"""The private store of uploaded files.

Files live in the storage named ``private`` in Django's ``STORAGES`` setting
(a folder outside every served directory by default; an S3-compatible
bucket can take its place by changing only that setting). They are stored
under random names, never under the name the person sent, and no URL
serves them: only a view that checks who asks reads them back.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.translation import gettext as _

from solidaire.documents.validation import ValidatedUpload, storage_refusal

STORAGE_ALIAS = "private"
logger = logging.getLogger(__name__)


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder on disk that has no URL: asking for one is a bug."""

    def __init__(self, location: Any = None, **kwargs: Any) -> None:
        # Never fall back to MEDIA_ROOT, which a web server may serve.
        if location is None:
            location = settings.PRIVATE_MEDIA_ROOT
        super().__init__(location=location, base_url=None, **kwargs)

    def url(self, name: str | None) -> str:
        raise NotImplementedError(
            "Private files have no URL; serve them through a view that checks access."
        )


def private_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def random_name(upload: ValidatedUpload, *, folder: str) -> str:
    """A name nobody can guess, with the extension of the file's content."""
    return f"{folder.strip('/')}/{secrets.token_hex(16)}{upload.kind.extension}"


def store(upload: ValidatedUpload, *, folder: str) -> str:
    """Write a validated file to the private store; return its stored name.

    When the store cannot take the file (a full disk or quota, a file-size
    limit, any other error of the system), what was written of it is
    removed and :class:`~solidaire.documents.validation.UploadRefused` says
    so, like any refusal of the one upload path: the callers show it beside
    the file's field and record nothing, so no row ever names a missing file.
    """
    name = private_storage().get_available_name(random_name(upload, folder=folder))
    try:
        return _save(name, upload.content, folder=folder)
    except OSError as error:
        raise storage_refusal(error) from error


def store_generated(content: bytes, *, name: str, folder: str) -> str:
    """Write a document the product made (an agreement's PDF) to the private
    store; return its stored name. When the store cannot take it, nothing of
    it is left and a :class:`ValidationError` says so in words: the caller
    records nothing, and the document is made again on the next attempt."""
    try:
        return _save(name, content, folder=folder)
    except OSError as error:
        raise ValidationError(
            _(
                "The document could not be produced: the server's storage space is full "
                "or cannot be written. Nothing was recorded; try again later or let the "
                "site's administrator know."
            ),
            code="storage_failed",
        ) from error


def _save(name: str, content: bytes, *, folder: str) -> str:
    """Save ``content`` under ``name``; on a system error, log it, remove
    what was written and raise the error again."""
    storage = private_storage()
    try:
        return storage.save(name, ContentFile(content))
    except OSError as error:
        logger.error(
            "A document could not be stored: %s",
            error,
            extra={
                "fields": {
                    "event": "storage_failed",
                    "errno": error.errno,
                    "size": len(content),
                    "folder": folder,
                }
            },
        )
        # Django leaves the part already written; the name is ours alone
        # (random or unique to its document, and free when chosen).
        try:
            storage.delete(name)
        except OSError:
            logger.exception("The part written of %s could not be removed.", name)
        raise


def discard(name: str) -> None:
    """Remove a stored file (nothing happens if it is already gone)."""
    if name:
        private_storage().delete(name)
