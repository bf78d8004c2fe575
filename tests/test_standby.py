"""Two copies of the bot on one PostgreSQL database: one serves, the other stands by without
touching Telegram or the database, and takes over when the first dies. (On SQLite a second
copy refuses to start: tests/test_reliability.py.)"""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.i18n import t
from db.database import make_engine
from db.lease import InstanceLock
from tests.support.bots import BotProcess, settle
from tests.support.conversation import SCRIPT, perform

KILLS = 10
TAKEOVER_LIMIT = 15.0  # seconds from the active copy's death to its successor polling Telegram
STANDING_BY = "standing by: another copy is active on this database"
TAKING_OVER = "taking over: the active copy stopped"
LOCK_LOST = 4  # the exit code of a copy that lost its lock: not 2 or 3, so systemd restarts it


@pytest.fixture
def first(fresh_bot):
    if not fresh_bot.database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL test (runs with TEST_BACKEND=postgres)")
    return fresh_bot.start()


@pytest.fixture
def copies(first, tmp_path):
    """Start further copies on the first one's database; all are stopped at the end."""
    started: list[BotProcess] = []

    def start_standby() -> BotProcess:
        copy = BotProcess(first.standin, first.database_url, tmp_path / f"copy-{len(started) + 1}.log")
        started.append(copy.start(wait=False))
        wait_until(lambda: STANDING_BY in copy.log(), copy, "the copy stands by")
        return copy

    yield start_standby
    for copy in started:
        copy.stop()


