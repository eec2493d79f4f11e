"""Québec's fiscal year runs from 1 April to 31 March."""

from __future__ import annotations

from datetime import date


def fiscal_year_start(day: date) -> int:
    """The calendar year in which the fiscal year holding ``day`` starts."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


def fiscal_year_bounds(start_year: int) -> tuple[date, date]:
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def fiscal_year_of(day: date) -> str:
    return fiscal_year_label(fiscal_year_start(day))
