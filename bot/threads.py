"""A conversation per case in Telegram: a family writes to our team, staff read the thread on
the case card and reply, and take or hand over cases (see `app.threads`, `app.thread_desk`).
Staff buttons check the role on every tap; anyone else is answered as if they did not exist."""

from __future__ import annotations

import logging

from sqlmodel import Session
from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError

from app import case_card, staff_people, thread_desk, threads
from app.desk import Pending
from app.screens import Reply
from bot.context import Context, person_of, read, role_language, services
from bot.events import message_input
from bot.handlers import answer_quietly, in_background, on_callback
from bot.inbox import receipt_of
from bot.keyboards import markup
from bot.sending import say, show
from bot.staff import notify_staff_chat, reply
from core.callbacks import parse
from core.i18n import t
from flows.text import clean_text

log = logging.getLogger(__name__)


# --- The family -----------------------------------------------------------------------------


async def on_write_callback(update: Update, context: Context) -> None:
    """"Write to our team" (tw, or tw:REF): which report, or start writing to it."""
    _verb, args = parse(update.callback_query.data)
    person, language, _ = await read(update, context)
    app = services(context)

    def start(session: Session):
        ref = args[0] if args else threads.only_case(session, person.telegram_id)
        if ref is None:
            return threads.choose(session, person.telegram_id, language)
        if threads.reporting(session, person.telegram_id):
            return Reply(t(language, "thread.after_report"))
        return threads.start_writing(session, person.telegram_id, ref)

    started = await app.db.run(start)
    if started is None:
        return await on_callback(update, context)  # not her report, or a forged button
    await answer_quietly(context.bot, update.callback_query)
    if isinstance(started, Reply):
        return await show(context.bot, person.chat_id, started)
    case, written = started
    if not written:
        return await say(context.bot, person.chat_id, threads.prompt(language, case))
    await say(context.bot, person.chat_id, threads.received(language))
    for item in written:
        if item.tell_staff:
            in_background(tell_staff(context, item))


async def family_message(update: Update, context: Context, pending: Pending, language: str) -> bool:
    """A message she sent while writing to our team; False: it is the intake's after all."""
    ref = pending.args[0]
    person = person_of(update)
    message = update.effective_message
    given = message_input(message)
    item = threads.message_of(given.text or message.caption, given.media if given.kind == "media" else None)
    receipt = receipt_of(update)

    def store(session: Session):
        if not threads.still_writing(session, person.telegram_id):
            return None
        return threads.from_family(session, person.telegram_id, ref, item, receipt) if item is not None else "unsupported"

    written = await services(context).db.run(store)
    if written is None:
        return False
    if written == "unsupported":
        await say(context.bot, person.chat_id, t(language, "thread.unsupported"))
        return True
    await say(context.bot, person.chat_id, threads.received(language))
    if written.tell_staff:
        in_background(tell_staff(context, written))
    return True


async def tell_staff(context: Context, written: threads.Written) -> None:
    """The case's assignee in their private chat, and the staff chat: the reference only."""
    app = services(context)
    if written.assignee_id is not None:
        language = await app.db.read(lambda s: staff_people.language_for(s, written.assignee_id, app.settings.default_language))
        await _tell_privately(context, written.assignee_id, thread_desk.new_message_notice(language, written.ref))
    await notify_staff_chat(context, thread_desk.new_message_notice(app.settings.default_language, written.ref, context.bot.username))


async def _tell_privately(context: Context, telegram_id: int, notice: Reply) -> None:
    try:
        await show(context.bot, telegram_id, notice)
    except TelegramError as exc:  # they never opened the bot, or blocked it: the case list still shows it
        log.warning("could not tell a staff member: %s", type(exc).__name__)


# --- Staff ----------------------------------------------------------------------------------


async def on_staff_callback(update: Update, context: Context) -> None:
    language = await role_language(update, context)
    if language is None:
        return await on_callback(update, context)  # answered like any unknown button
    verb, args = parse(update.callback_query.data)
    app = services(context)
    staff_id = update.effective_user.id
    ref = args[0] if args else ""
    if verb == "tp" and len(args) == 2:
        page = int(args[1]) if args[1].lstrip("-").isdigit() else 0
        await reply(update, context, await app.db.read(lambda s: case_card.card(s, language, ref, page)))
    elif verb == "tr":
        case = await app.db.run(lambda s: thread_desk.await_reply(s, staff_id, ref))
        await reply(update, context, thread_desk.reply_prompt(language, case, ref))
    elif verb == "ta":
        await assign(update, context, language, ref, staff_id)
    elif verb == "th":
        await reply(update, context, await app.db.read(lambda s: thread_desk.hand_over_menu(s, app.settings, language, ref, staff_id)))
    elif verb == "tg" and len(args) == 2 and args[1].isdigit():
        await assign(update, context, language, ref, int(args[1]))
    await answer_quietly(context.bot, update.callback_query)


async def assign(update: Update, context: Context, language: str, ref: str, to: int) -> None:
    app = services(context)
    by = update.effective_user.id
    done = await app.db.run(lambda s: thread_desk.assign(s, app.settings, ref, to, by))
    if done is None:
        return await reply(update, context, t(language, "staff.assign.not_applied", ref=ref))
    await reply(update, context, t(language, "staff.assign.done", ref=done.ref, who=done.assignee))
    if done.assignee_id != by:
        await _tell_privately(context, done.assignee_id, thread_desk.assigned_notice(done))


async def staff_reply(update: Update, context: Context, pending: Pending, language: str) -> None:
    """A staff member's reply: stored, then sent to the family framed in her language."""
    ref = pending.args[0]
    text = clean_text(update.effective_message.text or "")  # no direction controls in what she reads
    app = services(context)
    if not text:
        case = await app.db.read(lambda s: thread_desk.find(s, ref))
        return await reply(update, context, thread_desk.reply_prompt(language, case, ref))
    staff_id = update.effective_user.id
    outcome = await app.db.run(lambda s: thread_desk.save_reply(s, app.settings, ref, staff_id, text, receipt_of(update)))
    if isinstance(outcome, thread_desk.Refused):
        return await reply(update, context, t(language, outcome.key, **outcome.params))
    try:
        await say(context.bot, outcome.chat_id, outcome.text, markup([[outcome.write_back]]))
    except (Forbidden, BadRequest):
        return await reply(update, context, t(language, "staff.reply.unreachable", ref=outcome.ref))  # kept in the thread
    await app.db.run(lambda s: thread_desk.mark_delivered(s, outcome.message_id))
    await reply(update, context, t(language, "staff.reply.sent", ref=outcome.ref))
