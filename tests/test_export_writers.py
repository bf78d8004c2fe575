"""Export writers: encoding, quoting, formula-injection defence, spreadsheet types (their flat
memory: tests/test_export_writer_memory.py)."""

from __future__ import annotations

import codecs
import csv
import enum
import io
import json
import zipfile
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.export_writers import cell_text, neutralise, write_csv, write_jsonl
from app.xlsx_writer import PHONE_SHAPE, XLSX_CUT_MARKER, XLSX_TEXT_LIMIT, cut_for_excel, write_xlsx
from tests.support.workbooks import holds, read_both

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
# Every workbook is read back by two readers nobody here wrote, openpyxl and python-calamine, and
# each cell compared with the CSV export of the same rows.


def _all_cells(ws):
    return [cell for row in ws.iter_rows() for cell in row]






def _assert_workbook_matches_csv(path, rows, columns, phone_columns=frozenset(), header_rows=()):
    out = io.BytesIO()
    write_csv(rows, columns, out, header_rows=header_rows)
    table = _csv_rows(out.getvalue())
    for reader, sheet in zip(("openpyxl", "calamine"), read_both(path)):
        assert len(sheet) <= len(table), reader
        sheet = sheet + [[]] * (len(table) - len(sheet))  # readers end at the last row with a value
        for number, (line, cells) in enumerate(zip(table, sheet)):
            cells = list(cells) + [None] * (len(line) - len(cells))
            for name, text, value in zip(columns, line, cells):
                is_phone = number > len(header_rows) and name in phone_columns and PHONE_SHAPE.fullmatch(text.removeprefix("'"))
                expected = cut_for_excel(text.removeprefix("'") if is_phone else text)
                assert holds(value, text, expected), (reader, number, name, text[:80], value if not isinstance(value, str) else value[:80])


def test_xlsx_header_bold_frozen_and_typed_cells(tmp_path):
    path = tmp_path / "cases.xlsx"
    assert write_xlsx(ROWS, COLUMNS, path, phone_columns={"phone"}) == 2
    ws = openpyxl.load_workbook(path)["cases"]
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1])
    assert [cell.value for cell in ws[1]] == COLUMNS
    assert not any(cell.font.bold for cell in ws[2])

    row = {name: cell for name, cell in zip(COLUMNS, ws[2])}
    assert row["name"].value == "Əli Şükürov"
    assert row["note"].value == 'Он сказал "приеду", потом, молчание\nвторая строка'
    # Staff copy and dial it: no quote, a text cell with the text format (stays text when edited).
    assert row["phone"].value == "+994501234567" and row["phone"].data_type == "s" and row["phone"].number_format == "@"
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
    _assert_workbook_matches_csv(path, ROWS, COLUMNS, phone_columns={"phone"})


def test_xlsx_phone_columns_quote_whatever_is_not_a_phone_number(tmp_path):
    rows = [{"phone": "-1+1"}, {"phone": "+994 50 123"}, {"phone": "=1+1"}, {"phone": "+79001234567"}]
    path = tmp_path / "cases.xlsx"
    write_xlsx(rows, ["phone"], path, phone_columns={"phone"})
    assert [line[0] for line in read_both(path)[1][1:]] == ["'-1+1", "'+994 50 123", "'=1+1", "+79001234567"]
    _assert_workbook_matches_csv(path, rows, ["phone"], phone_columns={"phone"})


def test_xlsx_two_header_rows_freeze_below_both(tmp_path):
    path = tmp_path / "cases.xlsx"
    write_xlsx(ROWS, COLUMNS, path, header_rows=[HXL], sheet_title="hxl")
    ws = openpyxl.load_workbook(path)["hxl"]
    assert ws.freeze_panes == "A3"
    assert all(cell.font.bold for cell in ws[2] if cell.value)
    assert [cell.value or "" for cell in ws[2]] == HXL
    _assert_workbook_matches_csv(path, ROWS, COLUMNS, header_rows=[HXL])


# Text a reader could decode into something else: escape-shaped text (alone, sharing an
# underscore, closed by a control character), control characters, and XML that XlsxWriter on
# its own writes unescaped (a text between <r> and </r>), here adding a live HYPERLINK cell.
TRICKY_TEXTS = [
    '_x003D_HYPERLINK("http://evil","click")', "_x0041_x0042_", "_x005F_x0041_", "SKU_x0041\r", "a_x0041\x01",
    "_X003D_upper", "_x00_", '<r><t>a</t></r></is></c><c r="B2"><f>HYPERLINK("http://evil","x")</f></c><c><is><r>',
    "<r></r>", "x\x00y\x08z\x1f", "  edges  ", "a & b <c> \"d\"", "line\r\nbreak",
]


