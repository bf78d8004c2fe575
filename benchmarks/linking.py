"""Duplicate linking at submit, with many stored cases: prints figures (a benchmark, not a test).

    .venv/bin/python benchmarks/linking.py [--cases 100000] [--submits 500]

1. Linking time. A fresh SQLite file holds `--cases` synthetic cases (names in the three
   scripts, from benchmarks/duplicates.py), filed under their blocks as the bot files them.
   For each of `--submits` new cases (namesakes of stored ones, and new names) it times the
   look-up the submit path makes on the read engine before its write (`find_candidates`), and
   the part that runs inside the writer's transaction (`write_links`: the re-check of newer
   cases, the blocks and the links), rolled back so every submit meets the same database.
   The same write without a look-up beforehand is shown too (the path nothing reads ahead for).
2. Crowd throughput, in process through the real group-commit writer: `--crowd` relatives
   submit at once, each reading ahead and then writing, in `--waves` waves on one database:
   all of them reporting one man (in three scripts) beside all of them reporting different men.
   Only the submits are run, so linking weighs more here than in a whole conversation.
"""

from __future__ import annotations

import argparse
import asyncio
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

from benchmarks.duplicates import GIVEN, SURNAMES, synthetic_candidates  # noqa: E402
from bot import case_links  # noqa: E402
from db.database import Database  # noqa: E402
from db.models import Case, CaseBlock  # noqa: E402
from flows.duplicates import stored_keys  # noqa: E402

WRITE_P99_MS = 10.0
CROWD_RATIO = 0.8


def case_row(n: int, name: str, year: int, district: str | None, father: str | None = None) -> dict:
    return dict(ref=f"B{n:07d}", reporter_telegram_id=n, reporter_chat_id=n, language="az", status="new",
                consent_version="1", share_with_authorities=False, submitted_update_id=n, reporter_relationship="mother",
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
        found = db.read_sync(lambda s: case_links.find_candidates(s, mine))
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


async def crowd(db: Database, cases: list[Case]) -> float:
    async def relative(case: Case) -> None:
        mine = case_links.facts_of_case(case)
        found = await db.read(lambda s: case_links.find_candidates(s, mine))

        def submit(session: Session) -> None:
            session.add(case)
            session.flush()
            case_links.write_links(session, case, found)

        await db.run(submit)

    started = time.perf_counter()
    await asyncio.gather(*(relative(case) for case in cases))
    return len(cases) / (time.perf_counter() - started)


def crowd_cases(kind: str, wave: int, size: int) -> list[Case]:
    out = []
    for i in range(size):
        n = 10_000_000 + wave * size + i
        script = i % 3
        if kind == "one man":
            given, surname, year, district = GIVEN[0][script], SURNAMES[6][script], 1980, ("Biləsuvar", "Билясувар", "Bilasuvar")[script]
        else:
            given, surname = GIVEN[(n * 7) % len(GIVEN)][script], SURNAMES[(n * 11) % len(SURNAMES)][script]
            year, district = 1960 + n % 45, ("Zərdab", "Зардаб", "Zardab")[script]
        name = f"{surname} {given}" if script == 1 else f"{given} {surname}"
        out.append(new_case(n, name, year, district))
    return out


def time_crowds(folder: Path, size: int, waves: int, runs: int) -> dict[str, list[float]]:
    """Submits/s per wave, the median of `runs` (the two crowds take turns, so a busy moment on
    a shared machine falls on both alike)."""
    rates: dict[str, list[list[float]]] = {kind: [[] for _ in range(waves)] for kind in KINDS}
    for run in range(runs):
        dbs = {kind: Database(f"sqlite:///{folder / f'{run}-{kind.replace(chr(32), chr(45))}.db'}") for kind in KINDS}
        for db in dbs.values():
            SQLModel.metadata.create_all(db.engine)
        for wave in range(waves):
            for kind, db in dbs.items():
                rates[kind][wave].append(asyncio.run(crowd(db, crowd_cases(kind, wave, size))))
        for db in dbs.values():
            db.close()
    return {kind: [statistics.median(per_run) for per_run in per_wave] for kind, per_wave in rates.items()}


KINDS = ("different men", "one man")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--submits", type=int, default=500)
    parser.add_argument("--crowd", type=int, default=100)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
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
        rates = time_crowds(folder, args.crowd, args.waves, args.runs)
    print(f"\n{args.crowd} relatives submitting at once, {args.waves} waves on one database "
          f"(submits/s per wave, median of {args.runs}):")
    for kind, per_wave in rates.items():
        print(f"  {kind:14} " + "  ".join(f"{rate:6.0f}" for rate in per_wave))
    ratio = min(one / other for one, other in zip(rates["one man"], rates["different men"]))
    write_p99 = p99(times["write"])
    print("\n| target | measured | met |\n|---|---|---|")
    print(f"| p99 linking time in the writer at {args.cases:,} cases ≤ {WRITE_P99_MS:.0f} ms | {write_p99:.2f} ms "
          f"| {'yes' if write_p99 <= WRITE_P99_MS else '**no**'} |")
    print(f"| a crowd reporting one man ≥ {CROWD_RATIO}× the submits/s of different men (worst wave) | {ratio:.2f}× "
          f"| {'yes' if ratio >= CROWD_RATIO else '**no**'} |")


if __name__ == "__main__":
    main()
