"""The bots under test (a real process, or in this process) and what they need: the stand-in's token, staff ids, databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, create_engine, select

from core.config import PROJECT_ROOT
from db.database import normalise_url
from db.models import Case, Conversation
from standin import StandinThread
from tests.support.inprocess import InProcessBot

TOKEN = "123456:TEST-TOKEN-abcdef"


# Never in a log line, whatever the level: the token's secret, and what relatives type in tests.
SECRETS_NOT_IN_LOGS = (
    TOKEN.split(":")[1], "994501234567", "994 50 123", "9161234567", "916 123", "Abdullayev", "Abdullayev",
    "Абдуллаев", "Hajiyev", "Гаджиев", "Gulnara", "Gülnarə", "Гюльнара", "Voronej", "Voronezh", "Воронеж",
    "yanvarın", "mid-January", "в середине января", "Polis saxladı", "Задержала полиция", "Police detained",
)


ADMIN_IDS = (4242, 4243)


STAFF_CHAT = -1000777


def new_user_id() -> int:
    # Random, not a counter: pytest loads this file as `conftest` and tests import it as
    # `tests.conftest`, so a module-level counter would exist twice and repeat itself.
    return 10_000 + uuid.uuid4().int % 1_000_000_000


class BotProcess:
    """`python run_bot.py` as a user would run it, pointed at the stand-in; or, for modules
    marked `inprocess`, the same application inside the test process (fast, but cannot be killed)."""

    def __init__(self, standin: StandinThread, database_url: str, log_path: Path, extra_env: dict | None = None,
                 in_process: bool = False):
        self.standin = standin
        self.database_url = database_url
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.in_process = InProcessBot(standin, database_url, log_path, {}) if in_process else None
        self.engine = create_engine(normalise_url(database_url), pool_pre_ping=True)

    def environment(self) -> dict[str, str]:
        return {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.standin.base_url,
            "TELEGRAM_API_FILE_URL": self.standin.file_url,
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "DEBUG",
            "ADMIN_IDS": ",".join(map(str, ADMIN_IDS)),
            "STAFF_CHAT_ID": str(STAFF_CHAT),
            # Test relatives answer faster than any person; the flood test sets its own limit.
            "FLOOD_MESSAGES": "1000",
            **self.extra_env,
        }

    def start(self, wait: bool = True, ready_when: str = "getUpdates") -> BotProcess:
        if self.in_process:
            self.in_process.environment = {k: v for k, v in self.environment().items() if k != "LOG_LEVEL"}
            self.in_process.start()
            return self
        env = {**os.environ, **self.environment()}
        polls_before = len(self.standin.requests(ready_when))
        log = self.log_path.open("ab")
        self.process = subprocess.Popen([sys.executable, "run_bot.py"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
        if wait:
            deadline = time.monotonic() + 30
            while len(self.standin.requests(ready_when)) <= polls_before:
                if self.process.poll() is not None:
                    raise AssertionError(f"bot exited with {self.process.returncode}:\n{self.log_path.read_text()[-3000:]}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"bot did not start polling:\n{self.log_path.read_text()[-3000:]}")
                time.sleep(0.05)
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flushing, like a power cut to the process."""
        assert self.process is not None, "a bot in the test process cannot be killed: use a BotProcess"
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.in_process:
            self.in_process.stop()
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.engine.dispose()
        self.assert_logs_hold_no_personal_data()

    def assert_logs_hold_no_personal_data(self) -> None:
        """The bot ran at DEBUG: no token, phone, name or message text may appear in its log."""
        if not self.log_path.exists():
            return
        leaks = [(n, secret) for n, line in enumerate(self.log().splitlines(), 1) for secret in SECRETS_NOT_IN_LOGS if secret in line]
        assert not leaks, f"personal data or the token in {self.log_path}: {leaks[:5]}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def cases_of(self, user_id: int) -> list[Case]:
        with Session(self.engine) as session:
            return list(session.exec(select(Case).where(Case.reporter_telegram_id == user_id)))

    def conversation_of(self, user_id: int) -> Conversation | None:
        with Session(self.engine) as session:
            return session.get(Conversation, user_id)

    def query(self, sql: str, **params):
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).all()


def settle(person, quiet: float = 0.4) -> None:
    """Read everything the bot is still sending, until the chat has been quiet for a moment."""
    while True:
        person.drain()
        try:
            person.next_message(timeout=quiet)
        except AssertionError:
            return


_SCHEMAS: list[str] = []


def database_url(folder: Path) -> str:
    """The database a test bot gets: an SQLite file, or with TEST_BACKEND=postgres a fresh
    PostgreSQL schema (CI runs the suite both ways)."""
    if os.environ.get("TEST_BACKEND") != "postgres":
        return f"sqlite:///{folder / 'homeward.db'}"
    url = postgres_url()
    assert url, "TEST_BACKEND=postgres needs TEST_DATABASE_URL"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    _SCHEMAS.append(schema)
    # application_name lets a test single out this bot's connections (and nobody else's).
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}&application_name={schema}"


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url and os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
    return url


def run_bot(*args: str, env: dict | None = None, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "ADMIN_", "STAFF_"))}
    return subprocess.run(
        [sys.executable, "run_bot.py", *args], cwd=PROJECT_ROOT, env={**environment, **(env or {})},
        input=stdin, capture_output=True, text=True, timeout=timeout,
    )
