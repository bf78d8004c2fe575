"""The launch check's question to Telegram: does it accept the token (getMe), through the same
request class and proxy the bot uses."""

from __future__ import annotations

from telegram import Bot
from telegram.error import InvalidToken, NetworkError

from app.launch_check import Finding
from bot.transport import LeanRequest
from core.config import Settings


async def token_findings(settings: Settings) -> list[Finding]:
    if not settings.telegram_bot_token:
        return [Finding("no_token", True)]
    proxy = settings.telegram_proxy_url
    bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url,
              base_file_url=settings.telegram_api_file_url, request=LeanRequest(proxy), get_updates_request=LeanRequest(proxy))
    try:
        async with bot:  # initialize() asks getMe
            pass
    except InvalidToken:
        return [Finding("token_refused", True)]
    except NetworkError as exc:  # a proxy that refuses is one too
        return [Finding("telegram_unreachable", True, {"error": type(exc).__name__})]
    return []
