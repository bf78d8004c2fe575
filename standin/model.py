"""Plain data shared by the stand-in's modules: errors, messages, files, chats."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, NamedTuple

from .html import EntityError, parse_html


class ApiError(Exception):
    """A Bot API failure, rendered exactly as Telegram's JSON error body."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    # PTB only raises RetryAfter for a truthy retry_after, so never send 0.
    retry_after = max(1, int(retry_after))
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def error_for_status(status: int, retry_after: int | None = None, description: str | None = None) -> ApiError:
    """The error Telegram would send for an injected failure of this HTTP status."""
    if status == 429:
        error = too_many_requests(retry_after or 1)
        if description:
            error.description = description
        return error
    if description is None:
        try:
            description = _DEFAULT_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        except ValueError:
            description = f"Error {status}"
    return ApiError(status, description)


class ApiCall(NamedTuple):
    """One request the bot made; `params` are decoded (ints, dicts) for easy asserts."""

    method: str
    params: dict[str, Any]


@dataclass
class UploadedFile:
    filename: str
    body: bytes
    content_type: str = "application/octet-stream"


@dataclass
class FileRecord:
    """A file Telegram knows about; big fake files keep no bytes until downloaded."""

    file_id: str
    file_unique_id: str
    file_path: str
    size: int
    content: bytes | None = None
    # Extra fields Telegram reports with the file (file_name, mime_type, ...).
    meta: dict[str, Any] = field(default_factory=dict)

    def data(self) -> bytes:
        if self.content is not None:
            return self.content
        # Deterministic filler so repeated downloads of a fake file agree.
        seed = hashlib.sha256(self.file_unique_id.encode()).digest()
        return (seed * (self.size // len(seed) + 1))[: self.size]

    def to_json(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent, kept current: edits and deletions mutate this same object.

    `text` is the text or caption exactly as the bot sent it (HTML included);
    `plain_text` is what the user sees. `reply_markup` is whatever markup the bot
    attached (inline, reply keyboard, remove, force reply), while `json` is the
    Message object as Telegram returns it (which only ever carries inline markup).
    """

    message_id: int
    chat_id: int
    kind: str  # "text" | "document" | "photo"
    text: str
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    date: int = field(default_factory=lambda: int(time.time()))
    document: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    edits: list[str] = field(default_factory=list)
    deleted: bool = False
    json: dict[str, Any] = field(default_factory=dict, repr=False)
    # When the stand-in took the message (perf_counter): a harness's reply times end here, not
    # when its own busy loop gets round to waking the user who waits for it.
    arrived: float = field(default_factory=time.perf_counter, repr=False, compare=False)

    @property
    def caption(self) -> str | None:
        return None if self.kind == "text" else self.text

    @property
    def plain_text(self) -> str:
        # Telegram trims surrounding whitespace, so the user never sees it.
        if (self.parse_mode or "").upper() == "HTML":
            try:
                return parse_html(self.text).strip()
            except EntityError:
                return self.text
        return self.text.strip()

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        return list((self.reply_markup or {}).get("inline_keyboard") or [])

    @property
    def button_rows(self) -> list[list[str]]:
        """Inline button texts, row by row."""
        return [[button["text"] for button in row] for row in self.inline_keyboard]

    @property
    def buttons(self) -> list[str]:
        """Inline button texts, flattened row by row."""
        return [text for row in self.button_rows for text in row]

    @property
    def reply_buttons(self) -> list[str]:
        """Texts of a reply keyboard attached to this message (empty if none)."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [b if isinstance(b, str) else b["text"] for row in rows for b in row]

    @property
    def removes_keyboard(self) -> bool:
        return bool((self.reply_markup or {}).get("remove_keyboard"))

    def inline_button(self, label: str) -> dict[str, Any]:
        """The inline button dict whose text equals `label` (AssertionError if absent)."""
        for row in self.inline_keyboard:
            for button in row:
                if button["text"] == label:
                    return button
        raise AssertionError(f"no inline button {label!r} on message {self.message_id}; has {self.buttons}")

    def describe(self) -> str:
        """One human-readable line, used in transcripts and failure messages."""
        parts = [f"#{self.message_id}"]
        if self.kind != "text":
            name = (self.document or {}).get("file_name") or self.kind
            parts.append(f"[{self.kind}: {name}]")
        parts.append(repr(self.plain_text))
        if self.buttons:
            parts.append(f"buttons={self.button_rows}")
        if self.reply_buttons:
            parts.append(f"reply_keyboard={self.reply_buttons}")
        if self.removes_keyboard:
            parts.append("(removes keyboard)")
        if self.edits:
            parts.append(f"(edited {len(self.edits)}x)")
        if self.deleted:
            parts.append("(deleted)")
        return " ".join(parts)

    def __str__(self) -> str:
        return self.describe()


@dataclass
class CallbackQueryRecord:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    answer: dict[str, Any] | None = None


@dataclass
class Chat:
    """A private chat; it exists for the bot only after the user wrote something."""

    chat_id: int
    json: dict[str, Any]
    next_message_id: int = 1
    # Every message in the chat by id: BotMessage for the bot's, dict for the user's.
    by_id: dict[int, Any] = field(default_factory=dict)
    bot_messages: list[BotMessage] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    known: bool = False
    blocked: bool = False

    def new_message_id(self) -> int:
        self.next_message_id += 1
        return self.next_message_id - 1

    def visible_bot_messages(self) -> list[BotMessage]:
        return [m for m in self.bot_messages if not m.deleted]


class Pulse:
    """Wakes every waiter on any state change; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except asyncio.TimeoutError:
            pass


@dataclass
class PendingUpdate:
    update_id: int
    kind: str
    payload: dict[str, Any]
    redelivered: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"update_id": self.update_id, **copy.deepcopy(self.payload)}
