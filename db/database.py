"""The database engine and the one way the bot touches it: `await db.run(fn)`.

`fn(session)` runs inside a transaction which is committed before `run` returns (on the event
loop with SQLite, on a writer thread with PostgreSQL: `db.writers`), so "on disk before the bot
replies" holds for everything a handler does. Writes that arrive together share one transaction
and one fsync (group commit); one that fails is left out and the others commit without it.
Transient failures (SQLite busy, a dropped PostgreSQL connection) roll back and are retried:
`fn` must only touch the session.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

from db.checkpoints import LOOP_AUTOCHECKPOINT_PAGES, WalCheckpoints
from db.writers import GroupCommitWriter, LoopWriter, Outcome

log = logging.getLogger(__name__)
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000
RETRY_DELAYS = (0.1, 0.3, 1.0, 2.0, 5.0, 10.0)
# The writes on the event loop wait this long for another connection's lock, then retry later.
LOOP_BUSY_TIMEOUT_MS = 1_000


def normalise_url(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// would ask SQLAlchemy for psycopg2.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, read_only: bool = False, narrow_files: bool = True,
                busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, wal_autocheckpoint: int | None = None) -> Engine:
    """read_only: plain deferred transactions on SQLite, so a long read (an export) never holds
    the write lock the intake needs; WAL lets it read alongside the writes. narrow_files=False
    for the launch check, which reports file modes and changes nothing. busy_timeout_ms: how long
    SQLite waits for another connection's write lock before it reports the file busy.
    wal_autocheckpoint: the log's size in pages at which a commit checkpoints (SQLite: 1,000)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:" and narrow_files:
            keep_private(Path(path))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            hide_parameters=True,  # errors must not carry a relative's answers into the logs
        )
        event.listen(engine, "connect",
                     lambda connection, _record: _sqlite_pragmas(connection, busy_timeout_ms, wal_autocheckpoint))
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


def _sqlite_pragmas(dbapi_connection, busy_timeout_ms: int, wal_autocheckpoint: int | None = None) -> None:
    dbapi_connection.isolation_level = None  # we send BEGIN ourselves (see make_engine)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    if wal_autocheckpoint is not None:
        cursor.execute(f"PRAGMA wal_autocheckpoint={int(wal_autocheckpoint)}")
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
    def __init__(self, url: str, writes_on_loop: bool | None = None):
        """writes_on_loop: run `run`'s writes on the caller's event loop (`LoopWriter`) rather
        than on a writer thread (`GroupCommitWriter`). The default: on the loop with SQLite,
        on a thread with PostgreSQL, whose commits wait on the network."""
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.is_sqlite = self.url.startswith("sqlite")
        self.read_engine = make_engine(self.url, read_only=True) if self.is_sqlite else self.engine
        on_loop = self.is_sqlite if writes_on_loop is None else writes_on_loop
        self.writes_on_loop = on_loop
        # A loop that waits on a lock hears nobody meanwhile: its SQLite connections wait a
        # moment, then `LoopWriter` retries later, where the thread waits out the full timeout.
        # Nor does it copy the log back into the database file: a thread does (db.checkpoints).
        loop_sqlite_file = on_loop and self.is_sqlite and make_url(self.url).database not in (None, "", ":memory:")
        self.checkpoints = WalCheckpoints(self.engine) if loop_sqlite_file else None
        self.loop_engine = (make_engine(self.url, busy_timeout_ms=LOOP_BUSY_TIMEOUT_MS,
                                        wal_autocheckpoint=LOOP_AUTOCHECKPOINT_PAGES if loop_sqlite_file else None)
                            if on_loop and self.is_sqlite else self.engine)
        self._writer = LoopWriter(self, self.loop_engine, self.checkpoints) if on_loop else GroupCommitWriter(self)

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        """One transaction on the calling thread (start-up and the command line)."""
        return self.run_batch_sync([fn])[0].unwrap()

    def run_batch_sync(self, fns: list[Callable[[Session], Any]], *, engine: Engine | None = None,
                       retry_delays: tuple[float, ...] | None = None) -> list[Outcome]:
        """Every fn in one transaction: one commit (one fsync) for all of them. A fn that raises
        is left out and the rest run again in a fresh transaction, so its half-done writes never
        reach the disk and the others still commit (failures are rare: no savepoint per fn).
        A transient failure (busy, connection dropped) rolls back and runs them all again after
        each of `retry_delays` (RETRY_DELAYS unless given), then raises."""
        failed: dict[int, Outcome] = {}
        while True:
            try:
                return self._commit_all(fns, failed, engine or self.engine, RETRY_DELAYS if retry_delays is None else retry_delays)
            except _LeaveOut:
                continue

    def _commit_all(self, fns: list[Callable[[Session], Any]], failed: dict[int, Outcome], engine: Engine,
                    retry_delays: tuple[float, ...]) -> list[Outcome]:
        for attempt, delay in enumerate((*retry_delays, None)):
            try:
                with Session(engine, expire_on_commit=False) as session:
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
        if self.checkpoints is not None:
            self.checkpoints.stop()
        for engine in {self.engine, self.read_engine, self.loop_engine}:
            engine.dispose()


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
