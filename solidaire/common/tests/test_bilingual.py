"""Programme data in the page's language: the English text on English pages,
the French one, marked, when there is no English text."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from solidaire.common.bilingual import Bilingual, LocalText, local_text

MARKER = '<span class="lang-fallback">(in French)</span>'


class Item(Bilingual):
    def __init__(self, name: str, name_en: str = "") -> None:
        self.name = name
        self.name_en = name_en


def render(item: object, language: str) -> str:
    with translation.override(language):
        return Template('{{ item|tr:"name" }}').render(Context({"item": item}))


def test_an_english_page_shows_the_english_text() -> None:
    assert render(Item("Volet local", "Local stream"), "en") == "Local stream"


def test_a_missing_english_text_shows_the_french_one_marked_for_readers_and_sight() -> None:
    html = render(Item("Volet local"), "en")
    assert html == f'<span lang="fr">Volet local</span> {MARKER}'


def test_an_english_text_of_spaces_counts_as_missing() -> None:
    assert 'lang="fr"' in render(Item("Volet local", "   "), "en")


def test_a_french_page_shows_the_french_text_and_never_the_marker() -> None:
    assert render(Item("Volet local", "Local stream"), "fr") == "Volet local"
    assert render(Item("Volet local"), "fr") == "Volet local"


def test_an_empty_french_text_stays_empty_so_defaults_apply() -> None:
    with translation.override("en"):
        html = Template('{{ item|tr:"name"|default:"—" }}').render(Context({"item": Item("")}))
    assert html == "—"


def test_the_texts_are_escaped_inside_the_marker() -> None:
    html = render(Item("<b>Volet</b> & cie"), "en")
    assert "<b>" not in html
    assert '<span lang="fr">&lt;b&gt;Volet&lt;/b&gt; &amp; cie</span>' in html
    assert render(Item("x", "<i>Local</i>"), "en") == "&lt;i&gt;Local&lt;/i&gt;"


def test_as_plain_text_it_reads_without_markup_in_the_page_language() -> None:
    with translation.override("en"):
        missing, present = local_text("Volet local", ""), Item("Volet", "Stream").text("name")
    assert isinstance(missing, LocalText)
    assert f"{missing}" == "Volet local" and missing.fallback
    assert str(present) == "Stream" and not present.fallback
    with translation.override("fr"):
        assert str(Item("Volet", "Stream").text("name")) == "Volet"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_text_used_in_a_translated_sentence_keeps_its_marker(language: str) -> None:
    template = Template(
        "{% load i18n %}{% blocktranslate with stream=item|tr:'name' %}"
        "Stream: {{ stream }}{% endblocktranslate %}"
    )
    with translation.override(language):
        html = template.render(Context({"item": Item("Volet local")}))
    assert ('lang="fr"' in html) is (language == "en")
