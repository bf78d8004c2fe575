"""The local preview: chat with the very same bot in a terminal, no Telegram needed.

One asyncio loop runs the Bot API stand-in, the bot (polling it exactly as it polls Telegram)
and this terminal, which plays the relative: lines you type are sent as messages, numbers
press the buttons of the newest keyboard, and a few `:commands` send what a phone would.
"""

from __future__ import annotations

import asyncio
import sys
import time

from bot.app import build_application, new_poller, prepare_database, serve
from core.config import Settings
from standin import FakeTelegram, StandinServer

PREVIEW_USER_ID = 1  # one fixed relative, so a report under way survives a restart of the preview
QUIET = 0.4  # seconds without a new bot message before the prompt returns
HELP = """Type your answers. A number presses that button of the newest keyboard.
  :location LAT LON   send a location pin      :photo  :document  :voice  :sticker   send a file
  :help               this text                :quit  (or Ctrl+D)  leave the preview"""


def banner(settings: Settings) -> str:
    you = ("an admin (try /guidance, /cases, /help)" if PREVIEW_USER_ID in settings.admin_ids
           else "a relative writing to the bot (`make run ADMIN=1` to be an admin)")
    return (
        f"Homeward — local preview. You are {you}; nothing leaves this machine.\n"
        f"Database: {settings.database_url}\n"
        "To run on Telegram: put a token from @BotFather in TELEGRAM_BOT_TOKEN (see .env.example), then `make run`.\n"
        + HELP
    )


def show(message) -> str:
    lines = ["", "🤖 " + message.plain_text.replace("\n", "\n   ")]
    number = 0
    for row in message.button_rows or ([[b] for b in message.reply_buttons] if message.reply_buttons else []):
        cells = []
        for label in row:
            number += 1
            cells.append(f"[{number}] {label}")
        lines.append("   " + "   ".join(cells))
    return "\n".join(lines)


async def read_line(prompt: str) -> str | None:
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(None, input, prompt)
    except EOFError:
        return None


async def act(user, line: str) -> bool:
    """Send what the line says; False when it sends nothing."""
    words = line.split()
    if words and words[0] == ":location" and len(words) == 3:
        await user.asend_location(float(words[1]), float(words[2]))
    elif line in (":photo", ":document", ":voice", ":sticker"):
        await getattr(user, f"asend_{line[1:]}")()
    elif line.isdigit() and (keyboard := await user.akeyboard()) and 1 <= int(line) <= len(keyboard.buttons):
        await user.aclick(int(line))
    elif line.startswith(":"):
        print(HELP)
        return False
    else:
        await user.asend(line)
    return True


async def print_replies(user) -> None:
    try:
        print(show(await user.anext_message(timeout=15)))
    except AssertionError:
        print("   (no answer from the bot: see data/preview.log)")
        return
    while True:
        try:
            print(show(await user.anext_message(timeout=QUIET)))
        except AssertionError:
            return


async def terminal(telegram: FakeTelegram, language: str | None) -> None:
    user = telegram.user(PREVIEW_USER_ID, first_name="You", language_code=language or "az")
    if await act(user, "/start"):
        await print_replies(user)
    while True:
        line = await read_line("\n> ")
        if line is None or line.strip() in (":quit", ":q"):
            print()
            return
        line = line.strip()
        if line and await act(user, line):
            await print_replies(user)


async def preview(settings: Settings, language: str | None, admin: bool = False) -> None:
    # Message ids go on from where earlier previews left them, as Telegram's do; update ids
    # start from 1 on every run, as after Telegram renumbers them.
    telegram = FakeTelegram(first_id=int(time.time()))
    server = StandinServer(telegram)
    await server.start()
    settings = settings.model_copy(
        update={"telegram_bot_token": "1000000:PREVIEW", "telegram_api_base_url": server.base_url, "telegram_api_file_url": server.file_url,
                # --admin: you are an admin (and so staff) for this preview only, as ADMIN_IDS would make you
                "admin_ids": (*settings.admin_ids, PREVIEW_USER_ID) if admin else settings.admin_ids}
    )
    db = prepare_database(settings)
    application = build_application(settings, db)
    print(banner(settings))
    session = asyncio.ensure_future(terminal(telegram, language))
    try:
        await serve(application, new_poller(application), until=session)
    finally:
        await server.stop()
        db.close()


def run_preview(settings: Settings, language: str | None, admin: bool = False) -> int:
    try:
        asyncio.run(preview(settings, language, admin))
    except KeyboardInterrupt:
        print()
    return 0


if __name__ == "__main__":
    sys.exit(run_preview(Settings(), None))
