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
tab, carriage return or NUL gets a leading single quote, so a spreadsheet shows it as text (and
keeps it text when someone edits the cell). In CSV that includes phone numbers ("'+994501234567"):
CSV has no types, and "+994..." would be read as a formula or a number. In XLSX a phone number in
E.164 is a text-formatted string cell without the quote, so staff can copy and dial it (see
PHONE_SHAPE). Programs that need the raw value should read the JSON-lines export, which is never
neutralised (it is not opened by spreadsheets, and altering data there would only corrupt it).
Real numbers (int, finite float) and booleans are never quoted: -3 as a number is harmless.

Length: only XLSX cuts text, at Excel's 32,767 UTF-16 units per cell, with a visible marker
(cut_for_excel); CSV and JSON keep every character.

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
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, TextIO

import xlsxwriter
from xlsxwriter.xmlwriter import XMLwriter

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
    bom: bool = True,
) -> int:
    """Write UTF-8 CSV with a BOM (so Excel shows ə, ş and Cyrillic; `bom=False` for readers that
    take it for part of the first name), RFC 4180 quoting and CRLF line ends: the column names,
    then `header_rows` (e.g. HXL hashtags), then one line per row. Returns the number of data rows
    written. `out` is left open."""
    if bom:
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
# XlsxWriter in constant_memory mode: each row goes to disk once the next begins, strings are
# written inline, and no cell is ever a formula (write_string, write_number... never write()).

XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_TEXT_LIMIT = 32_767  # UTF-16 code units in one cell (Excel's limit; an emoji takes two)
# Ends a cell cut at that limit, so nobody mistakes a cut text for the whole of it. Only XLSX
# cuts: CSV and JSON have no such limit and keep every character.
XLSX_CUT_MARKER = " [… cut: Excel holds 32,767 characters per cell; the CSV and JSON exports have the full text]"
# A phone number in E.164 (what the intake stores): written as a text-formatted cell without the
# neutralising quote, so staff can copy and dial it. A text cell is never a formula, and the
# text format keeps it text when someone edits it.
PHONE_SHAPE = re.compile(r"\+[1-9][0-9]{4,14}")
_INVALID_SHEET_TITLE = re.compile(r"[\\*?:/\[\]]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Two faults of XlsxWriter's inline strings (3.3), mended by replacing its escape step:
# * Text shaped like "_x0041_" must have its underscore escaped ("_x005F_"), or readers decode it
#   ("_x003D_HYPERLINK(…)" reads back as "=HYPERLINK(…)"). XlsxWriter's pattern misses the second
#   of two such shapes sharing an underscore ("_x0041_x0042_") and a shape closed by a control
#   character it escapes afterwards ("_x0041" + CR becomes "_x0041_x000D_").
# * Text that starts with "<r>" and ends with "</r>" is taken for a rich string and written with
#   no XML escaping at all, so a family's text could add cells, formulas included, to the sheet.
# The replacement escapes in one pass over the original text (ECMA-376 22.4.2.4), turns what XML
# cannot hold as a character into U+FFFD (a lone surrogate would otherwise abort the whole export;
# python-calamine does not decode an escaped U+FFFE or U+FFFF), and writes the "<" of such a text
# as "_x003C_", which every reader decodes back to "<".
_CONTROL = "\x00-\x08\x0b-\x1f"
_OOXML_CARE = re.compile(rf"_(?=x[0-9a-fA-F]{{4}}[_{_CONTROL}])|[{_CONTROL}]|[\ud800-\udfff\ufffe\uffff]")


def _ooxml_escape_one(match: re.Match) -> str:
    char = match.group()
    if char == "_":
        return "_x005F_"
    return f"_x{ord(char):04X}_" if char < " " else "\ufffd"


def ooxml_text(text: str) -> str:
    """Text as stored in an inline-string cell (before XML escaping of & < >). XlsxWriter also
    passes the values of other elements (a boolean's 1): those are left as they are."""
    if not isinstance(text, str):
        return text
    text = _OOXML_CARE.sub(_ooxml_escape_one, text)
    if text.startswith("<r>") and text.endswith("</r>"):
        text = "_x003C_" + text[1:]
    return text


if not callable(getattr(XMLwriter, "_escape_control_characters", None)):  # pragma: no cover
    raise ImportError("XlsxWriter no longer has XMLwriter._escape_control_characters: review ooxml_text")
XMLwriter._escape_control_characters = staticmethod(ooxml_text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def cut_for_excel(text: str) -> str:
    """The text, or its start plus XLSX_CUT_MARKER when it exceeds Excel's cell limit counted in
    UTF-16 units; never splitting a character outside the Basic Multilingual Plane."""
    if len(text) <= XLSX_TEXT_LIMIT // 2 or utf16_length(text) <= XLSX_TEXT_LIMIT:
        return text  # the first test is free: no text that short can exceed the limit
    room = XLSX_TEXT_LIMIT - utf16_length(XLSX_CUT_MARKER)
    units = text.encode("utf-16-le")[: room * 2]
    # A cut between the two halves of a surrogate pair leaves a lone high surrogate: drop it.
    kept = units.decode("utf-16-le", errors="ignore")
    return kept + XLSX_CUT_MARKER


class _Sheet:
    """One worksheet written cell by cell, each by the writer for its value's type."""

    def __init__(self, workbook: xlsxwriter.Workbook, title: str) -> None:
        self.ws = workbook.add_worksheet(title)
        self.bold = workbook.add_format({"bold": True})
        self.date = workbook.add_format({"num_format": XLSX_DATE_FORMAT})
        self.datetime = workbook.add_format({"num_format": XLSX_DATETIME_FORMAT})
        self.text = workbook.add_format({"num_format": "@"})
        self.cells: dict[type, Callable[[int, int, object], object]] = {
            type(None): lambda row, col, value: None,
            str: self.string,
            bool: self.ws.write_boolean,
            int: self.ws.write_number,
            float: self.number,
            datetime: lambda row, col, value: self.ws.write_datetime(row, col, _utc_naive(value).replace(microsecond=0), self.datetime),
            date: lambda row, col, value: self.ws.write_datetime(row, col, value, self.date),
            list: self.joined, tuple: self.joined,
        }

    def string(self, row: int, col: int, text: str, style=None) -> None:
        if text:  # an empty text is an empty cell, as in CSV
            self.ws.write_string(row, col, cut_for_excel(neutralise(text)), style)

    def number(self, row: int, col: int, value: float) -> None:
        if math.isfinite(value):
            self.ws.write_number(row, col, value)
        else:
            self.string(row, col, str(value))  # Excel cannot store NaN or infinity as a number

    def joined(self, row: int, col: int, items: list | tuple) -> None:
        self.string(row, col, _list_text(items))

    def phone(self, row: int, col: int, value: object) -> None:
        if type(value) is str and PHONE_SHAPE.fullmatch(value):
            self.ws.write_string(row, col, value, self.text)
        else:
            _by_type(self.cells, value)(row, col, value)

    def iso_date(self, row: int, col: int, value: object) -> None:
        """Text in a date column: a real date when it is one, else the text as typed."""
        if type(value) is str and _ISO_DATE.fullmatch(value):
            try:
                return self.ws.write_datetime(row, col, date.fromisoformat(value), self.date)
            except ValueError:
                pass  # "2024-02-30" stays text: better shown as typed than silently dropped
        _by_type(self.cells, value)(row, col, value)

    def write(self, rows: Iterable[Row], columns: Sequence[str], header_rows, date_columns, phone_columns) -> int:
        headers = [columns, *header_rows]
        for number, header in enumerate(headers):
            for col, text in enumerate(header):
                self.string(number, col, text, self.bold)
        self.ws.freeze_panes(len(headers), 0)
        special = {**{name: self.iso_date for name in date_columns}, **{name: self.phone for name in phone_columns}}
        plan, cells = [(col, name, special.get(name)) for col, name in enumerate(columns)], self.cells
        count = 0
        for number, row in enumerate(rows, start=len(headers)):
            for col, name, writer in plan:
                value = row.get(name)
                # The column's own writer, else the one for the exact type, else for its base type.
                (writer or cells.get(type(value)) or cells[_exportable_type(value)])(number, col, value)
            count += 1
        return count


def write_xlsx(
    rows: Iterable[Row],
    columns: Sequence[str],
    out_path: str | Path,
    header_rows: Sequence[Sequence[str]] = (),
    date_columns: set[str] | frozenset[str] = frozenset(),
    sheet_title: str = "cases",
    phone_columns: set[str] | frozenset[str] = frozenset(),
) -> int:
    """Write one worksheet: bold, frozen header row(s), then one line per row. Returns the number
    of data rows written.

    date and datetime values become real spreadsheet dates (datetimes as UTC). `date_columns`
    names columns whose values may arrive as "YYYY-MM-DD" strings; those are written as real
    dates too. All text is a string cell, never a formula, and is neutralised like CSV so both
    exports read the same, except E.164 numbers in `phone_columns` (see PHONE_SHAPE). Text over
    Excel's cell limit is cut with a marker (cut_for_excel).

    The workbook is written beside `out_path` and moved there once complete, so a failure leaves
    no half-written file there."""
    if not 0 < len(sheet_title) <= 31 or _INVALID_SHEET_TITLE.search(sheet_title):
        raise ValueError(f"not a sheet title Excel accepts: {sheet_title!r}")
    out_path = Path(out_path)
    partial = out_path.with_name(f".{out_path.name}.part")
    # XlsxWriter keeps the rows in a file of its own until close(): in a folder of ours beside
    # the export, removed whatever happens, so no case data is left in /tmp after a failure.
    with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=f".{out_path.name}.") as scratch:
        options = {"constant_memory": True, "tmpdir": scratch, "strings_to_formulas": False,
                   "strings_to_urls": False, "strings_to_numbers": False}
        try:
            workbook = xlsxwriter.Workbook(str(partial), options)
            count = _Sheet(workbook, sheet_title).write(rows, columns, header_rows, date_columns, phone_columns)
            workbook.close()
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


def write_json_table(rows: Iterable[Row], columns: Sequence[str], out: TextIO, header_rows: Sequence[Sequence[str]] = ()) -> int:
    """Write one JSON array of arrays: the column names, `header_rows` (e.g. HXL hashtags), then
    one array per row, each on a line of its own. The form HXL readers take (libhxl reads an
    array of arrays, or of objects, not JSON lines). Returns the number of data rows written."""
    out.write("[")
    out.write(_JSON.encode(list(columns)))
    for header in header_rows:
        out.write(",\n" + _JSON.encode(list(header)))
    count = 0
    for row in rows:
        out.write(",\n" + _JSON.encode([_json_safe(row.get(name)) for name in columns]))
        count += 1
    out.write("]\n")
    return count
