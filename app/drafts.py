"""Reports left half-way: one gentle reminder, deleting a draft on request, and forgetting drafts
nobody has touched for DRAFT_RETENTION_DAYS.

The reminder goes once per draft (a draft is known by its `started_at`, set when consent is
given), `reminder_hours` after the relative's last message, in her language, with Continue and
Delete buttons. It is recorded as claimed in the same transaction that finds it due, before it is
sent: a crash between the two leaves it claimed and it is never sent again. A reminder that may
have reached her is worth less than the certainty of never writing twice to a frightened mother.
/cancel waives it for that draft; /delete and a submitted report leave no draft to remind of.

Staff never see a draft: every staff view and export reads `Case` rows only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from app.screens import Reply, tap
from core.config import Settings
from core.i18n import t, tn
from db.models import Conversation, DraftReminder, InboxUpdate, UserProfile, utcnow
from flows.engine import Phase

MID_REPORT = (Phase.ASKING, Phase.GATE, Phase.REVIEW)  # consent given, report not sent
REMINDERS_PER_ROUND = 200  # the rest wait for the next round, so one round never holds the writer long


@dataclass(frozen=True)
class Reminder:
    telegram_id: int
    chat_id: int
    language: str
    started_at: datetime


def claim_due(session: Session, settings: Settings, now: datetime) -> list[Reminder]:
    """Drafts whose relative has been quiet for `reminder_hours` and that have had no reminder
    (nor a /cancel), each claimed here: recorded before anything is sent."""
    quiet_since = now - timedelta(hours=settings.reminder_hours)
    query = (
        select(Conversation.telegram_id, Conversation.chat_id, Conversation.started_at, UserProfile.language)
        .outerjoin(UserProfile, UserProfile.telegram_id == Conversation.telegram_id)
        .outerjoin(DraftReminder, DraftReminder.telegram_id == Conversation.telegram_id)
        .where(
            Conversation.phase.in_([str(phase) for phase in MID_REPORT]),
            Conversation.started_at.is_not(None),
            Conversation.updated_at <= quiet_since,
            Conversation.confirming_cancel.is_(False),
            or_(DraftReminder.telegram_id.is_(None), DraftReminder.draft_started_at != Conversation.started_at),
        )
        .order_by(Conversation.updated_at)
        .limit(REMINDERS_PER_ROUND)
    )
    due = [Reminder(telegram_id, chat_id, language or settings.default_language, started_at)
           for telegram_id, chat_id, started_at, language in session.exec(query)]
    for reminder in due:
        session.merge(DraftReminder(telegram_id=reminder.telegram_id, draft_started_at=reminder.started_at,
                                    state="claimed", at=now))
    return due


def settle(session: Session, reminder: Reminder, state: str) -> None:
    """After the send: "sent", or "failed" (blocked, chat gone); either way never again."""
    row = session.get(DraftReminder, reminder.telegram_id)
    if row is not None and row.draft_started_at == reminder.started_at:
        row.state = state
        session.add(row)


def waive(session: Session, telegram_id: int, started_at: datetime | None) -> None:
    """She sent /cancel during this draft: no reminder for it, whatever she chooses next."""
    if started_at is None:
        return
    row = session.get(DraftReminder, telegram_id)
    if row is None or row.draft_started_at != started_at:
        session.merge(DraftReminder(telegram_id=telegram_id, draft_started_at=started_at, state="waived",
                                    at=utcnow()))


def reminder_reply(reminder: Reminder, retention_days: int) -> Reply:
    language = reminder.language
    return Reply(tn(language, "reminder.text", "reminder.text.plural", retention_days),
                 [[tap(t(language, "button.continue"), "n", "resume")], [tap(t(language, "button.delete_draft"), "dr", "delete")]])


def _forget_draft(session: Session, draft: Conversation, up_to: datetime) -> None:
    """The draft with everything in it: its answers (files are Telegram ids inside them), its
    reminder (cascade), and the processed raw updates of that chat received up to `up_to`, which
    are where its answers arrived (the rest only repeat what is kept elsewhere, and are due to go
    anyway). One still waiting is a message not yet read, and stays."""
    session.execute(delete(InboxUpdate).where(InboxUpdate.chat_key == draft.chat_id, InboxUpdate.done_at.is_not(None),
                                              InboxUpdate.received_at <= up_to))
    session.delete(draft)


def delete_draft(session: Session, telegram_id: int) -> bool:
    """The reminder's Delete: as /delete does for a draft. False: there was no draft (sent,
    cancelled or deleted already)."""
    draft = session.get(Conversation, telegram_id)
    if draft is None or draft.phase == Phase.IDLE:
        return False
    _forget_draft(session, draft, utcnow())
    return True


def purge_drafts(session: Session, settings: Settings, now: datetime) -> int:
    """Drafts untouched for `draft_retention_days` are deleted with everything in them."""
    before = now - timedelta(days=settings.draft_retention_days)
    stale = list(session.exec(select(Conversation).where(Conversation.phase != str(Phase.IDLE), Conversation.updated_at < before)))
    for draft in stale:
        _forget_draft(session, draft, now)
    return len(stale)


def deleted_text(language: str, had_draft: bool) -> str:
    return t(language, "draft.deleted") if had_draft else t(language, "draft.none")
