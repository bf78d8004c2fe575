"""Staff telling a family news of their report: the message staff may add, its length checked
before anything changes, and the death of a man sent only from a confirmation step."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest, Forbidden

from app import staff as desk_cases, status_news
from app.desk import Pending
from app.screens import Reply
from bot.context import Context, role_language, services
from bot.handlers import answer_quietly, on_callback
from bot.inbox import receipt_of
from bot.sending import say, show
from core.callbacks import parse
from core.i18n import t
from flows.text import clean_text


async def _reply(update: Update, context: Context, shown: Reply | str) -> None:
    await show(context.bot, update.effective_chat.id, shown if isinstance(shown, Reply) else Reply(shown))


async def ask_for_message(update: Update, context: Context, language: str, ref: str, status: str) -> None:
    """After staff chose a status: their message for the family is the next thing they send."""
    staff_id = update.effective_user.id
    app = services(context)
    family_language = await app.db.run(lambda s: desk_cases.await_status_message(s, staff_id, ref, status))
    if status in status_news.CONFIRMED_ONLY:
        return await _reply(update, context, await app.db.read(lambda s: status_news.deceased_prompt(s, language, ref)))
    await _reply(update, context, desk_cases.status_prompt(language, ref, status, family_language))


async def change_status(update: Update, context: Context, language: str, ref: str, status: str, message: str | None) -> None:
    """An ordinary status, applied and told at once; a death goes back to its confirmation step."""
    if status in status_news.CONFIRMED_ONLY:
        return await ask_for_message(update, context, language, ref, status)
    staff_id, receipt = update.effective_user.id, receipt_of(update)
    change = await services(context).db.run(lambda s: desk_cases.apply_status(s, ref, status, message, staff_id, receipt))
    await tell_family(update, context, language, ref, change, message)


async def tell_family(update: Update, context: Context, language: str, ref: str, change: status_news.StatusChanged | None,
                      message: str | None) -> None:
    if change is None:
        return await _reply(update, context, t(language, "staff.status.not_applied", ref=ref))
    reached = True
    try:
        await say(context.bot, change.reporter_chat_id, status_news.family_notice(change, message))
    except (Forbidden, BadRequest):
        reached = False  # blocked the bot or chat gone: the change stands, staff are told
    await _reply(update, context, desk_cases.status_outcome(language, ref, change.status, reached))


async def status_message(update: Update, context: Context, pending: Pending, language: str) -> None:
    """The message staff wrote for the family: re-asked when it cannot go out in one message."""
    ref, status = pending.args
    text = clean_text(update.effective_message.text or "")  # no direction controls in what she reads
    app = services(context)
    if not text and status in status_news.CONFIRMED_ONLY:
        return await _reply(update, context, await app.db.read(lambda s: status_news.deceased_prompt(s, language, ref)))
    if not text:
        return await _reply(update, context, t(language, "staff.status.message_prompt", language="—"))
    change = await app.db.read(lambda s: status_news.planned(s, ref, status))
    problem = status_news.too_long(language, change, text) if change else None
    if problem:
        return await _reply(update, context, problem)
    if status in status_news.CONFIRMED_ONLY:
        staff_id = update.effective_user.id
        await app.db.run(lambda s: status_news.keep_for_confirmation(s, staff_id, ref, text))
        return await _reply(update, context, await app.db.read(lambda s: status_news.deceased_preview(s, language, ref, text)))
    await change_status(update, context, language, ref, status, text)


async def on_news_callback(update: Update, context: Context) -> None:
    """sp:REF (the prepared message only) and sk:REF:y|n (send the death news, or not)."""
    language = await role_language(update, context)
    if language is None:
        return await on_callback(update, context)  # answered like any unknown button
    verb, args = parse(update.callback_query.data)
    app, staff_id = services(context), update.effective_user.id
    ref = args[0] if args else ""
    if verb == "sp":
        await app.db.run(lambda s: status_news.keep_for_confirmation(s, staff_id, ref, status_news.PREPARED_ONLY))
        await _reply(update, context, await app.db.read(lambda s: status_news.deceased_preview(s, language, ref, status_news.PREPARED_ONLY)))
    elif verb == "sk" and args[1:] == ["n"]:
        await _reply(update, context, t(language, await app.db.run(lambda s: status_news.cancelled(s, staff_id))))
    elif verb == "sk" and args[1:] == ["y"]:
        await _send_death_news(update, context, language, ref)
    await answer_quietly(context.bot, update.callback_query)


async def _send_death_news(update: Update, context: Context, language: str, ref: str) -> None:
    app, staff_id, receipt = services(context), update.effective_user.id, receipt_of(update)

    def confirm(session):
        # Read and applied in one transaction: a second tap finds nothing pending and sends nothing.
        message = status_news.confirmed_message(session, app.settings, staff_id, ref)
        if message is None:
            return None, None
        return desk_cases.apply_status(session, ref, "deceased", message or None, staff_id, receipt, confirmed=True), message or None

    change, message = await app.db.run(confirm)
    await tell_family(update, context, language, ref, change, message)
