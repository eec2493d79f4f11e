"""Québec's fiscal year runs from 1 April to 31 March."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo


def fiscal_year_start(day: date) -> int:
    """The calendar year in which the fiscal year holding ``day`` starts."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


def fiscal_year_bounds(start_year: int) -> tuple[date, date]:
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def fiscal_year_of(day: date) -> str:
    return fiscal_year_label(fiscal_year_start(day))


# --------------------------------------------------------------- ended years
#
# A fiscal year has ended when its last day is before today in Québec. An
# ended year takes no new commitment and no new payment schedule line; what
# it left uncommitted lapses unless carried over. Every rule about ended
# years reads "today" here, so that one clock decides them all.

QUEBEC = ZoneInfo("America/Toronto")

# The date the rules read as today; ``None`` is the real date. Set only
# through :func:`fiscal_today`, by the demo's historical mode (which replays
# autumn 2020) and by the tests, whose programmes run from 2020 to 2025.
_today: date | None = None


def quebec_today() -> date:
    """Today's date in Québec (America/Toronto), whatever the server's zone."""
    if _today is not None:
        return _today
    return datetime.now(QUEBEC).date()


@contextmanager
def fiscal_today(day: date | None) -> Iterator[None]:
    """Judge every fiscal-year rule as if today were ``day`` (``None``: the
    real date) until the block ends. Process-wide, so threads serving the
    same process read the same date."""
    global _today
    previous = _today
    _today = day
    try:
        yield
    finally:
        _today = previous


def fiscal_year_has_ended(ends_on: date, today: date | None = None) -> bool:
    """Whether a fiscal year whose last day is ``ends_on`` has ended."""
    return ends_on < (today or quebec_today())
