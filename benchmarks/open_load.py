"""Replies at the floor: relatives who take their time, as on a real (very busy) day.

    .venv/bin/python benchmarks/open_load.py [--relatives 1200] [--pause 6] [--latency 0.05] [--runs 3]

The closed-loop surge (benchmarks/surge.py) has every relative answer the moment a reply
arrives, so its reply times measure throughput. Here each relative reads the question and
pauses about `--pause` seconds (uniformly 0.5× to 1.5×) before answering: 1,200 relatives
offer about 200 updates a second, whatever the bot does. The figure is the time from her update
being available at the stand-in to the bot's first reply arriving there, with `--latency` on
every Bot API call: the floor is about one call (the reply) plus the wait for the next
getUpdates to come back. Each relative fills in the whole report, so every step is measured.
Every run is a fresh stand-in, database and bot process (`python run_bot.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.surge_processes import BotUnderTest, cpu_seconds, peak_rss_mb  # noqa: E402
from benchmarks.surge_relatives import Report, report_for, send_step  # noqa: E402
from standin import StandinThread  # noqa: E402

FIRST_RELATIVE = 700_000
TARGET_P99_MS = 150


@dataclass
class Tally:
    first_replies: list[float] = field(default_factory=list)
    updates: int = 0
    lost: int = 0
    first_sent: float = 0.0
    last_sent: float = 0.0


async def relative(user, report: Report, pause: float, rng: random.Random, tally: Tally, timeout: float) -> None:
    await asyncio.sleep(rng.uniform(0, pause * 1.5))  # people start at any moment, not together
    for step in report.steps:
        sent = time.perf_counter()
        tally.first_sent = tally.first_sent or sent
        tally.last_sent = sent
        send_step(user, step)
        tally.updates += 1
        try:
            await user.anext_messages(1, timeout)
            tally.first_replies.append(time.perf_counter() - sent)
            if step.replies > 1:
                await user.anext_messages(step.replies - 1, timeout)
        except AssertionError:
            tally.lost += 1
            return
        await asyncio.sleep(rng.uniform(pause * 0.5, pause * 1.5))


async def open_crowd(telegram, relatives: int, pause: float, seed: int, timeout: float) -> Tally:
    tally = Tally()
    rng = random.Random(seed)
    reports = {FIRST_RELATIVE + seed * relatives + n: report_for(n) for n in range(relatives)}
    users = {user_id: telegram.user(user_id, first_name="Relative", language_code=report.language)
             for user_id, report in reports.items()}
    await asyncio.gather(*(relative(users[user_id], report, pause, rng, tally, timeout) for user_id, report in reports.items()))
    return tally


@dataclass
class Run:
    offered_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    lost: int
    peak_rss_mb: float
    cpu_s: float


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def run_once(relatives: int, pause: float, latency: float, seed: int, timeout: float) -> Run:
    with tempfile.TemporaryDirectory(prefix="open-load-") as folder, StandinThread() as standin:
        standin.latency = latency
        bot = BotUnderTest("homeward", standin, Path(folder)).start()
        # This process plays Telegram and the relatives: its own full collections (a quarter of a
        # second once its record of every call has grown) would stop the clock's hands for
        # everyone, and be counted against the bot. The bot's own collector runs as deployed.
        gc.disable()
        try:
            cpu_before = cpu_seconds(bot.pid)
            tally = asyncio.run_coroutine_threadsafe(
                open_crowd(standin.telegram, relatives, pause, seed, timeout), standin._loop).result()
            cpu, peak = cpu_seconds(bot.pid) - cpu_before, peak_rss_mb(bot.pid)
        finally:
            gc.enable()
            bot.stop()
    replies = tally.first_replies
    return Run(tally.updates / max(tally.last_sent - tally.first_sent, 1e-9), percentile(replies, 0.5),
               percentile(replies, 0.9), percentile(replies, 0.99), max(replies) * 1000, tally.lost, peak, cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relatives", type=int, default=1200)
    parser.add_argument("--pause", type=float, default=6.0, help="seconds a relative takes before answering (mean)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every Bot API call")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for number in range(args.runs):
        runs.append(run_once(args.relatives, args.pause, args.latency, number, 60))
        print(f"  open load: run {number + 1} of {args.runs} done", file=sys.stderr, flush=True)
    print(f"# Open load: {args.relatives} relatives pausing about {args.pause:g} s, {args.latency * 1000:.0f} ms per API call\n\n"
          f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}\n")
    print("| run | updates/s offered | first reply p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | lost | peak RSS (MB) | CPU (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for number, run in enumerate(runs, 1):
        print(f"| {number} | {run.offered_per_s:.0f} | {run.p50_ms:.0f} | {run.p90_ms:.0f} | {run.p99_ms:.0f} | {run.max_ms:.0f} | "
              f"{run.lost} | {run.peak_rss_mb:.0f} | {run.cpu_s:.1f} |")
    p99 = statistics.median(run.p99_ms for run in runs)
    print(f"\nfirst reply p99, median of {len(runs)} runs: {p99:.0f} ms (target ≤ {TARGET_P99_MS} ms: {'met' if p99 <= TARGET_P99_MS else '**missed**'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
