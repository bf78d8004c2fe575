"""Export writers: encoding, quoting, formula-injection defence, spreadsheet types, flat memory."""

from __future__ import annotations

import codecs
import csv
import enum
import io
import json
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.export_writers import cell_text, neutralise, write_csv, write_jsonl, write_xlsx

COLUMNS = ["id", "name", "note", "phone", "born", "reported_at", "regions", "verified", "age"]
HXL = ["#id", "#x_name", "#description", "#contact+phone", "#date+birth", "#date+reported"]
HXL += ["#adm1", "", "#x_age"]  # "verified" has no hashtag: an empty header cell
BAKU = timezone(timedelta(hours=4))

FORMULA_LIKE = ["=1+1", "+994501234567", "-3", "@SUM(A1)", "\t=cmd", "\r=x", "\0=x"]

ROWS = [
    {
        "id": 1,
        "name": "Əli Şükürov",
        "note": 'Он сказал "приеду", потом, молчание\nвторая строка',
        "phone": "+994501234567",
        "born": date(1990, 3, 14),
        "reported_at": datetime(2024, 5, 1, 13, 30, 5, 123456, tzinfo=BAKU),
        "regions": ["Gəncə", "Ростов"],
        "verified": True,
        "age": 34,
    },
    {
        "id": 2,
        "name": "=HYPERLINK(\"http://x\",\"click\")",
        "note": None,
        "phone": "",
        "born": None,
        "reported_at": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        "regions": [],
        "verified": False,
        "age": -3,  # a real number: never quoted
    },
]


def test_neutralise_prefixes_only_formula_triggers():
    for text in FORMULA_LIKE:
        assert neutralise(text) == "'" + text
    for text in ["Əli", "994501234567", "", "a=b", "#adm1", " =1", "'=1"]:
        assert neutralise(text) == text


def test_cell_text_forms():
    assert cell_text(None) == ""
    assert cell_text(date(2024, 2, 29)) == "2024-02-29"
    assert cell_text(datetime(2024, 5, 1, 13, 30, 5, 999, tzinfo=BAKU)) == "2024-05-01T09:30:05Z"
    assert cell_text(datetime(2024, 5, 1, 9, 30)) == "2024-05-01T09:30:00Z"  # naive = UTC
    assert cell_text(True) == "true" and cell_text(False) == "false"
    assert cell_text(["a", "b"]) == "a; b"
    assert cell_text(7) == "7" and cell_text(1.5) == "1.5"
    with pytest.raises(TypeError):
        cell_text(object())


# --- CSV -------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_bom_round_trip_and_header_rows():
    out = io.BytesIO()
    assert write_csv(iter(ROWS), COLUMNS, out, header_rows=[HXL]) == 2
    data = out.getvalue()
    assert data.startswith(codecs.BOM_UTF8)
    assert b"\r\n" in data and data.endswith(b"\r\n")

    header, hashtags, first, second = _csv_rows(data)
    assert header == COLUMNS
    assert hashtags == HXL
    assert first == [
        "1",
        "Əli Şükürov",
        'Он сказал "приеду", потом, молчание\nвторая строка',
        "'+994501234567",
        "1990-03-14",
        "2024-05-01T09:30:05Z",
        "Gəncə; Ростов",
        "true",
        "34",
    ]
    hyperlink = "'=HYPERLINK(\"http://x\",\"click\")"
    assert second == ["2", hyperlink, "", "", "", "2024-01-02T03:04:05Z", "", "false", "-3"]


def test_csv_neutralises_every_formula_like_cell():
    rows = [{"note": text, "regions": [text, "x"]} for text in FORMULA_LIKE]
    out = io.BytesIO()
    assert write_csv(rows, ["note", "regions"], out) == len(FORMULA_LIKE)
    body = _csv_rows(out.getvalue())[1:]
    assert [line[0] for line in body] == ["'" + text for text in FORMULA_LIKE]
    assert [line[1] for line in body] == ["'" + text + "; x" for text in FORMULA_LIKE]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=',"\r\n ;=aə'), min_size=1, max_size=3), min_size=1, max_size=5))
def test_csv_lines_are_quoted_exactly_as_the_csv_module_does(table):
    """Lines that only need commas quoted are built without the csv module: same bytes."""
    width = len(table[0])
    columns = [f"c{n}" for n in range(width)]
    rows = [dict(zip(columns, (cells + [""] * width)[:width])) for cells in table]
    out = io.BytesIO()
    write_csv(rows, columns, out)
    expected = io.StringIO(newline="")
    reference = csv.writer(expected, lineterminator="\r\n")
    reference.writerow(columns)
    reference.writerows([neutralise(row[name]) for name in columns] for row in rows)
    assert out.getvalue().decode("utf-8-sig") == expected.getvalue()


