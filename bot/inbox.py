"""The durable inbox: an update is on disk before Telegram is told we have it.

Polling stores each batch, then asks for the next with an offset just above it (which is what
confirms the batch to Telegram). The processor marks an update done once its effects are
committed and its replies sent; at start-up whatever is not done is processed again.

Telegram's update ids are not ours to rely on: after a week without updates the next one is
numbered from a random point, possibly far below the old ones. So nothing here compares ids.
A delivery is recognised by its id *and* its content, and each stored update gets a receipt,
our own number in the order updates were stored; everything the update causes (an answer, a
case, a note) records that receipt, which is what makes a redelivery harmless.
"""

from __future__ import annotations

import asyncio
import hashlib
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
# Where a parsed update carries its receipt: PTB keeps fields it does not know in `api_kwargs`.
RECEIPT_FIELD = "homeward_receipt"
# Deliveries remembered in memory, to drop one Telegram sends again without a trip to the disk
# (a repeat comes in the next batch or so; the database's unique key is the last word):
# 30 full batches, about 0.5 MB.
RECENT_DELIVERIES = 3_000


def chat_key(update: Update) -> int | None:
    if update.effective_chat:
        return update.effective_chat.id
    if update.effective_user:
        return update.effective_user.id
    return None


def receipt_of(update: Update) -> int:
    """The inbox's number for this update: the key of everything it causes."""
    return update.api_kwargs[RECEIPT_FIELD]


def parse_update(item: dict, bot, receipt: int) -> Update:
    """PTB's Update carrying its receipt, minus the keyboard of the message a button was tapped
    on: nothing reads it, and building its buttons was most of the cost of parsing a tap (the
    inbox keeps it all)."""
    query = item.get("callback_query")
    if isinstance(query, dict) and isinstance(query.get("message"), dict) and "reply_markup" in query["message"]:
        message = {key: value for key, value in query["message"].items() if key != "reply_markup"}
        item = {**item, "callback_query": {**query, "message": message}}
    return Update.de_json({**item, RECEIPT_FIELD: receipt}, bot)


# What a stored message never needs to be handled again: the message it replies to or quotes
# (in a staff chat, a whole case card), a pinned one.
_QUOTED = ("reply_to_message", "external_reply", "quote", "pinned_message")


def stored_form(item: dict) -> dict:
    """What replaying an update needs, and no more. A button tap carries the message it was
    attached to (in a staff chat, the case card with names and phones); only its id and chat
    are kept, so a replayed tap sees an inaccessible message (date 0), as for an old one.
    The tapper, the button's data and ids stay: they are what the handlers read."""
    query = item.get("callback_query")
    if isinstance(query, dict) and isinstance(query.get("message"), dict):
        attached = query["message"]
        chat = attached.get("chat") or {}
        bare = {"message_id": attached.get("message_id"), "date": 0, "chat": {"id": chat.get("id"), "type": chat.get("type")}}
        return {**item, "callback_query": {**query, "message": bare}}
    for kind in ("message", "edited_message"):
        message = item.get(kind)
        if isinstance(message, dict) and any(key in message for key in _QUOTED):
            return {**item, kind: {key: value for key, value in message.items() if key not in _QUOTED}}
    return item


class Delivery:
    """One update as Telegram sent it: recognised by its full content (`digest`), stored in
    its `stored_form` (`payload`)."""

    __slots__ = ("item", "update_id", "payload", "digest", "receipt", "update")

    def __init__(self, item: dict):
        self.item = item
        self.update_id: int = item["update_id"]
        canonical = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self.digest = hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()
        kept = stored_form(item)
        self.payload = canonical if kept is item else json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self.receipt = 0
        self.update: Update | None = None

    @property
    def key(self) -> tuple[int, str]:
        return self.update_id, self.digest


