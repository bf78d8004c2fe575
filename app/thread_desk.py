"""A conversation per case, staff side: a reply to the family (framed in her language), who
works the case (assignment), and the notices that a family has written. Plain data in and out.

A reply is stored before it is sent and marked delivered after Telegram took it, so a
redelivered update re-sends a reply that never left, and never sends one twice.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from sqlmodel import Session, select

from app import desk, staff_people
from app.plain_names import language_name
from app.roles import ADMIN, STAFF, all_roles, role_of
from app.screens import Button, Reply, tap
from app.threads import TEAM, THREAD
from core.config import Settings
from core.i18n import Html, t
from core.telegram_html import MAX_MESSAGE, utf16_len
from db.models import Case, CaseMessage, Conversation, PendingInput, utcnow
from flows.engine import Phase

REPLY = "reply"


def find(session: Session, ref: str) -> Case | None:
    return session.exec(select(Case).where(Case.ref == ref)).first()


def framed(language: str, ref: str, text: str) -> str:
    """Our team's words as the family reads them: who writes, about which report, then the
    text exactly as written (escaped: staff write plain text, not HTML)."""
    return t(language, "thread.from_team", ref=ref) + "\n\n" + html.escape(text, quote=False)


def longest_reply(language: str, ref: str) -> int:
    """How long a reply may be so that, framed, it is still one message Telegram delivers."""
    return MAX_MESSAGE - utf16_len(framed(language, ref, ""))


def await_reply(session: Session, staff_id: int, ref: str) -> Case | None:
    case = find(session, ref)
    if case is not None:
        desk.wait_for(session, staff_id, desk.target(REPLY, case.ref))
    return case


def reply_prompt(language: str, case: Case | None, ref: str) -> str:
    if case is None:
        return t(language, "staff.case.not_found", ref=ref)
    return t(language, "staff.reply.prompt", ref=case.ref, language=language_name(case.language))


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    ref: str
    chat_id: int
    text: str  # framed, in the family's language
    write_back: Button


@dataclass(frozen=True)
class Refused:
    """Why a reply was not sent, as a message for staff."""

    key: str
    params: dict


def save_reply(session: Session, settings: Settings, ref: str, staff_id: int, text: str, receipt: int) -> Outgoing | Refused:
    """Store a staff reply and say what to send; or why not."""
    case = find(session, ref)
    if case is None:
        desk.stop_waiting(session, staff_id)
        return Refused("staff.case.not_found", {"ref": ref})
    limit = longest_reply(case.language, case.ref)
    if utf16_len(text) > limit:  # still waiting: staff send a shorter one
        return Refused("staff.reply.too_long", {"length": utf16_len(text), "limit": limit})
    message = session.exec(select(CaseMessage).where(CaseMessage.source_receipt == receipt)).first()
    if message is None:
        role = role_of(session, settings, staff_id) or STAFF
        message = CaseMessage(case_id=case.id, direction=TEAM, author_role=role if role in (STAFF, ADMIN) else STAFF, staff_id=staff_id,
                              text=text, source_receipt=receipt)
        session.add(message)
        case.awaiting_reply_since = None
        session.add(case)
        session.flush()
        _her_answer_threads_back(session, case)
    elif message.delivered_at is not None:
        desk.stop_waiting(session, staff_id)
        return Refused("staff.reply.sent", {"ref": case.ref})  # a redelivered update: it went out already
    desk.stop_waiting(session, staff_id)
    return Outgoing(message.id, case.ref, case.reporter_chat_id, framed(case.language, case.ref, text),
                    tap(t(case.language, "button.write_back"), "tw", case.ref))


def _her_answer_threads_back(session: Session, case: Case) -> None:
    """What she writes next goes to this case, unless she is in the middle of something else."""
    if session.get(PendingInput, case.reporter_telegram_id) is not None:
        return
    draft = session.get(Conversation, case.reporter_telegram_id)
    if draft is None or draft.phase == Phase.IDLE:
        desk.wait_for(session, case.reporter_telegram_id, desk.target(THREAD, case.ref))


def mark_delivered(session: Session, message_id: int) -> None:
    message = session.get(CaseMessage, message_id)
    if message is not None:
        message.delivered_at = utcnow()
        session.add(message)


# --- Assignment -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assigned:
    ref: str
    assignee_id: int
    assignee: str  # as colleagues see them: "Aysel (@aysel_hw)", or the id
    by: str
    notice_language: str  # the assignee's, for the notice that the case is theirs


def assign(session: Session, settings: Settings, ref: str, to: int, by: int) -> Assigned | None:
    """The case goes to `to`, who must hold a staff role now (None: no such case or person)."""
    case = find(session, ref)
    if case is None or role_of(session, settings, to) is None:
        return None
    case.assignee_id = to
    session.add(case)
    shown = staff_people.names(session, (to, by))
    return Assigned(case.ref, to, shown[to], shown[by], staff_people.language_for(session, to, settings.default_language))


def hand_over_menu(session: Session, settings: Settings, language: str, ref: str, viewer: int) -> Reply:
    """Everyone with a staff role, by name, to hand the case to."""
    people = sorted({telegram_id: role for telegram_id, role, _source in all_roles(session, settings)}.items())
    shown = staff_people.names(session, (telegram_id for telegram_id, _role in people))
    # A button's text is plain, not HTML: a name is shown as written, nothing to escape.
    rows = [[tap(t(language, "button.staff.hand_to", who=Html(shown[telegram_id]), role=t(language, f"staff.role.{role}"))
                 + (" ✓" if telegram_id == viewer else ""), "tg", ref, telegram_id)] for telegram_id, role in people]
    return Reply(t(language, "staff.assign.choose", ref=ref), rows)


def assigned_notice(done: Assigned) -> Reply:
    language = done.notice_language
    return Reply(t(language, "staff.assign.to_you", ref=done.ref, who=done.by), [[tap(t(language, "button.staff.open"), "tp", done.ref, 0)]])


def new_message_notice(language: str, ref: str, bot_username: str | None = None) -> Reply:
    """The reference only: a group chat is no place for a name or a family's words."""
    if bot_username:  # the staff chat: a link opens the case in the private chat
        return Reply(t(language, "staff.thread.notice", ref=ref), [[Button(t(language, "button.staff.open"), url=f"https://t.me/{bot_username}?start=case_{ref}")]])
    return Reply(t(language, "staff.thread.notice", ref=ref), [[tap(t(language, "button.staff.open"), "tp", ref, -1)]])
