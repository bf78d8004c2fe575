"""Streaming writers for case exports: CSV, XLSX and JSON lines.

Pure functions over rows (mappings of column name to value); no database. Each writer consumes
its rows one at a time, so an export of any size uses about the same memory.

Value types a row may hold: str, int, float, bool, None, datetime.date, datetime.datetime and
list[str] (or a tuple). Decisions shared by the formats:

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

Speed: an export is millions of cells, so a cell is converted after one look-up of its exact
type in a table (subclasses take a slower isinstance path), not a chain of isinstance checks.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, TextIO
from xml.sax.saxutils import escape as xml_escape, quoteattr

Row = Mapping[str, object]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
LIST_SEPARATOR = "; "
# Exportable types, each before its base class (bool is an int, datetime is a date).
_EXPORTABLE_TYPES = (type(None), str, bool, int, float, datetime, date, list, tuple)

# Valid inside JSON strings, but str.splitlines() and some JSON-lines readers split on them;
# escaping keeps exactly one record per line for every reader.
_LINE_BREAKERS = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def neutralise(text: str) -> str:
    """OWASP ASVS 1.2.10 / CSV injection: a cell starting with = + - @ TAB CR or NUL is prefixed
    with a single quote so spreadsheets show it as text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _exportable_type(value: object) -> type:
    """The type in _EXPORTABLE_TYPES that `value` is an instance of."""
    for kind in _EXPORTABLE_TYPES:
        if isinstance(value, kind):
            return kind
    # Failing loudly beats exporting a Python repr to the embassy.
    raise TypeError(f"cannot export a value of type {type(value).__name__}")


def _by_type(table: dict[type, Callable], value: object) -> Callable:
    """The converter in `table` for the value: by exact type, else by its exportable base type."""
    convert = table.get(type(value))
    return convert if convert is not None else table[_exportable_type(value)]


def _utc_naive(value: datetime) -> datetime:
    """The UTC wall-clock time without tzinfo (naive input is already UTC, see module doc)."""
    if value.tzinfo is timezone.utc:  # what the models hand back: no conversion to pay for
        return value.replace(tzinfo=None)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _is_real_number(value: object) -> bool:
    """int or finite float, not bool (an int subclass, but never a number in an export)."""
    return not isinstance(value, bool) and (isinstance(value, int) or isinstance(value, float) and math.isfinite(value))


def _datetime_text(value: datetime) -> str:
    return _utc_naive(value).isoformat(timespec="seconds") + "Z"


def _list_text(items: list | tuple) -> str:
    try:
        return LIST_SEPARATOR.join(items)  # the usual list of str, at the speed of one join
    except TypeError:
        return LIST_SEPARATOR.join(cell_text(item) for item in items)


_TEXT_FORMS: dict[type, Callable[[object], str]] = {
    type(None): lambda _: "",
    str: str,
    bool: lambda value: "true" if value else "false",
    int: str, float: str,
    datetime: _datetime_text,
    date: date.isoformat,
    list: _list_text, tuple: _list_text,
}


def cell_text(value: object) -> str:
    """The text form used by CSV: None → "", date → YYYY-MM-DD, datetime → YYYY-MM-DDTHH:MM:SSZ
    (UTC), bool → "true"/"false", list → "; "-joined, numbers → str(). Not neutralised."""
    return _by_type(_TEXT_FORMS, value)(value)


# --- CSV -------------------------------------------------------------------------------------


def _csv_other(value: object) -> str:
    """Subclasses of the usual types (a str subclass, an IntEnum...): judged as in the module doc."""
    text = cell_text(value)
    return text if _is_real_number(value) else neutralise(text)


# The text forms, neutralised where they are text: strings, lists, and "inf" or "-inf".
_CSV_CELLS: dict[type, Callable[[object], str]] = {
    **_TEXT_FORMS,
    str: neutralise,
    float: lambda value: str(value) if math.isfinite(value) else neutralise(str(value)),
    list: lambda items: neutralise(_list_text(items)), tuple: lambda items: neutralise(_list_text(items)),
}


