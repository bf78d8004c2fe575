"""Streaming writers for case exports: CSV and JSON lines here, XLSX in `app.xlsx_writer`.

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
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import BinaryIO, Callable, TextIO


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
