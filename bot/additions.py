"""/update in Telegram: a family adds to a report they already sent (see `app.additions`)."""

from __future__ import annotations

from datetime import date

from telegram import Update

from app import additions
from app.desk import Pending, stop_waiting
from bot import keyboards
from bot.context import Context, person_of, read, services
from bot.events import message_input
from bot.handlers import answer_quietly, on_callback
from bot.inbox import receipt_of
from bot.sending import say, show
from bot.staff import notify_staff_chat
from core.callbacks import parse
from core.i18n import t
from flows.steps import STEPS


async def on_update_command(update: Update, context: Context) -> None:
    person, language, offer = await read(update, context, lambda s, p, lang: additions.choose(s, p.telegram_id, lang))
    if offer is None:
        return await say(context.bot, person.chat_id, t(language, "update.none"), keyboards.start_report(language))
    await show(context.bot, person.chat_id, offer)


async def on_update_callback(update: Update, context: Context) -> None:
    verb, args = parse(update.callback_query.data)
    ref, kind = (args + ["", ""])[:2]
    app = services(context)
    person, language, own = await read(update, context, lambda s, p, _l: additions.is_own_case(s, p.telegram_id, ref))
    if not own or (verb == "uk" and kind not in additions.KINDS):
        return await on_callback(update, context)  # someone else's case, or a forged button
    if verb == "ua":
        await show(context.bot, person.chat_id, additions.kinds_reply(language, ref))
    elif verb == "uk":
        await app.db.run(lambda s: additions.await_addition(s, person.telegram_id, ref, kind))
        markup = keyboards.question(language, STEPS["reporter_contact"]) if kind == "contact" else None
        await say(context.bot, person.chat_id, t(language, f"update.ask.{kind}"), markup)
    elif verb == "ud":
        await app.db.run(lambda s: stop_waiting(s, person.telegram_id))
        await finished(update, context, language, ref, "attachment")
    await answer_quietly(context.bot, update.callback_query)


async def addition_message(update: Update, context: Context, pending: Pending, language: str) -> None:
    ref, kind = pending.args
    person = person_of(update)
    value, invalid = additions.read_addition(kind, message_input(update.effective_message), date.today())
    if invalid is not None:
        reason = t(language, f"invalid.{invalid.reason}", **invalid.params)
        return await say(context.bot, person.chat_id, reason + "\n\n" + t(language, f"update.ask.{kind}"))
    outcome = await services(context).db.run(lambda s: additions.save_addition(s, person.telegram_id, ref, kind, value, receipt_of(update)))
    if outcome == additions.NOT_OWN:
        return
    if outcome == additions.TOO_MANY_FILES:
        return await show(context.bot, person.chat_id, additions.too_many_files(language, ref))
    if kind == "attachment":
        return await show(context.bot, person.chat_id, additions.file_saved(language, ref))
    await finished(update, context, language, ref, kind)


async def finished(update: Update, context: Context, language: str, ref: str, kind: str) -> None:
    await say(context.bot, person_of(update).chat_id, t(language, "update.saved", ref=ref), keyboards.remove())
    await notify_staff_chat(context, additions.staff_notice(services(context).settings.default_language, ref, kind))
