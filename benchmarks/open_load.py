"""Replies at the floor: relatives who take their time, as on a real (very busy) day.

    .venv/bin/python benchmarks/open_load.py [--relatives 1200] [--pause 6] [--latency 0.05] [--runs 3]
                                             [--window 60] [--together]

The closed-loop surge (benchmarks/surge.py) has every relative answer the moment a reply
arrives, so its reply times measure throughput. Here each relative reads the question and
pauses about `--pause` seconds (uniformly 0.5× to 1.5×) before answering, whatever the bot does.
The figure is the time from her update being available at the stand-in to the stand-in taking
the bot's first reply, with `--latency` on every Bot API call: the floor is about one call (the
reply) plus the wait for the next getUpdates to come back. The stand-in and the relatives share
one Python event loop here, which the real Telegram does not: the column "as the harness woke"
ends later, when that loop got round to waking the relative, and shows what it adds. Each relative fills in the whole
report (consent to "sent"), so every step is measured, sending included.

An open load is steady: at any moment the 1,200 relatives are spread over the questionnaire,
some starting, some sending. So each of them starts within the time one report takes, and when
she has sent it another relative (a new person) takes her place; the figures are those of the
`--window` seconds after that warm-up, when all 1,200 are writing: 1,200 / 6 s, about 200
updates a second. `--together` is the harder, artificial shape of earlier rounds: 1,200
relatives who all start within 9 s and so all send their reports in the same minute.
Every run is a fresh stand-in, database and bot process (`python run_bot.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
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
    first_replies: list[float] = field(default_factory=list)  # until the stand-in took the reply
    first_replies_woken: list[float] = field(default_factory=list)  # until the harness woke the relative
    updates: int = 0
    lost: int = 0
    first_sent: float = 0.0
    last_sent: float = 0.0
    relatives: int = 0  # everyone who began a report during the run


async def take_steps(user, report: Report, pause: float, rng: random.Random, tally: Tally, timeout: float,
                     measured: tuple[float, float]) -> bool:
    """One report, step by step; False once a reply never came. Steps sent inside `measured`
    (perf_counter from, to) count."""
    tally.relatives += 1
    for step in report.steps:
        sent = time.perf_counter()
        if sent >= measured[1]:
            return True
        counted = sent >= measured[0]
        if counted:
            tally.first_sent = tally.first_sent or sent
            tally.last_sent = sent
            tally.updates += 1
        send_step(user, step)
        try:
            first = (await user.anext_messages(1, timeout))[0]
            if counted:
                tally.first_replies.append(first.arrived - sent)
                tally.first_replies_woken.append(time.perf_counter() - sent)
            if step.replies > 1:
                await user.anext_messages(step.replies - 1, timeout)
        except AssertionError:
            tally.lost += 1
            return False
        await asyncio.sleep(rng.uniform(pause * 0.5, pause * 1.5))
    return True


def relative_user(telegram, seed: int, index: int, report: Report):
    return telegram.user(FIRST_RELATIVE + seed * 10_000_000 + index, first_name="Relative", language_code=report.language)


async def relative_after_relative(telegram, place: int, relatives: int, seed: int, pause: float, rng: random.Random,
                                  tally: Tally, timeout: float, measured: tuple[float, float]) -> None:
    """One place among the 1,200: a relative starts at some moment of the warm-up; once she has
    sent her report (and paused over the guidance), the next one starts, until the window closes."""
    await asyncio.sleep(rng.uniform(0, measured[0] - time.perf_counter()))
    for turn in itertools.count():
        index = place + turn * relatives
        report = report_for(index)
        user = relative_user(telegram, seed, index, report)
        if not await take_steps(user, report, pause, rng, tally, timeout, measured) or time.perf_counter() >= measured[1]:
            return


async def open_crowd(telegram, relatives: int, pause: float, seed: int, timeout: float, window: float, together: bool) -> Tally:
    tally = Tally()
    rng = random.Random(seed)
    now = time.perf_counter()
    if together:  # everyone starts within 1.5 pauses, each sends one report: all measured
        reports = [report_for(n) for n in range(relatives)]
        users = [relative_user(telegram, seed, n, report) for n, report in enumerate(reports)]

        async def one(user, report):
            await asyncio.sleep(rng.uniform(0, pause * 1.5))
            await take_steps(user, report, pause, rng, tally, timeout, (now, float("inf")))

        await asyncio.gather(*(one(user, report) for user, report in zip(users, reports)))
        return tally
    warm_up = len(report_for(0).steps) * pause  # about one report: by then every place is taken
    measured = (now + warm_up, now + warm_up + window)
    await asyncio.gather(*(relative_after_relative(telegram, place, relatives, seed, pause, rng, tally, timeout, measured)
                           for place in range(relatives)))
    return tally


@dataclass
class Run:
    offered_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    p99_woken_ms: float
    lost: int
    peak_rss_mb: float
    cpu_s: float
    relatives: int


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def harness_loop() -> asyncio.AbstractEventLoop:
    """The loop the stand-in and the relatives share. Telegram is not one busy Python loop: on
    uvloop (as the bot runs) less of the harness's own overhead lands in the figures."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run_once(relatives: int, pause: float, latency: float, seed: int, timeout: float, window: float, together: bool) -> Run:
    with tempfile.TemporaryDirectory(prefix="open-load-") as folder, StandinThread(loop_factory=harness_loop) as standin:
        standin.latency = latency
        bot = BotUnderTest("homeward", standin, Path(folder)).start()
        # This process plays Telegram and the relatives: its own full collections (a quarter of a
        # second once its record of every call has grown) would stop the clock's hands for
        # everyone, and be counted against the bot. The bot's own collector runs as deployed.
        gc.disable()
        try:
            cpu_before = cpu_seconds(bot.pid)
            tally = asyncio.run_coroutine_threadsafe(
                open_crowd(standin.telegram, relatives, pause, seed, timeout, window, together), standin._loop).result()
            cpu, peak = cpu_seconds(bot.pid) - cpu_before, peak_rss_mb(bot.pid)
        finally:
            gc.enable()
            bot.stop()
    replies = tally.first_replies
    return Run(tally.updates / max(tally.last_sent - tally.first_sent, 1e-9), percentile(replies, 0.5),
               percentile(replies, 0.9), percentile(replies, 0.99), max(replies) * 1000,
               percentile(tally.first_replies_woken, 0.99), tally.lost, peak, cpu, tally.relatives)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relatives", type=int, default=1200)
    parser.add_argument("--pause", type=float, default=6.0, help="seconds a relative takes before answering (mean)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every Bot API call")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--window", type=float, default=60.0, help="seconds measured after the warm-up")
    parser.add_argument("--together", action="store_true", help="everyone starts at once, one report each")
    args = parser.parse_args()
    runs = []
    for number in range(args.runs):
        runs.append(run_once(args.relatives, args.pause, args.latency, number, 60, args.window, args.together))
        print(f"  open load: run {number + 1} of {args.runs} done", file=sys.stderr, flush=True)
    shape = "all starting together, one report each" if args.together else f"steady, the {args.window:g} s after a warm-up"
    print(f"# Open load: {args.relatives} relatives pausing about {args.pause:g} s, {args.latency * 1000:.0f} ms per API call ({shape})\n\n"
          f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}\n")
    print("| run | updates/s offered | first reply p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | p99 as the harness woke (ms) "
          "| lost | relatives | peak RSS (MB) | CPU (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for number, run in enumerate(runs, 1):
        print(f"| {number} | {run.offered_per_s:.0f} | {run.p50_ms:.0f} | {run.p90_ms:.0f} | {run.p99_ms:.0f} | {run.max_ms:.0f} | {run.p99_woken_ms:.0f} | "
              f"{run.lost} | {run.relatives} | {run.peak_rss_mb:.0f} | {run.cpu_s:.1f} |")
    p99 = statistics.median(run.p99_ms for run in runs)
    print(f"\nfirst reply p99, median of {len(runs)} runs: {p99:.0f} ms (target ≤ {TARGET_P99_MS} ms: {'met' if p99 <= TARGET_P99_MS else '**missed**'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
