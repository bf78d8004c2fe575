"""/export for staff, in a private chat: format, profile and period with buttons, then the file."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date, timedelta
from pathlib import Path

from telegram import InlineKeyboardMarkup, Update

from app import roles
from app.exports import FORMATS, PROFILES, Filters, record_export, write_export
from bot.context import Context, role_language, services
from bot.handlers import answer_quietly, on_callback, on_group, on_help
from bot.keyboards import button
from bot.sending import say
from core.callbacks import parse
from core.i18n import t

PERIODS = {"all": None, "7d": 7, "30d": 30}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "json": "jsonl"}


async def on_export(update: Update, context: Context) -> None:
    app = services(context)
    if update.effective_chat.type != "private":
        user = update.effective_user
        is_staff = user is not None and await app.db.read(lambda s: roles.is_staff(s, app.settings, user.id))
        if not is_staff:
            return await on_group(update, context)
        # Personal data never goes to a group, whoever asks; say why.
        return await say(context.bot, update.effective_chat.id, t(app.settings.default_language, "export.group_refused"))
    language = await role_language(update, context)
    if language is None:
        return await on_help(update, context)
    markup = InlineKeyboardMarkup([[button(fmt.upper(), "xf", fmt) for fmt in FORMATS]])
    await say(context.bot, update.effective_chat.id, t(language, "export.choose_format"), markup)


async def on_export_callback(update: Update, context: Context) -> None:
    language = await role_language(update, context)
    if language is None:
        return await on_callback(update, context)
    verb, args = parse(update.callback_query.data)
    await answer_quietly(context.bot, update.callback_query)
    chat_id = update.effective_chat.id
    if verb == "xf" and args[0] in FORMATS:
        markup = InlineKeyboardMarkup([[button(t(language, f"export.profile.{p}"), "xp", args[0], p)] for p in PROFILES])
        await say(context.bot, chat_id, t(language, "export.choose_profile"), markup)
    elif verb == "xp" and args[0] in FORMATS and args[1] in PROFILES:
        markup = InlineKeyboardMarkup([[button(t(language, f"button.export.{p}"), "xr", args[0], args[1], p)] for p in PERIODS])
        await say(context.bot, chat_id, t(language, "export.choose_period"), markup)
    elif verb == "xr" and args[0] in FORMATS and args[1] in PROFILES and args[2] in PERIODS:
        await send_export(update, context, language, args[0], args[1], args[2])


async def send_export(update: Update, context: Context, language: str, fmt: str, profile: str, period: str) -> None:
    days = PERIODS[period]
    filters = Filters(since=date.today() - timedelta(days=days) if days else None)
    user = update.effective_user
    app = services(context)
    with tempfile.TemporaryDirectory(prefix="homeward-export-") as folder:
        path = Path(folder) / f"homeward-{profile}-{date.today().isoformat()}.{EXTENSIONS[fmt]}"
        # A large export takes seconds: off the event loop, and off the writer thread.
        count = await asyncio.to_thread(app.db.read_sync, lambda s: write_export(s, fmt, profile, filters, path))
        # A file leaves only once audited; the audit is a write like any other, through the writer.
        await app.db.run(lambda s: record_export(s, fmt, profile, filters, count, user.id, f"telegram:{user.id}", "telegram"))
        with path.open("rb") as handle:
            await context.bot.send_document(update.effective_chat.id, handle, filename=path.name, caption=t(language, "export.done", count=count))
