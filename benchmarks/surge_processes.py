"""The bots under measurement, each a process of its own as it would run in production, and
what the kernel says each one used (peak resident memory, CPU seconds)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCHMARK-TOKEN-abcdef"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the whole process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    """The most resident memory the process ever had (the kernel's high-water mark)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


class BotUnderTest:
    """`homeward` is `python run_bot.py` exactly as deployed; `echo` is the bare PTB echo bot."""

    def __init__(self, kind: str, standin, folder: Path, extra_env: dict | None = None):
        self.kind = kind
        self.standin = standin
        self.folder = folder
        self.database_url = f"sqlite:///{folder / 'homeward.db'}"
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.started_in = 0.0

    def start(self, timeout: float = 60) -> BotUnderTest:
        """Start it and wait for its first getUpdates; `started_in` is how long that took."""
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": self.standin.base_url,
               "TELEGRAM_API_FILE_URL": self.standin.file_url, "DATABASE_URL": self.database_url,
               **self.extra_env}
        command = [sys.executable, "run_bot.py"] if self.kind == "homeward" else [sys.executable, "benchmarks/echo_bot.py"]
        polls_before = len(self.standin.requests("getUpdates"))
        log = (self.folder / f"{self.kind}.log").open("ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        while len(self.standin.requests("getUpdates")) <= polls_before:
            if self.process.poll() is not None or time.perf_counter() - started > timeout:
                raise RuntimeError(f"{self.kind} did not start polling; see {self.folder / f'{self.kind}.log'}")
            time.sleep(0.002)
        self.started_in = time.perf_counter() - started
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
