"""What Homeward forgets, and when: /delete on request, retention, and limits against floods.

/delete removes everything of that Telegram user (cases with their files' records, additions,
notes, links and conversations with our team, the draft, the language setting, raw updates, a
role, and staff chats' processed raw updates) and leaves staff a tombstone per case (reference,
date, "deleted by the reporter"). A daily purge removes closed cases after RETENTION_DAYS_CLOSED,
cases marked deceased after RETENTION_DAYS_DECEASED, people who never sent a report after
RETENTION_DAYS_NO_REPORT of silence, and processed raw updates after INBOX_RETENTION_DAYS.
"""

from __future__ import annotations

import asyncio
import logging
import time
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func
from sqlmodel import Session, select

from app import daily_limit
from app.intake import Person
from app.screens import Reply, tap
from core.config import Settings
from core.i18n import t, tn
from db.database import Database
from db.models import Case, CaseMessage, CaseStatusChange, CaseTombstone, Conversation, InboxUpdate, PendingInput, StaffProfile, StaffRole, UserProfile

log = logging.getLogger(__name__)
PURGE_EVERY = timedelta(hours=24)


def staff_chats(session: Session, settings: Settings) -> set[int]:
    """Chats where staff read and write about families: admins', staff's and the staff group."""
    chats = set(settings.admin_ids) | set(session.exec(select(StaffRole.telegram_id)))
    if settings.staff_chat_id is not None:
        chats.add(settings.staff_chat_id)
    return chats


def holdings(session: Session, person: Person, asking: int | None = None) -> dict:
    """What we hold about this person, counted (the confirmation and the receipt say it).
    `asking`: the receipt of the /delete itself, not counted (it goes with the rest)."""
    cases = list(session.exec(select(Case).where(Case.reporter_telegram_id == person.telegram_id)))
    draft = session.get(Conversation, person.telegram_id)
    raw = select(func.count()).select_from(InboxUpdate).where(InboxUpdate.chat_key == person.chat_id)
    if asking is not None:
        raw = raw.where(InboxUpdate.receipt != asking)
    thread = session.exec(select(func.count()).select_from(CaseMessage).where(CaseMessage.case_id.in_([c.id for c in cases]))).one() if cases else 0
    return {
        "cases": [c.ref for c in cases],
        "thread": thread,
        "draft": bool(draft and draft.answers),
        "profile": session.get(UserProfile, person.telegram_id) is not None,
        "role": session.get(StaffRole, person.telegram_id) is not None or session.get(StaffProfile, person.telegram_id) is not None,
        "messages": session.exec(raw).one(),
    }


def describe(language: str, held: dict) -> str:
    parts = []
    if held["cases"]:
        parts.append(tn(language, "delete.what.cases", "delete.what.cases.plural", len(held["cases"]), refs=", ".join(held["cases"])))
    for key in ("draft", "profile", "role"):
        if held[key]:
            parts.append(t(language, f"delete.what.{key}"))
    if held["thread"]:
        parts.append(tn(language, "delete.what.thread", "delete.what.thread.plural", held["thread"]))
    if held["messages"]:
        parts.append(tn(language, "delete.what.messages", "delete.what.messages.plural", held["messages"]))
    return "; ".join(parts)


def forget(session: Session, person: Person, staff: set[int]) -> dict:
    """Everything of this person, in one transaction. Cascades take files' records, notes,
    additions, status history, duplicate links and the conversation with our team with each
    case. Staff chats' processed raw updates go too: a staff note, reply or status message may
    quote her or her son by name (a tap there is stored without the card it was on,
    `bot.inbox.stored_form`); those not yet handled stay, to be handled, and go after
    INBOX_RETENTION_DAYS like every raw update."""
    held = holdings(session, person)
    for case in session.exec(select(Case).where(Case.reporter_telegram_id == person.telegram_id)):
        session.merge(CaseTombstone(ref=case.ref, received_at=case.created_at, reason="reporter"))
        session.delete(case)
    _forget_person(session, person.telegram_id)
    session.execute(delete(InboxUpdate).where(InboxUpdate.chat_key == person.chat_id))
    if staff:
        session.execute(delete(InboxUpdate).where(InboxUpdate.chat_key.in_(staff), InboxUpdate.done_at.is_not(None)))
    return held


def _forget_person(session: Session, telegram_id: int) -> None:
    for model in (Conversation, UserProfile, StaffRole, StaffProfile, PendingInput):
        row = session.get(model, telegram_id)
        if row is not None:
            session.delete(row)


def has_anything(held: dict) -> bool:
    return bool(held["cases"] or held["draft"] or held["profile"] or held["role"])


@dataclass(frozen=True)
class Asked:
    reply: Reply
    purged: bool  # raw messages were deleted at once: the caller checkpoints the WAL


def ask_to_delete(session: Session, person: Person, language: str, receipt: int) -> Asked:
    """/delete: what would go, and a yes/no. Someone who only wrote to the bot (no report, no
    consent) is told how many of their messages were held, and they are deleted at once, this
    /delete with them: nothing is ever called "nothing" while something is held."""
    held = holdings(session, person, asking=receipt)
    if not has_anything(held):
        forget(session, person, set())
        if held["messages"]:
            return Asked(Reply(tn(language, "delete.messages_done", "delete.messages_done.plural", held["messages"])), True)
        return Asked(Reply(t(language, "delete.nothing")), True)
    return Asked(Reply(t(language, "delete.confirm", what=describe(language, held)),
                       [[tap(t(language, "button.delete_yes"), "dl", "yes")], [tap(t(language, "button.delete_no"), "dl", "no")]]), False)


def deleted(language: str, held: dict) -> str:
    return t(language, "delete.done", what=describe(language, held)) if has_anything(held) else t(language, "delete.nothing")


