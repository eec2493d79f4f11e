"""French is the default language: every string the product shows must have a
French translation, and the compiled catalogue must match its source."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES"


def test_french_catalogue_is_complete() -> None:
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags]
    assert len(catalogue) > 100
    assert missing == [], f"{len(missing)} strings without a French translation: {missing[:20]}"
    assert fuzzy == [], f"fuzzy translations to review: {fuzzy[:20]}"


def test_compiled_catalogue_matches_source() -> None:
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        e.msgid
        for e in catalogue
        if not e.obsolete
        and not e.msgid_plural
        and (compiled.pgettext(e.msgctxt, e.msgid) if e.msgctxt else compiled.gettext(e.msgid))
        != e.msgstr
    ]
    assert stale == [], f"django.mo is older than django.po (run make messages): {stale[:10]}"