def test_xlsx_never_writes_a_formula(tmp_path):
    texts = FORMULA_LIKE + ["#N/A", "=", "-", "'=1"] + TRICKY_TEXTS
    rows = [{"note": text, "regions": [text]} for text in texts]
    header = ["=cmd|' /C calc'!A0", "regions"]  # even a hostile column name
    path = tmp_path / "cases.xlsx"
    assert write_xlsx(rows, ["note", "regions"], path, header_rows=[["@x", "+y"]]) == len(texts)

    ws = openpyxl.load_workbook(path).active
    assert not [cell.coordinate for cell in _all_cells(ws) if cell.data_type == "f"]
    assert ws.max_column == 2, "no cell was added by the text"
    assert all(cell.data_type == "s" for cell in _all_cells(ws) if cell.value is not None)
    _assert_workbook_matches_csv(path, rows, ["note", "regions"], header_rows=[["@x", "+y"]])
    body = read_both(path)[1][2:]
    assert body[len(FORMULA_LIKE) + 4][0] == '_x003D_HYPERLINK("http://evil","click")', "not decoded into =HYPERLINK"

    # The raw sheet XML too: no <f> element at all.
    path2 = tmp_path / "hostile.xlsx"
    write_xlsx(rows, header, path2)
    xml = zipfile.ZipFile(path2).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert openpyxl.load_workbook(path2).active["A1"].value == "'" + header[0]


@settings(max_examples=60, deadline=None)
# Pieces that join into escape shapes ("_x0041" + "_x0041" + "_"), control characters, markup.
@given(st.lists(st.lists(st.sampled_from(["_x0041", "_x005F", "_", "x", "\r", "\x01", "<r>", "</r>", "=", "😀", "ə", " "]), max_size=8).map("".join), min_size=1, max_size=4))
def test_xlsx_any_text_reads_back_as_in_csv(tmp_path_factory, texts):
    rows = [{"note": text} for text in texts]
    path = tmp_path_factory.mktemp("prop") / "cases.xlsx"
    write_xlsx(rows, ["note"], path)
    _assert_workbook_matches_csv(path, rows, ["note"])


def test_xlsx_cuts_long_cells_in_utf16_units_with_a_visible_marker(tmp_path):
    emoji = "😀" * 20_000  # 20,000 characters, 40,000 UTF-16 units: over Excel's limit
    exact = "ə" * XLSX_TEXT_LIMIT  # at the limit: kept whole
    rows = [{"text": emoji}, {"text": "x" * 40_000}, {"text": exact}, {"text": ["😀" * 10_000, "😀" * 10_000]}]
    path = tmp_path / "cases.xlsx"
    write_xlsx(rows, ["text"], path)
    for sheet in read_both(path):
        cut_emoji, cut_x, whole, joined = (line[0] for line in sheet[1:])
        for cut, char in ((cut_emoji, "😀"), (cut_x, "x"), (joined, "😀")):
            assert cut.endswith(XLSX_CUT_MARKER) and len(cut.encode("utf-16-le")) // 2 <= XLSX_TEXT_LIMIT
            assert set(cut.removesuffix(XLSX_CUT_MARKER)) <= {char, ";", " "}, "no half of an emoji is left"
        assert len(cut_emoji.encode("utf-16-le")) // 2 >= XLSX_TEXT_LIMIT - 1
        assert whole == exact
    _assert_workbook_matches_csv(path, rows, ["text"])
    out = io.BytesIO()
    write_csv(rows, ["text"], out)
    assert _csv_rows(out.getvalue())[1] == [emoji], "CSV keeps the whole text"


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
    """Markup characters, edge whitespace, values Excel cannot hold as numbers and subclasses
    must all come back as in CSV; a lone surrogate and U+FFFE, U+FFFF (no XML character) as U+FFFD."""
    columns = ["text", "spaced", "number", "values", "when"]
    rows = [
        {"text": 'a & b <c> "d"', "spaced": "  two sides  ", "number": float("-inf"),
         "values": ("Gəncə", 2), "when": datetime(1900, 1, 15, 6, tzinfo=BAKU)},
        {"text": "\ud800 lone \ufffe\uffff", "spaced": " ", "number": _Level.HIGH, "values": [], "when": date(2024, 2, 29)},
    ]
    path = tmp_path / "cases.xlsx"
    write_xlsx(rows, columns, path)
    first, second = openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True)
    assert first[:4] == ('a & b <c> "d"', "  two sides  ", "'-inf", "Gəncə; 2")
    assert first[4] == datetime(1900, 1, 15, 2)  # UTC, before Excel's phantom 29 February 1900
    assert second == ("\ufffd lone \ufffd\ufffd", " ", 3, None, datetime(2024, 2, 29))
    assert [p.name for p in tmp_path.iterdir()] == ["cases.xlsx"], "no partial or scratch file is left behind"
    write_xlsx(rows[:1], columns, path)
    _assert_workbook_matches_csv(path, rows[:1], columns)


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
