"""The database engine and the one way the bot touches it: `await db.run(fn)`.

`fn(session)` runs on the writer thread inside a transaction which is committed before `run`
returns, so "on disk before the bot replies" holds for everything a handler does. Writes that
arrive together share one transaction and one fsync (group commit); one that fails is left out
and the others commit without it. Transient failures (SQLite busy, a dropped PostgreSQL connection) roll back and are retried:
`fn` must only touch the session.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000
RETRY_DELAYS = (0.1, 0.3, 1.0, 2.0, 5.0, 10.0)


def normalise_url(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// would ask SQLAlchemy for psycopg2.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, read_only: bool = False, narrow_files: bool = True) -> Engine:
    """read_only: plain deferred transactions on SQLite, so a long read (an export) never holds
    the write lock the intake needs; WAL lets it read alongside the writes. narrow_files=False
    for the launch check, which reports file modes and changes nothing."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:" and narrow_files:
            keep_private(Path(path))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,  # errors must not carry a relative's answers into the logs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; issue it ourselves so that
        # a write transaction takes the lock up front instead of failing half-way.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE"))
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, hide_parameters=True)
    event.listen(engine, "connect", end_if_client_vanishes)
    return engine


def keep_private(database: Path) -> None:
    """Only the bot's own user may read the data: a folder it creates is 0700, the database file
    (created here before SQLite opens it) and its -wal and -shm 0600 (SQLite gives those the
    database file's mode; an existing file that others could read is narrowed)."""
    folder = database.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)  # mkdir's mode passes through the umask
    if not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        try:
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except FileNotFoundError:
            pass
        except PermissionError:
            log.warning("%s is readable by others and not ours to change", file.name)


# Per-session settings any client may make: the server ends a session whose client vanished from
# the network (a host powered off, a cable cut) after ~8 s of silence, not the kernel's two hours.
# Its row locks, and the lock of the active copy (db/lease.py), go with it, so a standby can
# take over without waiting on a transaction nobody will ever finish.
PG_SESSION_SETTINGS = {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "1", "tcp_keepalives_count": "3",
                       "tcp_user_timeout": "8000"}
_SET_SESSION = "select " + ", ".join(f"set_config('{name}', '{value}', false)" for name, value in PG_SESSION_SETTINGS.items())


