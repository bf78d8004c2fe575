"""Reading exported workbooks back with two readers nobody here wrote, to compare with the CSV."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
from openpyxl.utils.escape import unescape
from python_calamine import CalamineWorkbook


def read_both(path) -> tuple[list[list], list[list]]:
    """The cell values as openpyxl and as python-calamine read them. openpyxl leaves the _xHHHH_
    escapes of inline strings as they are (it decodes them in shared strings only), so its own
    unescape is applied here, as a reader of shared strings would."""
    by_openpyxl = [[unescape(v) if isinstance(v, str) else v for v in row] for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    by_calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    return by_openpyxl, by_calamine


def holds(value, csv_text: str, expected_text: str) -> bool:
    """Whether a cell value read from the workbook says what the CSV says (text: `expected_text`)."""
    if value is None or value == "":
        return csv_text == ""
    if isinstance(value, bool):
        return csv_text == ("true" if value else "false")
    if isinstance(value, (int, float)):
        return float(csv_text) == value
    if isinstance(value, datetime):
        if "T" not in csv_text:  # a date, which openpyxl reads as a datetime at midnight
            return value == datetime.fromisoformat(csv_text)
        return value == datetime.fromisoformat(csv_text.removesuffix("Z"))
    if isinstance(value, date):  # calamine reads a datetime at midnight as a date
        return csv_text in (value.isoformat(), f"{value.isoformat()}T00:00:00Z")
    return value == expected_text
