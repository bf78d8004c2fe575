"""A case as staff read it (`/case REF`): the answers, then its history, notes and conversation
with the family, in pages that each fit one Telegram message.

Two long notes or sixteen additions once pushed a card past Telegram's 4,096 characters, and
the case could not be opened at all. Every entry is cut into pieces that fit, pieces are packed
into pages, and the buttons under each page lead to the others: a case always opens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app import staff_people
from app.plain_names import language_name, office_name
from app.screens import Button, Reply, tap
from app.texts import describe_case
from app.threads import KINDS as FILE_KINDS
from core.i18n import Html, format_day, t
from core.telegram_html import MAX_MESSAGE, parse_html, utf16_len
from db.models import Attachment, Case, CaseAddition, CaseMessage, CaseNote, CaseStatusChange, CaseTombstone, DuplicateLink
from flows import reference
from flows.files import recorded_forwardable

PAGE_LIMIT = MAX_MESSAGE - 96  # room for the page's own title line
PIECE = 3000  # free text longer than this goes on in the next entry (its own page if need be)


def shown_length(html_text: str) -> int:
    """What Telegram counts: the text after its HTML is parsed, in UTF-16 units."""
    return utf16_len(parse_html(html_text))


def pieces(text: str, size: int = PIECE) -> list[str]:
    """Free text in parts of at most `size` characters, cut at a space where there is one."""
    parts = []
    while len(text) > size:
        cut = text.rfind(" ", size // 2, size)
        cut = cut if cut > 0 else size
        parts.append(text[:cut])
        text = text[cut:].lstrip()
    return [*parts, text]


def _entries(language: str, make: Callable[[str], str], text: str) -> list[str]:
    """One entry, or several for a long text: the later ones say they go on."""
    parts = pieces(text)
    return [make(part) if n == 0 else t(language, "staff.card.continued", text=part) for n, part in enumerate(parts)]


def _moment(language: str, at: datetime) -> str:
    return f"{format_day(language, at.date())} {at:%H:%M}"


def _file_kind(language: str, kind: str | None) -> str:
    return t(language, f"staff.card.file.{kind}") if kind in FILE_KINDS else ""


def _thread(language: str, message: CaseMessage, shown: dict[int, str]) -> list[str]:
    who = t(language, "staff.card.from_family") if message.direction == "family" else t(language, "staff.card.from_team", who=shown.get(message.staff_id, "—"))
    when = _moment(language, message.created_at)
    text = message.text or ""
    if message.attachment_kind:
        text = f"[{_file_kind(language, message.attachment_kind)}] {text}".strip()
    return _entries(language, lambda part: t(language, "staff.card.message", date=when, who=Html(who), text=part), text)


def entries(session: Session, language: str, case: Case) -> list[str]:
    """The whole card as entries (Telegram HTML, each shorter than a page), oldest first. Staff
    appear by name where we know it (`app.staff_people`)."""
    changes = session.exec(select(CaseStatusChange).where(CaseStatusChange.case_id == case.id).order_by(CaseStatusChange.id)).all()
    notes = session.exec(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)).all()
    messages = session.exec(select(CaseMessage).where(CaseMessage.case_id == case.id).order_by(CaseMessage.id)).all()
    shown = staff_people.names(session, [case.assignee_id, *(c.author_id for c in changes), *(n.author_id for n in notes), *(m.staff_id for m in messages)])
    found = [t(language, "staff.case.title", ref=case.ref, status=t(language, f"staff.status.{case.status}")),
             t(language, "staff.case.meta", date=format_day(language, case.created_at.date()), language=language_name(case.language),
               mission=office_name(session, language, case.consular_mission)),
             t(language, "staff.card.assignee", who=shown[case.assignee_id]) if case.assignee_id else t(language, "staff.card.unassigned"), ""]
    found += describe_case(language, case)
    found += [t(language, "staff.case.file_held", name=f.name or t(language, f"staff.card.file.{f.kind}"))
              for f in case_files(session, case.id) if not f.forwardable]
    for link, other in links(session, case.id):
        found.append(t(language, "staff.case.duplicate", ref=other.ref, score=round(link.score * 100), state=t(language, f"staff.dup.{link.state}")))
    # Statuses by their names in the reader's language, as the status buttons call them.
    history = [t(language, "staff.case.status_change", date=format_day(language, c.created_at.date()), who=shown.get(c.author_id, "—"),
                 old=t(language, f"staff.status.{c.old_status}"), new=t(language, f"staff.status.{c.new_status}"))
               for c in changes]
    for item in session.exec(select(CaseAddition).where(CaseAddition.case_id == case.id).order_by(CaseAddition.id)):
        text = item.value.get("phone") or item.value.get("text") or _file_kind(language, item.value.get("kind"))
        day = format_day(language, item.created_at.date())
        kind = t(language, f"button.update.{item.kind}")
        history += _entries(language, lambda part, day=day, kind=kind: t(language, "staff.case.addition", date=day, kind=kind, text=part), text)
    for note in notes:
        day, who = format_day(language, note.created_at.date()), shown.get(note.author_id, "—")
        history += _entries(language, lambda part, day=day, who=who: t(language, "staff.case.note", date=day, who=who, text=part), note.text)
    if history:
        found += ["", *history]
    thread = [e for m in messages for e in _thread(language, m, shown)]
    if thread:
        found += ["", t(language, "staff.card.thread_title"), *thread]
    return found


def paginate(found: list[str], limit: int = PAGE_LIMIT) -> list[str]:
    pages: list[list[str]] = [[]]
    size = 0
    for entry in found:
        length = shown_length(entry) + 1
        if pages[-1] and size + length > limit:
            pages.append([])
            size = 0
        if pages[-1] or entry:  # a page does not begin with a blank line
            pages[-1].append(entry)
            size += length
    return ["\n".join(page).strip("\n") for page in pages]


def card(session: Session, language: str, ref: str, page: int = 0) -> Reply:
    """One page of the card (-1: the last, where the newest messages are) and its buttons."""
    ref = reference.as_typed(ref)  # as typed or read out: fj6djg, FJ6 DJG
    case = session.exec(select(Case).where(Case.ref == ref)).first()
    if case is None:
        gone = session.get(CaseTombstone, ref)
        if gone is not None:  # deleted by the family or by retention: say so, keep nothing else
            return Reply(t(language, "staff.case.tombstone", ref=gone.ref, date=format_day(language, gone.received_at.date()),
                           reason=t(language, f"staff.tombstone.{gone.reason}"), deleted=format_day(language, gone.deleted_at.date())))
        return Reply(t(language, "staff.case.not_found", ref=ref))
    pages = paginate(entries(session, language, case))
    page = len(pages) - 1 if page < 0 or page >= len(pages) else page
    text = pages[page]
    if len(pages) > 1:
        text = t(language, "staff.card.page", ref=case.ref, page=page + 1, pages=len(pages)) + "\n\n" + text
    return Reply(text, _navigation(language, case.ref, page, len(pages)) + controls(session, language, case))


def _navigation(language: str, ref: str, page: int, pages: int) -> list[list[Button]]:
    row = []
    if page > 0:
        row.append(tap(t(language, "button.staff.page_back"), "tp", ref, page - 1))
    if page < pages - 1:
        row.append(tap(t(language, "button.staff.page_on"), "tp", ref, page + 1))
        if page < pages - 2:
            row.append(tap(t(language, "button.staff.page_last"), "tp", ref, -1))
    return [row] if row else []


def controls(session: Session, language: str, case: Case) -> list[list[Button]]:
    rows = [[tap(t(language, "button.staff.status"), "ss", case.ref), tap(t(language, "button.staff.note"), "sn", case.ref)],
            [tap(t(language, "button.staff.reply"), "tr", case.ref)],
            [tap(t(language, "button.staff.assign_me"), "ta", case.ref), tap(t(language, "button.staff.hand_over"), "th", case.ref)]]
    files = files_of(session, case.ref)
    if files:
        rows.append([tap(t(language, "button.staff.files", count=len(files)), "sf", case.ref)])
    for link, other in links(session, case.id):
        if link.state == "candidate":
            rows.append([tap(t(language, "button.staff.same", ref=other.ref), "sd", link.id, "y"),
                         tap(t(language, "button.staff.different", ref=other.ref), "sd", link.id, "n")])
    return rows


def links(session: Session, case_id: int) -> list[tuple[DuplicateLink, Case]]:
    found = []
    for link in session.exec(select(DuplicateLink).where((DuplicateLink.case_id == case_id) | (DuplicateLink.other_case_id == case_id))):
        other = session.get(Case, link.other_case_id if link.case_id == case_id else link.case_id)
        if other is not None:
            found.append((link, other))
    return found


@dataclass(frozen=True)
class CaseFile:
    kind: str
    file_id: str
    name: str | None  # already made safe to show (flows.files.safe_name)
    forwardable: bool  # may be sent to staff (flows.files)


def report_files(session: Session, case_id: int) -> list[CaseFile]:
    """The report's files, then those added with /update (together within the report's limit)."""
    files = [CaseFile(a.kind, a.file_id, a.file_name, a.forwardable)
             for a in session.exec(select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id))]
    added = select(CaseAddition).where(CaseAddition.case_id == case_id, CaseAddition.kind == "attachment").order_by(CaseAddition.id)
    return files + [CaseFile(a.value["kind"], a.value["file_id"], a.value.get("file_name"), recorded_forwardable(a.value))
                    for a in session.exec(added)]


def case_files(session: Session, case_id: int) -> list[CaseFile]:
    """Every file of a case: the report's, then those the family sent in the conversation, each
    judged by the intake's rule when it arrived (flows.files)."""
    query = select(CaseMessage).where(CaseMessage.case_id == case_id, CaseMessage.file_id.is_not(None)).order_by(CaseMessage.id)
    return report_files(session, case_id) + [
        CaseFile(m.attachment_kind or "document", m.file_id, m.file_name,
                 recorded_forwardable({"kind": m.attachment_kind or "document", "mime_type": m.mime_type, "forwardable": m.forwardable}))
        for m in session.exec(query)]


def files_of(session: Session, ref: str) -> list[tuple[str, str]]:
    """(kind, Telegram file id) of the files staff may be sent: never one flagged as unsafe."""
    case = session.exec(select(Case).where(Case.ref == ref)).first()
    if case is None:
        return []
    return [(f.kind, f.file_id) for f in case_files(session, case.id) if f.forwardable]
