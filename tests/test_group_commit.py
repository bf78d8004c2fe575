"""Group commit on the writer thread (PostgreSQL's writer): writes that arrive together share one
commit, each caller hears its own answer, one caller's failure is nobody else's, and nothing
returns before it is on disk. SQLite's writes on the event loop: tests/test_loop_writer.py."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import SQLModel

from db import database
from db.database import Database
from db.writers import GroupCommitWriter
from db.models import UserProfile


def open_database(path, writes_on_loop: bool) -> Database:
    db = Database(f"sqlite:///{path}", writes_on_loop=writes_on_loop)
    SQLModel.metadata.create_all(db.engine)
    db.path = path
    db.commits = []
    event.listen(db.loop_engine, "commit", lambda connection: db.commits.append(threading.current_thread().name))
    return db


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "homeward.db", writes_on_loop=False)  # SQLite here: the thread is what is tested
    yield db
    db.close()


@pytest.fixture(params=["thread", "loop"])
def either_db(tmp_path, request):
    """What holds for both writers."""
    db = open_database(tmp_path / "homeward.db", writes_on_loop=request.param == "loop")
    yield db
    db.close()


def on_disk(db) -> dict[int, str]:
    """What a separate connection (another process, or the bot after a crash) reads."""
    connection = sqlite3.connect(getattr(db, "path", db))
    try:
        return dict(connection.execute("select telegram_id, language from user_profile"))
    finally:
        connection.close()


def remember(telegram_id: int, language: str = "az"):
    def write(session):
        session.add(UserProfile(telegram_id=telegram_id, language=language))  # flushed by Database, not here
        return f"saved {telegram_id}"

    return write


class WriterBusy:
    """Holds the writer thread inside a commit, so the calls made meanwhile all queue behind it."""

    def __init__(self, db: Database):
        self.db = db
        self.entered, self.release = threading.Event(), threading.Event()

    def _hold(self, session):
        self.entered.set()
        assert self.release.wait(10)
        return "held"

    async def __aenter__(self):
        self.held = asyncio.ensure_future(self.db.run(self._hold))
        assert await asyncio.to_thread(self.entered.wait, 10)
        return self

    async def __aexit__(self, *exc_info):
        await asyncio.sleep(0)  # every call gathered inside the block has reached the queue
        self.release.set()
        assert await self.held == "held"


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 15))


# ------------------------------------------------------------------ sharing a commit
def test_two_hundred_writes_arriving_together_share_one_commit_and_each_caller_hears_its_own(db):
    async def main():
        async with WriterBusy(db):
            calls = asyncio.gather(*(db.run(remember(user)) for user in range(1, 201)))
        return await calls

    commits_before = len(db.commits)
    results = run(main())
    assert results == [f"saved {user}" for user in range(1, 201)]
    assert len(db.commits) - commits_before == 1, "one commit for all two hundred (the held call wrote nothing)"
    assert set(db.commits) == {"db-writer"}
    assert sorted(on_disk(db)) == list(range(1, 201))


def test_a_quiet_bot_commits_each_answer_at_once(either_db):
    db = either_db

    async def main():
        for user in range(1, 6):
            assert await db.run(remember(user)) == f"saved {user}"
            assert user in on_disk(db)

    run(main())
    assert len(db.commits) == 5


def test_writes_made_without_waiting_for_each_other_take_fewer_commits_than_calls(db):
    async def main():
        return await asyncio.gather(*(db.run(remember(user)) for user in range(1, 201)))

    assert run(main()) == [f"saved {user}" for user in range(1, 201)]
    assert 1 <= len(db.commits) < 200
    assert len(on_disk(db)) == 200


# ------------------------------------------------------------------ one failure
def test_one_failing_write_fails_only_its_caller_and_leaves_nothing_behind(either_db):
    """Twenty writes queued together (behind a held thread, or in one turn of the loop)."""
    db = either_db
    mistake = ValueError("the answer did not fit")

    def half_done_then_fails(session):
        session.add(UserProfile(telegram_id=999, language="ru"))
        session.flush()
        raise mistake

    async def main():
        async with (WriterBusy(db) if isinstance(db._writer, GroupCommitWriter) else contextlib.nullcontext()):
            calls = asyncio.gather(*(db.run(half_done_then_fails if user == 10 else remember(user))
                                     for user in range(1, 21)), return_exceptions=True)
        return await calls

    commits_before = len(db.commits)
    results = run(main())
    assert results[9] is mistake, "the caller whose write failed hears why"
    assert results[:9] + results[10:] == [f"saved {user}" for user in range(1, 21) if user != 10]
    stored = on_disk(db)
    assert 999 not in stored, "the failing write's half is not on disk"
    assert sorted(stored) == [user for user in range(1, 21) if user != 10]
    assert len(db.commits) - commits_before == 1, "the others still share one commit"


def test_two_writes_of_the_same_row_in_one_batch_the_second_hears_the_conflict(db):
    async def main():
        async with WriterBusy(db):
            calls = asyncio.gather(db.run(remember(7, "az")), db.run(remember(8)), db.run(remember(7, "ru")),
                                   return_exceptions=True)
        return await calls

    first, other, second = run(main())
    assert (first, other) == ("saved 7", "saved 8")
    assert isinstance(second, IntegrityError)
    assert on_disk(db) == {7: "az", 8: "az"}


def test_a_write_failing_alone_reaches_its_caller_and_the_next_write_is_fine(db):
    def fails(session):
        session.add(UserProfile(telegram_id=5, language="ru"))
        session.flush()
        raise ValueError("no")

    async def main():
        with pytest.raises(ValueError, match="no"):
            await db.run(fails)
        assert await db.run(remember(6)) == "saved 6"

    run(main())
    assert on_disk(db) == {6: "az"}


def test_a_write_with_a_mistake_in_its_sql_fails_only_its_caller(db, monkeypatch):
    monkeypatch.setattr(database, "RETRY_DELAYS", (0.01,) * 6)  # the real ones wait 18 s in all

    def mistaken(session):
        session.execute(text("select * from no_such_table"))

    async def main():
        async with WriterBusy(db):
            calls = asyncio.gather(*(db.run(mistaken if user == 3 else remember(user)) for user in range(1, 6)),
                                   return_exceptions=True)
        return await calls

    results = run(main())
    assert isinstance(results[2], OperationalError)
    assert [r for i, r in enumerate(results) if i != 2] == ["saved 1", "saved 2", "saved 4", "saved 5"]
    assert sorted(on_disk(db)) == [1, 2, 4, 5]


# ------------------------------------------------------------------ durability
def test_every_caller_returns_only_after_its_write_is_visible_to_another_connection(either_db):
    db = either_db
    missing = []

    async def write_then_look(user):
        await db.run(remember(user))
        if user not in on_disk(db):
            missing.append(user)

    async def main():
        await asyncio.gather(*(write_then_look(user) for user in range(1, 61)))

    run(main())
    assert missing == []
    assert len(on_disk(db)) == 60


# ------------------------------------------------------------------ threads and loops
def test_run_sync_works_from_plain_threads_alongside_the_writer(db):
    errors = []

    def command_line(first):
        try:
            for user in range(first, first + 10):
                assert db.run_sync(remember(user)) == f"saved {user}"
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=command_line, args=(first,)) for first in range(1000, 1080, 10)]

    async def main():
        for thread in threads:
            thread.start()
        results = await asyncio.gather(*(db.run(remember(user)) for user in range(1, 41)))
        await asyncio.to_thread(lambda: [thread.join(15) for thread in threads])
        return results

    assert run(main()) == [f"saved {user}" for user in range(1, 41)]
    assert errors == []
    assert sorted(on_disk(db)) == list(range(1, 41)) + list(range(1000, 1080))
    assert db.run_sync(lambda session: session.get(UserProfile, 1005).language) == "az"


def test_callers_on_two_event_loops_sharing_a_commit_each_hear_their_own_answers(db):
    entered, release = threading.Event(), threading.Event()
    queued = {"a": threading.Event(), "b": threading.Event()}
    results: dict[str, list] = {}

    def hold(session):
        entered.set()
        assert release.wait(10)
        return "held"

    def loop_of(name, users):
        async def main():
            held = asyncio.ensure_future(db.run(hold)) if name == "a" else None
            assert await asyncio.to_thread(entered.wait, 10)
            calls = asyncio.gather(*(db.run(remember(user)) for user in users))
            await asyncio.sleep(0)
            queued[name].set()
            if held is not None:
                assert await held == "held"
            return await calls

        results[name] = run(main())

    threads = [threading.Thread(target=loop_of, args=("a", range(1, 101))),
               threading.Thread(target=loop_of, args=("b", range(101, 201)))]
    for thread in threads:
        thread.start()
    assert all(event.wait(10) for event in queued.values())
    commits_before = len(db.commits)
    release.set()
    for thread in threads:
        thread.join(20)
    assert results == {"a": [f"saved {user}" for user in range(1, 101)],
                       "b": [f"saved {user}" for user in range(101, 201)]}
    assert len(db.commits) - commits_before == 1, "both loops' writes went in one commit"
    assert len(on_disk(db)) == 200


def test_close_lets_the_write_under_way_finish_then_stops_the_writer_thread(tmp_path):
    path = tmp_path / "h.db"
    db = Database(f"sqlite:///{path}", writes_on_loop=False)
    SQLModel.metadata.create_all(db.engine)
    before = {thread for thread in threading.enumerate() if thread.name == "db-writer"}
    entered = threading.Event()

    def slow(session):
        entered.set()
        time.sleep(0.2)
        session.add(UserProfile(telegram_id=1, language="az"))
        return "saved"

    async def main():
        writing = asyncio.ensure_future(db.run(slow))
        assert await asyncio.to_thread(entered.wait, 10)
        writers = {thread for thread in threading.enumerate() if thread.name == "db-writer"} - before
        assert len(writers) == 1
        await asyncio.to_thread(db.close)
        assert not any(writer.is_alive() for writer in writers), "close() returned with the writer still running"
        assert on_disk(path) == {1: "az"}, "the write under way was committed first"
        assert await writing == "saved"

    run(main())


def test_a_write_queued_with_run_soon_is_seen_by_every_write_queued_after_it(db):
    """The poller queues an update's storage, then hands it to the handlers at once: whatever
    they write must land in the same transaction or a later one, never before it."""

    async def main():
        stored = db.run_soon(lambda s: s.add(UserProfile(telegram_id=1, language="az")))
        seen_after = [db.run(lambda s, n=n: (n, s.get(UserProfile, 1) is not None)) for n in range(20)]
        results = await asyncio.gather(*seen_after)
        await stored
        return results

    assert all(seen for _, seen in asyncio.run(main()))
    assert on_disk(db) == {1: "az"}


def test_a_write_queued_with_run_soon_goes_ahead_of_the_writes_waiting(db, monkeypatch):
    """The inbox's stores, which every reply waits for, never queue behind a surge's answers."""
    monkeypatch.setattr(db._writer, "MAX_BATCH", 2)
    ran: list[str] = []

    def write(name: str):
        return lambda session: ran.append(name)

    async def main():
        async with WriterBusy(db):
            answers = [asyncio.ensure_future(db.run(write(f"answer {n}"))) for n in range(6)]
            await asyncio.sleep(0)
            stores = [db.run_soon(write("store 1")), db.run_soon(write("store 2"))]
            after = asyncio.ensure_future(db.run(write("answer after")))
        await asyncio.gather(*answers, *stores, after)

    run(main())
    assert ran == ["store 1", "store 2"] + [f"answer {n}" for n in range(6)] + ["answer after"]
