"""Export memory and time with many cases: prints figures (a benchmark, not a test).

    .venv/bin/python benchmarks/export_memory.py [--cases 100000]

Generates the cases (with attachments, additions and duplicate links) into a fresh SQLite file,
then exports each format (and the stats profile as CSV) in a fresh process and reports its peak RSS and wall time, at 10% of
the cases and at all of them: a flat memory profile shows as the same peak at both sizes.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.migrate import upgrade  # noqa: E402
from db.models import Attachment, Case, CaseAddition, DuplicateLink  # noqa: E402

GIVEN = ["Tahir", "Elçin", "Fəxri", "Şahruz", "Ziyəddin", "Rəşad", "Anar", "Orxan", "Vüsal", "Elnur"]
REGIONS = ["voronezh_oblast", "rostov_oblast", "moscow", "donetsk_region", "dagestan", None]
DISTRICTS = ["bilasuvar", "baku", "ganja", "lankaran_rayon", "sharur", None]
SITUATIONS = ["no_contact", "at_front", "captured", "killed", None]
SURNAMES = ["Abdullayev", "Məmmədov", "Hacıyev", "Əliyev", "Həsənov", "Hüseynov", "Quliyev", "Abbasov"]
# The peak is VmHWM, this process's own: Linux carries ru_maxrss over from the parent at fork
# and keeps the higher figure across exec, so ru_maxrss showed this script's RSS, not the export's.
RUN_EXPORT = """
import resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from app.exports import Filters, run_export
from db.database import Database
db = Database({url!r})
started = time.perf_counter()
rows = run_export(db, {fmt!r}, {profile!r}, Filters(), Path({out!r}), None, "benchmark", "cli")
elapsed = time.perf_counter() - started
try:
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024
except OSError:  # no /proc (not Linux): the figure the benchmark used before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(rows, elapsed, peak)
"""


def generate(url: str, count: int) -> None:
    engine = create_engine(url)
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    batch = 5000
    with engine.begin() as connection:
        for start in range(0, count, batch):
            cases = []
            for n in range(start, min(start + batch, count)):
                cases.append(dict(
                    id=n + 1, ref=f"{n:07d}"[-7:], reporter_telegram_id=10_000 + n, reporter_chat_id=10_000 + n,
                    language=rng.choice(["az", "ru", "en"]), status="new", consent_version="2026-11-21",
                    share_with_authorities=rng.random() < 0.6, created_at=now - timedelta(minutes=n), updated_at=now,
                    submitted_receipt=n + 1, reporter_relationship="mother",
                    person_full_name=f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}", birth_year=rng.randint(1960, 2005),
                    last_contact_date=date(2026, 1, 15), last_contact_precision="approximate",
                    last_contact_text="yanvarın ortası", last_location="Voronej, hərbi hissə 11097",
                    reporter_contact_method="phone", reporter_phone="+994501234567", already_contacted=["embassy"],
                    skipped=[], details="Polis saxladı, sonra hərbi hissəyə apardılar. " * 3,
                    consular_mission="embassy_moscow", region_key=rng.choice(REGIONS), home_district_key=rng.choice(DISTRICTS),
                    person_situation=rng.choice(SITUATIONS),
                ))
            connection.execute(insert(Case), cases)
            ids = [c["id"] for c in cases]
            connection.execute(insert(Attachment), [dict(case_id=i, kind="photo", file_id=f"AgAC{i}", file_unique_id=f"U{i}", file_size=1000, created_at=now) for i in ids if i % 5 == 0])
            connection.execute(insert(CaseAddition), [dict(case_id=i, kind="location", value={"text": "Rostov"}, created_at=now) for i in ids if i % 20 == 0])
            connection.execute(insert(DuplicateLink), [dict(case_id=i, other_case_id=i - 1, score=0.9, state="confirmed" if i % 50 == 0 else "candidate", created_at=now) for i in ids if i % 25 == 0 and i > 1])
    engine.dispose()


def measure(url: str, fmt: str, folder: Path, profile: str = "full") -> tuple[int, float, float]:
    out = folder / f"export.{fmt}"
    code = RUN_EXPORT.format(root=str(ROOT), url=url, fmt=fmt, profile=profile, out=str(out))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rows, seconds, peak = result.stdout.split()
    return int(rows), float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        for size in (args.cases // 10, args.cases):
            url = f"sqlite:///{folder}/bench-{size}.db"
            upgrade(url)
            started = time.perf_counter()
            generate(url, size)
            print(f"generated {size} cases in {time.perf_counter() - started:.1f} s", flush=True)
            # The stats profile reads every case too (its rows are counts, so far fewer).
            for fmt, profile in (("csv", "full"), ("xlsx", "full"), ("json", "full"), ("csv", "stats")):
                rows, seconds, peak = measure(url, fmt, Path(folder), profile)
                name = fmt if profile == "full" else f"{fmt}-{profile}"
                figures.append((name, rows, seconds, peak))
                print(f"  {name:9} {rows:>7} rows  {seconds:6.1f} s  peak RSS {peak:6.1f} MB", flush=True)
    print("\nformat      rows     seconds  peak RSS MB")
    for fmt, rows, seconds, peak in figures:
        print(f"{fmt:9} {rows:>7}  {seconds:8.1f}  {peak:10.1f}")
    print(json.dumps({"figures": figures}))
    limits = {"csv": 3.0, "xlsx": 30.0}  # the targets at 100,000 cases; RSS at most 150 MB
    print("\n| target | measured | met |\n|---|---|---|")
    for fmt, rows, seconds, peak in figures[len(figures) // 2:]:
        if fmt in limits:
            met = seconds <= limits[fmt] and peak <= 150
            print(f"| {fmt.upper()} export of {rows:,} cases: ≤ {limits[fmt]:.0f} s, peak RSS ≤ 150 MB "
                  f"| {seconds:.1f} s, {peak:.0f} MB | {'yes' if met else '**no**'} |")


if __name__ == "__main__":
    main()
