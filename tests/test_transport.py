"""LeanRequest, the bot's own keep-alive HTTP client, through PTB against the stand-in; against tiny
hand-written servers (the HTTP edge cases): tests/test_transport_edges.py."""

from __future__ import annotations

import asyncio
import datetime as dtm

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.transport import LeanRequest
from standin import StandinThread

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-TOKEN-abcdef"
USER = 31337


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 10))


# ------------------------------------------------------------------ through PTB, to the stand-in
@pytest.fixture(scope="module")
def standin():
    with StandinThread() as server:
        server.user(USER, first_name="Gülnarə").send("/start")
        yield server


def lean_bot(standin, request: LeanRequest | None = None) -> telegram.Bot:
    return telegram.Bot(TOKEN, base_url=standin.base_url, base_file_url=standin.file_url,
                        request=request or LeanRequest())


def test_the_bot_speaks_to_telegram_through_lean_request(standin):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Razıyam", callback_data="consent:yes"),
                                      InlineKeyboardButton("Согласна", callback_data="consent:ru")]])

    async def main():
        async with lean_bot(standin) as bot:
            me = await bot.get_me()
            assert (me.id, me.is_bot, me.username) == (123456, True, "homeward_test_bot")
            sent = await bot.send_message(USER, "<b>Salam</b>, Gülnarə! Привет &amp; 100%", parse_mode="HTML",
                                          reply_markup=keyboard)
            assert sent.chat.id == USER and sent.text == "Salam, Gülnarə! Привет & 100%"
            assert [[b.callback_data for b in row] for row in sent.reply_markup.inline_keyboard] == \
                [["consent:yes", "consent:ru"]]
            return sent.message_id

    message_id = run(main())
    reached = standin.sent_messages(USER)[-1]
    assert reached.message_id == message_id
    assert reached.text == "<b>Salam</b>, Gülnarə! Привет &amp; 100%"
    assert reached.button_rows == [["Razıyam", "Согласна"]]
    assert reached.inline_button("Razıyam")["callback_data"] == "consent:yes"


def test_telegram_errors_arrive_as_ptb_errors_and_the_connection_stays_usable(standin):
    request = LeanRequest()

    async def main():
        async with lean_bot(standin, request) as bot:
            with pytest.raises(BadRequest, match="(?i)chat not found"):
                await bot.send_message(999_999_999, "nobody wrote from here")
            standin.fail("sendMessage", status=429, retry_after=7)
            with pytest.raises(RetryAfter) as told:
                await bot.send_message(USER, "too fast")
            assert told.value.retry_after in (7, dtm.timedelta(seconds=7))
            standin.fail("sendMessage", status=502)
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await bot.send_message(USER, "while Telegram is down")
            await bot.send_message(USER, "after the errors")
            assert len(request._idle) == 1, "error answers did not cost the connection"

    run(main())
    assert standin.sent_messages(USER)[-1].text == "after the errors"


def test_many_calls_in_a_row_share_one_kept_alive_connection(standin):
    request = LeanRequest()

    async def main():
        async with lean_bot(standin, request) as bot:  # initialize() already called getMe once
            for _ in range(20):
                await bot.get_me()
            assert [connection.served for connection in request._idle] == [21]

    run(main())
    assert request._idle == [], "shutdown closes the idle connections"


def test_a_document_upload_goes_through_and_reaches_telegram(standin):
    payload = "Ad;Soyad\nTahir;Abdullayev\n".encode() + bytes(range(256)) * 8

    async def main():
        async with lean_bot(standin) as bot:
            sent = await bot.send_document(USER, payload, filename="cases.csv", caption="Export")
            assert sent.document.file_name == "cases.csv" and sent.document.file_size == len(payload)
            return sent.document.file_id

    file_id = run(main())
    reached = standin.sent_messages(USER)[-1]
    assert (reached.kind, reached.text, reached.document["file_name"]) == ("document", "Export", "cases.csv")
    assert standin.file_content(file_id) == payload
    assert standin.requests("sendDocument")[-1]["caption"] == "Export", "the other fields are form fields beside it"
