"""Every call to Telegram goes through here (`say`, `show` and `post` are the one send path): its flood limits, and patience when it stumbles.

Telegram documents about 30 messages a second overall, about one a second per private chat
(short bursts tolerated) and 20 a minute per group, and answers 429 with `retry_after` when a
bot sends faster than it will take. Holding every reply to those rates all the time would make
a mother wait behind a queue Telegram may not need, so the limiter learns from Telegram itself:
it sends freely until the first 429, then keeps to the documented rates (with a margin) until
Telegram has been quiet for a while. A 429 holds every request until `retry_after` has passed,
so the bot never sends inside a window Telegram asked it to wait out. Groups (the staff chat)
are always held to their rate. A 5xx or a timeout is retried with back-off; when every retry
fails the error reaches the update processor, which handles the update again later, so a reply
is delayed, never silently dropped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from telegram import Bot, TelegramObject
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from app.screens import Reply
from bot.keyboards import markup
from bot.ptb_internals import DEFAULT_NONE, raw_post
from core.telegram_html import split_message

log = logging.getLogger(__name__)

BACKOFF = (0.5, 1, 2, 4, 8)
NOT_RETRIED = (BadRequest, Forbidden, InvalidToken, Conflict, ChatMigrated)
# Telegram's documented limits, kept with a small margin so timing jitter never crosses them.
OVERALL_PER_SECOND = 29.0
PRIVATE_CHAT_INTERVAL, PRIVATE_CHAT_BURST = 1.05, 3
GROUP_INTERVAL, GROUP_BURST = 3.05, 3  # 20 a minute, never more than Telegram's per-chat burst
CAREFUL_FOR_SECONDS = 600  # after a 429, keep to the documented rates this long
MAX_CHAT_SCHEDULES = 10_000


class Schedule:
    """A token bucket kept as one timestamp (GCRA): `reserve` says when the next send may go.
    Reservations are made in call order on the event loop, so no lock is needed."""

    __slots__ = ("interval", "tolerance", "next_at")

    def __init__(self, interval: float, burst: int = 1):
        self.interval = interval
        self.tolerance = (burst - 1) * interval
        self.next_at = 0.0

    def reserve(self, now: float) -> float:
        at = max(now, self.next_at - self.tolerance)
        self.next_at = max(self.next_at, at) + self.interval
        return at

    def sent_at(self, moment: float) -> None:
        """The reserved send goes out later, at `moment`: count the chat's rate from then."""
        self.next_at = max(self.next_at, moment + self.interval)

    def idle(self, now: float) -> bool:
        return self.next_at <= now


