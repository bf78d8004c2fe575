"""/export for staff, in a private chat: format, profile and period with buttons, then the file."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date, timedelta
from pathlib import Path

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from app.exports import FORMATS, PROFILES, Filters, run_export
from bot.handlers import Context, on_callback, on_group, on_help, services
from core.i18n import t
from bot.keyboards import button
from bot.staff import reply, staff_only
from app import roles

PERIODS = {"all": None, "7d": 7, "30d": 30}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "json": "jsonl"}


async def on_export(update: Update, context: Context) -> None:
    if update.effective_chat.type != "private":
        app = services(context)
        user = update.effective_user
        is_staff = user is not None and await app.db.run(lambda s: roles.is_staff(s, app.settings, user.id))
        if not is_staff:
            return await on_group(update, context)
        # Personal data never goes to a group, whoever asks; say why.
        await context.bot.send_message(update.effective_chat.id, t(app.settings.default_language, "export.group_refused"))
        return
    language = await staff_only(update, context)
    if language is None:
        return await on_help(update, context)
    markup = InlineKeyboardMarkup([[button(fmt.upper(), f"xf:{fmt}") for fmt in FORMATS]])
    await reply(update, context, t(language, "export.choose_format"), markup)


async def on_export_callback(update: Update, context: Context) -> None:
    language = await staff_only(update, context)
    if language is None:
        return await on_callback(update, context)
    query = update.callback_query
    verb, _, rest = (query.data or "").partition(":")
    args = rest.split(":")
    try:
        await query.answer()
    except BadRequest:
        pass
    if verb == "xf" and args[0] in FORMATS:
        markup = InlineKeyboardMarkup([[button(t(language, f"export.profile.{p}"), f"xp:{args[0]}:{p}")] for p in PROFILES])
        await reply(update, context, t(language, "export.choose_profile"), markup)
    elif verb == "xp" and args[0] in FORMATS and args[1] in PROFILES:
        markup = InlineKeyboardMarkup([[button(t(language, f"button.export.{p}"), f"xr:{args[0]}:{args[1]}:{p}")] for p in PERIODS])
        await reply(update, context, t(language, "export.choose_period"), markup)
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
        count = await asyncio.to_thread(run_export, app.db, fmt, profile, filters, path, user.id, f"telegram:{user.id}", "telegram")
        with path.open("rb") as handle:
            await context.bot.send_document(update.effective_chat.id, handle, filename=path.name, caption=t(language, "export.done", count=count))
