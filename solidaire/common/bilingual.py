"""Programme data in two languages.

The names and descriptions a coordinator types at set-up (streams,
priorities, criteria, scale levels, eligibility rules, required documents)
are stored twice: the field itself holds the French text, which is required,
and ``<field>_en`` the English one, which may be left blank. A page in
English shows the English text when there is one, otherwise the French text
marked as such: ``lang="fr"`` for screen readers (WCAG 3.1.2) and a visible
« (in French) » for everyone. A page in French always shows the French text.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext


def english_active() -> bool:
    return (translation.get_language() or "fr")[:2] == "en"


class LocalText(str):
    """A text of programme data in the active language.

    As a ``str`` it is the plain text (for CSV, sorting, form labels); in a
    template it renders through ``__html__``, which adds the language marker
    when an English page falls back to the French text."""

    fallback: bool

    def __new__(cls, french: str, english: str = "") -> LocalText:
        english_page = english_active()
        use_english = english_page and bool(english.strip())
        text = super().__new__(cls, english if use_english else french)
        text.fallback = english_page and not use_english and bool(french.strip())
        return text

    def __html__(self) -> SafeString:
        plain = str.__str__(self)
        if not self.fallback:
            return escape(plain)
        return format_html(
            '<span lang="fr">{}</span> <span class="lang-fallback">({})</span>',
            plain,
            gettext("in French"),
        )

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        # Pickled (e.g. in a cache) as the plain text it reads as.
        return (str, (str.__str__(self),))


def local_text(french: str | None, english: str | None) -> LocalText:
    return LocalText(french or "", english or "")


class Bilingual:
    """Mixin for models whose text fields have an ``<field>_en`` companion."""

    def text(self, field: str) -> LocalText:
        """The text of ``field`` in the active language (see the module)."""
        return local_text(getattr(self, field), getattr(self, f"{field}_en", ""))