class PatientRateLimiter(BaseRateLimiter[int]):
    def __init__(self, max_retries: int = 5, backoff: tuple[float, ...] = BACKOFF):
        self.max_retries = max_retries
        self.backoff = backoff
        self._overall = Schedule(1 / OVERALL_PER_SECOND)
        self._chats: dict[int | str, Schedule] = {}
        self._careful_until = 0.0
        self._resume_at = 0.0  # nothing is sent before this: Telegram asked us to wait

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def careful(self) -> bool:
        return time.monotonic() < self._careful_until

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args) -> Any:
        if endpoint == "getUpdates":
            # The poller has its own back-off and must not hold other requests up.
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        is_message = endpoint.startswith(("send", "copyMessage", "forwardMessage")) and endpoint != "sendChatAction"
        told_to_wait = network_failures = 0  # separate budgets: a 429 is not a failure
        while True:
            await self._wait_turn(chat_id if is_message else None, is_message)
            try:
                return await callback(*args, **kwargs)
            except NOT_RETRIED:
                raise
            except RetryAfter as exc:
                told_to_wait += 1
                self._told_to_wait(exc)
                if told_to_wait > self.max_retries:
                    raise
            except NetworkError as exc:
                if network_failures >= len(self.backoff):
                    raise
                delay = self.backoff[network_failures]
                network_failures += 1
                log.warning("%s failed (%s); retrying in %s s", endpoint, type(exc).__name__, delay)
                await asyncio.sleep(delay)

    def _told_to_wait(self, exc: RetryAfter) -> None:
        seconds = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") else float(exc.retry_after)
        now = time.monotonic()
        if not self.careful:
            log.warning("Telegram asked to slow down (retry after %s s): keeping to its documented rates", seconds)
        self._resume_at = max(self._resume_at, now + seconds + 0.1)
        self._careful_until = now + CAREFUL_FOR_SECONDS

    async def _wait_turn(self, chat_id: int | str | None, is_message: bool) -> None:
        while (wait := self._resume_at - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        if not is_message or chat_id is None:
            return
        is_group = not isinstance(chat_id, int) or chat_id < 0
        if not (is_group or self.careful):
            return
        now = time.monotonic()
        chat = self._chat_schedule(chat_id, is_group, now)
        at = chat.reserve(now)
        if self.careful:
            at = self._overall.reserve(at)
            chat.sent_at(at)  # the overall queue may put it later than the chat's own slot
        if at > now:
            await asyncio.sleep(at - now)

    def _chat_schedule(self, chat_id: int | str, is_group: bool, now: float) -> Schedule:
        schedule = self._chats.get(chat_id)
        if schedule is None:
            if len(self._chats) >= MAX_CHAT_SCHEDULES:  # forget chats whose bucket is full again
                self._chats = {key: kept for key, kept in self._chats.items() if not kept.idle(now)}
            schedule = self._chats[chat_id] = (Schedule(GROUP_INTERVAL, GROUP_BURST) if is_group
                                               else Schedule(PRIVATE_CHAT_INTERVAL, PRIVATE_CHAT_BURST))
        return schedule


async def post(bot: Bot, endpoint: str, **data: Any) -> None:
    """A send or edit whose answer nobody reads, without building a Message from it: in a surge,
    parsing Telegram's answer to every reply was a tenth of the bot's CPU. It goes through the
    same `Defaults` (HTML) and the same rate limiter as `bot.send_message`."""
    if endpoint in MESSAGE_ENDPOINTS:
        for name in ("parse_mode", "disable_notification", "protect_content", "link_preview_options"):
            data.setdefault(name, DEFAULT_NONE)
    if isinstance(data.get("reply_markup"), TelegramObject):
        data["reply_markup"] = _wire_form(data["reply_markup"])
    await raw_post(bot, endpoint, data)  # the public methods differ only in parsing the answer


async def say(bot: Bot, chat_id: int | str, text: str, reply_markup: Any = None) -> None:
    """One message: the way every text reaches a chat."""
    await post(bot, "sendMessage", chat_id=chat_id, text=text, reply_markup=reply_markup)


async def show(bot: Bot, chat_id: int | str, shown: Reply) -> None:
    """A use case's reply: its text split at paragraphs where it is longer than Telegram takes,
    its buttons under the last part."""
    parts = split_message(shown.text)
    for position, part in enumerate(parts):
        await say(bot, chat_id, part, markup(shown.rows) if position == len(parts) - 1 else None)


MESSAGE_ENDPOINTS = frozenset({"sendMessage", "editMessageText"})  # where `Defaults` (HTML) apply
_WIRE_FORMS: dict[int, tuple[TelegramObject, dict]] = {}


def _wire_form(markup: TelegramObject) -> dict:
    """A keyboard as Telegram's JSON, converted once per keyboard object (they are cached and
    shared, see `bot.keyboards`); the object is kept with it so its id is never reused."""
    known = _WIRE_FORMS.get(id(markup))
    if known is not None and known[0] is markup:
        return known[1]
    if len(_WIRE_FORMS) >= 4096:
        _WIRE_FORMS.clear()
    wire = markup.to_dict()
    _WIRE_FORMS[id(markup)] = (markup, wire)
    return wire
