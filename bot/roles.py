"""Who may do what. Identity is the numeric Telegram id, never the username."""

from __future__ import annotations

from bot.config import Settings


def is_admin(settings: Settings, telegram_id: int | None) -> bool:
    return telegram_id is not None and telegram_id in settings.admin_ids
