"""The staff desk: the case list, a case's card, status changes the family hears about in their
own language, notes, attachments and duplicate decisions. Plain data in, plain data out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from app import desk
from app.screens import Button, Reply, tap
from app.texts import describe_case
from core.config import LANGUAGE_NAMES, LANGUAGES
from core.i18n import format_day, t
from db.models import Attachment, Case, CaseAddition, CaseNote, CaseStatusChange, CaseTombstone, DuplicateLink, Mission, utcnow
from flows.regions import default_gazetteer
from flows.steps import N_

STATUSES = ("new", "in_review", "referred", "contact_restored", "closed", "deceased")
NEXT_STATUS = {
    "new": ("in_review", "closed", "deceased"),
    "in_review": ("referred", "closed", "deceased"),
    "referred": ("contact_restored", "closed", "deceased"),
    "contact_restored": ("closed",),
    "closed": ("in_review",),
    "deceased": (),
}
PAGE = 10


def region_name(language: str, key: str | None) -> str:
    """A region as staff read it ("Voronezh Oblast"), not its key."""
    if not key:
        return "—"
    try:
        name = default_gazetteer().get(key).name
    except KeyError:  # a region since taken out of seeds/regions.toml
        return key
    return name.get(language) or name.get("en") or key


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _language_filter(language: str, code: str) -> str:
    return t(language, "staff.language.all") if code == "all" else language_name(code)


def _case(session: Session, ref: str) -> Case | None:
    return session.exec(select(Case).where(Case.ref == ref)).first()


def cases_page(session: Session, language: str, status: str, lang_filter: str, offset: int, days: int = 0) -> Reply:
    query = select(Case).order_by(Case.created_at.desc())
    if status != "all":
        query = query.where(Case.status == status)
    if lang_filter != "all":
        query = query.where(Case.language == lang_filter)
    if days:
        query = query.where(Case.created_at >= utcnow() - timedelta(days=days))
    rows = session.exec(query.offset(offset).limit(PAGE + 1)).all()
    period = t(language, f"button.export.{days}d") if days else t(language, "button.export.all")
    lines = [t(language, "staff.cases.title", filter=f"{t(language, f'staff.status.{status}')}, {_language_filter(language, lang_filter)}, {period}"), ""]
    lines += [t(language, "staff.cases.line", ref=c.ref, date=format_day(language, c.created_at.date()), status=t(language, f"staff.status.{c.status}"),
                language=language_name(c.language), region=region_name(language, c.region_key)) for c in rows[:PAGE]] or [t(language, "staff.cases.none")]
    open_buttons = [[tap(c.ref, "sc", c.ref)] for c in rows[:PAGE]]
    filters = [tap(t(language, f"staff.status.{s}"), "sl", s, lang_filter, 0, days) for s in ("all", *STATUSES)]
    languages = [tap(_language_filter(language, code), "sl", status, code, 0, days) for code in ("all", *LANGUAGES)]
    periods = [tap(t(language, f"button.export.{p}"), "sl", status, lang_filter, 0, p.rstrip("d") if p != "all" else 0) for p in ("all", "7d", "30d")]
    more = [[tap(t(language, "button.staff.older"), "sl", status, lang_filter, offset + PAGE, days)]] if len(rows) > PAGE else []
    return Reply("\n".join(lines), open_buttons + [filters[i:i + 4] for i in range(0, len(filters), 4)] + [languages, periods] + more)


def case_card(session: Session, language: str, ref: str) -> Reply:
    case = _case(session, ref.upper())
    if case is None:
        gone = session.get(CaseTombstone, ref.upper())
        if gone is not None:  # deleted by the family or by retention: say so, keep nothing else
            return Reply(t(language, "staff.case.tombstone", ref=gone.ref, date=format_day(language, gone.received_at.date()),
                           reason=t(language, f"staff.tombstone.{gone.reason}"), deleted=format_day(language, gone.deleted_at.date())))
        return Reply(t(language, "staff.case.not_found", ref=ref))
    lines = [t(language, "staff.case.title", ref=case.ref, status=t(language, f"staff.status.{case.status}")),
             t(language, "staff.case.meta", date=format_day(language, case.created_at.date()), language=language_name(case.language),
               mission=_office(session, language, case.consular_mission)), ""]
    lines += describe_case(language, case)
    history = []
    for change in session.exec(select(CaseStatusChange).where(CaseStatusChange.case_id == case.id).order_by(CaseStatusChange.id)):
        history.append(t(language, "staff.case.status_change", date=format_day(language, change.created_at.date()), who=str(change.author_id),
                         old=t(language, f"staff.status.{change.old_status}"), new=t(language, f"staff.status.{change.new_status}")))
    for item in session.exec(select(CaseAddition).where(CaseAddition.case_id == case.id).order_by(CaseAddition.id)):
        text = item.value.get("phone") or item.value.get("text") or item.value.get("kind", "")
        history.append(t(language, "staff.case.addition", date=format_day(language, item.created_at.date()), kind=t(language, f"button.update.{item.kind}"), text=text))
    for note in session.exec(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)):
        history.append(t(language, "staff.case.note", date=format_day(language, note.created_at.date()), who=str(note.author_id), text=note.text))
    if history:
        lines += [""] + history
    controls = [[tap(t(language, "button.staff.status"), "ss", case.ref), tap(t(language, "button.staff.note"), "sn", case.ref)]]
    files = session.exec(select(Attachment.id).where(Attachment.case_id == case.id)).all()
    if files:
        controls.append([tap(t(language, "button.staff.files", count=len(files)), "sf", case.ref)])
    for link, other in _links(session, case.id):
        lines.append(t(language, "staff.case.duplicate", ref=other.ref, score=round(link.score * 100), state=t(language, f"staff.dup.{link.state}")))
        if link.state == "candidate":
            controls.append([tap(t(language, "button.staff.same", ref=other.ref), "sd", link.id, "y"),
                             tap(t(language, "button.staff.different", ref=other.ref), "sd", link.id, "n")])
    return Reply("\n".join(lines), controls)


def _office(session: Session, language: str, key: str | None) -> str:
    mission = session.get(Mission, key) if key else None
    return (mission.name.get(language) or mission.name["en"]) if mission else "—"


def _links(session: Session, case_id: int) -> list[tuple[DuplicateLink, Case]]:
    found = []
    for link in session.exec(select(DuplicateLink).where((DuplicateLink.case_id == case_id) | (DuplicateLink.other_case_id == case_id))):
        other = session.get(Case, link.other_case_id if link.case_id == case_id else link.case_id)
        found.append((link, other))
    return found


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
    return Reply(t(language, "staff.status.message_prompt", language=language_name(family_language) if family_language else "—"),
                 [[tap(t(language, "button.staff.no_message"), "sy", ref, status)]])


def await_note(session: Session, staff_id: int, ref: str) -> None:
    desk.wait_for(session, staff_id, desk.target("note", ref))


def decide_link(session: Session, link_id: int, same: bool, staff_id: int) -> str:
    link = session.get(DuplicateLink, link_id)
    if link is not None:
        link.state, link.decided_by, link.decided_at = ("confirmed" if same else "rejected"), staff_id, utcnow()
        session.add(link)
    return N_("staff.dup.confirmed") if same else N_("staff.dup.rejected")


def files_of(session: Session, ref: str) -> list[tuple[str, str]]:
    """(kind, Telegram file id) of a case's attachments, in the order they came."""
    case = _case(session, ref)
    if case is None:
        return []
    return [(a.kind, a.file_id) for a in session.exec(select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id))]


@dataclass(frozen=True)
class StatusChanged:
    ref: str
    status: str
    language: str  # the family's
    reporter_chat_id: int


def apply_status(session: Session, ref: str, status: str, message: str | None, staff_id: int, receipt: int) -> StatusChanged | None:
    """The change and its record in one transaction; a redelivered update changes nothing twice."""
    case = _case(session, ref)
    if case is None or session.exec(select(CaseStatusChange).where(CaseStatusChange.source_receipt == receipt)).first():
        return None
    if status not in NEXT_STATUS.get(case.status, ()):
        return None
    session.add(CaseStatusChange(case_id=case.id, old_status=case.status, new_status=status, message=message, author_id=staff_id, source_receipt=receipt))
    case.status, case.updated_at = status, utcnow()
    session.add(case)
    desk.stop_waiting(session, staff_id)
    return StatusChanged(case.ref, status, case.language, case.reporter_chat_id)


def family_notice(change: StatusChanged, message: str | None) -> str:
    """The family hears it in their own language from a template; staff wrote one language at most."""
    language = change.language
    text = t(language, "status.changed", ref=change.ref, status=t(language, f"status.value.{change.status}"))
    if message:
        text += "\n\n" + t(language, "status.staff_message", message=message)
    return text


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
