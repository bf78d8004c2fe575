"""The Telegram stand-in, exercised through the real PTB client stack (httpx): the envelope,
updates and long polling, keyboards, edits. Sending HTML, faults, files and whole applications:
tests/test_standin_sending.py."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest, Conflict, Forbidden
from telegram.ext import CommandHandler

from standin import StandinThread
from tests.support.ptb_client import TOKEN, USER, keyboard, make_bot, run

# PTB itself warns about its own RetryAfter/duration int->timedelta migration.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def standin():
    with StandinThread() as server:
        yield server


# ----------------------------------------------------------------- basics
def test_get_me_uses_token_id(standin):
    async def main():
        async with make_bot(standin) as bot:
            me = await bot.get_me()
            assert (me.id, me.is_bot, me.username, me.first_name) == (123456, True, "homeward_test_bot", "Homeward")

    run(main())


def test_http_envelopes_for_unknown_method_and_bad_token(standin):
    base = standin.base_url
    response = httpx.post(f"{base}{TOKEN}/noSuchMethod")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    response = httpx.get(f"{base}not-a-token/getMe")
    assert response.status_code == 401 and response.json()["ok"] is False
    # Method names are case-insensitive; JSON bodies and GET query args both work.
    assert httpx.get(f"{base}{TOKEN}/GETME").json()["result"]["id"] == 123456
    standin.user(USER).send("hi")
    response = httpx.post(f"{base}{TOKEN}/sendMessage", json={"chat_id": USER, "text": "json body"})
    assert response.json()["result"]["text"] == "json body"
    response = httpx.get(f"{base}{TOKEN}/sendMessage", params={"chat_id": "999", "text": "x"})
    assert response.status_code == 400
    assert response.json()["description"] == "Bad Request: chat not found"


def test_send_validation_errors(standin):
    user = standin.user(USER)

    async def main():
        async with make_bot(standin) as bot:
            with pytest.raises(BadRequest, match="(?i)chat not found"):
                await bot.send_message(USER, "before the user wrote anything")
            user.send("hello")
            with pytest.raises(BadRequest, match="(?i)message text is empty"):
                await bot.send_message(USER, "   ")
            await bot.send_message(USER, "x" * 4096)
            await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # tags don't count
            with pytest.raises(BadRequest, match="(?i)message is too long"):
                await bot.send_message(USER, "x" * 4097)

    run(main())
    assert [len(m.plain_text) for m in standin.sent_messages(USER)] == [4096, 4096]


# ----------------------------------------------------------------- updates
def test_renumbered_updates_come_below_a_stale_offset_which_confirms_nothing(standin):
    """Telegram after a week without updates: new ids start lower, and an offset above all of
    them (the client's old one) confirms nothing; an offset just above them does."""
    user = standin.user(USER)

    async def main():
        async with make_bot(standin) as bot:
            standin.renumber_updates(10_000)
            user.send("before")
            (old,) = await bot.get_updates(timeout=0)
            assert await bot.get_updates(offset=old.update_id + 1, timeout=0) == ()
            standin.renumber_updates(1)
            user.send("after a quiet week")
            user.send("and again")
            stale = await bot.get_updates(offset=old.update_id + 1, timeout=0)
            assert [u.message.text for u in stale] == ["after a quiet week", "and again"]
            assert all(u.update_id < old.update_id for u in stale)
            assert [u.message.text for u in await bot.get_updates(offset=old.update_id + 1, timeout=0)] == [u.message.text for u in stale]
            assert await bot.get_updates(offset=stale[-1].update_id + 1, timeout=0) == ()

    run(main())


def test_get_updates_offset_limit_and_long_poll(standin):
    user = standin.user(USER)
    for text in ("one", "two", "three"):
        user.send(text)

    async def main():
        async with make_bot(standin) as bot:
            first = await bot.get_updates(timeout=0)
            assert [u.message.text for u in first] == ["one", "two", "three"]
            ids = [u.update_id for u in first]
            assert ids == sorted(ids) and len(set(ids)) == 3
            # Without an offset nothing is confirmed; limit caps the batch.
            assert [u.message.text for u in await bot.get_updates(limit=2)] == ["one", "two"]
            # offset confirms (forgets) everything below it, forever.
            assert [u.message.text for u in await bot.get_updates(offset=ids[1])] == ["two", "three"]
            assert standin.pending_updates() == 2
            assert [u.message.text for u in await bot.get_updates(offset=ids[0])] == ["two", "three"]
            assert await bot.get_updates(offset=ids[2] + 1, timeout=0) == ()
            assert standin.pending_updates() == 0

            # A long poll returns as soon as an update arrives...
            started = time.monotonic()
            poll = asyncio.create_task(bot.get_updates(offset=ids[2] + 1, timeout=5))
            await asyncio.sleep(0.2)
            assert not poll.done()
            user.send("four")
            (update,) = await poll
            assert update.message.text == "four" and update.update_id > ids[2]
            assert time.monotonic() - started < 2
            # ...and otherwise only after its timeout, empty.
            started = time.monotonic()
            assert await bot.get_updates(offset=update.update_id + 1, timeout=1) == ()
            assert time.monotonic() - started >= 0.9

    run(main())


def test_allowed_updates_filters_and_persists(standin):
    user = standin.user(USER)
    user.send("dropped")

    async def main():
        async with make_bot(standin) as bot:
            await bot.send_message(USER, "pick", reply_markup=keyboard([("A", "a")]))
            user.click("A")
            updates = await bot.get_updates(allowed_updates=["callback_query"])
            assert [u.callback_query.data for u in updates] == ["a"]
            user.send("also dropped")  # the setting persists for later calls
            assert [u.callback_query.data for u in await bot.get_updates()] == ["a"]

    run(main())


def test_duplicate_delivery_redelivers_once_after_confirmation(standin):
    standin.duplicate_delivery = True
    standin.user(USER).send("hello")

    async def main():
        async with make_bot(standin) as bot:
            (first,) = await bot.get_updates()
            (again,) = await bot.get_updates(offset=first.update_id + 1)
            assert again.update_id == first.update_id and again.message.text == "hello"
            assert await bot.get_updates(offset=first.update_id + 1) == ()

    run(main())


def test_second_get_updates_terminates_the_older_long_poll(standin):
    async def main():
        async with make_bot(standin) as bot, make_bot(standin) as other:
            older = asyncio.create_task(bot.get_updates(timeout=5))
            await asyncio.sleep(0.2)
            assert await other.get_updates(timeout=0) == ()
            with pytest.raises(Conflict, match="terminated by other getUpdates request"):
                await older

    run(main())


def test_webhook_blocks_get_updates(standin):
    standin.user(USER).send("queued")

    async def main():
        async with make_bot(standin) as bot:
            assert await bot.set_webhook("https://example.org/hook")
            info = await bot.get_webhook_info()
            assert info.url == "https://example.org/hook" and info.pending_update_count == 1
            with pytest.raises(Conflict, match="webhook is active"):
                await bot.get_updates()
            assert await bot.delete_webhook(drop_pending_updates=True)
            assert await bot.get_updates() == ()

    run(main())


def test_user_updates_have_telegram_shape(standin):
    user = standin.user(USER, first_name="Aysel", language_code="az")
    user.send("/start ref_42")
    user.send("/help@homeward_test_bot")
    user.send("plain / text")
    user.send_contact("+994551112233")
    user.send_location(40.4, 49.8)
    user.send_photo()
    user.send_document(file_name="passport.pdf", size=1234)
    user.send_voice(duration=7)
    user.send_sticker()
    user.send_video_note()

    async def main():
        async with make_bot(standin) as bot:
            updates = await bot.get_updates()
            start, help_, plain, contact, location, photo, document, voice, sticker, note = (
                u.message for u in updates)
            assert start.from_user.first_name == "Aysel" and start.from_user.language_code == "az"
            assert start.chat.id == USER and start.chat.type == "private"
            assert CommandHandler("start", lambda u, c: None).check_update(updates[0])
            assert start.text == "/start ref_42" and start.entities[0].length == len("/start")
            assert CommandHandler("help", lambda u, c: None).check_update(updates[1])
            assert not plain.entities and not CommandHandler("start", lambda u, c: None).check_update(updates[2])
            assert contact.contact.phone_number == "+994551112233" and contact.contact.user_id == USER
            assert (location.location.latitude, location.location.longitude) == (40.4, 49.8)
            assert photo.photo[-1].width > photo.photo[0].width
            assert document.document.file_name == "passport.pdf" and document.document.file_size == 1234
            assert voice.voice.to_dict()["duration"] in (7, dtm.timedelta(seconds=7))
            assert sticker.sticker.emoji and note.video_note.length == 240
            downloaded = await (await bot.get_file(document.document.file_id)).download_as_bytearray()
            assert len(downloaded) == 1234
            message_ids = [m.message_id for m in (start, help_, plain, contact)]
            assert message_ids == sorted(message_ids) and len(set(message_ids)) == 4

    run(main())


# ----------------------------------------------------------- keyboards
def test_inline_keyboard_click_round_trip(standin):
    user = standin.user(USER)
    user.send("hi")

    async def main():
        async with make_bot(standin) as bot:
            (hello,) = await bot.get_updates()
            sent = await bot.send_message(
                USER, "Choose:", reply_markup=keyboard([("Yes ✅", "yes"), ("No", "no")], [("Later", "later")]))
            assert sent.reply_markup.inline_keyboard[0][0].callback_data == "yes"
            message = user.next_message(timeout=1)
            assert message.buttons == ["Yes ✅", "No", "Later"]
            assert message.button_rows == [["Yes ✅", "No"], ["Later"]]

            raw = user.click("Yes")  # substring match
            (update,) = await bot.get_updates(offset=hello.update_id + 1)
            assert update.to_dict() == Update.de_json(raw, bot).to_dict()
            query = update.callback_query
            assert query.data == "yes" and query.from_user.id == USER
            assert query.message.message_id == sent.message_id and query.message.text == "Choose:"
            assert await query.answer("Saved") is True
            assert user.wait_callback_answered(timeout=1)["text"] == "Saved"
            with pytest.raises(BadRequest, match="(?i)query is too old"):
                await bot.answer_callback_query(query.id, "twice")
            with pytest.raises(BadRequest, match="(?i)query is too old"):
                await bot.answer_callback_query("12345", "unknown")

            user.click(3)  # numbered like the preview: flattened row by row
            (update,) = await bot.get_updates(offset=update.update_id + 1)
            assert update.callback_query.data == "later"
            with pytest.raises(BadRequest, match="(?i)message_too_long"):
                await update.callback_query.answer("x" * 201)
            assert user.callback_answers == ["Saved"]
            with pytest.raises(AssertionError, match="Yes ✅"):
                user.click("Maybe")

    run(main())


def test_callback_data_limit_is_64_bytes(standin):
    standin.user(USER).send("hi")

    async def main():
        async with make_bot(standin) as bot:
            await bot.send_message(USER, "ok", reply_markup=keyboard([("a", "x" * 64)]))
            with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
                await bot.send_message(USER, "ascii", reply_markup=keyboard([("a", "x" * 65)]))
            with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
                # 33 characters, but 66 bytes in UTF-8
                await bot.send_message(USER, "utf8", reply_markup=keyboard([("a", "ə" * 33)]))
            with pytest.raises(BadRequest):
                await bot.send_message(USER, "no action",
                                       reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("bare")]]))

    run(main())
    assert [m.text for m in standin.sent_messages()] == ["ok"]


