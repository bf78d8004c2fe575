"""Who runs `Database.run`'s writes: one transaction and one commit for the writes that arrive
together (group commit), each caller woken with its own outcome once the commit is on disk.

`LoopWriter` runs them on the caller's event loop (SQLite), `GroupCommitWriter` on a thread of
its own (PostgreSQL, whose commits wait on the network). Both keep the order the writes were
queued in, except that a write queued `ahead` (the inbox's stores) goes before the ordinary
writes waiting, never before another `ahead` write.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from db.checkpoints import WalCheckpoints
    from db.database import Database

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_BATCH = 256
# After a transient failure on the loop: the next tries, in seconds from the last.
LOOP_RETRY_DELAYS = (0.1, 0.3, 1.0, 2.0, 5.0, 10.0)


class Outcome:
    __slots__ = ("value", "error")

    def __init__(self, value: Any = None, error: BaseException | None = None):
        self.value, self.error = value, error

    def unwrap(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class _Lanes:
    """One event loop's writes waiting: `ahead` first, each lane first come first served."""

    __slots__ = ("loop", "ahead", "behind", "turn", "attempt")

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.ahead: list[tuple[Callable[[Session], Any], asyncio.Future]] = []
        self.behind: list[tuple[Callable[[Session], Any], asyncio.Future]] = []
        self.turn: asyncio.Handle | None = None  # the flush scheduled, if any
        self.attempt = 0  # transient failures of the batch first in line


class LoopWriter:
    """The writes run on the event loop that asked for them, in the loop's next turn: every
    write queued by the handlers of one turn shares one transaction. With SQLite a commit is a
    local fsync (about half a millisecond); a writer thread cost more than that in hand-offs, as
    the loop and the thread take turns at Python's one interpreter lock (open load, 200 updates/s:
    first reply p99 about 200 ms with a thread, about 160 ms here; README).

    The loop is never made to wait out a lock another process holds: the engine gives up after a
    short busy timeout, and the batch stays first in line and is tried again after
    `LOOP_RETRY_DELAYS` while the loop goes on receiving and sending."""

    MAX_BATCH = MAX_BATCH

    def __init__(self, db: Database, engine: Engine, checkpoints: WalCheckpoints | None = None):
        self.db = db
        self.engine = engine
        self.checkpoints = checkpoints  # started with the first write
        self._lanes: dict[asyncio.AbstractEventLoop, _Lanes] = {}

    def enqueue(self, fn: Callable[[Session], T], ahead: bool = False) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        lanes = self._lanes.get(loop)
        if lanes is None:
            lanes = self._lanes[loop] = _Lanes(loop)
            if self.checkpoints is not None:
                self.checkpoints.start()
        future = loop.create_future()
        (lanes.ahead if ahead else lanes.behind).append((fn, future))
        if lanes.turn is None:
            lanes.turn = loop.call_soon(self._flush, lanes)
        return future

    def _flush(self, lanes: _Lanes) -> None:
        lanes.turn = None
        batch = [*lanes.ahead, *lanes.behind][: self.MAX_BATCH]
        try:
            outcomes = self.db.run_batch_sync([fn for fn, _ in batch], engine=self.engine, retry_delays=())
        except Exception as exc:  # noqa: BLE001 - the commit failed: retried, or every caller hears
            if _transient(exc) and lanes.attempt < len(LOOP_RETRY_DELAYS):
                delay = LOOP_RETRY_DELAYS[lanes.attempt]
                lanes.attempt += 1
                log.warning("database busy or unreachable (attempt %d): %s; retrying in %.1f s",
                            lanes.attempt, type(exc).__name__, delay)
                lanes.turn = lanes.loop.call_later(delay, self._flush, lanes)
                return
            outcomes = [Outcome(error=exc)] * len(batch)
        lanes.attempt = 0
        from_ahead = min(len(lanes.ahead), len(batch))
        del lanes.ahead[:from_ahead]
        del lanes.behind[: len(batch) - from_ahead]
        _settle([(future, outcome) for (_, future), outcome in zip(batch, outcomes)])
        if lanes.ahead or lanes.behind:
            lanes.turn = lanes.loop.call_soon(self._flush, lanes)
        else:
            del self._lanes[lanes.loop]

    def stop(self) -> None:
        """Commits what is still waiting (with the thread's patience), then forgets every loop."""
        for lanes in list(self._lanes.values()):
            if lanes.turn is not None:
                lanes.turn.cancel()
            batch = [*lanes.ahead, *lanes.behind]
            lanes.ahead, lanes.behind = [], []
            if not batch:
                continue
            try:
                outcomes = self.db.run_batch_sync([fn for fn, _ in batch], engine=self.engine)
            except Exception as exc:  # noqa: BLE001 - every caller hears
                outcomes = [Outcome(error=exc)] * len(batch)
            try:
                _settle([(future, outcome) for (_, future), outcome in zip(batch, outcomes)])
            except RuntimeError:
                pass  # that loop is closed: nobody is waiting any more
        self._lanes.clear()


def _transient(exc: BaseException) -> bool:
    from db.database import is_transient  # the module that imports this one

    return is_transient(exc)


class GroupCommitWriter:
    """One writer thread: it takes every write waiting, runs them in one transaction, commits
    once, then wakes each caller. PostgreSQL gets fewer commits. Batches form by themselves while
    the previous commit is on its way to disk, so a quiet bot commits each answer at once and a
    busy one shares fsyncs."""

    MAX_BATCH = MAX_BATCH

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
