from datetime import date

from django.template import Context, Template
from django.utils import translation


def _render(value: date) -> str:
    return Template("{{ value|date }}").render(Context({"value": value}))


def test_first_of_the_month_is_written_1er_in_french():
    with translation.override("fr"):
        assert _render(date(2026, 4, 1)) == "1er avril 2026"
        assert _render(date(2026, 4, 11)) == "11 avril 2026"


def test_english_dates_are_unchanged():
    with translation.override("en"):
        assert _render(date(2026, 4, 1)) == "April 1, 2026"
