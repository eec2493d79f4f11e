"""The one validation path for every file a person sends.

``validate_upload`` reads the file once, decides its type from its content
(never from its name), checks it against an allow-list and size limits, and
looks inside what could carry something active: zip containers (DOCX, XLSX,
ODT, ODS) are inspected without being extracted, PDFs are parsed with pypdf.
A refusal is an :class:`UploadRefused` whose message names the file and says
why, in the person's language. Nothing is written anywhere.
"""

from __future__ import annotations

import errno
import hashlib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from solidaire.documents.names import safe_filename


@dataclass(frozen=True)
class DocumentKind:
    """A type of file the product accepts."""

    label: str
    mime: str
    extension: str


PDF = DocumentKind("PDF", "application/pdf", ".pdf")
DOCX = DocumentKind(
    "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
XLSX = DocumentKind(
    "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
)
ODT = DocumentKind("ODT", "application/vnd.oasis.opendocument.text", ".odt")
ODS = DocumentKind("ODS", "application/vnd.oasis.opendocument.spreadsheet", ".ods")
JPEG = DocumentKind("JPEG", "image/jpeg", ".jpg")
PNG = DocumentKind("PNG", "image/png", ".png")
DOCUMENT_KINDS: tuple[DocumentKind, ...] = (PDF, DOCX, XLSX, ODT, ODS, JPEG, PNG)

# What a zip container may hold once inflated, and how much more than its
# compressed size: beyond either it is a "zip bomb", refused unopened.
ZIP_MAX_MEMBERS = 5_000
ZIP_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Members smaller than this may compress as well as they like (XML of
# repeated cells often does); only large ones are held to the ratio.
ZIP_RATIO_FLOOR_BYTES = 1024 * 1024
# Objects visited in a PDF before it is refused as too complex to inspect.
PDF_MAX_OBJECTS = 200_000

_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_ODF_MIMETYPES = {ODT.mime: ODT, ODS.mime: ODS}
# Signatures puremagic reports for a zip container of any flavour.
_ZIP_SIGNATURES = ("zip", "openxmlformats", "opendocument", "java-archive", "epub")


class UploadRefused(ValidationError):
    """A file refused by :func:`validate_upload`; ``code`` says why."""


# What a full disk, a full quota or a file-size limit answers.
STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def storage_refusal(error: OSError) -> UploadRefused:
    """The refusal of a file the server could not write (the private store,
    or the temporary file of a large upload): the person's draft is intact,
    the file is to be sent again later."""
    if error.errno in STORAGE_FULL_ERRNOS:
        return UploadRefused(
            _(
                "The document could not be saved: the server's storage space is full. "
                "Your draft is intact; try again later or let the coordination know."
            ),
            code="storage_full",
        )
    return UploadRefused(
        _(
            "The document could not be saved: the server could not write it. "
            "Your draft is intact; try again later or let the coordination know."
        ),
        code="storage_failed",
    )


@dataclass(frozen=True)
class ValidatedUpload:
    """A file that passed :func:`validate_upload`, read into memory."""

    content: bytes
    kind: DocumentKind
    name: str  # the sender's name, made safe, with the extension of its content
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return self.kind.mime


def max_upload_bytes() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def validate_upload(
    file: Any,
    *,
    allowed: Iterable[DocumentKind] = DOCUMENT_KINDS,
    max_bytes: int | None = None,
    name: str | None = None,
) -> ValidatedUpload:
    """Check ``file`` (an uploaded file, or any binary file object with a
    ``name``) and return its content, type, safe name and SHA-256.

    Raises :class:`UploadRefused` when the server could not keep the file
    while it arrived, when the file is empty, larger than
    ``max_bytes`` (``settings.UPLOAD_MAX_BYTES`` by default), not of an
    ``allowed`` type by its content, a damaged or oversized zip container,
    or a PDF that is encrypted, carries JavaScript, launch actions or
    embedded files, or cannot be read.
    """
    unwritten = getattr(file, "storage_error", None)
    if isinstance(unwritten, OSError):
        # The server could not keep the file while it arrived (see uploadhandler).
        raise storage_refusal(unwritten)
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    shown = safe_filename(str(name if name is not None else getattr(file, "name", "") or ""))
    declared = getattr(file, "size", None)
    if isinstance(declared, int) and declared > limit:
        # Refused before reading: the size is known from the request.
        raise _refuse(shown, "too_large", _too_large(limit))
    content = _read(file, limit)
    if not content:
        raise _refuse(shown, "empty", _("the file is empty."))
    if len(content) > limit:
        raise _refuse(shown, "too_large", _too_large(limit))

    allowed = tuple(allowed)
    kind = _sniff(content, shown, allowed)
    if kind not in allowed:
        raise _refuse(shown, "type", _not_allowed(allowed))
    if kind is PDF:
        _inspect_pdf(content, shown)
    return ValidatedUpload(
        content=content,
        kind=kind,
        name=safe_filename(shown, extension=kind.extension),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _read(file: IO[bytes], limit: int) -> bytes:
    if hasattr(file, "seek"):
        file.seek(0)
    if hasattr(file, "chunks"):
        parts, total = [], 0
        for chunk in file.chunks():
            parts.append(chunk)
            total += len(chunk)
            if total > limit:
                break
        return b"".join(parts)
    return file.read(limit + 1)


def _refuse(name: str, code: str, reason: str) -> UploadRefused:
    return UploadRefused(
        _("“%(name)s” was refused: %(reason)s"),
        code=code,
        params={"name": name, "reason": reason},
    )


def _too_large(limit: int) -> str:
    return _("it is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}


def _not_allowed(allowed: tuple[DocumentKind, ...]) -> str:
    return _("its content is not of an accepted type (%(types)s), whatever its name says.") % {
        "types": ", ".join(k.label for k in allowed)
    }


# ----------------------------------------------------------------------------- sniffing


def _sniff(content: bytes, shown: str, allowed: tuple[DocumentKind, ...]) -> DocumentKind | None:
    """The kind of ``content`` by its signature (puremagic), then, for zip
    containers, by the members that say what the document is."""
    try:
        matches = puremagic.magic_string(content)
    except puremagic.PureError:
        return None
    if not matches:
        return None
    best = max(m.confidence for m in matches)
    mimes = [m.mime_type for m in matches if m.confidence == best]
    if "application/pdf" in mimes:
        return PDF
    if "image/png" in mimes:
        return PNG
    if "image/jpeg" in mimes:
        return JPEG
    if any(sig in mime for mime in mimes for sig in _ZIP_SIGNATURES):
        return _zip_kind(content, shown, allowed)
    return None


def _zip_kind(content: bytes, shown: str, allowed: tuple[DocumentKind, ...]) -> DocumentKind | None:
    """DOCX, XLSX, ODT or ODS by the container's own declaration, read from
    its directory and one small member; nothing is extracted."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _refuse(
            shown, "damaged", _("the document is damaged and cannot be opened.")
        ) from None
    with archive:
        _check_not_a_bomb(members, shown)
        names = {m.filename for m in members}
        if any(m.flag_bits & 0x1 for m in members):
            raise _refuse(shown, "encrypted", _("it is protected by a password."))
        if any(_is_macro(n) for n in names):
            raise _refuse(shown, "macros", _("it contains macros, which could run a program."))
        if "[Content_Types].xml" in names:
            declared = _read_member(archive, "[Content_Types].xml", shown)
            for main, kind in _OOXML_MAIN.items():
                if main.encode() in declared:
                    return kind
            return None
        if "mimetype" in names:
            mimetype = _read_member(archive, "mimetype", shown).strip().decode("ascii", "replace")
            return _ODF_MIMETYPES.get(mimetype)
    return None


def _check_not_a_bomb(members: list[zipfile.ZipInfo], shown: str) -> None:
    bomb = _refuse(
        shown,
        "zip_bomb",
        _("once decompressed it would be far larger than it looks (a “zip bomb”)."),
    )
    if len(members) > ZIP_MAX_MEMBERS:
        raise bomb
    if sum(m.file_size for m in members) > ZIP_MAX_UNCOMPRESSED_BYTES:
        raise bomb
    for m in members:
        if m.file_size > ZIP_RATIO_FLOOR_BYTES and m.file_size > ZIP_MAX_RATIO * max(
            m.compress_size, 1
        ):
            raise bomb


def _read_member(archive: zipfile.ZipFile, name: str, shown: str, limit: int = 1 << 20) -> bytes:
    """At most ``limit`` bytes of one member (the directory already said it is small)."""
    try:
        with archive.open(name) as member:
            return member.read(limit)
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise _refuse(
            shown, "damaged", _("the document is damaged and cannot be opened.")
        ) from None


def _is_macro(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith("vbaproject.bin") or lowered.startswith(("basic/", "scripts/"))


# ----------------------------------------------------------------------------- PDF

_SCRIPT_KEYS = {"/JS", "/JavaScript"}
_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EF"}


def _inspect_pdf(content: bytes, shown: str) -> None:
    """Refuse a PDF that is encrypted, cannot be parsed, or holds anything a
    reader would run or unpack: JavaScript (document-level, in /OpenAction
    or any other action), launch actions, XFA forms, embedded files."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise _refuse(shown, "encrypted", _("it is encrypted or protected by a password."))
        finding = _active_content(reader.trailer)
    except UploadRefused:
        raise
    except Exception:
        # pypdf raises many kinds of errors on a broken file; each means the
        # same thing to the person who sent it.
        raise _refuse(shown, "unreadable", _("it is not a valid PDF and cannot be read.")) from None
    if finding == "javascript":
        raise _refuse(shown, "javascript", _("it contains JavaScript, which could run a program."))
    if finding == "launch":
        raise _refuse(shown, "launch", _("it contains an action that launches a program."))
    if finding == "xfa":
        raise _refuse(shown, "xfa", _("it contains an XFA form, which can run scripts."))
    if finding == "embedded":
        raise _refuse(
            shown, "embedded_file", _("it contains embedded files; send each file on its own.")
        )
    if len(reader.pages) == 0:
        raise _refuse(shown, "unreadable", _("it is not a valid PDF and cannot be read."))


def _active_content(root: Any) -> str | None:
    """Walk every object reachable from the trailer (each once) and name the
    first active content found, or None."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(obj, DictionaryObject):
            keys = set(obj.keys())
            if keys & _SCRIPT_KEYS:
                return "javascript"
            action = obj.get("/S")
            if isinstance(action, NameObject) and action == "/JavaScript":
                return "javascript"
            if isinstance(action, NameObject) and action == "/Launch":
                return "launch"
            if "/XFA" in keys:
                return "xfa"
            if keys & _EMBEDDED_KEYS or obj.get("/Type") == "/EmbeddedFile":
                return "embedded"
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None
