"""The staff desk: the case list, a case's card, status changes the family hears about in their
own language, notes, attachments and duplicate decisions. Plain data in, plain data out."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app import desk, staff_people
from app.screens import Button, Reply, tap
from app.plain_names import language_filter, language_name, region_name
from app.status_news import CONFIRMED_ONLY, StatusChanged
from app.threads import waited
from core.config import LANGUAGES
from core.i18n import format_day, t
from db.models import Case, CaseNote, CaseStatusChange, DuplicateLink, utcnow
from flows.steps import N_

STATUSES = ("new", "in_review", "referred", "wounded", "captured", "contact_restored", "closed", "deceased")
_GRAVE_NEWS = ("wounded", "captured", "deceased")  # may come at any stage while he is not found
NEXT_STATUS = {
    "new": ("in_review", "closed", *_GRAVE_NEWS),
    "in_review": ("referred", "closed", *_GRAVE_NEWS),
    "referred": ("contact_restored", "closed", *_GRAVE_NEWS),
    "wounded": ("contact_restored", "captured", "closed", "deceased"),
    "captured": ("contact_restored", "wounded", "closed", "deceased"),
    "contact_restored": ("closed", *_GRAVE_NEWS),
    "closed": ("in_review",),
    "deceased": (),
}
PAGE = 10


def _case(session: Session, ref: str) -> Case | None:
    return session.exec(select(Case).where(Case.ref == ref)).first()


# Besides the statuses, two views of the list: cases whose family waits for our answer (the
# longest wait first) and the caller's own.
VIEWS = ("awaiting", "mine")


def cases_page(session: Session, language: str, status: str, lang_filter: str, offset: int, days: int = 0, viewer: int | None = None) -> Reply:
    query = select(Case).order_by(Case.created_at.desc())
    if status == "awaiting":
        query = select(Case).where(Case.awaiting_reply_since.is_not(None)).order_by(Case.awaiting_reply_since)
    elif status == "mine":
        query = query.where(Case.assignee_id == viewer)
    elif status != "all":
        query = query.where(Case.status == status)
    if lang_filter != "all":
        query = query.where(Case.language == lang_filter)
    if days:
        query = query.where(Case.created_at >= utcnow() - timedelta(days=days))
    rows = session.exec(query.offset(offset).limit(PAGE + 1)).all()
    period = t(language, f"button.export.{days}d") if days else t(language, "button.export.all")
    shown = t(language, f"staff.cases.view.{status}") if status in VIEWS else t(language, f"staff.status.{status}")
    lines = [t(language, "staff.cases.title", filter=f"{shown}, {language_filter(language, lang_filter)}, {period}"), ""]
    assignees = staff_people.names(session, (c.assignee_id for c in rows[:PAGE]))
    lines += [_line(language, c, assignees) for c in rows[:PAGE]] or [t(language, "staff.cases.none")]
    open_buttons = [[tap(c.ref, "sc", c.ref)] for c in rows[:PAGE]]
    filters = [tap(t(language, f"staff.status.{s}"), "sl", s, lang_filter, 0, days) for s in ("all", *STATUSES)]
    views = [tap(t(language, f"button.staff.view.{v}"), "sl", v, lang_filter, 0, days) for v in VIEWS]
    languages = [tap(language_filter(language, code), "sl", status, code, 0, days) for code in ("all", *LANGUAGES)]
    periods = [tap(t(language, f"button.export.{p}"), "sl", status, lang_filter, 0, p.rstrip("d") if p != "all" else 0) for p in ("all", "7d", "30d")]
    more = [[tap(t(language, "button.staff.older"), "sl", status, lang_filter, offset + PAGE, days)]] if len(rows) > PAGE else []
    return Reply("\n".join(lines), open_buttons + [filters[i:i + 4] for i in range(0, len(filters), 4)] + [views, languages, periods] + more)


def _line(language: str, case: Case, assignees: dict[int, str]) -> str:
    line = t(language, "staff.cases.line", ref=case.ref, date=format_day(language, case.created_at.date()), status=t(language, f"staff.status.{case.status}"),
             language=language_name(case.language), region=region_name(language, case.region_key))
    if case.awaiting_reply_since is not None:
        line += " — " + t(language, "staff.cases.waiting", hours=waited(case.awaiting_reply_since))
    if case.assignee_id is not None:
        line += " — " + t(language, "staff.cases.assignee", who=assignees[case.assignee_id])
    return line


def status_menu(session: Session, language: str, ref: str) -> Reply:
    case = _case(session, ref)
    options = NEXT_STATUS.get(case.status if case else None, ())
    return Reply(t(language, "staff.status.choose", ref=ref), [[tap(t(language, f"staff.status.{s}"), "sx", ref, s)] for s in options])


def await_status_message(session: Session, staff_id: int, ref: str, status: str) -> str | None:
    """The next message from this staff member is the family's message; returns their language."""
    desk.wait_for(session, staff_id, desk.target("status", ref, status))
    case = _case(session, ref)
    return case.language if case else None


