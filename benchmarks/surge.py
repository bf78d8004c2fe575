"""Fast in a surge: Homeward beside a bare python-telegram-bot echo bot, on the same stand-in.

    .venv/bin/python benchmarks/surge.py            # what `make bench` runs (a few minutes)
    .venv/bin/python benchmarks/surge.py --full     # the flood scenario with whole reports

Relatives are coroutines on the stand-in's loop; each sends, waits for the bot's reply, then
answers the next question, like a person. Every figure is the median of `--runs` runs, each with
a fresh stand-in, a fresh database and a fresh bot process. A benchmark prints figures; it never
fails a build, but it says which targets were missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.surge_processes import BotUnderTest, cpu_seconds, peak_rss_mb  # noqa: E402
from benchmarks.surge_relatives import Report, chatter_for, crowd, draft_for, report_for  # noqa: E402
from standin import StandinThread  # noqa: E402

FIRST_RELATIVE = 500_000


@dataclass
class Run:
    updates_per_s: float
    p50_ms: float
    p99_ms: float
    peak_rss_mb: float
    cpu_s: float
    answers_lost: int | None
    replies_lost: int
    messages_per_s: float
    retry_violations: int


@dataclass
class Scenario:
    title: str
    relatives: int
    latency: float = 0.0
    flood_limits: bool = False
    steps: int | None = None  # None: the whole report
    compare_with_echo: bool = True
    runs: list[Run] = field(default_factory=list)
    echo_runs: list[Run] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def run_once(kind: str, relatives: dict[int, Report], latency: float, flood_limits: bool,
             timeout: float, run_for: float | None = None) -> Run:
    with tempfile.TemporaryDirectory(prefix="surge-") as folder, StandinThread() as standin:
        standin.latency = latency
        standin.flood_limits = flood_limits
        bot = BotUnderTest(kind, standin, Path(folder)).start()
        try:
            cpu_before = cpu_seconds(bot.pid)
            sent_before = len(standin.sent_messages())
            tally = asyncio.run_coroutine_threadsafe(
                crowd(standin.telegram, relatives, timeout, run_for), standin._loop).result()
            cpu = cpu_seconds(bot.pid) - cpu_before
            peak = peak_rss_mb(bot.pid)
            elapsed = max(tally.last_reply - (tally.first_sent or tally.last_reply), 1e-9)
            delivered = len(standin.sent_messages()) - sent_before
            violations = standin.retry_window_violations
        finally:
            bot.stop()
        lost = answers_lost(bot.database_url, relatives) if kind == "homeward" else None
        return Run(len(tally.latencies) / elapsed, percentile(tally.latencies, 0.5), percentile(tally.latencies, 0.99),
                   peak, cpu, lost, tally.replies_lost, delivered / elapsed, violations)


def answers_lost(database_url: str, relatives: dict[int, Report]) -> int:
    """Answers given but not in the database: a missing case loses all of them, a doubled case
    counts as lost too (a family must never be asked which of two copies is right)."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        cases: dict[int, list] = {}
        for row in connection.execute(text("select * from \"case\"")).mappings():
            cases.setdefault(row["reporter_telegram_id"], []).append(row)
        drafts = {row.telegram_id: json.loads(row.answers) if isinstance(row.answers, str) else row.answers
                  for row in connection.execute(text("select telegram_id, answers from conversation"))}
    engine.dispose()
    lost = 0
    for user_id, report in relatives.items():
        if report.answers:  # a whole report: the case holds every answer, once
            found = cases.get(user_id, [])
            if len(found) != 1:
                lost += len(report.answers) * max(1, len(found))
                continue
            lost += sum(1 for column, value in report.answers.items() if found[0][column] != value)
        else:  # a report in progress: the answers so far are in the draft
            answered = len(report.steps) - 2  # after /start and the consent
            lost += max(0, answered - len(drafts.get(user_id) or {}))
    return lost


def relatives_for(scenario: Scenario, offset: int) -> dict[int, Report]:
    def make(index: int) -> Report:
        return draft_for(index, scenario.steps) if scenario.steps else report_for(index)

    return {FIRST_RELATIVE + offset + n: make(n) for n in range(scenario.relatives)}


def run_scenario(scenario: Scenario, runs: int, timeout: float, echo_seconds: float) -> None:
    for run in range(runs):
        relatives = relatives_for(scenario, run * scenario.relatives)
        scenario.runs.append(run_once("homeward", relatives, scenario.latency, scenario.flood_limits, timeout))
        if scenario.compare_with_echo:
            updates = len(next(iter(relatives.values())).steps)
            chatters = {user_id: chatter_for(user_id, updates) for user_id in relatives}
            scenario.echo_runs.append(run_once("echo", chatters, scenario.latency, scenario.flood_limits,
                                               timeout, run_for=echo_seconds))
        print(f"  {scenario.title}: run {run + 1} of {runs} done", file=sys.stderr, flush=True)


def median(runs: list[Run], name: str) -> float:
    values = [getattr(run, name) for run in runs if getattr(run, name) is not None]
    return statistics.median(values) if values else float("nan")


def start_up(runs: int) -> float:
    """Seconds from `python run_bot.py` to its first getUpdates on a new database: migrations,
    catalogs and seeds included."""
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="surge-start-") as folder, StandinThread() as standin:
            bot = BotUnderTest("homeward", standin, Path(folder)).start()
            seconds.append(bot.started_in)
            bot.stop()
    return statistics.median(seconds)


