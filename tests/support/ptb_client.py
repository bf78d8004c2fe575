"""Talking to the stand-in as a bot does, through PTB's own client (tests of the stand-in itself)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import warnings

import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter

TOKEN = "123456:TEST"
USER = 1001


def make_bot(standin) -> telegram.Bot:
    return telegram.Bot(TOKEN, base_url=standin.base_url, base_file_url=standin.file_url)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 10))


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


def keyboard(*rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data) for text, data in row]
                                 for row in rows])