class Inbox:
    def __init__(self, db: Database):
        self.db = db
        self._next_receipt: int | None = None
        self._recent: dict[tuple[int, str], None] = {}  # insertion-ordered: the oldest goes first
        self._done: list[int] = []
        self._marking: asyncio.Future | None = None

    async def open(self) -> None:
        """Continue the receipts where the stored ones end (also after another copy wrote)."""
        newest = await self.db.run(lambda s: s.exec(select(func.max(InboxUpdate.receipt))).first())
        self._next_receipt = (newest or 0) + 1

    def receive(self, items: list[dict], bot) -> list[Delivery]:
        """Number and parse what Telegram sent, in the order it sent it, less what this process
        received already (Telegram sending it again)."""
        if self._next_receipt is None:
            raise RuntimeError("Inbox.open() first")
        deliveries = []
        for delivery in map(Delivery, items):
            if delivery.key in self._recent:
                continue
            self._recent[delivery.key] = None
            if len(self._recent) > RECENT_DELIVERIES:
                del self._recent[next(iter(self._recent))]
            delivery.receipt, self._next_receipt = self._next_receipt, self._next_receipt + 1
            delivery.update = parse_update(delivery.item, bot, delivery.receipt)
            deliveries.append(delivery)
        return deliveries

    async def store(self, deliveries: list[Delivery]) -> list[Update]:
        """Write deliveries to disk; returns the updates not stored before, in order."""
        return await self.store_soon(deliveries)

    def store_soon(self, deliveries: list[Delivery]) -> asyncio.Future:
        """`store`, queued on the writer before this returns: whatever a handler writes about
        these updates afterwards commits in the same transaction or a later one."""
        received_at = utcnow()
        rows = [
            {"receipt": d.receipt, "update_id": d.update_id, "digest": d.digest, "chat_key": chat_key(d.update),
             "payload": d.payload, "received_at": received_at}
            for d in deliveries
        ]

        def insert(session: Session) -> list[Update]:
            present = self._stored_keys(session, [d.key for d in deliveries])
            fresh = [row for row, d in zip(rows, deliveries) if d.key not in present]
            if fresh:
                # One statement for any number of rows (executemany): compiled once, not per batch size.
                statement = insert_for(self.db)(InboxUpdate.__table__).on_conflict_do_nothing(index_elements=["update_id", "digest"])
                session.connection().execute(statement, fresh)
            return [d.update for d in deliveries if d.key not in present]

        return self.db.run_soon(insert)

    @staticmethod
    def _stored_keys(session: Session, keys: list[tuple[int, str]]) -> set[tuple[int, str]]:
        ids = {update_id for update_id, _ in keys}
        query = select(InboxUpdate.update_id, InboxUpdate.digest).where(InboxUpdate.update_id.in_(ids))
        return {tuple(row) for row in session.exec(query)} & set(keys)

    async def pending(self, bot) -> list[Update]:
        def load(session: Session) -> list[tuple[int, str]]:
            query = select(InboxUpdate.receipt, InboxUpdate.payload).where(InboxUpdate.done_at.is_(None)).order_by(InboxUpdate.receipt)
            return list(session.exec(query))

        return [parse_update(json.loads(payload), bot, receipt) for receipt, payload in await self.db.run(load)]

    async def mark_done(self, receipt: int) -> None:
        """Done once its replies are sent. Updates finishing together are marked in one statement
        (it runs for every update the bot handles); each caller still waits for the commit."""
        self._done.append(receipt)
        if self._marking is None:
            self._marking = asyncio.ensure_future(self._mark_waiting())
        await asyncio.shield(self._marking)

    async def _mark_waiting(self) -> None:
        await asyncio.sleep(0)  # the handlers finishing in this same turn of the loop join in
        receipts, self._done, self._marking = self._done, [], None
        statement = _MARK_DONE.values(done_at=utcnow())
        await self.db.run(lambda s: s.connection().execute(statement, {"done": receipts}))

    async def count_attempt(self, receipt: int) -> None:
        await self.db.run(
            lambda s: s.execute(
                sql_update(InboxUpdate).where(InboxUpdate.receipt == receipt).values(attempts=InboxUpdate.attempts + 1)
            )
        )


_MARK_DONE = sql_update(InboxUpdate.__table__).where(InboxUpdate.__table__.c.receipt.in_(bindparam("done", expanding=True)))


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
        await self.inbox.open()
        for update in await self.inbox.pending(bot):
            await self.application.update_queue.put(update)
        # Right after a start Telegram may send again what the last run stored but had not yet
        # confirmed (it comes first, before anything new): until a batch holds nothing stored
        # before, only what is new is handed over.
        caught_up = False
        offset = None  # at start: from the earliest update Telegram has not had confirmed
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
            # The next getUpdates confirms this batch: just above its last update, as PTB's own
            # updater does. Never a remembered maximum: after Telegram renumbers, that would sit
            # above every new id, confirm nothing, and the bot would hear nobody.
            offset = received[-1]["update_id"] + 1
            deliveries = self.inbox.receive(received, self.application.bot)
            if not deliveries:
                continue
            # Queued for disk first, then handed to the handlers without waiting for that commit:
            # their own writes queue behind it, so no answer is committed (or replied to) before
            # its update is on disk, and the round trip to the disk is shared.
            stored = self.inbox.store_soon(deliveries)
            if caught_up:
                fresh = [d.update for d in deliveries]
            else:
                fresh = await stored
                caught_up = len(fresh) == len(deliveries)
            for update in fresh:
                await self.application.update_queue.put(update)
            await stored  # on disk before the next getUpdates (with the higher offset) confirms them

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass

    def stop(self) -> None:
        self._stopping.set()

    async def stopped(self) -> None:
        await self._stopping.wait()
