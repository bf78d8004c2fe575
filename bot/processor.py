"""Updates of one chat strictly in order, different chats at the same time.

PTB's default processor handles one update at a time, so every chat waits for every other
chat's Telegram round trips. This one keeps a lock per chat. An update whose handling hit a
transient failure (network, Telegram 5xx or 429 beyond the limiter's retries, a busy database)
is handled again, still holding its chat's turn, so nothing behind it overtakes it; only a
handled update is marked done in the inbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import BaseUpdateProcessor

from bot.inbox import Inbox, chat_key, receipt_of
from db.database import is_transient

log = logging.getLogger(__name__)

RETRY_DELAYS = (1, 2, 5, 10, 20, 30)


def is_transient_error(error: BaseException) -> bool:
    if isinstance(error, (BadRequest, Forbidden)):
        return False  # Telegram will answer the same way again
    if isinstance(error, (NetworkError, RetryAfter)):
        return True
    return is_transient(error)


# In a surge the poller stops fetching while this many chats have updates in hand: the rest
# wait at Telegram (which keeps them a day) rather than as thousands of objects in our memory.
# Counted in chats, not updates, so one person sending fast never holds up everybody else.
# 200: each chat in hand holds about 25 KB (its update, PTB's context, the handler waiting);
# 200 keep both cores busy in every `make bench` scenario and hold peak memory down (106 MB with
# 5,000 open drafts, 2026-12-03).
MAX_CHATS_IN_HAND = 200


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, inbox: Inbox, max_concurrent_updates: int = 4096, max_chats_in_hand: int = MAX_CHATS_IN_HAND):
        super().__init__(max_concurrent_updates)
        self.inbox = inbox
        self.application: Any = None  # set by the builder once the application exists
        self.max_chats_in_hand = max_chats_in_hand
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}
        self._failed: dict[int, BaseException] = {}
        self._room = asyncio.Event()
        self._room.set()

    async def room_for_more(self) -> int:
        """Waits until fewer than `max_chats_in_hand` chats have updates being handled; returns
        how many more chats there is room for."""
        while len(self._waiting) >= self.max_chats_in_hand:
            self._room.clear()
            await self._room.wait()
        return self.max_chats_in_hand - len(self._waiting)

    def record_failure(self, update: object, error: BaseException) -> None:
        """Called by the error handler: remember a transient failure so the update is retried."""
        if isinstance(update, Update) and is_transient_error(error):
            self._failed[receipt_of(update)] = error

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        key = chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
                await self._retry_while_transient(update)
                await self.inbox.mark_done(receipt_of(update))
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                self._locks.pop(key, None)
                if len(self._waiting) < self.max_chats_in_hand:
                    self._room.set()

    async def _retry_while_transient(self, update: Update) -> None:
        attempt = 0
        receipt = receipt_of(update)
        while receipt in self._failed:
            error = self._failed.pop(receipt)
            delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
            if isinstance(error, RetryAfter):
                delay = max(delay, _seconds(error.retry_after))
            log.warning("update %s hit %s; handling it again in %s s", update.update_id, type(error).__name__, delay)
            await self.inbox.count_attempt(receipt)
            await asyncio.sleep(delay)
            attempt += 1
            await self.application.process_update(update)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
