"""News of a report's status, as the family reads it.

Grave news (a death, captivity, a wound) and contact restored each have a message written for
that news; any other status a plain one. Every message names the man and the reference: a
mother with two sons must know which one it is about. A death is never sent with one tap: staff
write a personal message (or choose the prepared one), see what the family will read, and
confirm. Whatever staff write must fit in one Telegram message together with our words.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app import desk
from app.roles import STAFF
from app.screens import Reply, tap
from core.config import LANGUAGE_NAMES
from core.i18n import t
from core.telegram_html import MAX_MESSAGE, parse_html, utf16_len
from db.models import Case
from flows.steps import N_

GRAVE = ("deceased", "captured", "wounded", "contact_restored")
CONFIRMED_ONLY = ("deceased",)  # never applied without the confirmation step
PREPARED_ONLY = ""  # kept as the pending text: staff chose the prepared message, on purpose


@dataclass(frozen=True)
class StatusChanged:
    ref: str
    status: str
    language: str  # the family's
    reporter_chat_id: int
    name: str  # the man the report is about


def family_notice(change: StatusChanged, message: str | None) -> str:
    """The family hears it in their own language from a template; staff wrote one language at most."""
    language = change.language
    if change.status in GRAVE:
        text = t(language, f"status.news.{change.status}", name=change.name, ref=change.ref)
    else:
        text = t(language, "status.news.plain", name=change.name, ref=change.ref, status=t(language, f"status.value.{change.status}"))
    if message:
        text += "\n\n" + t(language, "status.staff_message", message=message)
    return text


def _length(text: str) -> int:
    # Counted as Telegram does at its strictest: UTF-16 units of the text after HTML parsing.
    return utf16_len(parse_html(text))


def _shown(language: str, change: StatusChanged, message: str) -> str:
    """The longest message the staff member's words go into: the family's, or for a death the
    preview staff confirm, which holds the family's word for word."""
    if change.status in CONFIRMED_ONLY:
        return _preview(language, change, message)
    return family_notice(change, message)


def too_long(language: str, change: StatusChanged, message: str) -> str | None:
    """The re-ask for staff when their message cannot go out in one Telegram message."""
    if _length(_shown(language, change, message)) <= MAX_MESSAGE:
        return None
    room = MAX_MESSAGE - _length(_shown(language, change, "x")) + 1
    return t(language, "staff.status.message_too_long", length=utf16_len(message), max=room)


def _case(session: Session, ref: str) -> Case | None:
    return session.exec(select(Case).where(Case.ref == ref)).first()


def planned(session: Session, ref: str, status: str) -> StatusChanged | None:
    """The change as it would be told, before anything is applied (for previews and length checks)."""
    case = _case(session, ref)
    if case is None:
        return None
    return StatusChanged(case.ref, status, case.language, case.reporter_chat_id, case.person_full_name)


def deceased_prompt(session: Session, language: str, ref: str) -> Reply:
    """Asks for a personal message; the prepared one only by an explicit tap."""
    change = planned(session, ref, "deceased")
    if change is None:
        return Reply(t(language, "staff.case.not_found", ref=ref))
    return Reply(t(language, "staff.deceased.prompt", ref=ref, name=change.name, language=LANGUAGE_NAMES.get(change.language, change.language)),
                 [[tap(t(language, "button.staff.prepared_only"), "sp", ref)]])


def keep_for_confirmation(session: Session, staff_id: int, ref: str, message: str) -> None:
    """The personal message (or PREPARED_ONLY) waits with the pending change until staff confirm."""
    desk.wait_for(session, staff_id, desk.target("status", ref, "deceased"))
    desk.keep_text(session, staff_id, message)


def deceased_preview(session: Session, language: str, ref: str, message: str) -> Reply:
    """What the family will read, word for word, with the button that sends it."""
    change = planned(session, ref, "deceased")
    if change is None:
        return Reply(t(language, "staff.case.not_found", ref=ref))
    return Reply(_preview(language, change, message),
                 [[tap(t(language, "button.staff.send_news"), "sk", ref, "y"), tap(t(language, "button.staff.cancel_news"), "sk", ref, "n")]])


def _preview(language: str, change: StatusChanged, message: str) -> str:
    return t(language, "staff.deceased.preview", ref=change.ref) + "\n\n" + family_notice(change, message or None)


def confirmed_message(session: Session, settings, staff_id: int, ref: str) -> str | None:
    """The message staff chose for this report's death news, if a confirmation is pending for it
    (PREPARED_ONLY for the prepared one); None for a stale, repeated or forged tap."""
    pending = desk.pending_for(session, settings, staff_id, {"status": STAFF})
    if pending is None or pending.args != [ref, "deceased"]:
        return None
    return pending.text  # None until a message or the prepared one was chosen


def cancelled(session: Session, staff_id: int) -> str:
    desk.stop_waiting(session, staff_id)
    return N_("staff.deceased.cancelled")
