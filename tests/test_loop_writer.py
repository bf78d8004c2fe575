"""SQLite's writes on the event loop (`db.writers.LoopWriter`): the writes queued in one turn of
the loop share one commit, one caller's failure is nobody else's, the inbox's stores go first,
and a lock held by another process never makes the loop deaf. What holds for both writers (each
caller hears only once its write is on disk) is in tests/test_group_commit.py."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest
from sqlalchemy import event
from sqlmodel import SQLModel

from db import database, writers
from db.database import Database
from db.writers import GroupCommitWriter, LoopWriter
from tests.test_group_commit import on_disk, remember


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setattr(database, "LOOP_BUSY_TIMEOUT_MS", 50)  # a locked file is reported in 50 ms
    monkeypatch.setattr(writers, "LOOP_RETRY_DELAYS", (0.05,) * 40)
    path = tmp_path / "homeward.db"
    db = Database(f"sqlite:///{path}")
    SQLModel.metadata.create_all(db.engine)
    db.path = path
    db.commits = []
    event.listen(db.loop_engine, "commit", lambda connection: db.commits.append(threading.current_thread().name))
    yield db
    db.close()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 15))


def test_sqlite_writes_on_the_loop_and_postgresql_on_a_thread(db):
    assert isinstance(db._writer, LoopWriter)
    assert isinstance(Database("postgresql://nobody@127.0.0.1:1/none")._writer, GroupCommitWriter)


def test_writes_queued_in_one_turn_share_one_commit_made_on_the_loop_itself(db):
    async def main():
        return await asyncio.gather(*(db.run(remember(user)) for user in range(1, 201)))

    assert run(main()) == [f"saved {user}" for user in range(1, 201)]
    assert db.commits == ["MainThread"], "one commit for all two hundred, on the loop's own thread"
    assert sorted(on_disk(db)) == list(range(1, 201))


def test_a_store_goes_ahead_of_the_answers_waiting_and_more_than_a_batch_still_keeps_the_order(db, monkeypatch):
    monkeypatch.setattr(db._writer, "MAX_BATCH", 2)
    ran: list[str] = []

    def write(name: str):
        def fn(session):
            ran.append(name)
            return remember(len(ran))(session)

        return fn

    async def main():
        answers = [asyncio.ensure_future(db.run(write(f"answer {n}"))) for n in range(5)]
        await asyncio.sleep(0)  # the answers are queued
        stores = [db.run_soon(write("store 1")), db.run_soon(write("store 2"))]
        after = asyncio.ensure_future(db.run(write("answer after")))
        await asyncio.gather(*answers, *stores, after)

    run(main())
    assert ran == ["store 1", "store 2"] + [f"answer {n}" for n in range(5)] + ["answer after"]
    assert len(db.commits) == 4, "batches of two"


def test_a_lock_held_by_another_process_delays_the_write_but_the_loop_keeps_running(db):
    """Another process (an export's audit row, a backup tool) holds the write lock for 1.5 s: the
    write waits for it and then commits, and meanwhile the loop is never blocked for more than the
    short busy timeout (the bot goes on polling and sending)."""
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    longest_pause = 0.0

    async def heartbeat(until: asyncio.Future):
        nonlocal longest_pause
        last = time.perf_counter()
        while not until.done():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            longest_pause, last = max(longest_pause, now - last), now

    async def main():
        loop = asyncio.get_running_loop()
        loop.call_later(1.5, other.rollback)
        started = time.perf_counter()
        writing = asyncio.ensure_future(db.run(remember(1)))
        await heartbeat(writing)
        return await writing, time.perf_counter() - started

    try:
        result, took = run(main())
    finally:
        other.close()
    assert result == "saved 1"
    assert took >= 1.4, "it waited for the lock"
    assert on_disk(db) == {1: "az"}
    assert longest_pause < 0.5, f"the loop stood still for {longest_pause:.2f} s"


def test_writes_queued_while_a_locked_batch_waits_commit_after_it(db):
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ran: list[str] = []

    def write(name: str, user: int):
        def fn(session):
            ran.append(name)
            return remember(user)(session)

        return fn

    async def main():
        asyncio.get_running_loop().call_later(0.4, other.rollback)
        first = asyncio.ensure_future(db.run(write("first", 1)))
        await asyncio.sleep(0.2)  # the first batch is waiting for the lock
        later = asyncio.ensure_future(db.run(write("later", 2)))
        return await asyncio.gather(first, later)

    try:
        assert run(main()) == ["saved 1", "saved 2"]
    finally:
        other.close()
    assert ran[-2:] == ["first", "later"] and "later" not in ran[:-2], "the waiting batch stays first in line"
    assert on_disk(db) == {1: "az", 2: "az"}


def test_close_commits_what_is_still_waiting(tmp_path):
    path = tmp_path / "h.db"
    db = Database(f"sqlite:///{path}")
    SQLModel.metadata.create_all(db.engine)

    async def main():
        waiting = db.run(remember(1))  # queued for the loop's next turn, which never comes
        db.close()
        return await waiting

    assert run(main()) == "saved 1"
    assert on_disk(path) == {1: "az"}


def _write_megabytes(db, megabytes: int):
    blob = b"\0" * (1 << 20)

    def fn(session):
        connection = session.connection()
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS ballast (body BLOB)")
        for _ in range(megabytes):
            connection.exec_driver_sql("INSERT INTO ballast (body) VALUES (?)", (blob,))

    return db.run(fn)


def test_the_loops_commits_leave_the_log_to_the_checkpoint_thread(db):
    """A commit that found the log over SQLite's 1,000 pages used to copy it back (and fsync the
    database file) on the loop, stalling every relative for up to a third of a second."""
    db.checkpoints.every = 3600  # only the explicit checkpoint below runs

    async def main():
        await _write_megabytes(db, 6)  # about 1,500 pages

    run(main())
    assert db.path.stat().st_size < 1 << 20, "the commit left the pages in the log"
    busy, in_log, copied = db.checkpoints.checkpoint()
    assert (busy, copied) == (0, in_log) and in_log > 1_000
    assert db.path.stat().st_size > 6 << 20


def test_the_checkpoint_thread_starts_with_the_first_write_copies_the_log_back_and_stops_with_the_database(db):
    db.checkpoints.every = 0.05
    assert not [t for t in threading.enumerate() if t.name == "wal-checkpoints"], "nothing written yet"

    async def main():
        await _write_megabytes(db, 2)
        deadline = time.monotonic() + 5
        while db.path.stat().st_size < 2 << 20 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # the loop is free meanwhile: the thread does the copying

    run(main())
    assert db.path.stat().st_size > 2 << 20
    assert [t for t in threading.enumerate() if t.name == "wal-checkpoints"]
    db.close()
    assert not [t for t in threading.enumerate() if t.name == "wal-checkpoints"]
