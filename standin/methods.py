"""Chat-level Bot API methods (send, edit, delete, files, callbacks), mixed into FakeTelegram.

Each `api_<methodName>(params, files)` returns the `result` Telegram would
return or raises ApiError. Validation always happens before any state change,
mirroring Telegram: a refused call has no effect.
"""

from __future__ import annotations

import copy
import re
import secrets
import time
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from .html import EntityError, parse_html_entities, strip_formatted
from .model import ApiError, BotMessage, Chat, FileRecord, UploadedFile, bad_request
from .params import check_length, validate_reply_markup

if TYPE_CHECKING:
    from .state import FakeTelegram

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_PHOTO_BYTES = 10 * 1024 * 1024
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class BotApiMethods:
    # canonical names by lower-case name; built for each subclass from its api_* methods
    API_METHODS: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.API_METHODS = {name[4:].lower(): name[4:] for name in dir(cls) if name.startswith("api_")}

    # -------------------------------------------------------------- helpers
    def _chat(self: FakeTelegram, p: dict) -> Chat:
        chat_id = p.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None or not chat.known:
            raise bad_request("chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    @staticmethod
    def _render(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[dict]]:
        """Plain text + entities as Telegram would store them (HTML validated)."""
        if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
            try:
                plain, parsed = parse_html_entities(text)
            except EntityError as error:
                raise ApiError(400, str(error)) from None
        else:
            plain, parsed = text, list(entities or [])
        return strip_formatted(plain, parsed)

    def _message_json(self: FakeTelegram, chat: Chat, msg: BotMessage, plain: str,
                      entities: list[dict], media: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"message_id": msg.message_id, "from": self.bot_user(),
                                "chat": dict(chat.json), "date": msg.date, **copy.deepcopy(media)}
        key = "text" if msg.kind == "text" else "caption"
        if plain or msg.kind == "text":
            body[key] = plain
        if entities:
            body["entities" if msg.kind == "text" else "caption_entities"] = entities
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            body["reply_markup"] = copy.deepcopy(msg.reply_markup)  # Message carries inline only
        return body

    def _check_reply_target(self, chat: Chat, p: dict) -> None:
        reply = p.get("reply_parameters") or {}
        target = reply.get("message_id") if isinstance(reply, dict) else None
        target = target or p.get("reply_to_message_id")
        allow = p.get("allow_sending_without_reply") or (isinstance(reply, dict) and reply.get(
            "allow_sending_without_reply"))
        if target and target not in chat.by_id and not allow:
            raise bad_request("message to be replied not found")

    def _store(self: FakeTelegram, chat: Chat, kind: str, p: dict, text: str,
               media: dict[str, Any], limit: int, what: str) -> dict[str, Any]:
        """Validate the common parts of a send, then record the message (flood-checked)."""
        parse_mode = p.get("parse_mode")
        plain, entities = self._render(text, parse_mode, p.get("entities") or p.get("caption_entities"))
        if kind == "text" and not plain:
            raise bad_request("message text is empty")
        check_length(plain, limit, what)
        markup = validate_reply_markup(p.get("reply_markup"))
        self._check_reply_target(chat, p)
        self._flood.admit(chat.chat_id, self.flood_limits)
        msg = BotMessage(chat.new_message_id(), chat.chat_id, kind, text, parse_mode, markup,
                         int(time.time()), document=media.get("document"), photo=media.get("photo"))
        msg.json = self._message_json(chat, msg, plain, entities, media)
        chat.by_id[msg.message_id] = msg
        chat.bot_messages.append(msg)
        chat.transcript.append(f"bot: {msg.describe()}")
        self._sent.append(msg)
        self._sent_to(chat.chat_id)
        return copy.deepcopy(msg.json)

    # ---------------------------------------------------------------- sends
    def api_sendMessage(self: FakeTelegram, p: dict, files: Any) -> dict[str, Any]:
        chat = self._chat(p)
        text = p.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("message text is empty")
        return self._store(chat, "text", p, text, {}, 4096, "message")

    def api_sendDocument(self: FakeTelegram, p: dict, files: dict[str, UploadedFile]) -> dict[str, Any]:
        chat = self._chat(p)
        record = self._input_file(p, files, "document", "documents")
        document = {"file_id": record.file_id, "file_unique_id": record.file_unique_id,
                    **record.meta, "file_size": record.size}
        return self._store(chat, "document", p, p.get("caption") or "", {"document": document},
                           1024, "message caption")

    def api_sendPhoto(self: FakeTelegram, p: dict, files: dict[str, UploadedFile]) -> dict[str, Any]:
        chat = self._chat(p)
        record = self._input_file(p, files, "photo", "photos")
        if record.size > MAX_PHOTO_BYTES:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        return self._store(chat, "photo", p, p.get("caption") or "", {"photo": self.photo_sizes(record)},
                           1024, "message caption")

    def api_sendChatAction(self: FakeTelegram, p: dict, files: Any) -> bool:
        self._chat(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # ---------------------------------------------------------------- files
    def register_file(self: FakeTelegram, folder: str, size: int, content: bytes | None = None,
                      ext: str = "", meta: dict[str, Any] | None = None) -> FileRecord:
        number = self._next_id()
        prefix = {"photos": "AgACAgIAAxkBAAI", "documents": "BQACAgIAAxkBAAI"}.get(folder, "AwACAgIAAxkBAAI")
        suffix = f".{ext}" if ext else ""
        record = FileRecord(f"{prefix}{number:05d}{secrets.token_urlsafe(18)}",
                            f"AQAD{number:04d}{secrets.token_urlsafe(6)}",
                            f"{folder}/file_{number}{suffix}", size, content, dict(meta or {}))
        self._files[record.file_id] = record
        self._files_by_path[record.file_path] = record
        return record

    def photo_sizes(self: FakeTelegram, largest: FileRecord) -> list[dict[str, Any]]:
        """Telegram returns several resized copies of a photo, smallest first."""
        thumb = self.register_file("photos", max(1, largest.size // 20), None, "jpg")

        def size(record: FileRecord, width: int, height: int) -> dict[str, Any]:
            return {"file_id": record.file_id, "file_unique_id": record.file_unique_id,
                    "file_size": record.size, "width": width, "height": height}

        return [size(thumb, 90, 68), size(largest, 1280, 960)]

    def _input_file(self: FakeTelegram, p: dict, files: dict[str, UploadedFile], field: str,
                    folder: str) -> FileRecord:
        value = p.get(field)
        upload = files.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://"):])
            if upload is None:
                raise bad_request(f"there is no file attached as {value}")
        if upload is not None:
            if not upload.body:
                raise bad_request("file must be non-empty")
            if len(upload.body) > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            name = upload.filename or field
            meta = {"file_name": name, "mime_type": upload.content_type} if field == "document" else {}
            return self.register_file(folder, len(upload.body), upload.body,
                                      PurePosixPath(name).suffix.lstrip(".") or "jpg", meta)
        if not value:
            raise bad_request(f"there is no {field} in the request")
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and re.match(r"^https?://\S+$", value):
            name = PurePosixPath(value.split("?")[0]).name or field
            meta = {"file_name": name, "mime_type": "application/octet-stream"} if field == "document" else {}
            return self.register_file(folder, 1024, None, "", meta)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def api_getFile(self: FakeTelegram, p: dict, files: Any) -> dict[str, Any]:
        record = self._files.get(p.get("file_id") or "")
        if record is None:
            raise bad_request("invalid file_id")
        if record.size > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return record.to_json()

    # ---------------------------------------------------------------- edits
    def _message_for_edit(self: FakeTelegram, p: dict) -> tuple[Chat, BotMessage]:
        if p.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # this bot has no inline mode
        chat = self._chat(p)
        msg = chat.by_id.get(p.get("message_id"))
        if msg is None:
            raise bad_request("message to edit not found")
        if not isinstance(msg, BotMessage):
            raise bad_request("message can't be edited")
        return chat, msg

    def _apply_edit(self: FakeTelegram, chat: Chat, msg: BotMessage, p: dict, text: str | None,
                    markup: dict | None) -> dict[str, Any]:
        parse_mode = p.get("parse_mode") if text is not None else msg.parse_mode
        new_text = text if text is not None else msg.text
        plain, entities = self._render(new_text, parse_mode, p.get("entities") or p.get("caption_entities"))
        key = "text" if msg.kind == "text" else "caption"
        if msg.kind == "text" and not plain:
            raise bad_request("message text is empty")
        check_length(plain, 4096 if msg.kind == "text" else 1024, "message" if msg.kind == "text" else "message caption")
        entity_key = "entities" if msg.kind == "text" else "caption_entities"
        old_markup = msg.json.get("reply_markup")
        if (plain == msg.json.get(key, "") and entities == msg.json.get(entity_key, [])
                and markup == old_markup):
            raise bad_request(NOT_MODIFIED)
        if text is not None and new_text != msg.text:
            msg.edits.append(msg.text)
        msg.text, msg.parse_mode = new_text, parse_mode
        # A reply keyboard is not part of the message; only inline markup is replaced.
        if markup is not None or old_markup is not None:
            msg.reply_markup = markup
        media = {k: msg.json[k] for k in ("document", "photo") if k in msg.json}
        msg.json = {**self._message_json(chat, msg, plain, entities, media), "edit_date": int(time.time())}
        chat.transcript.append(f"bot edited: {msg.describe()}")
        return copy.deepcopy(msg.json)

    def api_editMessageText(self: FakeTelegram, p: dict, files: Any) -> dict[str, Any]:
        chat, msg = self._message_for_edit(p)
        if msg.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text = p.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("message text is empty")
        markup = validate_reply_markup(p.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, msg, p, text, markup)

    def api_editMessageCaption(self: FakeTelegram, p: dict, files: Any) -> dict[str, Any]:
        chat, msg = self._message_for_edit(p)
        if msg.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        markup = validate_reply_markup(p.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, msg, p, p.get("caption") or "", markup)

    def api_editMessageReplyMarkup(self: FakeTelegram, p: dict, files: Any) -> dict[str, Any]:
        chat, msg = self._message_for_edit(p)
        markup = validate_reply_markup(p.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, msg, p, None, markup)

    def api_deleteMessage(self: FakeTelegram, p: dict, files: Any) -> bool:
        chat = self._chat(p)
        msg = chat.by_id.pop(p.get("message_id"), None)
        if msg is None:
            raise bad_request("message to delete not found")
        if isinstance(msg, BotMessage):
            msg.deleted = True
            chat.transcript.append(f"bot deleted #{msg.message_id}")
        return True

    def api_deleteMessages(self: FakeTelegram, p: dict, files: Any) -> bool:
        chat = self._chat(p)
        for message_id in p.get("message_ids") or []:
            msg = chat.by_id.pop(message_id, None)
            if isinstance(msg, BotMessage):
                msg.deleted = True
        return True

    # ------------------------------------------------------------ callbacks
    def api_answerCallbackQuery(self: FakeTelegram, p: dict, files: Any) -> bool:
        query = self._queries.get(p.get("callback_query_id") or "")
        if query is None or query.answered:
            raise bad_request(QUERY_TOO_OLD)
        text = p.get("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {"text": text, "show_alert": bool(p.get("show_alert")), "url": p.get("url"),
                        "cache_time": p.get("cache_time")}
        chat = self._chats.get(query.chat_id)
        if chat is not None:
            chat.transcript.append(f"bot answered callback: {text!r}")
        return True

    def api_getChat(self: FakeTelegram, p: dict, files: Any) -> dict[str, Any]:
        chat = self._chat(p)
        return {**chat.json, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": {
            "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
            "premium_subscription": False, "gifts_from_channels": False}}
