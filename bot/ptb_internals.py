"""Every use of python-telegram-bot's private names, in one place, pinned to the version they
were read from (tests/test_ptb_internals.py fails loudly when PTB or these names change).

- `Bot._post`: a request without building a `Message` from Telegram's answer (in a surge,
  parsing the answer to every reply was a tenth of the bot's CPU).
- `DEFAULT_NONE`, `DefaultValue`: how PTB marks "apply `Defaults` here" (HTML parse mode).
- The application's sets of chats and users to be saved by a persistence layer, which PTB
  empties only when it saves one. We keep nothing in PTB (the database is our persistence), so
  they would grow by everyone who ever wrote to the bot: PTB notes an update's chat and user when
  its task ends, after our processor is done with it, so they are replaced by sets that keep
  nothing rather than emptied after each update.
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

__all__ = ["DEFAULT_NONE", "DefaultValue", "PINNED_VERSION", "keep_nothing_for_persistence", "raw_post"]


async def raw_post(bot: Bot, endpoint: str, data: dict[str, Any]) -> Any:
    """The call behind every public method, minus turning the answer into objects."""
    return await bot._post(endpoint, data)  # noqa: SLF001


class _KeptForNobody(set):
    """A set that stays empty: what PTB notes for a persistence layer that does not exist."""

    def add(self, _element: object) -> None:
        pass

    def update(self, *_others: object) -> None:
        pass


def keep_nothing_for_persistence(application: Any) -> None:
    """Without a persistence layer, PTB's notes of chats and users to save are never read."""
    if application.persistence is None:
        application._chat_ids_to_be_updated_in_persistence = _KeptForNobody()  # noqa: SLF001
        application._user_ids_to_be_updated_in_persistence = _KeptForNobody()  # noqa: SLF001
