"""/delete in Telegram, and the flood guard in front of every handler (see `app.privacy`)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from app.intake import language_of
from app.privacy import ask_to_delete, deleted, forget, staff_chats
from bot.context import Context, language, person_of, read, services
from bot.handlers import answer_quietly
from bot.inbox import receipt_of
from bot.sending import say, show
from core.callbacks import parse
from core.i18n import t


async def on_delete(update: Update, context: Context) -> None:
    app, person, receipt = services(context), person_of(update), receipt_of(update)
    asked = await app.db.run(lambda s: ask_to_delete(s, person, language_of(s, person, app.settings.default_language), receipt))
    if asked.purged:
        await app.db.checkpoint()
    await show(context.bot, person.chat_id, asked.reply)


async def on_delete_callback(update: Update, context: Context) -> None:
    person, chosen_language, _ = await read(update, context)
    if parse(update.callback_query.data) == ("dl", ["yes"]):
        app = services(context)
        held = await app.db.run(lambda s: forget(s, person, staff_chats(s, app.settings)))
        await app.db.checkpoint()  # the deleted text must not live on in the -wal file
        text = deleted(chosen_language, held)
    else:
        text = t(chosen_language, "delete.kept")
    await say(context.bot, person.chat_id, text)
    await answer_quietly(context.bot, update.callback_query)


async def on_any_update(update: Update, context: Context) -> None:
    """First of all handlers (group -2): throttle one person who floods the bot."""
    user = update.effective_user
    if user is None:
        return
    verdict = services(context).flood_guard.admit(user.id)
    if verdict == "ok":
        return
    if verdict == "warn" and update.effective_chat is not None:
        await say(context.bot, update.effective_chat.id, t(await language(update, context), "flood.wait"))
    raise ApplicationHandlerStop
