"""A proposal's budget: rows of costs by category, one amount per fiscal year.

The editor and the call's Excel template both speak in rows; the database
keeps one ``BudgetLine`` per row and fiscal year (zero included, so that a
row typed without amounts yet is not lost). This module turns one into the
other, sums them, and reads and writes the Excel template.

The template is **one sheet named "Budget", fiscal years as columns**: row 1
holds the headings (category, description, then one fiscal year's label per
column, such as ``2021-2022``); each following row is one line of the
budget. A second sheet lists the categories, for the drop-down of the
category column. Reading a filled template reports every wrong cell by
sheet, row and column and returns nothing when any cell is wrong, so that an
import is all or nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from solidaire.applications.models import BudgetLine, Proposal
from solidaire.calls.models import Call
from solidaire.common.money import ZERO, to_money
from solidaire.programmes.models import FiscalYear

Category = BudgetLine.Category
SHEET = "Budget"
CATEGORY_SHEET = "Categories"
# A budget longer than this is not a budget a committee reads; it also bounds
# the work of reading a workbook someone sends.
MAX_ROWS = 300
DESCRIPTION_MAX_LENGTH = 300


@dataclass
class BudgetRow:
    """One row of the budget as the editor shows it."""

    category: str
    description: str = ""
    amounts: dict[int, Decimal] = field(default_factory=dict)  # fiscal year id → amount

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


def call_fiscal_years(call: Call, *, also: Iterable[int] = ()) -> list[FiscalYear]:
    """The programme's fiscal years an initiative of ``call`` may run in
    (from the call's opening to the latest end it allows), and the years
    ``also`` names (those a draft already uses), in order."""
    last_day: date = call.latest_end_on or call.programme.ends_on
    return list(
        FiscalYear.objects.filter(programme_id=call.programme_id)
        .filter(
            Q(ends_on__gte=timezone.localdate(call.opens_at), starts_on__lte=last_day)
            | Q(pk__in=list(also))
        )
        .order_by("starts_on")
    )


def budget_rows(lines: Iterable[BudgetLine]) -> list[BudgetRow]:
    """The rows of a budget from its lines read in id order: consecutive
    lines of one category and description, each of a different year, are
    one row."""
    rows: list[BudgetRow] = []
    for line in lines:
        last = rows[-1] if rows else None
        if (
            last is None
            or (last.category, last.description) != (line.category, line.description)
            or line.fiscal_year_id in last.amounts
        ):
            last = BudgetRow(category=line.category, description=line.description)
            rows.append(last)
        last.amounts[line.fiscal_year_id] = line.amount
    return rows


def proposal_budget_rows(proposal: Proposal) -> list[BudgetRow]:
    """The saved budget of ``proposal`` as rows (one query)."""
    return budget_rows(BudgetLine.objects.filter(proposal=proposal).order_by("id"))


def year_totals(rows: Sequence[BudgetRow], fiscal_years: Sequence[FiscalYear]) -> list[Decimal]:
    return [sum((r.amounts.get(fy.pk, ZERO) for r in rows), ZERO) for fy in fiscal_years]


def category_label(code: str) -> str:
    try:
        return str(Category(code).label)
    except ValueError:
        return code


# ----------------------------------------------------------------------------- Excel template


def budget_template(*, fiscal_years: Sequence[FiscalYear], rows: Sequence[BudgetRow] = ()) -> bytes:
    """The budget template as an .xlsx file, in the active language, with
    ``rows`` already filled in (a draft's saved budget) or empty."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    headings = [_("Category"), _("Description"), *[fy.label for fy in fiscal_years]]
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                category_label(row.category),
                row.description,
                *[row.amounts.get(fy.pk, ZERO) for fy in fiscal_years],
            ]
        )
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 48
    for index in range(3, 3 + len(fiscal_years)):
        sheet.column_dimensions[get_column_letter(index)].width = 16
        for (cell,) in sheet.iter_rows(
            min_row=2, max_row=MAX_ROWS + 1, min_col=index, max_col=index
        ):
            cell.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"

    categories = workbook.create_sheet(CATEGORY_SHEET)
    for code, label in Category.choices:
        categories.append([str(label), code])
    choice = DataValidation(
        type="list",
        formula1=f"{CATEGORY_SHEET}!$A$1:$A${len(Category.choices)}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Category"),
        error=_("Choose a category from the list."),
    )
    sheet.add_data_validation(choice)
    choice.add(f"A2:A{MAX_ROWS + 1}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return _("Sheet “%(sheet)s”: %(message)s") % {
                "sheet": self.sheet,
                "message": self.message,
            }
        return _("Sheet “%(sheet)s”, row %(row)s, column %(column)s: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class BudgetSheetRefused(ValidationError):
    """A filled template with wrong cells; ``cell_errors`` lists them all."""

    def __init__(self, cell_errors: list[CellError]) -> None:
        self.cell_errors = cell_errors
        super().__init__([str(e) for e in cell_errors], code="budget_sheet")


def _category_codes() -> dict[str, str]:
    """Every way a category may be written in the template: its code and its
    label in each language, lower-cased."""
    names: dict[str, str] = {}
    for code in Category.values:
        names[code] = code
        for language in ("fr", "en"):
            with translation.override(language):
                names[str(Category(code).label).strip().lower()] = code
    return names


def _amount(value: Any) -> Decimal:
    """A cell's amount; raises ValueError with the reason."""
    # Imported here: the forms import this module's neighbours.
    from solidaire.applications.forms import parse_amount

    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(_("“%(value)s” is not an amount.") % {"value": value}) from exc
        if not number.is_finite():
            raise ValueError(_("“%(value)s” is not an amount.") % {"value": value})
        if number < 0:
            raise ValueError(_("An amount cannot be negative."))
        # A float computed by a formula may carry noise far below the cent.
        if abs(number - number.quantize(Decimal("0.01"))) > Decimal("0.000001"):
            raise ValueError(_("An amount has at most two decimals (the cents)."))
        if number >= Decimal("1e12"):
            raise ValueError(_("This amount is too large."))
        return to_money(number)
    try:
        return parse_amount(str(value))
    except ValidationError as exc:
        if exc.code == "invalid":
            raise ValueError(_("“%(value)s” is not an amount.") % {"value": value}) from exc
        raise ValueError(" ".join(exc.messages)) from exc


def budget_read(content: bytes, *, fiscal_years: Sequence[FiscalYear]) -> list[BudgetRow]:
    """The rows of a filled template, or :class:`BudgetSheetRefused` listing
    every wrong cell (nothing is returned then)."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise BudgetSheetRefused(
            [CellError(SHEET, None, None, _("the file cannot be read as an Excel workbook."))]
        ) from exc
    try:
        if SHEET not in workbook.sheetnames:
            raise BudgetSheetRefused(
                [
                    CellError(
                        SHEET,
                        None,
                        None,
                        _(
                            "this sheet is missing; use the template downloaded from the "
                            "call's page or from the editor."
                        ),
                    )
                ]
            )
        values = list(workbook[SHEET].iter_rows(max_row=MAX_ROWS + 2, values_only=True))
    finally:
        workbook.close()
    return _read_rows(values, fiscal_years)


def _read_rows(
    values: list[tuple[Any, ...]], fiscal_years: Sequence[FiscalYear]
) -> list[BudgetRow]:
    errors: list[CellError] = []

    def refuse(row: int | None, column: int | None, message: str) -> None:
        letter = get_column_letter(column) if column is not None else None
        errors.append(CellError(SHEET, row, letter, message))

    by_label = {fy.label.strip(): fy for fy in fiscal_years}
    expected = ", ".join(fy.label for fy in fiscal_years)
    header = values[0] if values else ()
    columns: dict[int, FiscalYear] = {}  # 1-based column → fiscal year
    for index, heading in enumerate(header[2:], start=3):
        if heading is None or not str(heading).strip():
            continue
        label = str(heading).strip()
        year = by_label.get(label)
        if year is None:
            refuse(
                1,
                index,
                _("“%(label)s” is not a fiscal year of this proposal (its years: %(years)s).")
                % {"label": label, "years": expected},
            )
        elif year in columns.values():
            refuse(1, index, _("the fiscal year %(label)s has two columns.") % {"label": label})
        else:
            columns[index] = year
    if not columns and not errors:
        refuse(
            1,
            3,
            _("no column is headed by a fiscal year (expected: %(years)s).") % {"years": expected},
        )

    codes = _category_codes()
    rows: list[BudgetRow] = []
    data = values[1:]
    if len(data) > MAX_ROWS:
        refuse(MAX_ROWS + 2, 1, _("a budget has at most %(max)s lines.") % {"max": MAX_ROWS})
        data = data[:MAX_ROWS]
    for number, cells in enumerate(data, start=2):
        cells = tuple(cells) + (None,) * max(0, len(header) - len(cells))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        raw_category = cells[0] if cells else None
        category = codes.get(str(raw_category or "").strip().lower())
        if category is None:
            if raw_category is None or not str(raw_category).strip():
                refuse(number, 1, _("choose the category of this line."))
            else:
                refuse(
                    number,
                    1,
                    _("“%(value)s” is not a category; choose one from the list.")
                    % {"value": raw_category},
                )
        description = str(cells[1] if len(cells) > 1 and cells[1] is not None else "").strip()
        if len(description) > DESCRIPTION_MAX_LENGTH:
            refuse(
                number,
                2,
                _("a description has at most %(max)s characters.")
                % {"max": DESCRIPTION_MAX_LENGTH},
            )
        amounts: dict[int, Decimal] = {}
        for index, year in columns.items():
            value = cells[index - 1] if index - 1 < len(cells) else None
            try:
                amounts[year.pk] = _amount(value)
            except ValueError as exc:
                refuse(number, index, str(exc))
        for index in range(3, len(cells) + 1):
            heading = header[index - 1] if index - 1 < len(header) else None
            unheaded = heading is None or not str(heading).strip()
            if unheaded and cells[index - 1] not in (None, ""):
                refuse(number, index, _("this column has no fiscal year heading."))
        if category is not None:
            rows.append(BudgetRow(category=category, description=description, amounts=amounts))
    if errors:
        raise BudgetSheetRefused(errors)
    return rows
