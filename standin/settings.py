"""Bot-level Bot API methods: identity, webhook, commands, descriptions, menu button.

Mixed into FakeTelegram next to `methods.BotApiMethods`; these only store what
the bot configures so tests can assert on it (`commands`, `settings`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .model import bad_request

if TYPE_CHECKING:
    from .state import FakeTelegram

SCOPE_TYPES = frozenset({
    "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
    "chat_administrators", "chat_member",
})
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANG_RE = re.compile(r"^([a-z]{2})?$")


class BotSettingsMethods:
    # ------------------------------------------------------------------ bot
    def bot_user(self: FakeTelegram) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name,
                "username": self.bot_username}

    def api_getMe(self: FakeTelegram, p: dict, files: Any) -> dict[str, Any]:
        return {**self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False,
                "has_main_web_app": False}

    def api_logOut(self, p: dict, files: Any) -> bool:
        return True

    def api_close(self, p: dict, files: Any) -> bool:
        return True

    # -------------------------------------------------------------- webhook
    def api_setWebhook(self: FakeTelegram, p: dict, files: Any) -> bool:
        url = p.get("url") or ""
        if url and not re.match(r"^https?://", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if p.get("drop_pending_updates"):
            self._updates.clear()
        if p.get("allowed_updates") is not None:
            from .state import DEFAULT_UPDATE_TYPES  # state imports this module
            self._allowed_updates = frozenset(p["allowed_updates"]) or DEFAULT_UPDATE_TYPES
        self._webhook = {"url": url, "secret_token": p.get("secret_token")} if url else None
        return True

    def api_deleteWebhook(self: FakeTelegram, p: dict, files: Any) -> bool:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        return True

    def api_getWebhookInfo(self: FakeTelegram, p: dict, files: Any) -> dict[str, Any]:
        info: dict[str, Any] = {"url": self.webhook_url or "", "has_custom_certificate": False,
                                "pending_update_count": len(self._updates)}
        if self._webhook:
            info["max_connections"] = 40
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info


    # ------------------------------------------------------- bot settings
    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        kind = scope.get("type") if isinstance(scope, dict) else None
        if kind not in SCOPE_TYPES:
            raise bad_request("wrong scope type specified")
        if kind in ("chat", "chat_administrators", "chat_member"):
            kind = f"{kind}:{scope.get('chat_id')}"
            if scope.get("user_id") is not None:
                kind += f":{scope['user_id']}"
        lang = language_code or ""
        if not _LANG_RE.match(lang):
            raise bad_request("LANG_CODE_INVALID")
        return kind, lang

    def api_setMyCommands(self: FakeTelegram, p: dict, files: Any) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad_request("commands must be an Array")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "").strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(p.get("scope"), p.get("language_code"))
        if commands:
            self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        else:
            self._commands.pop(key, None)
        return True

    def api_getMyCommands(self: FakeTelegram, p: dict, files: Any) -> list[dict[str, Any]]:
        return list(self._commands.get(self._scope_key(p.get("scope"), p.get("language_code")), []))

    def api_deleteMyCommands(self: FakeTelegram, p: dict, files: Any) -> bool:
        self._commands.pop(self._scope_key(p.get("scope"), p.get("language_code")), None)
        return True

    def _set_text_setting(self: FakeTelegram, p: dict, name: str, limit: int) -> bool:
        value = p.get(name) or ""
        if len(value) > limit:
            raise bad_request(f"{name} is too long")
        _, lang = self._scope_key(None, p.get("language_code"))
        self._settings.setdefault(name, {})[lang] = value
        return True

    def _get_text_setting(self: FakeTelegram, p: dict, name: str) -> dict[str, str]:
        _, lang = self._scope_key(None, p.get("language_code"))
        values = self._settings.get(name, {})
        return {name: values.get(lang) or values.get("", "")}

    def api_setMyDescription(self, p: dict, files: Any) -> bool:
        return self._set_text_setting(p, "description", 512)

    def api_getMyDescription(self, p: dict, files: Any) -> dict[str, str]:
        return self._get_text_setting(p, "description")

    def api_setMyShortDescription(self, p: dict, files: Any) -> bool:
        return self._set_text_setting(p, "short_description", 120)

    def api_getMyShortDescription(self, p: dict, files: Any) -> dict[str, str]:
        return self._get_text_setting(p, "short_description")

    def api_setMyName(self, p: dict, files: Any) -> bool:
        return self._set_text_setting(p, "name", 64)

    def api_getMyName(self, p: dict, files: Any) -> dict[str, str]:
        return self._get_text_setting(p, "name")

    def api_setChatMenuButton(self: FakeTelegram, p: dict, files: Any) -> bool:
        if p.get("chat_id") is not None:
            self._chat(p)
        button = p.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
            raise bad_request("can't parse menu button")
        self._settings.setdefault("menu_button", {})[p.get("chat_id")] = button
        return True

    def api_getChatMenuButton(self: FakeTelegram, p: dict, files: Any) -> dict[str, Any]:
        buttons = self._settings.get("menu_button", {})
        return buttons.get(p.get("chat_id")) or buttons.get(None) or {"type": "commands"}