def test_csv_leaves_caller_stream_open_and_counts_zero():
    out = io.BytesIO()
    assert write_csv([], COLUMNS, out) == 0
    assert not out.closed
    assert _csv_rows(out.getvalue()) == [COLUMNS]


# --- XLSX ------------------------------------------------------------------------------------


def _all_cells(ws):
    return [cell for row in ws.iter_rows() for cell in row]


def test_xlsx_header_bold_frozen_and_typed_cells(tmp_path):
    path = tmp_path / "cases.xlsx"
    assert write_xlsx(ROWS, COLUMNS, path) == 2
    ws = openpyxl.load_workbook(path)["cases"]
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1])
    assert [cell.value for cell in ws[1]] == COLUMNS
    assert not any(cell.font.bold for cell in ws[2])

    row = {name: cell for name, cell in zip(COLUMNS, ws[2])}
    assert row["name"].value == "Əli Şükürov"
    assert row["note"].value == 'Он сказал "приеду", потом, молчание\nвторая строка'
    assert row["phone"].value == "'+994501234567"
    assert row["born"].is_date and row["born"].number_format == "yyyy-mm-dd"
    assert row["born"].value.date() == date(1990, 3, 14)  # openpyxl reads dates back as datetimes
    assert row["reported_at"].is_date and row["reported_at"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert row["reported_at"].value == datetime(2024, 5, 1, 9, 30, 5)  # UTC, whole seconds
    assert row["regions"].value == "Gəncə; Ростов"
    assert row["verified"].value is True
    assert row["id"].value == 1 and row["age"].value == 34

    second = {name: cell for name, cell in zip(COLUMNS, ws[3])}
    assert second["note"].value is None and second["born"].value is None
    assert second["age"].value == -3 and second["age"].data_type == "n"


def test_xlsx_two_header_rows_freeze_below_both(tmp_path):
    path = tmp_path / "cases.xlsx"
    write_xlsx(ROWS, COLUMNS, path, header_rows=[HXL], sheet_title="hxl")
    ws = openpyxl.load_workbook(path)["hxl"]
    assert ws.freeze_panes == "A3"
    assert all(cell.font.bold for cell in ws[2] if cell.value)
    assert [cell.value or "" for cell in ws[2]] == HXL


def test_xlsx_never_writes_a_formula(tmp_path):
    texts = FORMULA_LIKE + ["#N/A", "=", "-", "'=1"]
    rows = [{"note": text, "regions": [text]} for text in texts]
    header = ["=cmd|' /C calc'!A0", "regions"]  # even a hostile column name
    path = tmp_path / "cases.xlsx"
    assert write_xlsx(rows, ["note", "regions"], path, header_rows=[["@x", "+y"]]) == len(texts)

    ws = openpyxl.load_workbook(path).active
    assert not [cell.coordinate for cell in _all_cells(ws) if cell.data_type == "f"]
    body = list(ws.iter_rows(min_row=2, values_only=True))
    assert body[0] == ("'@x", "'+y")
    # After the neutralising quote: NUL cannot live in XML, it becomes U+FFFD; CR becomes LF.
    xlsx_form = {"\r=x": "\n=x", "\0=x": "\ufffd=x"}
    expected = ["'" + xlsx_form.get(text, text) for text in FORMULA_LIKE]
    expected += ["#N/A", "'=", "'-", "'=1"]
    assert [line[0] for line in body[1:]] == expected
    assert all(cell.data_type == "s" for cell in _all_cells(ws) if cell.value is not None)

    # The raw sheet XML too: inline strings, no <f> element at all.
    path2 = tmp_path / "hostile.xlsx"
    write_xlsx(rows, header, path2)
    xml = zipfile.ZipFile(path2).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert 't="inlineStr"' in xml
    assert openpyxl.load_workbook(path2).active["A1"].value == "'" + header[0]


def test_xlsx_date_columns_turn_iso_text_into_dates(tmp_path):
    rows = [{"born": "1990-03-14"}, {"born": "2024-02-30"}, {"born": "unknown"}]
    path = tmp_path / "cases.xlsx"
    write_xlsx(rows, ["born"], path, date_columns={"born"})
    ws = openpyxl.load_workbook(path).active
    assert ws["A2"].is_date and ws["A2"].value == datetime(1990, 3, 14)
    assert ws["A2"].number_format == "yyyy-mm-dd"
    assert ws["A3"].value == "2024-02-30" and ws["A4"].value == "unknown"


class _Level(enum.IntEnum):
    HIGH = 3


def test_xlsx_keeps_text_and_values_exactly(tmp_path):
    """The sheet XML is written by hand: markup characters, edge whitespace, Excel's length
    limit, values Excel cannot hold as numbers and subclasses must all come back as in CSV."""
    columns = ["text", "spaced", "long", "number", "values", "when"]
    rows = [
        {"text": 'a & b <c> "d"', "spaced": "  two sides  ", "long": "x" * 40_000, "number": float("-inf"),
         "values": ("Gəncə", 2), "when": datetime(1900, 1, 15, 6, tzinfo=BAKU)},
        {"text": "\ud800 lone", "spaced": " ", "number": _Level.HIGH, "values": [], "when": date(2024, 2, 29)},
    ]
    path = tmp_path / "cases.xlsx"
    write_xlsx(rows, columns, path)
    first, second = openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True)
    assert first[:5] == ('a & b <c> "d"', "  two sides  ", "x" * 32_767, "'-inf", "Gəncə; 2")
    assert first[5] == datetime(1900, 1, 15, 2)  # UTC, before Excel's phantom 29 February 1900
    assert second == ("\ufffd lone", " ", None, 3, None, datetime(2024, 2, 29))
    assert [p.name for p in tmp_path.iterdir()] == ["cases.xlsx"], "no partial file is left behind"


