"""The yardstick: a bare python-telegram-bot echo bot with PTB's defaults (sequential updates,
default connection pool, `run_polling`). `surge.py` runs it on the same stand-in as Homeward.

    python benchmarks/echo_bot.py   # TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL from the environment
"""

from __future__ import annotations

import logging
import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=[Update.MESSAGE])


if __name__ == "__main__":
    main()
