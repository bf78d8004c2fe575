"""`FakeUser`: a Telegram user that writes to the bot and reads its replies.

Every action has a blocking form for plain (threaded) tests and an `a`-prefixed
coroutine form for asyncio code, e.g. `send`/`asend`, `next_message`/
`anext_message`. Both work from any thread or loop; only the blocking *waits*
(`next_message`, `ask`, `tap`, `expect_silence`, ...) refuse to run on the
stand-in's own loop, where blocking would freeze the server they wait for.
"""

from __future__ import annotations

import copy
import hashlib
import re
import secrets
import time
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from .html import utf16_len
from .model import BotMessage, CallbackQueryRecord, Chat
from .user_async import DEFAULT_LOCATION, DEFAULT_PHONE, AsyncForms

if TYPE_CHECKING:
    from .state import FakeTelegram

# Telegram marks "/cmd" or "/cmd@botname" at the start of a message as a bot_command.
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


class Keyboard(NamedTuple):
    """The keyboard a user would press next: its message, kind and button texts."""

    message: BotMessage
    kind: str  # "inline" | "reply"
    buttons: list[str]


class FakeUser(AsyncForms):
    def __init__(self, tg: FakeTelegram, user_id: int, first_name: str = "Test",
                 language_code: str | None = "az", last_name: str | None = None,
                 username: str | None = None, is_premium: bool = False) -> None:
        self.tg = tg
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.is_premium = is_premium
        self._consumed = 0  # how many of the chat's bot messages next_message has returned
        self._query_ids: list[str] = []

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def user_id(self) -> int:
        return self.id

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.is_premium:
            data["is_premium"] = True
        return data

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    # ------------------------------------------------ core (on the tg loop)
    def _chat(self) -> Chat:
        return self.tg._chat_for_user(self)

    def _post(self, content: dict[str, Any], summary: str, chat: Chat | None = None) -> dict[str, Any]:
        chat = chat or self._chat()
        chat.known = True
        message = {"message_id": chat.new_message_id(), "from": self.to_json(),
                   "chat": dict(chat.json), "date": int(time.time()), **content}
        chat.by_id[message["message_id"]] = message
        chat.transcript.append(f"user: {summary}")
        return self.tg._push_update("message", message)

    def _send(self, text: str, chat: Chat | None = None) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        command = _COMMAND_RE.match(text)
        if command:
            content["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": utf16_len(command.group())}]
        return self._post(content, repr(text), chat)

    def send_in_group(self, group_id: int, text: str) -> dict[str, Any]:
        """This user writes in a group the bot is in (see FakeTelegram.group_chat)."""
        return self.tg._sync(lambda: self._send(text, self.tg._group_chat(group_id, "Staff")))

    def _send_contact(self, phone_number: str = DEFAULT_PHONE, user_id: int | None = None,
                      first_name: str | None = None) -> dict[str, Any]:
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name or self.first_name}
        if user_id != 0:
            contact["user_id"] = self.id if user_id is None else user_id
        return self._post({"contact": contact}, f"[contact {phone_number}]")

    def _send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        return self._post({"location": {"latitude": latitude, "longitude": longitude}},
                          f"[location {latitude},{longitude}]")

    def _file(self, folder: str, size: int, content: bytes | None, ext: str,
              meta: dict[str, Any] | None = None) -> dict[str, Any]:
        record = self.tg.register_file(folder, size if content is None else len(content), content, ext, meta)
        return {"file_id": record.file_id, "file_unique_id": record.file_unique_id, **record.meta,
                "file_size": record.size}

    def _send_photo(self, caption: str | None = None, content: bytes | None = None) -> dict[str, Any]:
        largest = self.tg.register_file("photos", 60_000 if content is None else len(content), content, "jpg")
        content_json: dict[str, Any] = {"photo": self.tg.photo_sizes(largest)}
        if caption:
            content_json["caption"] = caption
        return self._post(content_json, f"[photo] {caption or ''}".strip())

    def _send_document(self, file_name: str = "passport.pdf", mime_type: str = "application/pdf",
                       size: int = 48_213, content: bytes | None = None,
                       caption: str | None = None) -> dict[str, Any]:
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else ""
        document = self._file("documents", size, content, ext, {"file_name": file_name, "mime_type": mime_type})
        content_json: dict[str, Any] = {"document": document}
        if caption:
            content_json["caption"] = caption
        return self._post(content_json, f"[document {file_name}, {document['file_size']} bytes]")

    def _send_voice(self, duration: int = 5) -> dict[str, Any]:
        voice = self._file("voice", duration * 2_000, None, "oga")
        return self._post({"voice": {**voice, "duration": duration, "mime_type": "audio/ogg"}},
                          f"[voice {duration}s]")

    def _send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        sticker = self._file("stickers", 24_000, None, "webp")
        return self._post({"sticker": {**sticker, "type": "regular", "width": 512, "height": 512,
                                       "is_animated": False, "is_video": False, "emoji": emoji}},
                          f"[sticker {emoji}]")

    def _send_video_note(self, duration: int = 3) -> dict[str, Any]:
        note = self._file("video_notes", duration * 50_000, None, "mp4")
        return self._post({"video_note": {**note, "length": 240, "duration": duration}},
                          f"[video note {duration}s]")

    def _keyboards(self, chat: Chat) -> list[Keyboard]:
        """Clickable keyboards, newest first: inline ones plus the active reply keyboard."""
        keyboards: list[Keyboard] = []
        reply_seen = False
        for msg in reversed(chat.bot_messages):
            if msg.removes_keyboard:
                reply_seen = True  # anything older is hidden
            elif msg.reply_buttons and not reply_seen:
                reply_seen = True
                keyboards.append(Keyboard(msg, "reply", msg.reply_buttons))
            if msg.buttons and not msg.deleted:
                keyboards.append(Keyboard(msg, "inline", msg.buttons))
        return keyboards

    def _keyboard(self) -> Keyboard | None:
        keyboards = self._keyboards(self._chat())
        return keyboards[0] if keyboards else None

    def _find_button(self, target: str | int) -> tuple[Keyboard, int]:
        keyboards = self._keyboards(self._chat())
        available = "; ".join(f"#{k.message.message_id} {k.kind} {k.buttons}" for k in keyboards) or "none"
        if isinstance(target, int) and not isinstance(target, bool):
            if not keyboards or not 1 <= target <= len(keyboards[0].buttons):
                raise AssertionError(f"{self!r}: no button number {target}; keyboards: {available}")
            return keyboards[0], target - 1
        for matches in (lambda text: text == target, lambda text: str(target) in text):
            for keyboard in keyboards:
                for index, text in enumerate(keyboard.buttons):
                    if matches(text):
                        return keyboard, index
        raise AssertionError(f"{self!r}: no button {target!r}; keyboards: {available}")

    def _click(self, target: str | int, phone_number: str = DEFAULT_PHONE,
               location: tuple[float, float] = DEFAULT_LOCATION) -> dict[str, Any]:
        keyboard, index = self._find_button(target)
        msg = keyboard.message
        if keyboard.kind == "reply":
            rows = (msg.reply_markup or {}).get("keyboard") or []
            button = [b if isinstance(b, dict) else {"text": b} for row in rows for b in row][index]
            if button.get("request_contact"):
                return self._send_contact(phone_number)
            if button.get("request_location"):
                return self._send_location(*location)
            return self._send(button["text"])
        button = [b for row in msg.inline_keyboard for b in row][index]
        if "callback_data" not in button:
            kind = next(k for k in button if k != "text")
            raise AssertionError(f"{self!r}: button {button['text']!r} is a {kind} button "
                                 f"({button[kind]!r}); only callback buttons send updates")
        return self._callback(msg, button["callback_data"], button["text"])

    def _callback(self, msg: BotMessage, data: str, label: str, chat: Chat | None = None) -> dict[str, Any]:
        chat = chat or self._chat()
        query_id = str(secrets.randbits(62))
        self.tg._queries[query_id] = CallbackQueryRecord(query_id, self.id, chat.chat_id,
                                                         msg.message_id, data)
        self._query_ids.append(query_id)
        chat.transcript.append(f"user clicked {label!r} on #{msg.message_id}")
        instance = hashlib.sha256(f"chat-instance-{chat.chat_id}".encode()).hexdigest()
        return self.tg._push_update("callback_query", {
            "id": query_id, "from": self.to_json(), "message": copy.deepcopy(msg.json),
            "chat_instance": str(int(instance[:15], 16)), "data": data})

    def _set_blocked(self, blocked: bool) -> dict[str, Any]:
        chat = self._chat()
        chat.blocked = blocked
        chat.transcript.append("user blocked the bot" if blocked else "user unblocked the bot")
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        bot = {"id": self.tg.bot_id, "is_bot": True, "first_name": self.tg.bot_first_name,
               "username": self.tg.bot_username}
        new_member: dict[str, Any] = {"status": new, "user": bot}
        if blocked:
            new_member["until_date"] = 0
        return self.tg._push_update("my_chat_member", {
            "chat": dict(chat.json), "from": self.to_json(), "date": int(time.time()),
            "old_chat_member": {"status": old, "user": bot}, "new_chat_member": new_member})

    def _unconsumed(self) -> list[BotMessage]:
        return self._chat().bot_messages[self._consumed:]

    def _take(self) -> BotMessage | None:
        pending = self._unconsumed()
        if not pending:
            return None
        self._consumed += 1
        return pending[0]

    def _drain(self) -> list[BotMessage]:
        pending = self._unconsumed()
        self._consumed += len(pending)
        return pending

    def _transcript(self) -> str:
        return "\n".join(self._chat().transcript) or "(empty chat)"

    def _answer(self, query_id: str | None) -> dict[str, Any] | None:
        query_id = query_id or (self._query_ids[-1] if self._query_ids else None)
        query = self.tg._queries.get(query_id or "")
        return query.answer if query is not None and query.answered else None

    async def _wait(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        try:
            return await self.tg.wait_until(predicate, timeout)
        except TimeoutError:
            raise AssertionError(f"{self!r}: {what} within {timeout}s.\n--- chat transcript ---\n"
                                 f"{self._transcript()}") from None

    async def _next_message(self, timeout: float) -> BotMessage:
        return await self._wait(self._take, timeout, "the bot sent no new message")

    async def _expect_silence(self, seconds: float) -> None:
        try:
            await self.tg.wait_until(self._unconsumed, seconds)
        except TimeoutError:
            return
        unexpected = "\n".join(m.describe() for m in self._unconsumed())
        raise AssertionError(f"{self!r}: expected silence but the bot sent:\n{unexpected}\n"
                             f"--- chat transcript ---\n{self._transcript()}")

    async def _wait_callback_answered(self, query_id: str | None, timeout: float) -> dict[str, Any]:
        return await self._wait(lambda: self._answer(query_id), timeout, "callback query was not answered")

    # ------------------------------------------------------ blocking forms
    def send(self, text: str) -> dict[str, Any]:
        """Send a text message; returns the Update pushed. "/cmd ..." gets a bot_command entity."""
        return self.tg._sync(self._send, text)

    def send_contact(self, phone_number: str = DEFAULT_PHONE, user_id: int | None = None,
                     first_name: str | None = None) -> dict[str, Any]:
        """Share a contact; user_id defaults to this user's own id (0 = omit it)."""
        return self.tg._sync(self._send_contact, phone_number, user_id, first_name)

    def send_location(self, latitude: float = DEFAULT_LOCATION[0],
                      longitude: float = DEFAULT_LOCATION[1]) -> dict[str, Any]:
        return self.tg._sync(self._send_location, latitude, longitude)

    def send_photo(self, caption: str | None = None, content: bytes | None = None) -> dict[str, Any]:
        return self.tg._sync(self._send_photo, caption, content)

    def send_document(self, file_name: str = "passport.pdf", mime_type: str = "application/pdf",
                      size: int = 48_213, content: bytes | None = None,
                      caption: str | None = None) -> dict[str, Any]:
        """Send a document; without `content` the bytes are synthesized (any `size`, even > 20 MB)."""
        return self.tg._sync(self._send_document, file_name, mime_type, size, content, caption)

    def send_voice(self, duration: int = 5) -> dict[str, Any]:
        return self.tg._sync(self._send_voice, duration)

    def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        return self.tg._sync(self._send_sticker, emoji)

    def send_video_note(self, duration: int = 3) -> dict[str, Any]:
        return self.tg._sync(self._send_video_note, duration)

    def click_data(self, data: str) -> dict[str, Any]:
        """A tap carrying any callback data on the newest bot message: forged or stale buttons."""
        return self.tg._sync(lambda: self._callback(self._chat().bot_messages[-1], data, f"<forged {data}>"))

    def click_data_in_group(self, group_id: int, data: str) -> dict[str, Any]:
        """A tap carrying any callback data on the bot's newest message in a group: a button
        somewhere it does not belong (a family's keyboard has no place in a group)."""
        def tap() -> dict[str, Any]:
            group = self.tg._group_chat(group_id, "Staff")
            return self._callback(group.bot_messages[-1], data, f"<in group {data}>", group)
        return self.tg._sync(tap)

    def click(self, target: str | int, phone_number: str = DEFAULT_PHONE,
              location: tuple[float, float] = DEFAULT_LOCATION) -> dict[str, Any]:
        """Press a button by text (exact, else substring; newest keyboard first) or 1-based number."""
        return self.tg._sync(self._click, target, phone_number, location)

    def block(self) -> dict[str, Any]:
        """Block the bot: sends then fail with 403, and a my_chat_member update is pushed."""
        return self.tg._sync(self._set_blocked, True)

    def unblock(self) -> dict[str, Any]:
        return self.tg._sync(self._set_blocked, False)

    def keyboard(self) -> Keyboard | None:
        """The keyboard `click(n)` numbers: the newest inline or active reply keyboard."""
        return self.tg._sync(self._keyboard)

    def drain(self) -> list[BotMessage]:
        """Mark every message not yet returned by next_message as consumed; return them."""
        return self.tg._sync(self._drain)

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages in this chat, oldest first, edits applied, deletions removed."""
        return self.tg._sync(lambda: self._chat().visible_bot_messages())

    @property
    def last_message(self) -> BotMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def callback_answers(self) -> list[str | None]:
        """answerCallbackQuery texts for this user's clicks, in click order (answered ones)."""
        return self.tg._sync(lambda: [self._answer(q)["text"] for q in self._query_ids if self._answer(q)])

    @property
    def transcript(self) -> str:
        return self.tg._sync(self._transcript)

    def next_message(self, timeout: float = 10) -> BotMessage:
        """The oldest bot message (send*) to this chat not yet returned; AssertionError on timeout."""
        return self.tg._sync_wait(lambda: self._next_message(timeout))

    def ask(self, text: str, timeout: float = 10) -> BotMessage:
        self.send(text)
        return self.next_message(timeout)

    def tap(self, target: str | int, timeout: float = 10, **click_options: Any) -> BotMessage:
        self.click(target, **click_options)
        return self.next_message(timeout)

    def expect_silence(self, seconds: float = 0.5) -> None:
        """Assert that after `seconds` there is no bot message this user hasn't consumed."""
        self.tg._sync_wait(lambda: self._expect_silence(seconds))

    def wait_callback_answered(self, query_id: str | None = None, timeout: float = 5) -> dict[str, Any]:
        """The answer (text, show_alert, url, cache_time) to a query; default: the latest click."""
        return self.tg._sync_wait(lambda: self._wait_callback_answered(query_id, timeout))

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10, what: str = "condition not met") -> Any:
        """Wait until predicate() (run on the stand-in loop after each change) is truthy."""
        return self.tg._sync_wait(lambda: self._wait(predicate, timeout, what))