def test_xlsx_failure_leaves_no_file(tmp_path):
    path = tmp_path / "cases.xlsx"
    with pytest.raises(TypeError):
        write_xlsx([{"id": 1}, {"id": object()}], ["id"], path)
    assert list(tmp_path.iterdir()) == []


# --- JSON lines ------------------------------------------------------------------------------


def test_jsonl_ordered_objects_arrays_iso_dates_no_neutralising():
    out = io.StringIO(newline="\n")
    rows = [*ROWS, {"id": 3, "note": "line\u2028sep", "age": float("nan")}]
    assert write_jsonl(rows, COLUMNS, out) == 3
    text = out.getvalue()
    assert "Əli Şükürov" in text  # ensure_ascii=False
    lines = text.splitlines()  # splits on U+2028 too: it must be escaped
    assert len(lines) == 3
    first, second, third = (json.loads(line) for line in lines)
    assert list(first) == COLUMNS
    assert first == {
        "id": 1,
        "name": "Əli Şükürov",
        "note": 'Он сказал "приеду", потом, молчание\nвторая строка',
        "phone": "+994501234567",
        "born": "1990-03-14",
        "reported_at": "2024-05-01T09:30:05Z",
        "regions": ["Gəncə", "Ростов"],
        "verified": True,
        "age": 34,
    }
    assert second["name"] == "=HYPERLINK(\"http://x\",\"click\")"
    assert second["note"] is None and second["regions"] == [] and second["age"] == -3
    assert third["note"] == "line\u2028sep" and third["age"] is None and third["born"] is None


# --- Memory ----------------------------------------------------------------------------------
# 20,000 rows through each writer under tracemalloc. Peaks measured: about 0.15 MB (CSV),
# 0.02 MB (JSONL), 0.4 MB (XLSX, mostly the compressor's buffers); holding the rows in a list
# takes ~10 MB, and a sheet built in memory more (openpyxl's normal mode took ~33 MB), so the
# bounds catch either mistake. The rows are narrower than a real export only to keep tracemalloc
# within a few seconds; memory per row is not what is being measured, growth with rows is.

MEMORY_ROWS = 20_000
MEMORY_COLUMNS = ["id", "name", "reported_at", "regions"]


def _synthetic_rows(count: int):
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for n in range(count):
        yield {
            "id": n,
            "name": f"+99450{n:07d} Əli Şükürov — связь прервалась в Ростове",
            "reported_at": start + timedelta(minutes=n),
            "regions": ["Gəncə", "Sumqayıt"],
        }


class _Discard(io.RawIOBase):
    """A sink, so the output itself is not counted as the writer's memory."""

    def writable(self):
        return True

    def write(self, data):
        return len(data)


def _peak_mb(write) -> float:
    tracemalloc.start()
    try:
        assert write() == MEMORY_ROWS
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_memory_csv_stays_flat():
    peak = _peak_mb(lambda: write_csv(_synthetic_rows(MEMORY_ROWS), MEMORY_COLUMNS, _Discard()))
    print(f"csv peak {peak:.2f} MB")
    assert peak < 5


def test_memory_jsonl_stays_flat():
    sink = io.TextIOWrapper(_Discard(), encoding="utf-8", newline="\n")
    peak = _peak_mb(lambda: write_jsonl(_synthetic_rows(MEMORY_ROWS), MEMORY_COLUMNS, sink))
    print(f"jsonl peak {peak:.2f} MB")
    assert peak < 5


def test_memory_xlsx_stays_flat(tmp_path):
    path = tmp_path / "big.xlsx"
    peak = _peak_mb(lambda: write_xlsx(_synthetic_rows(MEMORY_ROWS), MEMORY_COLUMNS, path))
    print(f"xlsx peak {peak:.2f} MB")
    assert peak < 10  # a sheet built in memory (openpyxl's normal mode: ~33 MB) would fail this
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert f'<row r="{MEMORY_ROWS + 1}">' in xml and f'<row r="{MEMORY_ROWS + 2}">' not in xml
