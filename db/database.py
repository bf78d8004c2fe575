"""The database engine and the one way the bot touches it: `await db.run(fn)`.

`fn(session)` runs in a worker thread inside one transaction which is committed before `run`
returns, so "on disk before the bot replies" holds for everything a handler does. Transient
failures (SQLite busy, a dropped PostgreSQL connection) roll back and are retried: `fn` must
only touch the session.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

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


def make_engine(url: str, read_only: bool = False) -> Engine:
    """read_only: plain deferred transactions on SQLite, so a long read (an export) never holds
    the write lock the intake needs; WAL lets it read alongside the writes."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
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
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, hide_parameters=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we send BEGIN ourselves (see make_engine)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


class Database:
    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.is_sqlite = self.url.startswith("sqlite")
        self.read_engine = make_engine(self.url, read_only=True) if self.is_sqlite else self.engine
        # SQLite has one writer at a time: one thread avoids contending for its lock.
        self._executor = ThreadPoolExecutor(max_workers=1 if self.is_sqlite else 8, thread_name_prefix="db")

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        for attempt, delay in enumerate((*RETRY_DELAYS, None)):
            try:
                with Session(self.engine, expire_on_commit=False) as session:
                    result = fn(session)
                    session.commit()
                    return result
            except (OperationalError, DBAPIError) as exc:
                if delay is None or not is_transient(exc):
                    raise
                log.warning("database busy or unreachable (attempt %d): %s; retrying", attempt + 1, type(exc).__name__)
                time.sleep(delay)
        raise AssertionError("unreachable")

    async def run(self, fn: Callable[[Session], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.run_sync, fn)

    def read_sync(self, fn: Callable[[Session], T]) -> T:
        """A long read outside the writer thread (exports): never blocks the intake's commits."""
        with Session(self.read_engine, expire_on_commit=False) as session:
            return fn(session)

    async def read(self, fn: Callable[[Session], T]) -> T:
        """A read-only look-up: off the writer thread and without SQLite's write lock, so the
        questions asked on every message never queue behind (or block) the commits."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.read_sync, fn)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()
        self.read_engine.dispose()


class InstanceLock:
    """One bot process per database: a second one started by mistake refuses to run.

    SQLite: an exclusive lock on a file beside the database; PostgreSQL: an advisory lock held
    by a connection kept open for the life of the process. Both vanish if the process dies.
    """

    PG_KEY = 0x486F6D65  # "Home"

    def __init__(self, url: str):
        self.url = normalise_url(url)
        self._handle = None
        self._engine = None

    def acquire(self) -> bool:
        """Taken before anything else, migrations included: a second copy touches nothing."""
        if self.url.startswith("sqlite"):
            import fcntl

            path = make_url(self.url).database or "homeward"
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            handle = open(f"{path}.lock", "a+")  # noqa: SIM115 - held for the process's life
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                return False
        else:
            from sqlalchemy import text

            self._engine = create_engine(self.url, pool_size=1, max_overflow=0, hide_parameters=True)
            handle = self._engine.connect()
            # One lock per database and schema: the URL, without the password, names both.
            key = zlib.crc32(make_url(self.url).render_as_string(hide_password=True).encode()) ^ self.PG_KEY
            if not handle.execute(text("select pg_try_advisory_lock(:key)"), {"key": key}).scalar():
                handle.close()
                self._engine.dispose()
                return False
            handle.commit()
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._engine is not None:
            self._engine.dispose()
