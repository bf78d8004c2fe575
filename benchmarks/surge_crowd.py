"""A crowd reporting one man beside a crowd reporting different men, through the real bot.

    .venv/bin/python benchmarks/surge_crowd.py [--relatives 100] [--waves 3] [--runs 3]

Each run starts Homeward (`python run_bot.py`, as deployed) on a fresh database and the Bot API
stand-in, then sends `--waves` waves of `--relatives` relatives, one wave after the other, each
relative filling in the whole report and sending it (benchmarks/surge_relatives.py). In one
crowd every relative reports the same man (Tahir Abdullayev, born 1980, in her own script), so
each new case is a duplicate of all the earlier ones; in the other they report different men.
Updates per second are the median of `--runs` runs, per wave: duplicate linking used to slow the
one-man crowd down with every wave.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.surge_processes import BotUnderTest  # noqa: E402
from benchmarks.surge_relatives import crowd, report_for  # noqa: E402
from standin import StandinThread  # noqa: E402

TARGET = 0.8
KINDS = {"different men": False, "one man": True}


def run(one_man: bool, relatives: int, waves: int) -> tuple[list[float], int]:
    """Updates/s of each wave, and the duplicate links the bot made."""
    rates = []
    with tempfile.TemporaryDirectory(prefix="surge-crowd-") as folder, StandinThread() as standin:
        bot = BotUnderTest("homeward", standin, Path(folder)).start()
        try:
            for wave in range(waves):
                first = 700_000 + wave * relatives
                reports = {first + n: report_for(wave * relatives + n, one_man) for n in range(relatives)}
                tally = asyncio.run_coroutine_threadsafe(crowd(standin.telegram, reports, 120), standin._loop).result()
                rates.append(len(tally.latencies) / max(tally.last_reply - tally.first_sent, 1e-9))
        finally:
            bot.stop()
        engine = create_engine(bot.database_url)
        with engine.connect() as connection:
            links = connection.execute(text("select count(*) from duplicate_link")).scalar()
        engine.dispose()
    return rates, links


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relatives", type=int, default=100)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rates: dict[str, list[list[float]]] = {kind: [] for kind in KINDS}
    links: dict[str, int] = {}
    for number in range(args.runs):
        for kind, one_man in KINDS.items():  # taking turns: a busy moment falls on both alike
            per_wave, links[kind] = run(one_man, args.relatives, args.waves)
            rates[kind].append(per_wave)
        print(f"  crowds: run {number + 1} of {args.runs} done", file=sys.stderr, flush=True)
    medians = {kind: [statistics.median(r[w] for r in runs) for w in range(args.waves)] for kind, runs in rates.items()}
    print(f"# Crowds through the real bot: {args.relatives} relatives per wave, whole reports, "
          f"updates/s per wave (median of {args.runs})\n")
    print("| crowd | " + " | ".join(f"wave {w + 1}" for w in range(args.waves)) + " | duplicate links |")
    print("|---|" + "---|" * (args.waves + 1))
    for kind, per_wave in medians.items():
        print(f"| {kind} | " + " | ".join(f"{rate:.0f}" for rate in per_wave) + f" | {links[kind]} |")
    ratio = min(one / other for one, other in zip(medians["one man"], medians["different men"]))
    print(f"\n| target | measured | met |\n|---|---|---|\n| a crowd reporting one man keeps ≥ {TARGET}× the "
          f"updates/s of a crowd reporting different men (worst wave) | {ratio:.2f}× | {'yes' if ratio >= TARGET else '**no**'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
