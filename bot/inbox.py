"""The durable inbox: an update is on disk before Telegram is told we have it.

Polling stores each batch, then asks for the next with a higher offset (which is what confirms
the batch to Telegram). The processor marks an update done once its effects are committed and
its replies sent; at start-up whatever is not done is processed again, and a duplicate
update_id is never processed twice.
"""

from __future__ import annotations

import asyncio
import json
import time
import logging

from sqlalchemy import bindparam, func
from sqlalchemy import update as sql_update
from sqlmodel import Session, select
from telegram import Update
from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from db.database import Database
from db.models import InboxUpdate, utcnow

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates open
MAX_BACKOFF = 20.0
MAX_UPDATES_PER_POLL = 100  # Telegram's own maximum


def chat_key(update: Update) -> int | None:
    if update.effective_chat:
        return update.effective_chat.id
    if update.effective_user:
        return update.effective_user.id
    return None


def parse_update(item: dict, bot) -> Update:
    """PTB's Update, minus the keyboard of the message a button was tapped on: nothing reads it,
    and building its buttons was most of the cost of parsing a tap (the inbox keeps it all)."""
    query = item.get("callback_query")
    if isinstance(query, dict) and isinstance(query.get("message"), dict) and "reply_markup" in query["message"]:
        message = {key: value for key, value in query["message"].items() if key != "reply_markup"}
        item = {**item, "callback_query": {**query, "message": message}}
    return Update.de_json(item, bot)


class Inbox:
    def __init__(self, db: Database):
        self.db = db
        self._done: list[int] = []
        self._marking: asyncio.Future | None = None

    def _insert(self, session: Session, rows: list[dict]) -> list[int]:
        """Insert what is new; returns the update_ids that were not there before."""
        if not rows:
            return []
        ids = [r["update_id"] for r in rows]
        present = set(session.exec(select(InboxUpdate.update_id).where(InboxUpdate.update_id.in_(ids))))
        fresh = [r for r in rows if r["update_id"] not in present]
        if fresh:
            # One statement for any number of rows (executemany): compiled once, not per batch size.
            statement = insert_for(self.db)(InboxUpdate.__table__).on_conflict_do_nothing(index_elements=["update_id"])
            session.connection().execute(statement, fresh)
        return [r["update_id"] for r in fresh]

    async def store(self, received: list[tuple[Update, dict]]) -> list[Update]:
        """Write updates to disk as Telegram sent them (the JSON beside each parsed update);
        returns those not seen before, in update_id order."""
        return await self.store_soon(received)

    def store_soon(self, received: list[tuple[Update, dict]]) -> asyncio.Future:
        """`store`, queued on the writer before this returns: whatever a handler writes about
        these updates afterwards commits in the same transaction or a later one."""
        parsed = sorted(received, key=lambda pair: pair[0].update_id)
        rows = [
            {"update_id": u.update_id, "chat_key": chat_key(u), "payload": json.dumps(item, ensure_ascii=False), "received_at": utcnow()}
            for u, item in parsed
        ]

        def insert(session: Session) -> list[Update]:
            fresh = set(self._insert(session, rows))
            return [u for u, _ in parsed if u.update_id in fresh]

        return self.db.run_soon(insert)

    async def pending(self, bot) -> list[Update]:
        def load(session: Session) -> list[str]:
            query = select(InboxUpdate.payload).where(InboxUpdate.done_at.is_(None)).order_by(InboxUpdate.update_id)
            return list(session.exec(query))

        return [parse_update(json.loads(payload), bot) for payload in await self.db.run(load)]

    async def mark_done(self, update_id: int) -> None:
        """Done once its replies are sent. Updates finishing together are marked in one statement
        (it runs for every update the bot handles); each caller still waits for the commit."""
        self._done.append(update_id)
        if self._marking is None:
            self._marking = asyncio.ensure_future(self._mark_waiting())
        await asyncio.shield(self._marking)

    async def _mark_waiting(self) -> None:
        await asyncio.sleep(0)  # the handlers finishing in this same turn of the loop join in
        ids, self._done, self._marking = self._done, [], None
        statement = _MARK_DONE.values(done_at=utcnow())
        await self.db.run(lambda s: s.connection().execute(statement, {"done_ids": ids}))

    async def count_attempt(self, update_id: int) -> None:
        await self.db.run(
            lambda s: s.execute(
                sql_update(InboxUpdate).where(InboxUpdate.update_id == update_id).values(attempts=InboxUpdate.attempts + 1)
            )
        )

    async def newest_id(self) -> int | None:
        return await self.db.run(lambda s: s.exec(select(func.max(InboxUpdate.update_id))).first())


