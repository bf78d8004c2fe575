"""Decoding request parameters and validating reply markup the way Telegram does.

PTB sends every value as a string (form or multipart fields) with nested
objects JSON-encoded, while JSON bodies carry real types. Both end up here as
one typed dict, so method implementations never care how a call arrived.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .model import bad_request

_INT_FIELDS = {
    "chat_id", "message_id", "offset", "limit", "user_id", "cache_time", "reply_to_message_id",
    "message_thread_id", "max_connections", "duration", "width", "height", "from_chat_id",
}
_FLOAT_FIELDS = {"timeout", "latitude", "longitude"}
_BOOL_FIELDS = {
    "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
    "disable_web_page_preview", "allow_sending_without_reply", "disable_content_type_detection",
    "has_spoiler", "show_caption_above_media", "allow_paid_broadcast", "revoke_messages",
}
_JSON_FIELDS = {
    "reply_markup", "allowed_updates", "commands", "scope", "entities", "caption_entities",
    "reply_parameters", "link_preview_options", "menu_button", "message_ids", "rights",
}

_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)
_URL_RE = re.compile(r"^(https?://[^\s/?#]+\.[^\s]*|https?://localhost[^\s]*|tg://[^\s]+)$", re.I)


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def coerce_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn wire values into Python types for the fields Telegram types strictly."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str) and name in _JSON_FIELDS:
            try:
                value = json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {name} JSON object") from None
        elif name in _INT_FIELDS and isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                if name != "chat_id":  # "@channel" style chat ids stay strings
                    raise bad_request(f"invalid {name} specified") from None
        elif name in _FLOAT_FIELDS and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise bad_request(f"invalid {name} specified") from None
        elif name in _BOOL_FIELDS:
            value = _bool(value)
        params[name] = value
    return params


def validate_reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Check a reply_markup the way Telegram would; return it normalised as a dict."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup["inline_keyboard"])
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        _validate_reply_keyboard(markup["keyboard"])
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _rows(rows: Any, field_name: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field_name}" of the markup must be an Array of Arrays')
    if sum(len(row) for row in rows) > 100 or any(len(row) > 12 for row in rows):
        raise bad_request("reply markup is too long")
    return rows


def _validate_inline_keyboard(rows: Any) -> None:
    for row in _rows(rows, "inline_keyboard"):
        for button in row:
            if not isinstance(button, dict):
                raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            text = button.get("text")
            if not isinstance(text, str) or not text.strip():
                raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
            actions = [name for name in _INLINE_ACTIONS if name in button]
            if not actions:
                raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
            if len(actions) > 1:
                raise bad_request(
                    f"can't parse inline keyboard button: exactly one action expected, got {actions}"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not _URL_RE.match(str(button["url"])):
                raise bad_request(f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL")


def _validate_reply_keyboard(rows: Any) -> None:
    for row in _rows(rows, "keyboard"):
        for button in row:
            text = button if isinstance(button, str) else (button or {}).get("text")
            if not isinstance(text, str) or not text.strip():
                raise bad_request("keyboard button text must be non-empty")


def check_length(text: str, limit: int, what: str) -> None:
    if len(text) > limit:
        raise bad_request(f"{what} is too long")
