"""Telegram's HTML rules, shared with the bot (which checks admins' texts by the same rules)."""

from core.telegram_html import EntityError, parse_html, parse_html_entities, strip_formatted, utf16_len

__all__ = ["EntityError", "parse_html", "parse_html_entities", "strip_formatted", "utf16_len"]
