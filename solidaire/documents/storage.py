"""The private store of uploaded files.

Files live in the storage named ``private`` in Django's ``STORAGES`` setting
(a folder outside every served directory by default; an S3-compatible
bucket can take its place by changing only that setting). They are stored
under random names, never under the name the person sent, and no URL
serves them: only a view that checks who asks reads them back.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

from solidaire.documents.validation import ValidatedUpload

STORAGE_ALIAS = "private"


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
    """Write a validated file to the private store; return its stored name."""
    return private_storage().save(random_name(upload, folder=folder), ContentFile(upload.content))


def discard(name: str) -> None:
    """Remove a stored file (nothing happens if it is already gone)."""
    if name:
        private_storage().delete(name)
