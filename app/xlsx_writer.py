"""XLSX exports through XlsxWriter: the spreadsheet half of `app.export_writers` (whose module
docstring states the rules every format shares: UTC datetimes, joined lists, formula protection)."""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import xlsxwriter
from xlsxwriter.xmlwriter import XMLwriter

from app.export_writers import (
    Row, _by_type, _exportable_type, _list_text,
    _utc_naive, neutralise,
)


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
XMLwriter._escape_control_characters = staticmethod(ooxml_text)  # noqa: SLF001 - see the docstring above


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
