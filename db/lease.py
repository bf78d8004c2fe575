"""One active copy per database. On PostgreSQL other copies stand by and one takes over when the
active copy dies; on SQLite (one file on one host) a second copy refuses to start.

PostgreSQL: a session advisory lock, held on a connection of its own for the life of the
active copy. A copy that dies loses its sessions and the lock with them; a standby trying every
second then gets it. Two things keep two copies from ever acting at once:
- the server ends the session of a holder that vanished from the network after ~8 s of silence
  (database.PG_SESSION_SETTINGS), not the kernel's two hours;
- the holder checks its lock connection every second and stops at once when a check fails (and
  the lock cannot be taken again at once) or none has been answered for LOST_AFTER seconds:
  sooner than the server lets the lock go, and before a standby that took it starts serving.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlmodel import create_engine

from db.database import end_if_client_vanishes, normalise_url

log = logging.getLogger(__name__)

CHECK_EVERY = 1.0  # seconds between the holder's checks, and between a standby's tries
LOST_AFTER = 5.0  # below the ~8 s after which the server ends a silent session
# Our side of the lock connection gives up on a silent server within about 4 s as well, so a
# check fails rather than hangs (the watchdog would stop the copy in any case).
CLIENT_SETTINGS = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 2, "keepalives_interval": 1,
                   "keepalives_count": 2, "tcp_user_timeout": 4000}
PG_KEY = 0x486F6D65  # "Home"


class InstanceLock:
    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._file = None
        self._engine = None
        self._connection: Connection | None = None
        self._key = 0
        self._last_answer = 0.0
        self._done = threading.Event()  # released, or lost: the checks end

    def acquire(self) -> bool:
        """One try, before anything else (migrations included): a copy without the lock touches
        nothing. Raises when the database cannot be reached at all."""
        return self._lock_file() if self.is_sqlite else self._try_advisory_lock()

    def wait(self) -> None:
        """Stand by until the lock is ours (PostgreSQL): one try a second on the lock's own
        connection, which reads and writes nothing else. A connection lost meanwhile (the
        server restarting) is opened again."""
        unreachable = False
        while True:
            time.sleep(CHECK_EVERY)
            try:
                if self._try_advisory_lock():
                    return
                unreachable = False
            except Exception as exc:  # noqa: BLE001 - keep standing by until the server is back
                if not unreachable:  # once per outage, not every second
                    log.warning("standing by: the database is unreachable (%s); trying again", type(exc).__name__)
                unreachable = True
                self._close_connection()

    def watch(self, on_lost: Callable[[str], None]) -> None:
        """While we hold the lock: `on_lost(reason)`, once and from another thread, as soon as
        its connection fails or stops answering."""
        if self.is_sqlite:
            return  # a file lock cannot be taken away while the process lives
        self._last_answer = time.monotonic()
        once = threading.Lock()

        def lost(reason: str) -> None:
            with once:
                if self._done.is_set():
                    return  # released on purpose (a clean stop), or already reported
                self._done.set()
            on_lost(reason)

        threading.Thread(target=self._check, args=(lost,), name="lock-check", daemon=True).start()
        threading.Thread(target=self._watchdog, args=(lost,), name="lock-watchdog", daemon=True).start()

    def _check(self, lost: Callable[[str], None]) -> None:
        while not self._done.wait(CHECK_EVERY):
            try:
                # A session advisory lock lasts as long as its session: a live session holds it.
                self._connection.execute(text("select 1"))
            except Exception as exc:  # noqa: BLE001 - whatever broke the session, the lock went with it
                if not self._take_again():
                    lost(f"its connection failed: {type(exc).__name__}")
                    return
                log.warning("the lock's connection failed (%s); the lock is taken again: no other copy had it",
                            type(exc).__name__)
            self._last_answer = time.monotonic()

    def _take_again(self) -> bool:
        """After a blip (the server restarted, a connection reset) and no standby quicker: carry
        on rather than restart. A standby that took the lock has not acted yet (it is still
        migrating and starting); this copy stops before it does."""
        self._close_connection()
        try:
            return self._try_advisory_lock()
        except Exception:  # noqa: BLE001 - unreachable: the lock cannot be confirmed
            return False

    def _watchdog(self, lost: Callable[[str], None]) -> None:
        while not self._done.wait(CHECK_EVERY / 2):
            if time.monotonic() - self._last_answer > LOST_AFTER:
                lost(f"its connection has not answered for {LOST_AFTER:.0f} s")
                return

    def _lock_file(self) -> bool:
        import fcntl

        path = make_url(self.url).database or "homeward"
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handle = open(f"{path}.lock", "a+")  # noqa: SIM115 - held for the process's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def _try_advisory_lock(self) -> bool:
        if self._connection is None:
            self._engine = create_engine(self.url, pool_size=1, max_overflow=0, hide_parameters=True,
                                         isolation_level="AUTOCOMMIT", connect_args=CLIENT_SETTINGS)
            event.listen(self._engine, "connect", end_if_client_vanishes)
            self._connection = self._engine.connect()
            # One lock per database and schema as the server names them: two hosts reaching the
            # server by different addresses (or users) still compete for the same lock.
            where = self._connection.execute(text("select current_database() || '.' || coalesce(current_schema(), '')")).scalar()
            self._key = zlib.crc32(where.encode()) ^ PG_KEY
        return bool(self._connection.execute(text("select pg_try_advisory_lock(:key)"), {"key": self._key}).scalar())

    def _close_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: BLE001 - it is broken already
                pass
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def release(self) -> None:
        self._done.set()
        self._close_connection()
        if self._file is not None:
            self._file.close()
            self._file = None
