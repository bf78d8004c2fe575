"""SQLite's write-ahead log copied back into the database file on a thread of its own.

By default SQLite does this inside whichever commit finds the log over 1,000 pages, and waits
for the database file's fsync. With the writes on the event loop (`db.writers.LoopWriter`) that
commit held up everyone: in the open load (`benchmarks/open_load.py`) one commit in a few
thousand took 20-320 ms, and every relative whose update or reply fell in that moment waited
for it. Here the loop's own connection checkpoints only as a safety net, far later, and a thread
runs a PASSIVE checkpoint every second: it never waits for a lock, never blocks a writer (the
log keeps growing beside it), and Python's sqlite3 lets go of the interpreter lock while SQLite
works, so the loop goes on meanwhile.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 1.0  # seconds
# The loop's connection still checkpoints if the log ever reaches this (about 80 MB): only if the
# thread cannot keep up, or is not running.
LOOP_AUTOCHECKPOINT_PAGES = 20_000


class WalCheckpoints:
    def __init__(self, engine: Engine, every: float = CHECKPOINT_EVERY):
        self._engine = engine
        self.every = every
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Idempotent and cheap: called on every write the loop queues."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None and not self._stopping.is_set():
                self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stopping.wait(self.every):
            try:
                self.checkpoint()
            except Exception as exc:  # noqa: BLE001 - the next round tries again; the safety net holds
                log.warning("WAL checkpoint failed (%s); trying again in %.0f s", type(exc).__name__, self.every)

    def checkpoint(self) -> tuple[int, int, int]:
        """(busy, frames in the log, frames copied back), as SQLite reports them."""
        connection = self._engine.raw_connection()
        try:
            return tuple(connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
        finally:
            connection.close()

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=10)
