"""Text as people read it, whatever the database's collation: names compared
and sorted without regard to accents, case or punctuation first (Bélanger
before Boucher, as French sorts them), the accents only breaking ties."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """``text`` with accents dropped, case folded and every run of
    punctuation or spaces made one space (« Centre d'Entraide Émile-Côté »
    and « centre d’entraide emile cote » fold alike)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NOT_WORD.sub(" ", bare).strip()


def sort_key(*parts: str) -> tuple[tuple[str, str], ...]:
    """A key that sorts names as French does: letters first, accents and
    case only between names that are otherwise the same."""
    return tuple((fold(part), part.casefold()) for part in parts)
