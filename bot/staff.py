"""The staff desk in Telegram: /cases, /case REF, its buttons, notes and status messages, the
new-case notice in the staff chat; /grant and /revoke for admins. Every command and button
checks the role on each use; anyone else is answered as if it did not exist."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from app import case_card, roles, staff as desk_cases
from app.desk import Pending
from app.screens import Reply
from bot import status_news
from bot.context import Context, role_language, services
from bot.handlers import answer_quietly, on_callback, on_help, on_start
from bot.inbox import receipt_of
from bot.keyboards import markup
from bot.sending import say, show
from core.callbacks import parse
from core.i18n import t
from flows.steps import N_
from flows.text import clean_text

log = logging.getLogger(__name__)


async def reply(update: Update, context: Context, shown: Reply | str) -> None:
    await show(context.bot, update.effective_chat.id, shown if isinstance(shown, Reply) else Reply(shown))


async def on_cases(update: Update, context: Context) -> None:
    language = await role_language(update, context)
    if language is None:
        return await on_help(update, context)
    view = (context.args or ["all"])[0].lower()
    view = view if view in desk_cases.VIEWS else "all"  # /cases mine, /cases awaiting
    viewer = update.effective_user.id
    await reply(update, context, await services(context).db.read(lambda s: desk_cases.cases_page(s, language, view, "all", 0, viewer=viewer)))


async def on_case(update: Update, context: Context) -> None:
    language = await role_language(update, context)
    if language is None:
        return await on_help(update, context)
    if not context.args:
        return await reply(update, context, t(language, "staff.case.usage"))
    await show_case(update, context, language, " ".join(context.args))  # `FJ6 DJG` read out in two parts too


async def show_case(update: Update, context: Context, language: str, ref: str) -> None:
    await reply(update, context, await services(context).db.read(lambda s: case_card.card(s, language, ref)))


async def on_staff_callback(update: Update, context: Context) -> None:
    language = await role_language(update, context)
    if language is None:
        return await on_callback(update, context)  # answered like any unknown button
    verb, args = parse(update.callback_query.data)
    app = services(context)
    staff_id = update.effective_user.id
    if verb == "sl":
        days = int(args[3]) if len(args) > 3 and args[3].isdigit() else 0
        await reply(update, context, await app.db.read(lambda s: desk_cases.cases_page(s, language, args[0], args[1], int(args[2]), days, viewer=staff_id)))
    elif verb == "sc":
        await show_case(update, context, language, args[0])
    elif verb == "ss":
        await reply(update, context, await app.db.read(lambda s: desk_cases.status_menu(s, language, args[0])))
    elif verb == "sx":
        await status_news.ask_for_message(update, context, language, args[0], args[1])
    elif verb == "sy":
        await status_news.change_status(update, context, language, args[0], args[1], None)
    elif verb == "sn":
        await app.db.run(lambda s: desk_cases.await_note(s, staff_id, args[0]))
        await reply(update, context, t(language, "staff.note.prompt", ref=args[0]))
    elif verb == "sf":
        await send_files(update, context, args[0])
    elif verb == "sd":
        key = await app.db.run(lambda s: desk_cases.decide_link(s, int(args[0]), args[1] == "y", staff_id))
        await reply(update, context, t(language, key))
    await answer_quietly(context.bot, update.callback_query)


async def send_files(update: Update, context: Context, ref: str) -> None:
    senders = {"photo": context.bot.send_photo, "voice": context.bot.send_voice, "audio": context.bot.send_audio, "video": context.bot.send_video}
    for kind, file_id in await services(context).db.read(lambda s: case_card.files_of(s, ref)):
        await senders.get(kind, context.bot.send_document)(update.effective_chat.id, file_id)


async def note_text(update: Update, context: Context, pending: Pending, language: str) -> None:
    ref = pending.args[0]
    if not update.effective_message.text:
        return await reply(update, context, t(language, "staff.note.prompt", ref=ref))
    text, staff_id = clean_text(update.effective_message.text), update.effective_user.id
    await services(context).db.run(lambda s: desk_cases.save_note(s, ref, staff_id, text, receipt_of(update)))
    await reply(update, context, t(language, "staff.note.saved"))


async def on_start_or_open_case(update: Update, context: Context) -> None:
    """/start, or the staff chat's "Open case" link (/start case_REF) when staff follow it."""
    args = context.args or []
    if args and args[0].startswith("case_"):
        language = await role_language(update, context)
        if language is not None:
            return await show_case(update, context, language, args[0].removeprefix("case_"))
    await on_start(update, context)


async def on_grant(update: Update, context: Context) -> None:
    language = await role_language(update, context, roles.ADMIN)
    if language is None:
        return await on_help(update, context)
    args = context.args or []
    if len(args) != 2 or not args[0].isdigit() or args[1] not in roles.ROLES:
        return await reply(update, context, t(language, "roles.usage"))
    await services(context).db.run(lambda s: roles.grant(s, int(args[0]), args[1], update.effective_user.id))
    await reply(update, context, t(language, "roles.granted", id=args[0], role=t(language, f"staff.role.{args[1]}")))


async def on_revoke(update: Update, context: Context) -> None:
    language = await role_language(update, context, roles.ADMIN)
    if language is None:
        return await on_help(update, context)
    args = context.args or []
    if len(args) != 1 or not args[0].isdigit():
        return await reply(update, context, t(language, "roles.usage"))
    app = services(context)
    if int(args[0]) in app.settings.admin_ids:
        return await reply(update, context, t(language, "roles.from_settings", id=args[0]))
    removed = await app.db.run(lambda s: roles.revoke(s, int(args[0])))
    await reply(update, context, t(language, N_("roles.revoked") if removed else N_("roles.not_found"), id=args[0]))


async def notify_staff_chat(context: Context, notice: Reply | str) -> None:
    """A notice to STAFF_CHAT_ID, never with names or phones: a group chat is not a safe place."""
    chat_id = services(context).settings.staff_chat_id
    if chat_id is None:
        return
    notice = notice if isinstance(notice, Reply) else Reply(notice)
    try:
        await say(context.bot, chat_id, notice.text, markup(notice.rows))
    except TelegramError as exc:
        log.warning("could not post to the staff chat: %s", type(exc).__name__)


async def announce_case(context: Context, ref: str) -> None:
    app = services(context)
    if app.settings.staff_chat_id is None:
        return  # nowhere to announce it: the case waits on /cases
    username = context.bot.username
    notice = await app.db.read(lambda s: desk_cases.new_case_notice(s, app.settings.default_language, ref, username))
    if notice is not None:
        await notify_staff_chat(context, notice)
