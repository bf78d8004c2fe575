"""A family adds to a report they already sent: a new phone number, a new location, more files.

Each addition is timestamped and kept apart from the original answers, staff are told (without
the content), and exports list it. Only the reporter of a case can add to it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from app import desk, directory
from app.case_schema import answer_of
from app.screens import Reply, column, tap
from app.intake import cases_of
from app.case_card import report_files
from core.config import LANGUAGES
from core.i18n import t
from db.models import Case, CaseAddition, utcnow
from flows import readers
from flows.engine import MAX_ATTACHMENTS
from flows.steps import STEPS
from flows.validators import Invalid

KINDS = {"contact": readers.reporter_contact, "location": readers.place, "attachment": readers.attachment}
# A new contact or location replaces the case's answer (one name for one fact: `reporter_phone`
# is the number to call now, everywhere); when it changed is kept beside it, and the answer it
# replaced stays in the addition (the history).
REPLACES = {"contact": (STEPS["reporter_contact"], "reporter_phone_changed_at"),
            "location": (STEPS["last_location"], "last_location_changed_at")}


def own_case(session: Session, telegram_id: int, ref: str) -> Case | None:
    return session.exec(select(Case).where(Case.ref == ref, Case.reporter_telegram_id == telegram_id)).first()


def is_own_case(session: Session, telegram_id: int, ref: str) -> bool:
    return own_case(session, telegram_id, ref) is not None


def kinds_reply(language: str, ref: str) -> Reply:
    return Reply(t(language, "update.choose_kind", ref=ref), column([tap(t(language, f"button.update.{kind}"), "uk", ref, kind) for kind in KINDS]))


def choose(session: Session, telegram_id: int, language: str) -> Reply | None:
    """/update: which case (or, with one, what to add); None when there is nothing to add to."""
    cases = cases_of(session, telegram_id)
    if not cases:
        return None
    if len(cases) == 1:
        return kinds_reply(language, cases[0].ref)
    return Reply(t(language, "update.choose_case"), column([tap(c.ref, "ua", c.ref) for c in cases]))


def await_addition(session: Session, telegram_id: int, ref: str, kind: str) -> None:
    desk.wait_for(session, telegram_id, desk.target("addition", ref, kind))


def read_addition(kind: str, given: readers.Input, today: date) -> tuple[dict | None, Invalid | None]:
    """The value a family sent, or why it cannot be used (re-asked in their language)."""
    if kind == "contact" and given.kind == "text" and given.text.strip() in {t(code, "choice.reporter_contact.telegram") for code in LANGUAGES}:
        given = readers.Input("choice", value="telegram")
    try:
        return KINDS[kind](given, today), None
    except Invalid as exc:
        return None, exc


SAVED, NOT_OWN, TOO_MANY_FILES = "saved", "not_own", "too_many_files"


def save_addition(session: Session, telegram_id: int, ref: str, kind: str, value: dict, receipt: int) -> str:
    """SAVED (also for a redelivered update), NOT_OWN, or TOO_MANY_FILES: files added later
    share the report's limit (`flows.engine.MAX_ATTACHMENTS`) with those sent with it."""
    case = own_case(session, telegram_id, ref)
    if case is None:
        return NOT_OWN
    if not session.exec(select(CaseAddition).where(CaseAddition.source_receipt == receipt)).first():
        if kind == "attachment" and len(report_files(session, case.id)) >= MAX_ATTACHMENTS:
            return TOO_MANY_FILES
        if kind in REPLACES:
            value = {**value, "previous": _replace(session, case, kind, value, utcnow())}
        session.add(CaseAddition(case_id=case.id, kind=kind, value=value, source_receipt=receipt))
    if kind != "attachment":  # files keep coming until Done
        desk.stop_waiting(session, telegram_id)
    return SAVED


def _replace(session: Session, case: Case, kind: str, value: dict, now: datetime) -> dict:
    """Put the new value in the case's columns; return the answer it replaced."""
    step, changed_at = REPLACES[kind]
    previous = answer_of(step, case)
    for kept in step.columns:
        setattr(case, kept.name, value.get(kept.part or ""))
    setattr(case, changed_at, now)
    if kind == "location":  # the office to turn to follows where he was last known to be
        where = directory.route(session, case.language, value)
        case.consular_mission, case.region_key = (where.mission_key, where.region_key) if where else (None, None)
    case.updated_at = now
    session.add(case)
    return previous


def file_saved(language: str, ref: str) -> Reply:
    return Reply(t(language, "update.file_saved"), [[tap(t(language, "button.done"), "ud", ref)]])


def too_many_files(language: str, ref: str) -> Reply:
    return Reply(t(language, "invalid.input.too_many_files", max=MAX_ATTACHMENTS), [[tap(t(language, "button.done"), "ud", ref)]])


def staff_notice(language: str, ref: str, kind: str) -> str:
    return t(language, "staff.addition_notice", ref=ref, kind=t(language, f"button.update.{kind}"))