def test_reply_keyboard_click_sends_text_or_contact(standin):
    user = standin.user(USER)
    user.send("hi")

    async def main():
        async with make_bot(standin) as bot:
            markup = ReplyKeyboardMarkup([[KeyboardButton("📞 Share phone", request_contact=True)],
                                          [KeyboardButton("Cancel")]])
            await bot.send_message(USER, "Your phone?", reply_markup=markup)
            assert user.next_message(timeout=1).reply_buttons == ["📞 Share phone", "Cancel"]
            user.click("Share phone", phone_number="+994709998877")
            user.click("Cancel")
            updates = await bot.get_updates(offset=2)  # update 1 ("hi") confirmed
            assert updates[0].message.contact.phone_number == "+994709998877"
            assert updates[1].message.text == "Cancel"
            await bot.send_message(USER, "Thanks", reply_markup=ReplyKeyboardRemove())
            assert user.next_message(timeout=1).removes_keyboard
            with pytest.raises(AssertionError, match="no button"):
                user.click("Cancel")

    run(main())


def test_blocked_user_yields_403_and_my_chat_member(standin):
    user = standin.user(USER, username="aysel")
    user.send("hi")
    user.block()

    async def main():
        async with make_bot(standin) as bot:
            with pytest.raises(Forbidden, match="blocked by the user"):
                await bot.send_message(USER, "reminder")
            member_update = (await bot.get_updates())[-1].my_chat_member
            assert member_update.new_chat_member.status == "kicked"
            user.unblock()
            assert (await bot.get_chat(USER)).username == "aysel"
            await bot.send_message(USER, "welcome back")

    run(main())
    assert [m.text for m in user.messages] == ["welcome back"]


