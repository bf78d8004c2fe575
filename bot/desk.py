"""A message the bot waits for outside the intake (see `app.desk`), handed to whoever the
wiring registered for its kind. Runs before the intake (handler group -1)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from app.desk import Pending, may_be_awaited, pending_for, stop_waiting
from bot.context import Context, language, services
from bot.sending import say
from core.i18n import t


async def _pending(update: Update, context: Context) -> Pending | None:
    if update.effective_chat is None or update.effective_chat.type != "private" or update.effective_user is None:
        return None
    if not may_be_awaited(update.effective_user.id):
        return None
    app = services(context)
    needed = {kind: role for kind, (role, _handler) in app.desk.items()}
    return await app.db.read(lambda s: pending_for(s, app.settings, update.effective_user.id, needed))


async def on_message(update: Update, context: Context) -> None:
    pending = await _pending(update, context)
    if pending is None:
        return
    _role, handler = services(context).desk[pending.kind]
    # A handler returns False when the message is no longer for it (a family writing to our
    # team has since started a report): the intake takes it.
    if await handler(update, context, pending, await language(update, context)) is not False:
        raise ApplicationHandlerStop


async def on_cancel(update: Update, context: Context) -> None:
    """/cancel while the bot waits for something else than a report answer cancels that."""
    if await _pending(update, context) is None:
        return
    await services(context).db.run(lambda s: stop_waiting(s, update.effective_user.id))
    await say(context.bot, update.effective_chat.id, t(await language(update, context), "admin.cancelled"))
    raise ApplicationHandlerStop
