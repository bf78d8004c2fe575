"""What Homeward forgets, and when: /delete on request, retention, and limits against floods.

/delete removes everything of that Telegram user (cases with their files' records, additions,
notes, links and conversations with our team, the draft, the language setting, raw updates, a role) and leaves staff a
tombstone per case (reference, date, "deleted by the reporter"). A daily purge removes closed
cases after RETENTION_DAYS_CLOSED and processed raw updates after INBOX_RETENTION_DAYS.
"""

from __future__ import annotations

import asyncio
import logging
import time
from bisect import bisect_left
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func
from sqlmodel import Session, select

from app.intake import Person
from app.screens import Reply, tap
from core.config import Settings
from core.i18n import t, tn
from db.database import Database
from db.models import Case, CaseMessage, CaseTombstone, Conversation, InboxUpdate, PendingInput, StaffRole, UserProfile

log = logging.getLogger(__name__)
PURGE_EVERY = timedelta(hours=24)


def holdings(session: Session, person: Person) -> dict:
    """What we hold about this person, counted (the confirmation and the receipt say it)."""
    cases = list(session.exec(select(Case).where(Case.reporter_telegram_id == person.telegram_id)))
    draft = session.get(Conversation, person.telegram_id)
    inbox = session.exec(select(func.count()).select_from(InboxUpdate).where(InboxUpdate.chat_key == person.chat_id)).one()
    thread = session.exec(select(func.count()).select_from(CaseMessage).where(CaseMessage.case_id.in_([c.id for c in cases]))).one() if cases else 0
    return {
        "cases": [c.ref for c in cases],
        "thread": thread,
        "draft": bool(draft and draft.answers),
        "profile": session.get(UserProfile, person.telegram_id) is not None,
        "role": session.get(StaffRole, person.telegram_id) is not None,
        "messages": inbox,
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


def forget(session: Session, person: Person) -> dict:
    """Everything of this person, in one transaction. Cascades take files' records, notes,
    additions, status history, duplicate links and the conversation with our team with each case."""
    held = holdings(session, person)
    for case in session.exec(select(Case).where(Case.reporter_telegram_id == person.telegram_id)):
        session.merge(CaseTombstone(ref=case.ref, received_at=case.created_at, reason="reporter"))
        session.delete(case)
    for model in (Conversation, UserProfile, StaffRole, PendingInput):
        row = session.get(model, person.telegram_id)
        if row is not None:
            session.delete(row)
    session.execute(delete(InboxUpdate).where(InboxUpdate.chat_key == person.chat_id))
    return held


def has_anything(held: dict) -> bool:
    return bool(held["cases"] or held["draft"] or held["profile"] or held["role"])


def ask_to_delete(session: Session, person: Person, language: str) -> Reply:
    """/delete: what would go, and a yes/no; or that there is nothing to delete."""
    held = holdings(session, person)
    if not has_anything(held):
        return Reply(t(language, "delete.nothing"))
    return Reply(t(language, "delete.confirm", what=describe(language, held)),
                 [[tap(t(language, "button.delete_yes"), "dl", "yes")], [tap(t(language, "button.delete_no"), "dl", "no")]])


def deleted(language: str, held: dict) -> str:
    return t(language, "delete.done", what=describe(language, held)) if has_anything(held) else t(language, "delete.nothing")


def purge(session: Session, settings: Settings, now: datetime | None = None) -> tuple[int, int]:
    """Closed cases past retention become tombstones; old processed raw updates go."""
    now = now or datetime.now(timezone.utc)
    closed_before = now - timedelta(days=settings.retention_days_closed)
    expired = list(session.exec(select(Case).where(Case.status == "closed", Case.updated_at < closed_before)))
    for case in expired:
        session.merge(CaseTombstone(ref=case.ref, received_at=case.created_at, reason="retention"))
        session.delete(case)
    inbox_before = now - timedelta(days=settings.inbox_retention_days)
    removed = session.execute(delete(InboxUpdate).where(InboxUpdate.done_at.is_not(None), InboxUpdate.done_at < inbox_before))
    return len(expired), removed.rowcount or 0


async def housekeeping(db: Database, settings: Settings, stop: asyncio.Event) -> None:
    """Purge at start-up and then daily, until the bot stops."""
    while not stop.is_set():
        try:
            cases, updates = await db.run(lambda s: purge(s, settings))
            if cases or updates:
                log.info("retention: removed %d closed cases and %d processed updates", cases, updates)
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
