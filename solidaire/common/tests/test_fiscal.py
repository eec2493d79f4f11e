"""Québec's fiscal year runs from 1 April to 31 March."""

from __future__ import annotations

from datetime import date

import pytest

from solidaire.common.fiscal import (
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_start,
)


@pytest.mark.parametrize(
    ("day", "start_year"),
    [
        (date(2020, 4, 1), 2020),  # first day
        (date(2021, 3, 31), 2020),  # last day
        (date(2020, 3, 31), 2019),
        (date(2020, 10, 15), 2020),  # the second call, autumn 2020
        (date(2021, 1, 1), 2020),
        (date(2020, 12, 31), 2020),
    ],
)
def test_fiscal_year_start(day, start_year):
    assert fiscal_year_start(day) == start_year


def test_label_and_bounds():
    assert fiscal_year_label(2018) == "2018-2019"
    assert fiscal_year_bounds(2018) == (date(2018, 4, 1), date(2019, 3, 31))
    assert fiscal_year_of(date(2023, 3, 31)) == "2022-2023"
    assert fiscal_year_of(date(2023, 4, 1)) == "2023-2024"


def test_bounds_of_a_year_ending_in_a_leap_february_still_end_on_31_march():
    start, end = fiscal_year_bounds(2023)

    assert (start, end) == (date(2023, 4, 1), date(2024, 3, 31))
    assert (end - start).days == 365  # 366 days, both ends included


@pytest.mark.parametrize("start_year", range(2015, 2030))
def test_every_day_of_a_fiscal_year_is_labelled_with_it(start_year):
    start, end = fiscal_year_bounds(start_year)

    assert fiscal_year_of(start) == fiscal_year_of(end) == fiscal_year_label(start_year)
