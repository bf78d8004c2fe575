"""A conversation per case, family side: after sending a report a family can write to our team
(text, voice messages, photos, documents), and each message goes into that case's thread.

A family that taps "Write to our team" is then awaited (`app.desk`, target `thread:REF`) until
a report is started again, /update asks for something else, or /cancel. Something sent outside
any question after a report is kept (target `held`) and the family is asked which report it is
about, so nothing she wrote is lost while she decides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app import desk
from app.intake import cases_of
from app.screens import PHONE_WIDTH, Button, Reply, column, fit, tap
from core.i18n import t
from db.models import Case, CaseMessage, Conversation, PendingInput, utcnow
from flows.engine import Out, OutKind, Phase
from flows.text import clean_text

FAMILY, TEAM = "family", "team"
THREAD, HELD = "thread", "held"
KINDS = ("photo", "voice", "audio", "video", "video_note", "document")  # what a family may send besides text
MAX_HELD = 20  # messages kept while she chooses the report; more is a flood, not a mother


@dataclass(frozen=True)
class Written:
    """What one family message did: the case it went to, and whether staff are to be told (the
    first message of a new wait; a mother writing five lines is one notice, not five)."""

    ref: str
    assignee_id: int | None
    tell_staff: bool


def message_of(text: str | None, media: dict | None) -> dict[str, Any] | None:
    """A family's message as the thread keeps it; None when it is nothing we can pass on (a
    sticker, a location pin)."""
    text = clean_text(text) if text else text  # stored without direction controls
    if media is not None and media.get("kind") in KINDS:
        return {"text": text or None, "kind": media["kind"], "file_id": media["file_id"]}
    if text and text.strip():
        return {"text": text, "kind": None, "file_id": None}
    return None


def case_label(case: Case) -> str:
    """The man's name and the reference on one button a phone shows whole: a long name is cut,
    the reference never (it is what tells two reports apart)."""
    ref = f" · {case.ref}"
    return fit(case.person_full_name, PHONE_WIDTH - len(ref)) + ref


def choose(session: Session, telegram_id: int, language: str) -> Reply | None:
    """"Write to our team" without a report named: with one report, start writing to it (None:
    the caller starts); with more, which one."""
    cases = cases_of(session, telegram_id)
    if len(cases) < 2:
        return None
    return Reply(t(language, "thread.which"), column([tap(case_label(c), "tw", c.ref) for c in cases]))


def write_button(language: str, ref: str | None = None) -> Button:
    return tap(t(language, "button.write_to_team"), "tw", *([ref] if ref else []))


def own_case(session: Session, telegram_id: int, ref: str) -> Case | None:
    return session.exec(select(Case).where(Case.ref == ref, Case.reporter_telegram_id == telegram_id)).first()


def only_case(session: Session, telegram_id: int) -> str | None:
    cases = cases_of(session, telegram_id)
    return cases[0].ref if len(cases) == 1 else None


def _held(session: Session, telegram_id: int) -> list[dict[str, Any]]:
    row = session.get(PendingInput, telegram_id)
    if row is None or row.target != HELD or not row.pending_text:
        return []
    return json.loads(row.pending_text)


def idle_message(session: Session, draft: Any, message: dict[str, Any] | None, receipt: int) -> list[Out]:
    """A message outside any question: with reports sent, keep it and ask which report it is
    about (or whether it is for our team at all); without, offer a new report as before."""
    cases = cases_of(session, draft.telegram_id)
    if not cases:
        return [Out(OutKind.IDLE)]
    if message is not None:
        row = session.get(PendingInput, draft.telegram_id)
        if row is None or row.target == HELD:
            held = _held(session, draft.telegram_id)[-(MAX_HELD - 1):] + [{**message, "receipt": receipt}]
            session.merge(PendingInput(telegram_id=draft.telegram_id, target=HELD, pending_text=json.dumps(held, ensure_ascii=False)))
    return [Out(OutKind.TEAM_OFFER, params={"cases": [[c.ref, case_label(c)] for c in cases]})]


def offer(language: str, cases: list[list[str]]) -> Reply:
    """The question after a message outside any question: which report, or a new one."""
    key = "thread.offer.one" if len(cases) == 1 else "thread.offer.many"
    rows = column([tap(label, "tw", ref) for ref, label in cases])
    return Reply(t(language, key), rows + [[tap(t(language, "button.new_report"), "n", "new")]])


def reporting(session: Session, telegram_id: int) -> bool:
    draft = session.get(Conversation, telegram_id)
    return draft is not None and draft.phase != Phase.IDLE


def start_writing(session: Session, telegram_id: int, ref: str) -> tuple[Case, list[Written]] | None:
    """"Write to our team" on one report: her next messages go to its thread, and what she sent
    before choosing goes there now. None: not her report."""
    case = own_case(session, telegram_id, ref)
    if case is None:
        return None
    written = [w for item in _held(session, telegram_id) if (w := _add(session, case, item, item.get("receipt"))) is not None]
    desk.wait_for(session, telegram_id, desk.target(THREAD, case.ref))
    return case, written


def from_family(session: Session, telegram_id: int, ref: str, message: dict[str, Any], receipt: int) -> Written | None:
    """A message she sent while writing to our team. None: the report is gone (deleted)."""
    case = own_case(session, telegram_id, ref)
    if case is None:
        desk.stop_waiting(session, telegram_id)
        return None
    return _add(session, case, message, receipt) or Written(case.ref, case.assignee_id, False)


def _add(session: Session, case: Case, message: dict[str, Any], receipt: int | None) -> Written | None:
    if receipt is not None and session.exec(select(CaseMessage.id).where(CaseMessage.source_receipt == receipt)).first():
        return None  # a redelivered update: stored already
    session.add(CaseMessage(case_id=case.id, direction=FAMILY, author_role=FAMILY, text=message.get("text"),
                            attachment_kind=message.get("kind"), file_id=message.get("file_id"), source_receipt=receipt))
    tell = case.awaiting_reply_since is None
    if tell:
        case.awaiting_reply_since = utcnow()
        session.add(case)
    return Written(case.ref, case.assignee_id, tell)


def still_writing(session: Session, telegram_id: int) -> bool:
    """Whether a message she sends now is for the thread: not once she has started a report."""
    if reporting(session, telegram_id):
        desk.stop_waiting(session, telegram_id)
        return False
    return True


def prompt(language: str, case: Case) -> str:
    return t(language, "thread.prompt", ref=case.ref, name=case.person_full_name)


def received(language: str) -> str:
    return t(language, "thread.received")


def waited(since: datetime | None, now: datetime | None = None) -> int:
    """Whole hours a family has waited (SQLite hands datetimes back without their UTC zone)."""
    if since is None:
        return 0
    now = now or utcnow()
    if since.tzinfo is None:
        now = now.replace(tzinfo=None)
    return max(0, int((now - since).total_seconds() // 3600))