def status_prompt(language: str, ref: str, status: str, family_language: str | None) -> Reply:
    return Reply(t(language, "staff.status.message_prompt", language=language_name(family_language)),
                 [[tap(t(language, "button.staff.no_message"), "sy", ref, status)]])


def await_note(session: Session, staff_id: int, ref: str) -> None:
    desk.wait_for(session, staff_id, desk.target("note", ref))


def decide_link(session: Session, link_id: int, same: bool, staff_id: int) -> str:
    link = session.get(DuplicateLink, link_id)
    if link is not None:
        link.state, link.decided_by, link.decided_at = ("confirmed" if same else "rejected"), staff_id, utcnow()
        session.add(link)
    return N_("staff.dup.confirmed") if same else N_("staff.dup.rejected")


def apply_status(session: Session, ref: str, status: str, message: str | None, staff_id: int, receipt: int,
                 confirmed: bool = False) -> StatusChanged | None:
    """The change and its record in one transaction; a redelivered update changes nothing twice,
    and news of a death is applied only from its confirmation step."""
    case = _case(session, ref)
    if case is None or session.exec(select(CaseStatusChange).where(CaseStatusChange.source_receipt == receipt)).first():
        return None
    if status not in NEXT_STATUS.get(case.status, ()) or (status in CONFIRMED_ONLY and not confirmed):
        return None
    session.add(CaseStatusChange(case_id=case.id, old_status=case.status, new_status=status, message=message, author_id=staff_id, source_receipt=receipt))
    case.status, case.updated_at = status, utcnow()
    session.add(case)
    desk.stop_waiting(session, staff_id)
    return StatusChanged(case.ref, status, case.language, case.reporter_chat_id, case.person_full_name)


def status_outcome(language: str, ref: str, status: str, reached: bool) -> str:
    note = N_("staff.status.done") if reached else N_("staff.status.family_unreachable")
    return t(language, note, ref=ref, status=t(language, f"staff.status.{status}"))


def save_note(session: Session, ref: str, staff_id: int, text: str, receipt: int) -> None:
    case = _case(session, ref)
    if case and not session.exec(select(CaseNote).where(CaseNote.source_receipt == receipt)).first():
        session.add(CaseNote(case_id=case.id, author_id=staff_id, text=text, source_receipt=receipt))
    desk.stop_waiting(session, staff_id)


def new_case_notice(session: Session, language: str, ref: str, bot_username: str) -> Reply | None:
    """For the staff group: never names or phones, a group chat is not a safe place."""
    case = _case(session, ref)
    if case is None:
        return None
    text = t(language, "staff.new_case", ref=case.ref, language=language_name(case.language), region=region_name(language, case.region_key),
             situation=t(language, f"choice.situation.{case.person_situation}") if case.person_situation else "—")
    link = f"https://t.me/{bot_username}?start=case_{case.ref}"
    return Reply(text, [[Button(t(language, "button.staff.open"), url=link)]])
