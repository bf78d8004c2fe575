"""Every use of python-telegram-bot's private names, in one place, pinned to the version they
were read from (tests/test_ptb_internals.py fails loudly when PTB or these names change).

- `Bot._post`: a request without building a `Message` from Telegram's answer (in a surge,
  parsing the answer to every reply was a tenth of the bot's CPU).
- `DEFAULT_NONE`, `DefaultValue`: how PTB marks "apply `Defaults` here" (HTML parse mode).
- The application's sets of chats and users to be saved by a persistence layer, which PTB
  empties only when it saves; we keep nothing in PTB, so they would grow by everyone who ever
  wrote to the bot.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue

PINNED_VERSION = "22.8"  # the version these names were checked against
PRIVATE_NAMES = {
    "telegram.Bot": ("_post", "_insert_defaults"),
    "telegram.ext.Application": ("_chat_ids_to_be_updated_in_persistence", "_user_ids_to_be_updated_in_persistence"),
}

__all__ = ["DEFAULT_NONE", "DefaultValue", "PINNED_VERSION", "forget_for_persistence", "raw_post"]


async def raw_post(bot: Bot, endpoint: str, data: dict[str, Any]) -> Any:
    """The call behind every public method, minus turning the answer into objects."""
    return await bot._post(endpoint, data)  # noqa: SLF001


def forget_for_persistence(application: Any, chat_id: int | None, user_id: int | None) -> None:
    if application is None or application.persistence is not None:
        return
    if chat_id is not None:
        application._chat_ids_to_be_updated_in_persistence.discard(chat_id)  # noqa: SLF001
    if user_id is not None:
        application._user_ids_to_be_updated_in_persistence.discard(user_id)  # noqa: SLF001