@dataclass(frozen=True)
class Purged:
    closed: int = 0  # closed cases past RETENTION_DAYS_CLOSED
    deceased: int = 0  # cases marked deceased RETENTION_DAYS_DECEASED ago
    people: int = 0  # people who never sent a report, quiet for RETENTION_DAYS_NO_REPORT
    updates: int = 0  # processed raw updates past INBOX_RETENTION_DAYS

    def __bool__(self) -> bool:
        return bool(self.closed or self.deceased or self.people or self.updates)


def purge(session: Session, settings: Settings, now: datetime | None = None) -> Purged:
    """Everything whose retention period is over (see README, "What is kept, and for how long")."""
    now = now or datetime.now(timezone.utc)
    closed = _tombstone(session, select(Case).where(Case.status == "closed", Case.updated_at < now - timedelta(days=settings.retention_days_closed)))
    marked = (select(func.max(CaseStatusChange.created_at))
              .where(CaseStatusChange.case_id == Case.id, CaseStatusChange.new_status == "deceased").scalar_subquery())
    deceased_before = now - timedelta(days=settings.retention_days_deceased)
    deceased = _tombstone(session, select(Case).where(Case.status == "deceased", func.coalesce(marked, Case.updated_at) < deceased_before))
    session.flush()
    people = _forget_quiet_people(session, settings, now - timedelta(days=settings.retention_days_no_report))
    inbox_before = now - timedelta(days=settings.inbox_retention_days)
    removed = session.execute(delete(InboxUpdate).where(InboxUpdate.done_at.is_not(None), InboxUpdate.done_at < inbox_before))
    daily_limit.forget_past_days(session, now.date())
    return Purged(closed, deceased, people, removed.rowcount or 0)


def _tombstone(session: Session, query) -> int:
    expired = list(session.exec(query))
    for case in expired:
        session.merge(CaseTombstone(ref=case.ref, received_at=case.created_at, reason="retention"))
        session.delete(case)
    return len(expired)


def _forget_quiet_people(session: Session, settings: Settings, before: datetime) -> int:
    """People without a report (never sent one, or theirs were deleted) whose last message is
    older than `before`: their language, conversation and raw messages. Someone in the middle
    of a report is active whatever the date (unfinished drafts have their own period); staff
    and admins are never forgotten here."""
    reporters = select(Case.reporter_telegram_id)
    known = set(session.exec(select(UserProfile.telegram_id).where(UserProfile.telegram_id.not_in(reporters))))
    known |= set(session.exec(select(Conversation.telegram_id).where(Conversation.telegram_id.not_in(reporters))))
    forgotten = 0
    for telegram_id in sorted(known - staff_chats(session, settings)):
        conversation = session.get(Conversation, telegram_id)
        if conversation is not None and conversation.phase not in ("idle", "consent"):
            continue  # a report under way
        profile = session.get(UserProfile, telegram_id)
        last_message = session.exec(select(func.max(InboxUpdate.received_at)).where(InboxUpdate.chat_key == telegram_id)).one()
        seen = [moment for moment in (conversation and conversation.updated_at, profile and profile.updated_at, last_message) if moment]
        if max(map(_aware, seen)) >= before:
            continue
        _forget_person(session, telegram_id)
        session.execute(delete(InboxUpdate).where(InboxUpdate.chat_key == telegram_id))
        forgotten += 1
    return forgotten


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


async def housekeeping(db: Database, settings: Settings, stop: asyncio.Event) -> None:
    """Purge at start-up and then daily, until the bot stops."""
    while not stop.is_set():
        try:
            purged = await db.run(lambda s: purge(s, settings))
            if purged:
                log.info("retention: removed %d closed and %d deceased cases, %d people without a report, %d processed updates",
                         purged.closed, purged.deceased, purged.people, purged.updates)
            await db.checkpoint()
        except Exception as exc:  # noqa: BLE001 - a failed purge is retried tomorrow; the bot keeps serving
            log.error("retention purge failed: %s", type(exc).__name__)
        try:
            await asyncio.wait_for(stop.wait(), timeout=PURGE_EVERY.total_seconds())
        except asyncio.TimeoutError:
            pass


class FloodGuard:
    """More than `limit` messages in `seconds` from one person: one polite "please wait", then
    quiet until they slow down. Other people are not affected.

    Each person's recent messages are a short tuple of times, at most `limit` + 1 of them (that
    is enough to tell "over the limit"): in a surge thousands of people write once or twice."""

    SWEEP_EVERY = 1000  # admissions between forgetting people who have gone quiet

    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds = limit, seconds
        self._seen: dict[int, tuple[float, ...]] = {}
        self._warned: set[int] = set()
        self._admitted = 0

    def admit(self, telegram_id: int, now: float | None = None) -> str:
        """"ok", "warn" (first message over the limit) or "drop"."""
        now = time.monotonic() if now is None else now
        self._admitted += 1
        if self._admitted % self.SWEEP_EVERY == 0:
            self._forget_quiet(now)
        seen = self._seen.get(telegram_id, ())
        first = max(bisect_left(seen, now - self.seconds), len(seen) - self.limit)  # times only grow
        seen = self._seen[telegram_id] = seen[first:] + (now,)
        if len(seen) <= self.limit:
            self._warned.discard(telegram_id)
            return "ok"
        if telegram_id in self._warned:
            return "drop"
        self._warned.add(telegram_id)
        return "warn"

    def _forget_quiet(self, now: float) -> None:
        """Everyone who wrote once stays a key otherwise: after a surge, thousands of them."""
        for telegram_id in [key for key, seen in self._seen.items() if now - seen[-1] > self.seconds]:
            del self._seen[telegram_id]
            self._warned.discard(telegram_id)