METRICS = (  # label, Run attribute, format, higher is better
    ("updates/s", "updates_per_s", "{:.0f}", True),
    ("reply p50 (ms)", "p50_ms", "{:.0f}", False),
    ("reply p99 (ms)", "p99_ms", "{:.0f}", False),
    ("peak RSS (MB)", "peak_rss_mb", "{:.0f}", False),
    ("CPU (s)", "cpu_s", "{:.1f}", False),
    ("answers lost", "answers_lost", "{:.0f}", False),
    ("replies lost", "replies_lost", "{:.0f}", False),
    ("messages/s delivered", "messages_per_s", "{:.1f}", True),
    ("sends inside a 429 window", "retry_violations", "{:.0f}", False),
)


def table(scenario: Scenario) -> list[str]:
    lines = [f"### {scenario.title} (median of {len(scenario.runs)})", "",
             "| | Homeward | PTB echo bot | Homeward ÷ echo |" if scenario.echo_runs else "| | Homeward |",
             "|---|---|---|---|" if scenario.echo_runs else "|---|---|"]
    for label, name, form, _ in METRICS:
        ours = median(scenario.runs, name)
        row = f"| {label} | {form.format(ours) if ours == ours else '—'} |"
        if scenario.echo_runs:
            theirs = median(scenario.echo_runs, name)
            shown = form.format(theirs) if theirs == theirs else "—"
            ratio = f"{ours / theirs:.2f}×" if theirs == theirs and theirs and ours == ours else "—"
            row += f" {shown} | {ratio} |"
        lines.append(row)
    return lines + [""]


def verdicts(latency: Scenario, cpu: Scenario, flood: Scenario, drafts: Scenario, started: float) -> list[tuple[str, str, bool]]:
    def ratio(scenario: Scenario) -> float:
        return median(scenario.runs, "updates_per_s") / median(scenario.echo_runs, "updates_per_s")

    flood_lost = median(flood.runs, "answers_lost") + median(flood.runs, "replies_lost")
    return [
        ("50 ms/call, 200 relatives: ≥ 25× echo updates/s", f"{ratio(latency):.1f}×", ratio(latency) >= 25),
        ("50 ms/call, 200 relatives: p99 reply ≤ 250 ms", f"{median(latency.runs, 'p99_ms'):.0f} ms", median(latency.runs, "p99_ms") <= 250),
        ("no delay, 200 relatives: ≥ 1.0× echo updates/s", f"{ratio(cpu):.2f}×", ratio(cpu) >= 1.0),
        ("flood limits, 1,000 relatives: ≥ 27 messages/s", f"{median(flood.runs, 'messages_per_s'):.1f}/s", median(flood.runs, "messages_per_s") >= 27),
        ("flood limits, 1,000 relatives: 0 answers or replies lost", f"{flood_lost:.0f}", flood_lost == 0),
        ("5,000 open drafts: peak RSS ≤ 100 MB", f"{median(drafts.runs, 'peak_rss_mb'):.0f} MB", median(drafts.runs, "peak_rss_mb") <= 100),
        ("start-up to first getUpdates, migrations included: ≤ 2 s", f"{started:.2f} s", started <= 2),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--relatives", type=int, default=200)
    parser.add_argument("--flood-relatives", type=int, default=1000)
    parser.add_argument("--flood-steps", type=int, default=3, help="steps each relative takes under flood limits")
    parser.add_argument("--drafts", type=int, default=5000)
    parser.add_argument("--echo-seconds", type=float, default=10, help="the echo bot is measured this long")
    parser.add_argument("--full", action="store_true", help="whole reports under flood limits too (long)")
    parser.add_argument("--only", choices=("latency", "cpu", "flood", "drafts", "start"), action="append")
    args = parser.parse_args()
    only = set(args.only or ("latency", "cpu", "flood", "drafts", "start"))

    latency = Scenario("50 ms per API call, whole reports", args.relatives, latency=0.05)
    cpu = Scenario("no added delay, whole reports", args.relatives)
    flood = Scenario("Telegram's flood limits on", args.flood_relatives, flood_limits=True,
                     steps=None if args.full else args.flood_steps, compare_with_echo=False)
    drafts = Scenario("relatives each mid-report (open drafts)", args.drafts, steps=5, compare_with_echo=False)
    chosen = {"latency": latency, "cpu": cpu, "flood": flood, "drafts": drafts}
    for name, scenario in chosen.items():
        if name in only:
            run_scenario(scenario, args.runs if name in ("latency", "cpu") else 1, 120, args.echo_seconds)
    started = start_up(args.runs) if "start" in only else float("nan")

    print(f"# Homeward surge benchmark\n\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}\n")
    for scenario in chosen.values():
        if scenario.runs:
            print(f"{scenario.relatives} relatives" + (f", {scenario.steps} steps each" if scenario.steps else ""))
            print("\n".join(table(scenario)))
    if only >= {"latency", "cpu", "flood", "drafts", "start"}:
        print("| target | measured | met |\n|---|---|---|")
        for target, measured, met in verdicts(latency, cpu, flood, drafts, started):
            print(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    elif "start" in only:
        print(f"start-up to first getUpdates (median of {args.runs}): {started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
