"""Duplicate linking at submit, with many stored cases: prints figures (a benchmark, not a test).

    .venv/bin/python benchmarks/linking.py [--cases 100000] [--submits 500]

A fresh SQLite file holds `--cases` synthetic cases (names in the three scripts, from
benchmarks/duplicates.py), filed under their blocks as the bot files them. For each of
`--submits` new cases (namesakes of stored ones, and new names) it times the look-up the submit
path makes on the read engine before its write (`find_candidates`), and the part that runs
inside the writer's transaction (`write_links`: the re-check of newer cases, the blocks and the
links), rolled back so every submit meets the same database. The same write without a look-up
beforehand is shown too (the path nothing reads ahead for).

Crowds reporting one man, through the real bot: benchmarks/surge_crowd.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, SQLModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.duplicates import synthetic_candidates  # noqa: E402
from app import case_links  # noqa: E402
from db.database import Database  # noqa: E402
from db.models import Case, CaseBlock  # noqa: E402
from flows.duplicates import stored_keys  # noqa: E402

WRITE_P99_MS = 10.0


def case_row(n: int, name: str, year: int, district: str | None, father: str | None = None) -> dict:
    return dict(ref=f"B{n:07d}", reporter_telegram_id=n, reporter_chat_id=n, language="az", status="new",
                consent_version="1", share_with_authorities=False, submitted_receipt=n, reporter_relationship="mother",
                person_full_name=name, birth_year=year, last_contact_date=date(2026, 1, 15), last_contact_precision="month",
                last_contact_text="yanvar", last_location="Voronej", reporter_contact_method="telegram",
                person_father_name=father, home_district=district, already_contacted=[], skipped=[])


def fill(db: Database, count: int) -> None:
    stored = synthetic_candidates(count)
    with db.engine.begin() as connection:
        for start in range(0, count, 5000):
            chunk = stored[start:start + 5000]
            rows = [dict(id=c.key + 1, **case_row(c.key + 1, c.name, c.birth_year or 1985, c.home_district, c.father_name))
                    for c in chunk]
            connection.execute(insert(Case), rows)
            connection.execute(insert(CaseBlock), [{"key": k, "birth_year": row["birth_year"], "case_id": row["id"]}
                                                   for c, row in zip(chunk, rows) for k in stored_keys([c.name])])


def new_case(n: int, name: str, year: int, district: str | None, father: str | None = None) -> Case:
    return Case(**case_row(n, name, year, district, father))


def percentiles(times: list[float]) -> str:
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return f"median {statistics.median(times):6.2f} ms   p99 {p99:6.2f} ms   max {times[-1]:6.2f} ms"


def p99(times: list[float]) -> float:
    return sorted(times)[min(len(times) - 1, int(len(times) * 0.99))]


def time_linking(db: Database, submits: int, count: int) -> dict[str, list[float]]:
    queries = synthetic_candidates(submits, seed=99)  # same name parts: most have namesakes stored
    times: dict[str, list[float]] = {"read": [], "write": [], "write, nothing read": [], "links": [], "write CPU": []}
    for i, query in enumerate(queries):
        case = new_case(count + 1 + i, query.name, query.birth_year or 1985, query.home_district, query.father_name)
        mine = case_links.facts_of_case(case)
        t0 = time.perf_counter()
        found = db.read_sync(lambda s, mine=mine: case_links.find_candidates(s, mine))
        times["read"].append((time.perf_counter() - t0) * 1000)
        for label, ahead in (("write", found), ("write, nothing read", None)):
            with Session(db.engine) as session:
                fresh = Case.model_validate(case.model_dump())
                session.add(fresh)
                session.flush()
                t0, cpu0 = time.perf_counter(), time.thread_time()
                made = case_links.write_links(session, fresh, ahead)
                session.flush()
                times[label].append((time.perf_counter() - t0) * 1000)
                if ahead is not None:
                    times["write CPU"].append((time.thread_time() - cpu0) * 1000)
                session.rollback()
        times["links"].append(len(made))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--submits", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="linking-") as name:
        folder = Path(name)
        db = Database(f"sqlite:///{folder / 'stored.db'}")
        SQLModel.metadata.create_all(db.engine)
        started = time.perf_counter()
        fill(db, args.cases)
        print(f"# Duplicate linking\n\n{args.cases:,} stored cases filed in {time.perf_counter() - started:.1f} s; "
              f"{args.submits} submits\n")
        times = time_linking(db, args.submits, args.cases)
        db.close()
        print(f"Time per submit (wall clock; CPU time of the writer's part too, which other processes on the\n"
              f"machine do not inflate; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs):")
        for label in ("read", "write", "write CPU", "write, nothing read"):
            where = "read path, before the write" if label == "read" else "in the writer's transaction"
            print(f"  {label:20} {where:28} {percentiles(times[label])}")
        print(f"links per submit: median {statistics.median(times['links']):.0f}, max {max(times['links']):.0f}")
    write_p99 = p99(times["write"])
    print("\n| target | measured | met |\n|---|---|---|")
    print(f"| p99 linking time in the writer at {args.cases:,} cases ≤ {WRITE_P99_MS:.0f} ms | {write_p99:.2f} ms "
          f"| {'yes' if write_p99 <= WRITE_P99_MS else '**no**'} |")


if __name__ == "__main__":
    main()