def wait_until(condition, copy: BotProcess, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if copy.process.poll() is not None:
            raise AssertionError(f"{what}: exited with {copy.process.returncode}:\n{copy.log()[-3000:]}")
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s:\n{copy.log()[-3000:]}"
        time.sleep(0.05)


# An advisory lock's bigint key, which pg_locks splits in two.
LOCK_KEY = "(l.classid::bigint << 32) | l.objid::bigint"


def waiting_for_lock(connection, key: int) -> bool:
    """Someone's session is queued for the advisory lock `key`."""
    return bool(connection.execute(text(
        f"select count(*) from pg_locks l where l.locktype = 'advisory' and not l.granted and ({LOCK_KEY}) = :key"),
        {"key": key}).scalar())


def time_to_take_over(standby: BotProcess, since: float) -> float:
    """Seconds from `since` until the standby, having taken over, asks Telegram for updates."""
    wait_until(lambda: TAKING_OVER in standby.log(), standby, "the standby takes over")
    polls = len(standby.standin.requests("getUpdates"))
    wait_until(lambda: len(standby.standin.requests("getUpdates")) > polls, standby, "the new active copy polls")
    return time.monotonic() - since


def connections_of(copy: BotProcess) -> list[int]:
    """The remote ports of a copy's open TCP connections, as the kernel lists them."""
    sockets = set()
    for fd in os.listdir(f"/proc/{copy.process.pid}/fd"):
        try:
            target = os.readlink(f"/proc/{copy.process.pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            sockets.add(target[len("socket:["):-1])
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().split("\n")[1:]:
            fields = row.split()
            if len(fields) > 9 and fields[9] in sockets and fields[3] == "01":  # 01: established
                ports.append(int(fields[2].rsplit(":", 1)[1], 16))
    return ports


def the_lock(copy: BotProcess) -> tuple[int, int]:
    """The backend holding this test bot's advisory lock (its schema's name is its application
    name), and the lock's key."""
    [(pid, key)] = copy.query(
        f"select l.pid, {LOCK_KEY} from pg_locks l join pg_stat_activity a on a.pid = l.pid "
        "where l.locktype = 'advisory' and l.granted and a.application_name = current_setting('application_name')")
    return pid, key


def test_a_standby_leaves_telegram_and_the_database_alone_until_the_active_copy_stops(first, copies, relative):
    mother = relative("en")
    mother.ask("/start")
    calls = len(first.standin.all_requests)
    standby = copies()
    time.sleep(5)
    # It talks to nobody but PostgreSQL, on one connection (asking for the lock, nothing else).
    assert connections_of(standby) == [make_url(first.database_url).port or 5432]
    assert "pg_try_advisory_lock" in first.query(
        "select query from pg_stat_activity where application_name = current_setting('application_name') "
        "and query like '%advisory%' and pid <> pg_backend_pid()")[0][0]
    assert standby.log().count("\n") == 1 and STANDING_BY in standby.log(), "one line, nothing personal"
    # The active copy goes on serving, its long poll never cut short by another poller (409).
    assert t("en", "ask.relationship") in mother.tap(t("en", "button.agree")).text
    assert "another process polls" not in first.log()
    made = {call.method for call in first.standin.all_requests[calls:]}
    assert made <= {"getUpdates", "sendMessage", "answerCallbackQuery", "editMessageReplyMarkup"}, made

    stopped_at = time.monotonic()
    first.stop()  # a clean stop (SIGTERM) hands over too
    took = time_to_take_over(standby, stopped_at)
    assert took <= TAKEOVER_LIMIT
    assert t("en", "ask.full_name") in mother.tap(t("en", "choice.relationship.mother"), timeout=20).text


def test_a_connection_blip_alone_does_not_stop_the_active_copy(first, relative):
    mother = relative("en")
    mother.ask("/start")
    holder, _ = the_lock(first)
    first.query("select pg_terminate_backend(:pid, 5000)", pid=holder)  # a reset, nobody standing by
    assert t("en", "ask.relationship") in mother.tap(t("en", "button.agree"), timeout=20).text
    wait_until(lambda: "the lock is taken again" in first.log(), first, "it takes its lock again")
    assert the_lock(first)[0] != holder


def test_the_active_copy_whose_lock_went_to_another_stops_at_once_and_the_standby_takes_over(first, copies, relative):
    mother = relative("en")
    mother.ask("/start")
    standby = copies()
    holder, key = the_lock(first)
    with first.engine.connect() as intruder, first.engine.connect() as killer:
        # A copy quicker than the active one to take the lock: already queued for it when the
        # holder's session ends, so the server hands it the lock before the active copy (which
        # takes it again after a mere blip) or the standby can ask.
        queued = threading.Thread(target=lambda: intruder.execute(text("select pg_advisory_lock(:key)"), {"key": key}))
        queued.start()
        wait_until(lambda: waiting_for_lock(killer, key), first, "the intruder queues for the lock", timeout=10)
        lost_at = time.monotonic()
        killer.execute(text("select pg_terminate_backend(:pid, 5000)"), {"pid": holder})
        queued.join(10)
        assert not queued.is_alive(), "the intruder was given the lock"
        assert first.process.wait(10) == LOCK_LOST
        stopped_after = time.monotonic() - lost_at
        intruder.execute(text("select pg_advisory_unlock_all()"))
        intruder.commit()
    print(f"\nthe active copy stopped {stopped_after:.1f} s after its lock went to another")
    assert stopped_after <= 3, "at once, not after finishing what is in hand"
    assert "lost the lock on the database" in first.log().strip().splitlines()[-1]
    took = time_to_take_over(standby, lost_at)
    print(f"the standby served {took:.1f} s after the active copy lost its lock")
    assert took <= TAKEOVER_LIMIT
    assert t("en", "ask.relationship") in mother.tap(t("en", "button.agree"), timeout=20).text


def test_the_server_ends_the_sessions_of_a_copy_that_vanished_within_seconds(first):
    """A host powered off never closes its connections: the server notices by itself, soon,
    on the bot's sessions and on the lock's own (so a standby takes over within 15 s)."""
    lock = InstanceLock(first.database_url)
    engine = make_engine(first.database_url)
    try:
        assert not lock.acquire(), "the running copy holds it"
        with engine.connect() as connection:
            for session in (connection, lock._connection):  # noqa: SLF001 - the lock's own session
                settings = dict(session.execute(text(
                    "select name, setting from pg_settings where name like 'tcp_keepalives_%' or name = 'tcp_user_timeout'")).all())
                assert settings == {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "1",
                                    "tcp_keepalives_count": "3", "tcp_user_timeout": "8000"}
    finally:
        lock.release()
        engine.dispose()


@pytest.mark.slow
def test_the_active_copy_killed_ten_times_mid_intake_while_relatives_report(first, copies, relative):
    copies_in_turn = [first, copies()]
    rng = random.Random(15)
    people, progress = [], {}
    takeovers: list[float] = []
    kills: list[float] = []  # wall-clock times, to compare with message dates
    mid_report_at_kill: list[int] = []
    failure: list[BaseException] = []
    kills_done = threading.Event()

    def killer() -> None:
        try:
            while len(kills) < KILLS:
                time.sleep(rng.uniform(1.0, 3.0))
                active, standby = copies_in_turn[-2:]
                mid_report_at_kill.append(sum(0 < n < len(SCRIPT) for n in list(progress.values())))
                killed_at = time.monotonic()
                active.kill()
                kills.append(time.time())
                takeovers.append(time_to_take_over(standby, killed_at))
                copies_in_turn.append(copies())  # the next standby
        except BaseException as exc:  # noqa: BLE001 - reported by the test's own thread
            failure.append(exc)
        finally:
            kills_done.set()

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        unfinished = [p for p in people if progress[p.id] < len(SCRIPT)]
        if not kills_done.is_set() and len(unfinished) < 8:
            person = relative("en")  # relatives keep arriving while copies die
            people.append(person)
            progress[person.id] = 0
            continue
        if not unfinished:
            if kills_done.is_set():
                break
            time.sleep(0.1)
            continue
        person = rng.choice(unfinished)
        step = SCRIPT[progress[person.id]]
        if step[0] == "data" and not person.messages:
            time.sleep(0.02)
            continue  # a person taps a button only once the bot has shown one
        perform(person, step)
        progress[person.id] += 1
        time.sleep(0.15)
    thread.join(timeout=60)
    assert not failure, failure
    print(f"\n{len(people)} relatives; takeovers after SIGKILL (s): {', '.join(f'{s:.1f}' for s in takeovers)}; "
          f"max {max(takeovers):.1f}; relatives mid-report at each kill: {mid_report_at_kill}")
    assert len(kills) == KILLS and max(takeovers) <= TAKEOVER_LIMIT
    assert min(mid_report_at_kill) > 0, "every kill fell in the middle of someone's report"

    survivor = copies_in_turn[-2]

    def everyone_has_a_case():
        return all(len(survivor.cases_of(p.id)) == 1 for p in people) or None

    people[0].wait_for(everyone_has_a_case, timeout=120, what="every relative finished")
    for person in people:
        [case] = survivor.cases_of(person.id)
        assert (case.person_full_name, case.birth_year, case.last_location, case.reporter_phone) == (
            "Tahir Abdullayev", 1980, "Voronezh", "+994501234567")
        settle(person, quiet=0.2)
        submitted = [m for m in person.messages if case.ref in m.text and m.text.startswith(t("en", "submitted.text", ref=case.ref)[:20])]
        assert submitted, "the confirmation arrives"
        for earlier, later in zip(submitted, submitted[1:]):
            assert any(earlier.date - 1 <= kill <= later.date + 1 for kill in kills), "a reply doubled without a takeover"
    assert survivor.query('select count(*) from "case"')[0][0] == len(people), "no case doubled"
    assert survivor.query("select count(*) from inbox_update where done_at is null")[0][0] == 0, "nothing left unhandled"
