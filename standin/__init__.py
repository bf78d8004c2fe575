"""A local stand-in for the Telegram Bot API, for tests and the terminal preview.

    with StandinThread() as standin:                 # threaded, for pytest
        bot = telegram.Bot("123456:TEST", base_url=standin.base_url,
                           base_file_url=standin.file_url)
        user = standin.user(1001)
        user.send("/start"); print(user.next_message().text)

In one asyncio loop (the preview): `tg = FakeTelegram(); server =
StandinServer(tg); await server.start()`, then `await user.asend(...)` /
`await user.anext_message()`.
"""

from .harness import StandinThread
from .html import EntityError, parse_html
from .model import ApiCall, ApiError, BotMessage
from .server import StandinServer
from .state import FakeTelegram
from .users import FakeUser, Keyboard

__all__ = [
    "ApiCall",
    "ApiError",
    "BotMessage",
    "EntityError",
    "FakeTelegram",
    "FakeUser",
    "Keyboard",
    "StandinServer",
    "StandinThread",
    "parse_html",
]
