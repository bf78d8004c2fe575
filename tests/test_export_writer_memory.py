"""Export writers keep memory flat, however many rows stream through them."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import datetime, timedelta, timezone

from app.export_writers import write_csv, write_jsonl
from app.xlsx_writer import write_xlsx

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
    assert f'<row r="{MEMORY_ROWS + 1}"' in xml and f'<row r="{MEMORY_ROWS + 2}"' not in xml