# ------------------------------------------------------------------ edits
def test_edit_and_delete_semantics(standin):
    user = standin.user(USER)
    user.send("hi")

    async def main():
        async with make_bot(standin) as bot:
            sent = await bot.send_message(USER, "<b>Step 1</b>", parse_mode="HTML",
                                          reply_markup=keyboard([("Next", "next")]))
            held = user.next_message(timeout=1)
            with pytest.raises(BadRequest, match="(?i)message is not modified"):
                await bot.edit_message_text("<b>Step 1</b>", USER, sent.message_id, parse_mode="HTML",
                                            reply_markup=keyboard([("Next", "next")]))
            edited = await bot.edit_message_text("Step 2", USER, sent.message_id)
            assert edited.text == "Step 2" and edited.reply_markup is None  # markup dropped
            assert held.text == "Step 2" and held.edits == ["<b>Step 1</b>"] and held.buttons == []
            await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard([("Back", "b")]))
            assert held.buttons == ["Back"]
            with pytest.raises(BadRequest, match="(?i)message to edit not found"):
                await bot.edit_message_text("x", USER, 999)
            assert await bot.delete_message(USER, sent.message_id)
            assert held.deleted and user.messages == []
            with pytest.raises(BadRequest, match="(?i)message to delete not found"):
                await bot.delete_message(USER, sent.message_id)

    run(main())
