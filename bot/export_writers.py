"""Streaming writers for case exports: CSV, XLSX and JSON lines.

Pure functions over rows (mappings of column name to value); no database. Each writer consumes
its rows one at a time, so an export of any size uses about the same memory.

Value types a row may hold: str, int, float, bool, None, datetime.date, datetime.datetime and
list[str]. Decisions shared by the formats:

* datetimes are exported in UTC. Aware values are converted; naive values are taken to be UTC
  already, because the project stores UTC everywhere and SQLite hands datetimes back without
  their timezone. Text form: "2024-05-01T09:30:00Z" (seconds, no fraction, "Z" rather than
  "+00:00": shorter, and what most tools emit and accept).
* booleans are "true"/"false" in CSV (language-neutral, unlike "yes"/"no", and the same words
  JSON uses); JSON has real booleans and XLSX real TRUE/FALSE cells.
* lists are "; "-joined in CSV and XLSX (one cell each) and real arrays in JSON.

Spreadsheet formula injection (OWASP ASVS 1.2.10): CSV and XLSX text that starts with = + - @,
tab, carriage return or NUL gets a leading single quote. That includes phone numbers: the
export shows "'+994501234567". This is deliberate: a spreadsheet would read "+994..." as a
formula or number and "-" or "@" text as a formula; the quote makes it plain text. Programs
that need the raw value should read the JSON-lines export, which is never neutralised (it is
not opened by spreadsheets, and altering data there would only corrupt it). Real numbers (int,
finite float) and booleans are never quoted: -3 as a number is harmless.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import BinaryIO, TextIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

Row = Mapping[str, object]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
LIST_SEPARATOR = "; "
XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

# XML 1.0 cannot hold these control characters, so openpyxl refuses them; they are replaced by
# U+FFFD in XLSX so one stray byte in a relative's message cannot abort a whole export.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Valid inside JSON strings, but str.splitlines() and some JSON-lines readers split on them;
# escaping keeps exactly one record per line for every reader.
_LINE_BREAKERS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def neutralise(text: str) -> str:
    """OWASP ASVS 1.2.10 / CSV injection: a cell starting with = + - @ TAB CR or NUL is prefixed
    with a single quote so spreadsheets show it as text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _utc_naive(value: datetime) -> datetime:
    """The UTC wall-clock time without tzinfo (naive input is already UTC, see module doc)."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _is_real_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def cell_text(value: object) -> str:
    """The text form used by CSV: None → "", date → YYYY-MM-DD, datetime → YYYY-MM-DDTHH:MM:SSZ
    (UTC), bool → "true"/"false", list → "; "-joined, numbers → str(). Not neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):  # before date: datetime is a date subclass
        return _utc_naive(value).replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(cell_text(item) for item in value)
    # Failing loudly beats exporting a Python repr to the embassy.
    raise TypeError(f"cannot export a value of type {type(value).__name__}")


def _csv_cell(value: object) -> str:
    text = cell_text(value)
    return text if _is_real_number(value) else neutralise(text)


def write_csv(
    rows: Iterable[Row],
    columns: Sequence[str],
    out: BinaryIO,
    header_rows: Sequence[Sequence[str]] = (),
) -> int:
    """Write UTF-8 CSV with a BOM (so Excel shows ə, ş and Cyrillic), RFC 4180 quoting and CRLF
    line ends: the column names, then `header_rows` (e.g. HXL hashtags), then one line per row.
    Returns the number of data rows written. `out` is left open."""
    out.write(codecs.BOM_UTF8)
    text_out = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text_out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow([neutralise(name) for name in columns])
        for header in header_rows:
            writer.writerow([neutralise(text) for text in header])
        count = 0
        for row in rows:
            writer.writerow([_csv_cell(row.get(name)) for name in columns])
            count += 1
    finally:
        # Detach, not close: the caller owns `out` (it may be a BytesIO about to be sent).
        text_out.flush()
        text_out.detach()
    return count


def _xlsx_text_cell(sheet, text: str, **style) -> WriteOnlyCell:
    # Neutralise first, so a leading CR or NUL is judged exactly as in CSV. Then CR becomes LF:
    # XML readers turn a raw CR into LF anyway, and Excel breaks lines in a cell on LF.
    text = neutralise(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _XML_ILLEGAL.sub("\ufffd", text)
    cell = WriteOnlyCell(sheet, value=text)
    for name, setting in style.items():
        setattr(cell, name, setting)
    # openpyxl infers type from the text: "=..." would become a formula and "#N/A" an error.
    # Forcing "s" after the value is bound makes it an inline string whatever it looks like.
    cell.data_type = "s"
    return cell


def _xlsx_cell(sheet, value: object, as_date: bool) -> object:
    """A WriteOnlyCell for text and dates; numbers, booleans and None go in as plain values,
    which openpyxl writes through one reused cell (cheaper, and they cannot be formulas)."""
    if value is None or isinstance(value, bool) or _is_real_number(value):
        return value
    if isinstance(value, str) and as_date and _ISO_DATE.fullmatch(value):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pass  # "2024-02-30" stays text: better shown as typed than silently dropped
    if isinstance(value, datetime):
        # Whole seconds, like the CSV text, so both exports hold the same instant.
        cell = WriteOnlyCell(sheet, value=_utc_naive(value).replace(microsecond=0))
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    # Text, lists and non-finite floats (which Excel cannot store as numbers).
    return _xlsx_text_cell(sheet, cell_text(value))


def write_xlsx(
    rows: Iterable[Row],
    columns: Sequence[str],
    out_path: str | Path,
    header_rows: Sequence[Sequence[str]] = (),
    date_columns: set[str] | frozenset[str] = frozenset(),
    sheet_title: str = "cases",
) -> int:
    """Write one worksheet: bold, frozen header row(s), then one line per row. Returns the number
    of data rows written.

    date and datetime values become real spreadsheet dates (datetimes as UTC). `date_columns`
    names columns whose values may arrive as "YYYY-MM-DD" strings; those are written as real
    dates too. All text is an inline-string cell, never a formula, and is neutralised like CSV
    so both exports read the same. Text over 32,767 characters is cut there (Excel's limit).

    Uses openpyxl's write-only mode, which streams rows to a temporary file; nothing is written
    to `out_path` until every row is done, so a failure leaves no half-written file there."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    # In write-only mode the sheet view is written with the first row, so freeze first. The
    # top-left cell of the scrolling part is the first data row: after the column names and
    # the extra header rows.
    sheet.freeze_panes = f"A{2 + len(header_rows)}"

    bold = Font(bold=True)
    for header in (columns, *header_rows):
        sheet.append([_xlsx_text_cell(sheet, text, font=bold) for text in header])

    plan = [(name, name in date_columns) for name in columns]
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, row.get(name), as_date) for name, as_date in plan])
        count += 1
    workbook.save(str(out_path))
    return count


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return cell_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN/Infinity; json.dumps would emit invalid JSON
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"cannot export a value of type {type(value).__name__}")


def write_jsonl(rows: Iterable[Row], columns: Sequence[str], out: TextIO) -> int:
    """Write one JSON object per line, keys in column order, UTF-8 text kept as is (not \\u
    escapes), dates ISO 8601, lists as arrays, missing values as null. Values are never
    neutralised: this is the export for programs, which need the exact text. `out` should be
    opened with encoding="utf-8" and newline="\\n". Returns the number of rows written."""
    count = 0
    for row in rows:
        record = {name: _json_value(row.get(name)) for name in columns}
        out.write(json.dumps(record, ensure_ascii=False, allow_nan=False).translate(_LINE_BREAKERS))
        out.write("\n")
        count += 1
    return count