_MARK_DONE = sql_update(InboxUpdate.__table__).where(InboxUpdate.__table__.c.update_id.in_(bindparam("done_ids", expanding=True)))


def insert_for(db: Database):
    # Imported here: a SQLite deployment need not load the PostgreSQL dialect (2.4 MB), nor
    # the reverse.
    if db.is_sqlite:
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    return insert


class SecondInstance(Exception):
    """Another process is polling with the same token."""


class Poller:
    """Long polling that stores before it confirms, feeding the application's update queue."""

    def __init__(self, application: Application, inbox: Inbox, allowed_updates: list[str] | None = None, conflict_grace: float = 30):
        self.application = application
        self.inbox = inbox
        self.allowed_updates = allowed_updates
        self.conflict_grace = conflict_grace
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        bot = self.application.bot
        # A webhook left from webhook mode makes Telegram refuse getUpdates (409): polling wins.
        # Pending updates are kept: Telegram hands them to getUpdates instead.
        await bot.delete_webhook(drop_pending_updates=False)
        for update in await self.inbox.pending(bot):
            await self.application.update_queue.put(update)
        newest = await self.inbox.newest_id()
        offset = newest + 1 if newest is not None else None
        delay = 1.0
        started = time.monotonic()
        while not self._stopping.is_set():
            limit = min(MAX_UPDATES_PER_POLL, await self.application.update_processor.room_for_more())
            try:
                # Telegram's JSON as it came, not `bot.get_updates`: it is stored verbatim, so the
                # updates are not parsed, then turned back into JSON, on every poll.
                received = await bot._post(  # noqa: SLF001 - get_updates minus the round trip
                    "getUpdates",
                    {"offset": offset, "limit": limit, "timeout": POLL_TIMEOUT, "allowed_updates": self.allowed_updates},
                    read_timeout=POLL_TIMEOUT + 10,
                )
            except (InvalidToken, Forbidden):
                raise
            except Conflict as exc:
                if time.monotonic() - started < self.conflict_grace:
                    raise SecondInstance(str(exc)) from None  # we are the copy started by mistake
                log.error("another process polls with this token: stop it; polling again")
                await self._sleep(1.0)
                continue
            except RetryAfter as exc:
                await self._sleep(float(exc.retry_after if isinstance(exc.retry_after, (int, float)) else exc.retry_after.total_seconds()))
                continue
            except (NetworkError, TimedOut) as exc:
                log.warning("getUpdates failed (%s); retrying in %.0f s", type(exc).__name__, delay)
                await self._sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            delay = 1.0
            if not received:
                continue
            # On disk first; only the next getUpdates (with the higher offset) confirms them.
            updates = sorted(((parse_update(item, bot), item) for item in received), key=lambda pair: pair[0].update_id)
            # Queued for disk first, then handed to the handlers without waiting for that commit:
            # their own writes queue behind it, so no answer is committed (or replied to) before
            # its update is on disk, and the round trip to the disk is shared.
            stored = self.inbox.store_soon(updates)
            for update, _ in updates:
                if newest is None or update.update_id > newest:  # Telegram never repeats a confirmed id
                    newest = update.update_id
                    await self.application.update_queue.put(update)
            await stored  # on disk before the next getUpdates (with the higher offset) confirms them
            offset = newest + 1

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass

    def stop(self) -> None:
        self._stopping.set()

    async def stopped(self) -> None:
        await self._stopping.wait()
