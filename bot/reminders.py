"""Reports left half-way, in Telegram: the reminder round and the reminder's Delete button (see
`app.drafts`). The round runs beside the bot, like the daily purge; tests call `remind_round`
with the time they choose."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram import Bot, Update

from app.drafts import claim_due, deleted_text, delete_draft, purge_drafts, reminder_reply, settle
from bot.context import Context, read, services
from bot.handlers import answer_quietly
from bot.sending import say, show
from core.config import Settings
from db.database import Database
from db.models import utcnow

log = logging.getLogger(__name__)
REMIND_EVERY = timedelta(minutes=10)
PURGE_DRAFTS_EVERY = timedelta(hours=1)


async def remind_round(bot: Bot, db: Database, settings: Settings, now: datetime) -> int:
    """Send the reminders due at `now`; each is claimed before it is sent (never twice)."""
    due = await db.run(lambda session: claim_due(session, settings, now))
    for reminder in due:
        state = "sent"
        try:
            await show(bot, reminder.chat_id, reminder_reply(reminder, settings.draft_retention_days))
        except Exception as exc:  # noqa: BLE001 - blocked, chat gone, Telegram down: it may have arrived; never resent
            state = "failed"
            log.warning("a draft reminder could not be sent: %s", type(exc).__name__)
        await db.run(lambda session, reminder=reminder, state=state: settle(session, reminder, state))
    return len(due)


async def draft_care(bot: Bot, db: Database, settings: Settings, stop: asyncio.Event) -> None:
    """Reminders every REMIND_EVERY and the purge of stale drafts every PURGE_DRAFTS_EVERY, until
    the bot stops. State is in the database, so a restart neither loses nor repeats a reminder."""
    purged_at: datetime | None = None
    while not stop.is_set():
        now = utcnow()
        try:
            if purged_at is None or now - purged_at >= PURGE_DRAFTS_EVERY:
                removed = await db.run(lambda session, now=now: purge_drafts(session, settings, now))
                purged_at = now
                if removed:
                    log.info("retention: removed %d unfinished reports", removed)
            await remind_round(bot, db, settings, now)
        except Exception as exc:  # noqa: BLE001 - retried at the next round; the bot keeps serving
            log.error("draft reminders or purge failed: %s", type(exc).__name__)
        try:
            await asyncio.wait_for(stop.wait(), timeout=REMIND_EVERY.total_seconds())
        except asyncio.TimeoutError:
            pass


async def on_delete_draft(update: Update, context: Context) -> None:
    """The reminder's Delete: the draft goes as /delete would take it; a report already sent stays."""
    person, language, _ = await read(update, context)
    had_draft = await services(context).db.run(lambda session: delete_draft(session, person.telegram_id))
    await say(context.bot, person.chat_id, deleted_text(language, had_draft))
    await answer_quietly(context.bot, update.callback_query)
