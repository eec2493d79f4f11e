"""File names as people send them, made safe to store, show and offer for
download."""

from __future__ import annotations

import unicodedata

DEFAULT_MAX_LENGTH = 150
_FALLBACK_STEM = "document"
# Characters no common file system accepts in a name; replaced so that the
# name offered on download saves as it reads.
_FORBIDDEN = set('/\\:*?"|')


def _suffix(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10 or not ext.isalnum():
        return name, ""
    return stem, f".{ext}"


def safe_filename(
    name: str, *, extension: str | None = None, max_length: int = DEFAULT_MAX_LENGTH
) -> str:
    """``name`` without its folders, control or formatting characters, at most
    ``max_length`` characters long, keeping its extension.

    ``extension`` (``".pdf"``), when given, replaces an extension that does
    not say what the content is. The result is never empty and never starts
    with a dot; it is plain text, to be escaped wherever it is shown.
    """
    # Browsers send a bare name, but some old ones sent the whole path.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    # Cc: control characters (NUL, newline, escape…); Cf: invisible
    # formatting, such as the right-to-left override that can make
    # "report‮fdp.exe" read as "reportexe.pdf".
    cleaned = "".join(
        "_" if ch in _FORBIDDEN else ch
        for ch in name
        if unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp"}
    )
    cleaned = " ".join(cleaned.split()).strip(" .")
    stem, ext = _suffix(cleaned)
    ext = ext.lower()
    if extension is not None and ext not in _same(extension):
        ext = extension
    stem = stem.strip(" .") or _FALLBACK_STEM
    stem = stem[: max(max_length - len(ext), 1)].rstrip(" .") or _FALLBACK_STEM
    return f"{stem}{ext}"


def _same(extension: str) -> set[str]:
    """The spellings of an extension that name the same type."""
    if extension in {".jpg", ".jpeg"}:
        return {".jpg", ".jpeg"}
    return {extension}
