"""`FakeTelegram`: the whole in-memory Telegram, owned by one asyncio loop.

All state is touched only on that loop. Test code on other threads reaches it
through `_sync` (marshals the call onto the loop and waits), asyncio code in
another loop through `_async`; code already on the loop runs directly. That
keeps every mutation single-threaded without a lock, and lets the same object
serve both threaded pytest tests and the one-loop terminal preview.

Bot API methods live in two mixins to keep files small: `methods` (messages,
files, callbacks) and `settings` (getMe, webhook, commands, descriptions).
Update delivery (getUpdates) lives here because it is tied to the queue.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import threading
import time
from typing import Any, Awaitable, Callable, TypeVar

from .faults import Faults, FloodGate
from .methods import BotApiMethods
from .model import ApiCall, ApiError, BotMessage, Chat, FileRecord, PendingUpdate, Pulse, UploadedFile
from .params import coerce_params
from .settings import BotSettingsMethods

T = TypeVar("T")

# Telegram delivers these when allowed_updates was never set (or set to []).
DEFAULT_UPDATE_TYPES = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
    "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_join_request",
    "chat_boost", "removed_chat_boost",
})
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


class _Poll:
    terminated = False


class FakeTelegram(BotApiMethods, BotSettingsMethods):
    """In-memory Bot API. Configure with plain attributes, drive users via `user()`.

    Settable from any thread: `latency` (seconds added to every call),
    `flood_limits` (enforce Telegram's send rate limits), `duplicate_delivery`
    (every update is delivered a second time after it is first confirmed).
    """

    def __init__(self, *, first_name: str = "Homeward", username: str = "homeward_test_bot", first_id: int = 1) -> None:
        self.bot_first_name = first_name
        self.bot_username = username
        self.bot_id = 0  # learned from the first request's token
        self.latency = 0.0
        self.flood_limits = False
        self.duplicate_delivery = False
        self._faults = Faults()
        self._flood = FloodGate()
        self._pulse = Pulse()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._updates: list[PendingUpdate] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._active_poll: _Poll | None = None
        self._webhook: dict[str, Any] | None = None
        self._chats: dict[int, Chat] = {}
        self._users: dict[int, Any] = {}
        self._files: dict[str, FileRecord] = {}
        self._files_by_path: dict[str, FileRecord] = {}
        self._queries: dict[str, Any] = {}
        self._calls: list[ApiCall] = []
        self._sent: list[BotMessage] = []
        # Per-chat wake-ups for thousands of waiting users (the pulse would wake them all).
        self._send_waiters: dict[int, list[asyncio.Future]] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._settings: dict[str, Any] = {}
        self._id_counter = first_id - 1  # message ids; Telegram never reuses one in a chat

    # ----------------------------------------------------------- loop affinity
    def bind_loop(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Pin the state to the running loop (StandinServer.start does this)."""
        loop = loop or asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop and self._loop.is_running():
            raise RuntimeError("FakeTelegram is already bound to another running event loop")
        self._loop = loop
        self._loop_thread = threading.get_ident()

    def _loop_is_live(self) -> bool:
        return self._loop is not None and self._loop.is_running() and not self._loop.is_closed()

    def _sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a non-blocking state operation on the owning loop and return its result."""
        if not self._loop_is_live() or threading.get_ident() == self._loop_thread:
            return fn(*args, **kwargs)

        async def call() -> T:
            return fn(*args, **kwargs)

        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout=30)

    async def _async(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`_sync` for callers that are themselves coroutines (any loop)."""
        if not self._loop_is_live() or self._loop is asyncio.get_running_loop():
            return fn(*args, **kwargs)

        async def call() -> T:
            return fn(*args, **kwargs)

        assert self._loop is not None
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call(), self._loop))

    def _sync_wait(self, factory: Callable[[], Awaitable[T]]) -> T:
        """Block the calling thread until a coroutine on the owning loop finishes."""
        if not self._loop_is_live():
            raise RuntimeError("the stand-in is not running (start a StandinThread or StandinServer)")
        if threading.get_ident() == self._loop_thread:
            raise RuntimeError(
                "blocking wait on the stand-in's own event loop would deadlock; "
                "use the async variant (e.g. `await user.anext_message()`)"
            )
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(factory(), self._loop).result()

    async def _async_wait(self, factory: Callable[[], Awaitable[T]]) -> T:
        if self._loop is None:
            self.bind_loop()
        if self._loop is asyncio.get_running_loop():
            return await factory()
        assert self._loop is not None
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(factory(), self._loop))

    async def wait_until(self, predicate: Callable[[], T | None], timeout: float) -> T:
        """Await a truthy predicate() (checked on every state change); TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            await self._pulse.wait(remaining)

    async def wait_change(self, timeout: float) -> None:
        """Return at the next state change (or after timeout); lets a UI redraw on edits."""
        await self._async_wait(lambda: self._pulse.wait(timeout))

    def _changed(self) -> None:
        self._pulse.fire()

    async def wait_for_sends(self, chat_id: int, count: int, timeout: float) -> None:
        """Until the bot has sent `count` messages to this chat (woken by this chat's sends only)."""
        deadline = time.monotonic() + timeout
        chat = self._chats.get(chat_id)
        while chat is None or len(chat.bot_messages) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            waiter = asyncio.get_running_loop().create_future()
            self._send_waiters.setdefault(chat_id, []).append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except asyncio.TimeoutError:
                raise TimeoutError from None
            chat = self._chats.get(chat_id)

    def _sent_to(self, chat_id: int) -> None:
        for waiter in self._send_waiters.pop(chat_id, ()):
            if not waiter.done():
                waiter.set_result(None)

    # ------------------------------------------------------------ test side API
    def user(self, user_id: int, first_name: str = "Test", language_code: str | None = "az",
             **extra: Any) -> Any:
        """The FakeUser with this id (created once; private chat id == user id)."""
        from .users import FakeUser  # users.py imports this module's types

        def get() -> Any:
            if user_id not in self._users:
                self._users[user_id] = FakeUser(self, user_id, first_name, language_code, **extra)
            return self._users[user_id]

        return self._sync(get)

    def fail(self, method: str, status: int = 429, times: int = 1, retry_after: int | None = None,
             description: str | None = None) -> None:
        """Make the next `times` calls of `method` ("*" = any) fail without effect."""
        self._sync(self._faults.fail, method, status, times, retry_after, description)

    def fail_ratio(self, method: str, ratio: float, status: int = 502,
                   retry_after_range: tuple[int, int] = (1, 3), until: float | None = None,
                   seed: int | None = None, description: str | None = None) -> None:
        """Fail a random `ratio` of calls until the time.monotonic() deadline `until`."""
        self._sync(self._faults.fail_ratio, method, ratio, status, retry_after_range, until, seed,
                   description)

    def clear_faults(self) -> None:
        self._sync(self._faults.clear)

    @property
    def all_requests(self) -> list[ApiCall]:
        return self._sync(lambda: list(self._calls))

    def requests(self, method: str) -> list[dict[str, Any]]:
        """Params of every call of one method, e.g. requests("sendMessage")."""
        return [call.params for call in self.all_requests if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[BotMessage]:
        """Every message the bot successfully sent (deleted ones included, flagged)."""
        return self._sync(lambda: [m for m in self._sent if chat_id is None or m.chat_id == chat_id])

    @property
    def commands(self) -> dict[str, list[dict[str, Any]]]:
        """setMyCommands for the default scope, keyed by language_code ("" = no language)."""
        return self._sync(lambda: {lang: list(cmds) for (scope, lang), cmds in self._commands.items()
                                   if scope == "default"})

    @property
    def commands_by_scope(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """Every stored command list keyed by (scope key, language_code)."""
        return self._sync(lambda: dict(self._commands))

    @property
    def settings(self) -> dict[str, Any]:
        """Descriptions, names and menu buttons the bot set, e.g. settings["description"][""]."""
        return self._sync(lambda: copy.deepcopy(self._settings))

    @property
    def webhook_url(self) -> str | None:
        return self._webhook["url"] if self._webhook else None

    def pending_updates(self) -> int:
        """Updates not yet confirmed by an offset."""
        return self._sync(lambda: len(self._updates))

    @property
    def retry_window_violations(self) -> int:
        return self._flood.violations

    # --------------------------------------------------------------- dispatch
    async def dispatch(self, bot_id: int, method: str, raw_params: dict[str, Any],
                       files: dict[str, UploadedFile]) -> tuple[int, dict[str, Any]]:
        """Serve one Bot API call; returns (HTTP status, Telegram-shaped JSON body)."""
        self.bot_id = self.bot_id or bot_id
        canonical = self.API_METHODS.get(method.lower())
        try:
            params = coerce_params(raw_params)
        except ApiError as error:
            params, parse_error = dict(raw_params), error
        else:
            parse_error = None
        logged = dict(params)
        for name, upload in files.items():
            logged.setdefault(name, {"filename": upload.filename, "size": len(upload.body),
                                     "mime_type": upload.content_type})
        self._calls.append(ApiCall(canonical or method, logged))
        if self.latency:
            await asyncio.sleep(self.latency)
        if canonical is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        try:
            if parse_error is not None:
                raise parse_error
            result = self._run_method(canonical, params, files)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            return error.code, error.body()
        finally:
            self._changed()
        return 200, {"ok": True, "result": result}

    def _run_method(self, canonical: str, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        is_send = canonical.startswith("send") and canonical != "sendChatAction"
        chat_id = params.get("chat_id") if is_send and isinstance(params.get("chat_id"), int) else None
        if is_send:
            self._flood.check_window(chat_id)  # only counts violations
        fault = self._faults.take(canonical)
        if fault is not None:
            if fault.retry_after is not None and is_send:
                self._flood.note_retry_after(chat_id, fault.retry_after)
            raise fault
        return getattr(self, "api_" + canonical)(params, files)

    def file_by_path(self, file_path: str) -> FileRecord | None:
        return self._files_by_path.get(file_path)

    # ---------------------------------------------------------------- updates
    def _push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = PendingUpdate(self._next_update_id, kind, {kind: copy.deepcopy(payload)})
        self._next_update_id += 1
        self._updates.append(update)
        self._changed()
        return update.to_json()

    def renumber_updates(self, next_update_id: int) -> None:
        """What Telegram does after a week without updates: the next update_id is chosen afresh,
        and may be far below the old ones (thread-safe)."""
        self._sync(setattr, self, "_next_update_id", next_update_id)

    def _confirm(self, offset: int | None) -> None:
        if not offset or offset > self._next_update_id:
            return  # above every id of the current numbering (a stale offset): confirms nothing
        if offset < 0:  # Telegram: keep only the last -offset updates
            self._updates = self._updates[offset:]
            return
        kept = []
        for update in self._updates:
            if update.update_id >= offset:
                kept.append(update)
            elif self.duplicate_delivery and not update.redelivered:
                # Pretend the confirmation got lost once: Telegram sends it again.
                update.redelivered = True
                kept.append(update)
        self._updates = kept

    async def api_getUpdates(self, p: dict[str, Any], files: Any) -> list[dict[str, Any]]:
        if self._webhook:
            raise ApiError(409, CONFLICT_WEBHOOK)
        self._confirm(p.get("offset"))
        if p.get("allowed_updates") is not None:
            self._allowed_updates = frozenset(p["allowed_updates"]) or DEFAULT_UPDATE_TYPES
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = max(float(p.get("timeout") or 0), 0.0)
        if self._active_poll is not None:
            self._active_poll.terminated = True
        poll = self._active_poll = _Poll()
        self._changed()
        deadline = time.monotonic() + timeout
        try:
            while True:
                if poll.terminated:
                    raise ApiError(409, CONFLICT_OTHER_POLL)
                # Telegram never stores updates of types the bot opted out of.
                self._updates = [u for u in self._updates if u.kind in self._allowed_updates]
                if self._updates or time.monotonic() >= deadline:
                    return [u.to_json() for u in self._updates[:limit]]
                await self._pulse.wait(deadline - time.monotonic())
        finally:
            if self._active_poll is poll:
                self._active_poll = None

    # -------------------------------------------------------------- internals
    def _next_id(self) -> int:
        self._id_counter += 1
        return self._id_counter

    def file_content(self, file_id: str) -> bytes | None:
        """What the bot uploaded (or a user sent) under this file_id (thread-safe)."""
        return self._sync(lambda: self._files[file_id].content if file_id in self._files else None)

    def group_chat(self, chat_id: int, title: str = "Staff") -> Chat:
        """A group the bot is a member of (thread-safe): messages can be sent to and from it."""
        return self._sync(self._group_chat, chat_id, title)

    def _group_chat(self, chat_id: int, title: str) -> Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = Chat(chat_id, {"id": chat_id, "type": "supergroup", "title": title}, known=True)
            self._chats[chat_id] = chat
        return chat

    def _chat_for_user(self, user: Any) -> Chat:
        chat = self._chats.get(user.id)
        if chat is None:
            chat = Chat(user.id, {"id": user.id, "type": "private", "first_name": user.first_name})
            if user.last_name:
                chat.json["last_name"] = user.last_name
            if user.username:
                chat.json["username"] = user.username
            self._chats[user.id] = chat
        return chat
