"""The Telegram stand-in, exercised through the real PTB client stack (httpx): HTML, injected
faults and flood limits, files, commands, and a whole PTB application against it."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import telegram
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from standin import EntityError, FakeTelegram, StandinServer, StandinThread, parse_html
from standin.html import parse_html_entities
from tests.support.ptb_client import TOKEN, USER, keyboard, make_bot, retry_seconds, run

# PTB itself warns about its own RetryAfter/duration int->timedelta migration.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def standin():
    with StandinThread() as server:
        yield server


# ------------------------------------------------------------------- HTML
@pytest.mark.parametrize("text", [
    "<foo>x</foo>",
    "<b>unclosed",
    "<b><i>x</b></i>",
    "x</b>",
    "a < b",
    "<br/>",
    "Tom & Jerry",
    "&nbsp;",
    "&lt",
    '<span class="other">x</span>',
    "<a>no href</a>",
    "<b",
])
def test_invalid_html_is_rejected(standin, text):
    with pytest.raises(EntityError) as caught:
        parse_html(text)
    assert str(caught.value).startswith("Bad Request: can't parse entities")
    standin.user(USER).send("hi")

    async def main():
        async with make_bot(standin) as bot:
            with pytest.raises(BadRequest, match="(?i)can't parse entities"):
                await bot.send_message(USER, text, parse_mode="HTML")
            await bot.send_message(USER, text)  # without parse_mode it is plain text

    run(main())
    assert len(standin.sent_messages()) == 1


def test_valid_html_and_entities():
    text = ('😀 <b>bold <i>both</i></b> <a href="https://x.org/?a=1&amp;b=2">link</a> '
            '<tg-spoiler>s</tg-spoiler> <span class="tg-spoiler">t</span> &lt;&gt;&amp;&quot;&#65;&#x1F600; '
            '<pre><code class="language-python">code</code></pre><blockquote expandable>q</blockquote>'
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><s>x</s><u>y</u><code>z</code>')
    plain, entities = parse_html_entities(text)
    assert plain.startswith("😀 bold both link s t <>&\"A😀 code")
    bold = next(e for e in entities if e["type"] == "bold")
    assert bold["offset"] == 3  # the emoji is 2 UTF-16 code units
    assert next(e for e in entities if e["type"] == "text_link")["url"] == "https://x.org/?a=1&b=2"
    assert next(e for e in entities if e["type"] == "pre")["language"] == "python"
    types = {e["type"] for e in entities}
    assert {"italic", "spoiler", "expandable_blockquote", "custom_emoji", "strikethrough",
            "underline", "code"} <= types
    assert parse_html("<B>Caps</B> <strong>s</strong><em>e</em><ins>i</ins><del>d</del><strike>k</strike>") \
        == "Caps seidk"


# ----------------------------------------------------------------- faults
def test_injected_429_and_502_and_403(standin):
    user = standin.user(USER)
    user.send("hi")
    standin.fail("sendMessage", status=429, retry_after=7)

    async def main():
        async with make_bot(standin) as bot:
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(USER, "first")
            assert retry_seconds(caught.value) == 7
            assert standin.sent_messages() == [] and user.messages == []
            standin.fail("sendmessage", status=502, times=2)
            for _ in range(2):
                with pytest.raises(NetworkError, match="Bad Gateway"):
                    await bot.send_message(USER, "second")
            standin.fail("sendMessage", status=403)
            with pytest.raises(Forbidden, match="blocked by the user"):
                await bot.send_message(USER, "third")
            await bot.send_message(USER, "fourth")

    run(main())
    assert [m.text for m in user.messages] == ["fourth"]
    # Retrying inside the announced 7 s window is what gets real bots banned.
    assert standin.retry_window_violations == 4
    response = httpx.post(f"{standin.base_url}{TOKEN}/getMe")
    assert response.status_code == 200
    standin.fail("getMe", status=429, retry_after=3)
    response = httpx.post(f"{standin.base_url}{TOKEN}/getMe")
    assert response.status_code == 429
    assert response.json() == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
                               "parameters": {"retry_after": 3}}


def test_fail_ratio_until_deadline(standin):
    standin.fail_ratio("getMe", 1.0, status=500, until=time.monotonic() + 0.5, seed=1)

    async def main():
        bot = make_bot(standin)
        with pytest.raises(NetworkError):
            await bot.get_me()
        await asyncio.sleep(0.6)
        assert (await bot.get_me()).id == 123456

    run(main())


def test_flood_limits_and_latency(standin):
    standin.user(USER).send("hi")
    standin.flood_limits = True

    async def main():
        async with make_bot(standin) as bot:
            for n in range(3):  # a short burst is tolerated
                await bot.send_message(USER, f"burst {n}")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(USER, "too fast")
            assert retry_seconds(caught.value) >= 1
            with pytest.raises(RetryAfter):
                await bot.send_message(USER, "ignoring retry_after")
            assert standin.retry_window_violations == 1
            standin.latency = 0.3
            started = time.monotonic()
            await bot.get_me()
            assert time.monotonic() - started >= 0.3

    run(main())
    assert len(standin.sent_messages()) == 3


# ------------------------------------------------------------------ files
def test_send_document_and_photo_upload_then_download(standin):
    standin.user(USER).send("hi")
    payload = bytes(range(256)) * 40

    async def main():
        async with make_bot(standin) as bot:
            sent = await bot.send_document(USER, payload, filename="report.pdf", caption="<i>Your report</i>",
                                           parse_mode="HTML")
            assert sent.document.file_name == "report.pdf" and sent.document.file_size == len(payload)
            assert sent.caption == "Your report"
            file = await bot.get_file(sent.document.file_id)
            assert bytes(await file.download_as_bytearray()) == payload
            again = await bot.send_document(USER, sent.document.file_id)  # resend by file_id
            assert again.document.file_unique_id == sent.document.file_unique_id
            photo = await bot.send_photo(USER, b"\xff\xd8fake-jpeg")
            file = await bot.get_file(photo.photo[-1].file_id)
            assert bytes(await file.download_as_bytearray()) == b"\xff\xd8fake-jpeg"
            with pytest.raises(BadRequest, match="(?i)invalid file_id"):
                await bot.get_file("nope")

    run(main())
    kinds = [(m.kind, m.caption) for m in standin.sent_messages(USER)]
    assert kinds == [("document", "<i>Your report</i>"), ("document", ""), ("photo", "")]
    upload = standin.requests("sendDocument")[0]["document"]
    assert upload["filename"] == "report.pdf" and upload["size"] == len(payload)


def test_big_user_file_cannot_be_fetched(standin):
    user = standin.user(USER)
    user.send_document(file_name="scan.pdf", size=25 * 1024 * 1024)

    async def main():
        async with make_bot(standin) as bot:
            (update,) = await bot.get_updates()
            with pytest.raises(BadRequest, match="(?i)file is too big"):
                await bot.get_file(update.message.document.file_id)

    run(main())


# ------------------------------------------------------------ bot settings
def test_commands_and_descriptions(standin):
    async def main():
        async with make_bot(standin) as bot:
            await bot.set_my_commands([("start", "Başla")], language_code="az")
            await bot.set_my_commands([("start", "Start"), ("help", "Help")])
            await bot.set_my_commands([("cases", "Cases")], scope=telegram.BotCommandScopeAllPrivateChats())
            assert [c.command for c in await bot.get_my_commands(language_code="az")] == ["start"]
            with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
                await bot.set_my_commands([("Bad-Command", "x")])
            await bot.set_my_description("Kömək", language_code="az")
            await bot.set_my_short_description("Help")
            await bot.set_chat_menu_button(menu_button=telegram.MenuButtonCommands())
            await bot.delete_my_commands(language_code="az")

    run(main())
    assert standin.commands == {"": [{"command": "start", "description": "Start"},
                                     {"command": "help", "description": "Help"}]}
    assert ("all_private_chats", "") in standin.commands_by_scope
    assert standin.settings["description"] == {"az": "Kömək"}


# ------------------------------------------------------- whole-bot flows
async def _echo_app(base_url: str, file_url: str) -> Application:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"Salam! args={context.args}",
                                        reply_markup=keyboard([("Case", "case"), ("Help", "help")]))

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer(f"got {update.callback_query.data}")
        await update.callback_query.edit_message_text(f"You chose {update.callback_query.data}")
        await context.bot.send_message(update.effective_chat.id, "Next step")

    app = Application.builder().token(TOKEN).base_url(base_url).base_file_url(file_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    return app


async def _stop(app: Application) -> None:
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


def test_ptb_application_against_background_thread(standin):
    user = standin.user(USER)

    async def main():
        app = await _echo_app(standin.base_url, standin.file_url)
        try:
            reply = await user.aask("/start ref1")
            assert reply.text == "Salam! args=['ref1']" and reply.buttons == ["Case", "Help"]
            follow_up = await user.atap("Case")
            assert follow_up.text == "Next step"
            assert reply.text == "You chose case" and reply.edits == ["Salam! args=['ref1']"]
            assert (await user.await_callback_answered())["text"] == "got case"
            await user.aexpect_silence(0.2)
        finally:
            await _stop(app)

    run(main())
    assert standin.pending_updates() == 0
    methods = [call.method for call in standin.all_requests]
    assert methods[0] == "getMe" and "deleteWebhook" in methods and "answerCallbackQuery" in methods


def test_single_loop_mode_for_the_preview():
    async def main():
        telegram_state = FakeTelegram()
        server = StandinServer(telegram_state)
        await server.start()
        app = await _echo_app(server.base_url, server.file_url)
        try:
            user = telegram_state.user(USER)
            assert (await user.aask("/start")).text == "Salam! args=[]"
            with pytest.raises(RuntimeError, match="async variant"):
                user.next_message()  # blocking here would freeze the server
            kb = await user.akeyboard()
            assert kb.kind == "inline" and kb.buttons == ["Case", "Help"]
            assert (await user.atap(2)).text == "Next step"
            with pytest.raises(AssertionError, match="transcript"):
                await user.anext_message(timeout=0.2)
        finally:
            await _stop(app)
            await server.stop()

    run(main())


def test_next_message_timeout_and_silence_from_plain_thread(standin):
    user = standin.user(USER)
    user.send("hello")
    with pytest.raises(AssertionError, match="user: 'hello'"):
        user.next_message(timeout=0.2)
    user.expect_silence(0.1)
    httpx.post(f"{standin.base_url}{TOKEN}/sendMessage", data={"chat_id": USER, "text": "surprise"})
    with pytest.raises(AssertionError, match="surprise"):
        user.expect_silence(0.1)
    assert user.next_message(timeout=1).text == "surprise"
    user.expect_silence(0.1)