def _csv_cells(row: Row, columns: Sequence[str]) -> list[str]:
    return [_CSV_CELLS.get(type(value), _csv_other)(value) for value in map(row.get, columns)]


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
        separators = len(columns) - 1
        count = 0
        for row in rows:
            cells = _csv_cells(row, columns)
            line = ",".join(cells)
            if not separators or '"' in line or "\n" in line or "\r" in line:
                writer.writerow(cells)  # doubled quotes, line breaks, a lone empty field: csv's job
            else:
                # Only commas need quoting here, so the line is built directly (RFC 4180 minimal
                # quoting, as the csv module's): that module copies every character one by one,
                # which took a third of a large export.
                if line.count(",") != separators:
                    line = ",".join([f'"{cell}"' if "," in cell else cell for cell in cells])
                text_out.write(line + "\r\n")
            count += 1
    finally:
        # Detach, not close: the caller owns `out` (it may be a BytesIO about to be sent).
        text_out.flush()
        text_out.detach()
    return count


# --- XLSX ------------------------------------------------------------------------------------
# The workbook is written as SpreadsheetML text straight into the zip archive: openpyxl's
# write-only mode builds an XML element per cell, which took four fifths of a large export.
# The parts are the minimal set an Office Open XML (ECMA-376) workbook needs.

XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_TEXT_LIMIT = 32_767  # characters in one cell (Excel's limit)
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
# Cell styles by position in cellXfs below: plain, bold header, datetime, date.
_BOLD, _DATETIME, _DATE = ' s="1"', ' s="2"', ' s="3"'
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CONTENT_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CONTENT_TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CONTENT_TYPE}.styles+xml"/></Types>'
    ),
    "_rels/.rels": f'<Relationships xmlns="{_PACKAGE_REL_NS}"><Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PACKAGE_REL_NS}"><Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_MAIN_NS}"><numFmts count="2"><numFmt numFmtId="164" formatCode="{XLSX_DATETIME_FORMAT}"/>'
        f'<numFmt numFmtId="165" formatCode="{XLSX_DATE_FORMAT}"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/>'
        '<family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2">'
        '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1">'
        '<border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
        'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    ),
}
_INVALID_SHEET_TITLE = re.compile(r"[\\*?:/\[\]]")
# What text needs beyond the neutralising quote: XML escapes, CR (XML readers turn a raw CR
# into LF anyway, and Excel breaks lines in a cell on LF) and characters XML 1.0 cannot hold,
# which become U+FFFD so one stray byte in a relative's message cannot spoil a whole export.
_NOT_IN_XML = r"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_XML_ILLEGAL = re.compile(f"[{_NOT_IN_XML}]")
_XML_CARE = re.compile(rf"[&<>\r{_NOT_IN_XML}]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _excel_serial(value: datetime) -> int | float:
    """Days since Excel's epoch, as openpyxl counts them (Excel's 1900 leap-year bug included)."""
    days = (value - _EXCEL_EPOCH).days
    if 0 < days <= 60:
        days -= 1
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    return days + seconds / 86400 if seconds else days


def _xlsx_text(ref: str, text: str, style: str = "") -> str:
    """An inline-string cell: never a formula or an error value, whatever the text looks like."""
    text = neutralise(text)
    if _XML_CARE.search(text):
        text = _XML_ILLEGAL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
        text = xml_escape(text[:XLSX_TEXT_LIMIT])
    elif len(text) > XLSX_TEXT_LIMIT:
        text = text[:XLSX_TEXT_LIMIT]
    if not text:
        return ""
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _xlsx_datetime(ref: str, value: datetime) -> str:
    # Whole seconds, like the CSV text, so both exports hold the same instant.
    return f'<c r="{ref}"{_DATETIME} t="n"><v>{_excel_serial(_utc_naive(value).replace(microsecond=0))!r}</v></c>'


def _xlsx_date(ref: str, value: date) -> str:
    return f'<c r="{ref}"{_DATE} t="n"><v>{_excel_serial(datetime(value.year, value.month, value.day))}</v></c>'


def _xlsx_float(ref: str, value: float) -> str:
    if math.isfinite(value):
        return f'<c r="{ref}" t="n"><v>{value!r}</v></c>'
    return _xlsx_text(ref, str(value))  # Excel cannot store NaN or infinity as a number


def _xlsx_iso_date(ref: str, text: str) -> str:
    """Text in a date column: a real date when it is one, else the text as typed."""
    if _ISO_DATE.fullmatch(text):
        try:
            return _xlsx_date(ref, date.fromisoformat(text))
        except ValueError:
            pass  # "2024-02-30" stays text: better shown as typed than silently dropped
    return _xlsx_text(ref, text)


_XLSX_CELLS: dict[type, Callable[[str, object], str]] = {
    type(None): lambda ref, value: "",
    str: _xlsx_text,
    bool: lambda ref, value: f'<c r="{ref}" t="b"><v>{int(value)}</v></c>',
    int: lambda ref, value: f'<c r="{ref}" t="n"><v>{int(value)}</v></c>',
    float: _xlsx_float,
    datetime: _xlsx_datetime,
    date: _xlsx_date,
    list: lambda ref, items: _xlsx_text(ref, _list_text(items)), tuple: lambda ref, items: _xlsx_text(ref, _list_text(items)),
}
_XLSX_DATE_COLUMN_CELLS = {**_XLSX_CELLS, str: _xlsx_iso_date}


def _column_letters(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA."""
    head, rest = divmod(number - 1, 26)
    return (_column_letters(head) if head else "") + chr(ord("A") + rest)


def _write_sheet(sheet: TextIO, rows: Iterable[Row], columns: Sequence[str], header_rows, date_columns) -> int:
    letters = [_column_letters(n) for n in range(1, len(columns) + 1)]
    headers = [columns, *header_rows]
    # Frozen below the header rows: the top-left cell of the scrolling part is the first data row.
    first = f"A{len(headers) + 1}"
    sheet.write(
        f'<worksheet xmlns="{_MAIN_NS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="{len(headers)}" topLeftCell="{first}" '
        f'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="{first}" sqref="{first}"/></sheetView>'
        '</sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData>'
    )
    for number, header in enumerate(headers, start=1):
        cells = "".join(_xlsx_text(f"{letter}{number}", text, _BOLD) for letter, text in zip(letters, header))
        sheet.write(f'<row r="{number}">{cells}</row>')
    # The cell table for each column, chosen once rather than per cell.
    plan = [(name, letter, _XLSX_DATE_COLUMN_CELLS if name in date_columns else _XLSX_CELLS) for name, letter in zip(columns, letters)]
    count = 0
    for number, row in enumerate(rows, start=len(headers) + 1):
        cells = []
        for name, letter, table in plan:
            value = row.get(name)
            cells.append(_by_type(table, value)(f"{letter}{number}", value))
        sheet.write(f'<row r="{number}">{"".join(cells)}</row>')
        count += 1
    sheet.write("</sheetData></worksheet>")
    return count


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

    Rows are streamed into the archive as they come. It is written beside `out_path` and moved
    there once complete, so a failure leaves no half-written file there."""
    if not 0 < len(sheet_title) <= 31 or _INVALID_SHEET_TITLE.search(sheet_title):
        raise ValueError(f"not a sheet title Excel accepts: {sheet_title!r}")
    out_path = Path(out_path)
    partial = out_path.with_name(f".{out_path.name}.part")
    try:
        # Level 3: a third of the time of zlib's default, for a file about a tenth larger.
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as archive:
            for name, xml in _XLSX_PARTS.items():
                archive.writestr(name, xml)
            archive.writestr("xl/workbook.xml", (
                f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews>'
                f'<sheets><sheet name={quoteattr(sheet_title)} sheetId="1" r:id="rId1"/></sheets></workbook>'
            ))
            # newline="": line breaks inside cells are written as they are, on every platform.
            with archive.open("xl/worksheets/sheet1.xml", "w") as stream, io.TextIOWrapper(stream, encoding="utf-8", newline="") as sheet:
                count = _write_sheet(sheet, rows, columns, header_rows, date_columns)
        os.replace(partial, out_path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


# --- JSON lines ------------------------------------------------------------------------------


def _json_safe(value: object) -> object:
    """NaN and infinities become null: JSON has neither, and allow_nan=False refuses them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


# json asks `default` only for what it cannot encode: dates, which get the text CSV has, and
# types no export takes, which cell_text refuses.
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=cell_text)


def write_jsonl(rows: Iterable[Row], columns: Sequence[str], out: TextIO) -> int:
    """Write one JSON object per line, keys in column order, UTF-8 text kept as is (not \\u
    escapes), dates ISO 8601, lists as arrays, missing values as null. Values are never
    neutralised: this is the export for programs, which need the exact text. `out` should be
    opened with encoding="utf-8" and newline="\\n". Returns the number of rows written."""
    count = 0
    for row in rows:
        record = {name: row.get(name) for name in columns}
        try:
            line = _JSON.encode(record)
        except ValueError:  # a NaN or an infinity somewhere in the row: rare, so handled apart
            line = _JSON.encode({name: _json_safe(value) for name, value in record.items()})
        for breaker, escaped in _LINE_BREAKERS:
            line = line.replace(breaker, escaped)
        out.write(line)
        out.write("\n")
        count += 1
    return count