def end_if_client_vanishes(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(_SET_SESSION)
    dbapi_connection.commit()  # a SET rolled back with its transaction would be undone


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we send BEGIN ourselves (see make_engine)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Deleted rows are overwritten with zeros, not left in free space for anyone who reads the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def is_transient(exc: BaseException) -> bool:
    """Worth trying again: a busy or locked SQLite file, a PostgreSQL connection lost or refused.
    A mistake in the SQL itself (SQLite reports those as OperationalError too) is not."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if type(exc.orig).__module__.startswith("sqlite3"):
        message = str(exc.orig).lower()
        return any(word in message for word in ("locked", "busy", "disk i/o", "unable to open"))
    return True


class Database:
    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.is_sqlite = self.url.startswith("sqlite")
        self.read_engine = make_engine(self.url, read_only=True) if self.is_sqlite else self.engine
        self._writer = GroupCommitWriter(self)

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        """One transaction on the calling thread (start-up and the command line)."""
        return self.run_batch_sync([fn])[0].unwrap()

    def run_batch_sync(self, fns: list[Callable[[Session], Any]]) -> list[Outcome]:
        """Every fn in one transaction: one commit (one fsync) for all of them. A fn that raises
        is left out and the rest run again in a fresh transaction, so its half-done writes never
        reach the disk and the others still commit (failures are rare: no savepoint per fn).
        A transient failure (busy, connection dropped) rolls back and runs them all again."""
        failed: dict[int, Outcome] = {}
        while True:
            try:
                return self._commit_all(fns, failed)
            except _LeaveOut:
                continue

    def _commit_all(self, fns: list[Callable[[Session], Any]], failed: dict[int, Outcome]) -> list[Outcome]:
        for attempt, delay in enumerate((*RETRY_DELAYS, None)):
            try:
                with Session(self.engine, expire_on_commit=False) as session:
                    outcomes = [failed.get(index) or _outcome_of(fn, session, index, failed, alone=len(fns) == 1)
                                for index, fn in enumerate(fns)]
                    session.commit()
                    return outcomes
            except (OperationalError, DBAPIError) as exc:
                if delay is None or not is_transient(exc):
                    raise
                log.warning("database busy or unreachable (attempt %d): %s; retrying", attempt + 1, type(exc).__name__)
                time.sleep(delay)
        raise AssertionError("unreachable")

    async def run(self, fn: Callable[[Session], T]) -> T:
        """`fn(session)` in a transaction that is committed when this returns. Calls made at the
        same time share a transaction (group commit): one fsync for many relatives' answers,
        and nobody's reply waits for anyone else's fsync queue."""
        return await self._writer.enqueue(fn)

    def run_soon(self, fn: Callable[[Session], T]) -> asyncio.Future:
        """Like `run`, but `fn` is queued before this returns, so any write queued after it
        shares its transaction or commits later; await the future for the commit. It goes ahead
        of the writes waiting (never of another `run_soon`): the inbox's stores, which every
        reply waits for, do not queue behind a surge's answers."""
        return self._writer.enqueue(fn, ahead=True)

    def read_sync(self, fn: Callable[[Session], T]) -> T:
        """A long read outside the writer thread (exports): never blocks the intake's commits."""
        with Session(self.read_engine, expire_on_commit=False) as session:
            return fn(session)

    async def read(self, fn: Callable[[Session], T]) -> T:
        """A read-only look-up: off the writer thread and without SQLite's write lock, so the
        questions asked on every message never queue behind (or block) the commits."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.read_sync, fn)

    def checkpoint_sync(self) -> None:
        """After a purge (SQLite): copy the WAL into the database and empty it, so text just
        deleted (and zeroed, `secure_delete`) does not live on in old frames of the -wal file."""
        if not self.is_sqlite:
            return
        connection = self.engine.raw_connection()
        try:
            busy, _frames, _copied = connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                log.warning("WAL checkpoint could not finish (a reader was busy); it runs again at the next purge")
        finally:
            connection.close()

    async def checkpoint(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.checkpoint_sync)

    def close(self) -> None:
        self._writer.stop()
        self.engine.dispose()
        self.read_engine.dispose()


class Outcome:
    __slots__ = ("value", "error")

    def __init__(self, value: Any = None, error: BaseException | None = None):
        self.value, self.error = value, error

    def unwrap(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class _LeaveOut(Exception):
    """A fn of a shared transaction failed: roll back and commit the others without it."""


def _outcome_of(fn: Callable[[Session], Any], session: Session, index: int, failed: dict[int, Outcome],
                alone: bool) -> Outcome:
    if alone:
        return Outcome(fn(session))  # its failure fails its transaction, as it always did
    try:
        result = fn(session)
        session.flush()  # its own writes fail here, not in someone else's commit
        return Outcome(result)
    except (OperationalError, DBAPIError) as exc:
        if is_transient(exc):
            raise  # the whole batch is retried
        failed[index] = Outcome(error=exc)
    except Exception as exc:  # noqa: BLE001 - it belongs to the caller that submitted fn
        failed[index] = Outcome(error=exc)
    raise _LeaveOut


class GroupCommitWriter:
    """One writer thread: it takes every write waiting, runs them in one transaction, commits
    once, then wakes each caller. SQLite has one writer at a time anyway; PostgreSQL gets fewer
    commits. Batches form by themselves while the previous commit is on its way to disk, so a
    quiet bot commits each answer at once and a busy one shares fsyncs."""

    MAX_BATCH = 256

    def __init__(self, db: Database):
        self.db = db
        # (lane, arrival, write): lane 0 goes ahead of lane 1; within a lane, first come first served.
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._arrivals = itertools.count()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def enqueue(self, fn: Callable[[Session], T], ahead: bool = False) -> asyncio.Future:
        """In the queue before this returns: a write enqueued later never commits before it.
        `ahead`: before the writes waiting that were not queued `ahead`."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._ensure_thread()
        self._queue.put((0 if ahead else 1, next(self._arrivals), (fn, loop, future)))
        return future

    def _ensure_thread(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._work, name="db-writer", daemon=True)
                    self._thread.start()

    def _work(self) -> None:
        while True:
            first = self._queue.get()[2]
            if first is None:
                return
            batch = [first]
            while len(batch) < self.MAX_BATCH:
                try:
                    queued = self._queue.get_nowait()
                except queue.Empty:
                    break
                if queued[2] is None:
                    self._queue.put(queued)  # stop after this batch
                    break
                batch.append(queued[2])
            try:
                outcomes = self.db.run_batch_sync([fn for fn, _, _ in batch])
            except BaseException as exc:  # noqa: BLE001 - the commit itself failed: every caller hears
                outcomes = [Outcome(error=exc)] * len(batch)
            by_loop: dict[asyncio.AbstractEventLoop, list] = {}
            for (_, loop, future), outcome in zip(batch, outcomes):
                by_loop.setdefault(loop, []).append((future, outcome))
            for loop, settled in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_settle, settled)
                except RuntimeError:
                    pass  # that loop is closed: nobody is waiting any more

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put((2, next(self._arrivals), None))  # after every write queued
            self._thread.join(30)
            self._thread = None


def _settle(settled: list) -> None:
    for future, outcome in settled:
        if future.done():
            continue
        if outcome.error is not None:
            future.set_exception(outcome.error)
        else:
            future.set_result(outcome.value)
