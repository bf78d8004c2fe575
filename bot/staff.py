"""The staff desk in Telegram: /cases, /case REF, status changes the family hears about in their
own language, notes, attachments, duplicate links; /grant and /revoke for admins. Every command
and button checks the role on each use; anyone else is answered as if it did not exist."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import desk, handlers, roles
from bot.handlers import Context, on_callback, on_help, on_start, read, services
from bot.inbox import receipt_of
from bot.i18n import format_day, t
from bot.keyboards import button
from bot.render import describe_case
from bot.telegram_html import split_message
from flows.steps import N_
from db.models import Attachment, Case, CaseAddition, CaseTombstone, CaseNote, CaseStatusChange, DuplicateLink, PendingInput, utcnow

log = logging.getLogger(__name__)
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


async def staff_only(update: Update, context: Context, role: str = roles.STAFF) -> str | None:
    """The caller's language if they hold `role` (staff: staff or admin) in a private chat."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != "private":
        return None
    app = services(context)
    held = await app.db.run(lambda s: roles.role_of(s, app.settings, user.id))
    if held is None or (role == roles.ADMIN and held != roles.ADMIN):
        return None
    return (await read(update, context))[1]


async def reply(update: Update, context: Context, text: str, markup=None) -> None:
    parts = split_message(text)
    for position, part in enumerate(parts):
        await context.bot.send_message(update.effective_chat.id, part, reply_markup=markup if position == len(parts) - 1 else None)


def cases_page(session: Session, language: str, status: str, lang_filter: str, offset: int, days: int = 0):
    query = select(Case).order_by(Case.created_at.desc())
    if status != "all":
        query = query.where(Case.status == status)
    if lang_filter != "all":
        query = query.where(Case.language == lang_filter)
    if days:
        query = query.where(Case.created_at >= utcnow() - timedelta(days=days))
    rows = session.exec(query.offset(offset).limit(PAGE + 1)).all()
    period = t(language, f"button.export.{days}d") if days else t(language, "button.export.all")
    lines = [t(language, "staff.cases.title", filter=f"{status}, {lang_filter}, {period}"), ""]
    lines += [t(language, "staff.cases.line", ref=c.ref, date=format_day(language, c.created_at.date()), status=t(language, f"staff.status.{c.status}"),
                language=c.language, region=c.region_key or "—") for c in rows[:PAGE]] or [t(language, "staff.cases.none")]
    open_buttons = [[button(c.ref, f"sc:{c.ref}")] for c in rows[:PAGE]]
    filters = [button(t(language, f"staff.status.{s}"), f"sl:{s}:{lang_filter}:0:{days}") for s in ("all", *STATUSES)]
    languages = [button(code, f"sl:{status}:{code}:0:{days}") for code in ("all", "az", "ru", "en")]
    periods = [button(t(language, f"button.export.{p}"), f"sl:{status}:{lang_filter}:0:{p.rstrip('d') if p != 'all' else 0}") for p in ("all", "7d", "30d")]
    more = [[button(t(language, "button.staff.older"), f"sl:{status}:{lang_filter}:{offset + PAGE}:{days}")]] if len(rows) > PAGE else []
    rows_markup = open_buttons + [filters[i:i + 4] for i in range(0, len(filters), 4)] + [languages, periods] + more
    return "\n".join(lines), InlineKeyboardMarkup(rows_markup)


def case_card(session: Session, language: str, ref: str):
    case = session.exec(select(Case).where(Case.ref == ref.upper())).first()
    if case is None:
        gone = session.get(CaseTombstone, ref.upper())
        if gone is not None:  # deleted by the family or by retention: say so, keep nothing else
            return t(language, "staff.case.tombstone", ref=gone.ref, date=format_day(language, gone.received_at.date()),
                     reason=t(language, f"staff.tombstone.{gone.reason}"), deleted=format_day(language, gone.deleted_at.date())), None
        return t(language, "staff.case.not_found", ref=ref), None
    lines = [t(language, "staff.case.title", ref=case.ref, status=t(language, f"staff.status.{case.status}")),
             t(language, "staff.case.meta", date=format_day(language, case.created_at.date()), language=case.language, mission=case.consular_mission or "—"), ""]
    lines += describe_case(language, case)
    history = []
    for change in session.exec(select(CaseStatusChange).where(CaseStatusChange.case_id == case.id).order_by(CaseStatusChange.id)):
        history.append(t(language, "staff.case.status_change", date=format_day(language, change.created_at.date()), old=change.old_status, new=change.new_status, who=str(change.author_id)))
    for item in session.exec(select(CaseAddition).where(CaseAddition.case_id == case.id).order_by(CaseAddition.id)):
        text = item.value.get("phone") or item.value.get("text") or item.value.get("kind", "")
        history.append(t(language, "staff.case.addition", date=format_day(language, item.created_at.date()), kind=item.kind, text=text))
    for note in session.exec(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)):
        history.append(t(language, "staff.case.note", date=format_day(language, note.created_at.date()), who=str(note.author_id), text=note.text))
    if history:
        lines += [""] + history
    controls = [[button(t(language, "button.staff.status"), f"ss:{case.ref}"), button(t(language, "button.staff.note"), f"sn:{case.ref}")]]
    files = session.exec(select(Attachment.id).where(Attachment.case_id == case.id)).all()
    if files:
        controls.append([button(t(language, "button.staff.files", count=len(files)), f"sf:{case.ref}")])
    for link, other in _links(session, case.id):
        lines.append(t(language, "staff.case.duplicate", ref=other.ref, score=round(link.score * 100), state=t(language, f"staff.dup.{link.state}")))
        if link.state == "candidate":
            controls.append([button(t(language, "button.staff.same", ref=other.ref), f"sd:{link.id}:y"), button(t(language, "button.staff.different", ref=other.ref), f"sd:{link.id}:n")])
    return "\n".join(lines), InlineKeyboardMarkup(controls)


def _links(session: Session, case_id: int) -> list[tuple[DuplicateLink, Case]]:
    found = []
    for link in session.exec(select(DuplicateLink).where((DuplicateLink.case_id == case_id) | (DuplicateLink.other_case_id == case_id))):
        other = session.get(Case, link.other_case_id if link.case_id == case_id else link.case_id)
        found.append((link, other))
    return found


async def on_cases(update: Update, context: Context) -> None:
    language = await staff_only(update, context)
    if language is None:
        return await on_help(update, context)
    text, markup = await services(context).db.run(lambda s: cases_page(s, language, "all", "all", 0))
    await reply(update, context, text, markup)


async def on_case(update: Update, context: Context) -> None:
    language = await staff_only(update, context)
    if language is None:
        return await on_help(update, context)
    if not context.args:
        return await reply(update, context, t(language, "staff.case.usage"))
    await show_case(update, context, language, context.args[0])


async def show_case(update: Update, context: Context, language: str, ref: str) -> None:
    text, markup = await services(context).db.run(lambda s: case_card(s, language, ref))
    await reply(update, context, text, markup)


async def on_staff_callback(update: Update, context: Context) -> None:
    language = await staff_only(update, context)
    if language is None:
        return await on_callback(update, context)  # answered like any unknown button
    query = update.callback_query
    verb, _, rest = (query.data or "").partition(":")
    args = rest.split(":")
    app = services(context)
    staff_id = update.effective_user.id
    if verb == "sl":
        days = int(args[3]) if len(args) > 3 and args[3].isdigit() else 0
        text, markup = await app.db.run(lambda s: cases_page(s, language, args[0], args[1], int(args[2]), days))
        await reply(update, context, text, markup)
    elif verb == "sc":
        await show_case(update, context, language, args[0])
    elif verb == "ss":
        options = await app.db.run(lambda s: NEXT_STATUS.get(_status_of(s, args[0]), ()))
        markup = InlineKeyboardMarkup([[button(t(language, f"staff.status.{s}"), f"sx:{args[0]}:{s}")] for s in options])
        await reply(update, context, t(language, "staff.status.choose", ref=args[0]), markup)
    elif verb == "sx":
        ref, status = args
        family_language = await app.db.run(lambda s: await_status_message(s, staff_id, ref, status))
        markup = InlineKeyboardMarkup([[button(t(language, "button.staff.no_message"), f"sy:{ref}:{status}")]])
        await reply(update, context, t(language, "staff.status.message_prompt", language=family_language or "—"), markup)
    elif verb == "sy":
        await change_status(update, context, language, args[0], args[1], None)
    elif verb == "sn":
        await app.db.run(lambda s: desk.wait_for(s, staff_id, f"note:{args[0]}"))
        await reply(update, context, t(language, "staff.note.prompt", ref=args[0]))
    elif verb == "sf":
        await send_files(update, context, args[0])
    elif verb == "sd":
        await app.db.run(lambda s: decide_link(s, int(args[0]), args[1] == "y", staff_id))
        await reply(update, context, t(language, N_("staff.dup.confirmed") if args[1] == "y" else N_("staff.dup.rejected")))
    try:
        await query.answer()
    except BadRequest:
        pass


def _status_of(session: Session, ref: str) -> str | None:
    case = session.exec(select(Case).where(Case.ref == ref)).first()
    return case.status if case else None


def await_status_message(session: Session, staff_id: int, ref: str, status: str) -> str | None:
    """The next message from this staff member is the family's message; returns their language."""
    desk.wait_for(session, staff_id, f"status:{ref}:{status}")
    case = session.exec(select(Case).where(Case.ref == ref)).first()
    return case.language if case else None


def decide_link(session: Session, link_id: int, same: bool, staff_id: int) -> None:
    link = session.get(DuplicateLink, link_id)
    if link is not None:
        link.state, link.decided_by, link.decided_at = ("confirmed" if same else "rejected"), staff_id, utcnow()
        session.add(link)


async def send_files(update: Update, context: Context, ref: str) -> None:
    def load(session: Session):
        case = session.exec(select(Case).where(Case.ref == ref)).first()
        return list(session.exec(select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id))) if case else []

    senders = {"photo": context.bot.send_photo, "voice": context.bot.send_voice, "audio": context.bot.send_audio, "video": context.bot.send_video}
    for item in await services(context).db.run(load):
        await senders.get(item.kind, context.bot.send_document)(update.effective_chat.id, item.file_id)


def apply_status(session: Session, ref: str, status: str, message: str | None, staff_id: int, receipt: int) -> Case | None:
    """The change and its record in one transaction; a redelivered update changes nothing twice."""
    case = session.exec(select(Case).where(Case.ref == ref)).first()
    if case is None or session.exec(select(CaseStatusChange).where(CaseStatusChange.source_receipt == receipt)).first():
        return None
    if status not in NEXT_STATUS.get(case.status, ()):
        return None
    session.add(CaseStatusChange(case_id=case.id, old_status=case.status, new_status=status, message=message, author_id=staff_id, source_receipt=receipt))
    case.status, case.updated_at = status, utcnow()
    session.add(case)
    desk.stop_waiting(session, staff_id)
    return case


async def change_status(update: Update, context: Context, language: str, ref: str, status: str, message: str | None) -> None:
    staff_id = update.effective_user.id
    case = await services(context).db.run(lambda s: apply_status(s, ref, status, message, staff_id, receipt_of(update)))
    if case is None:
        return await reply(update, context, t(language, "staff.status.not_applied", ref=ref))
    # The family hears it in their own language from a template; staff wrote one language at most.
    text = t(case.language, "status.changed", ref=case.ref, status=t(case.language, f"status.value.{status}"))
    if message:
        text += "\n\n" + t(case.language, "status.staff_message", message=message)
    reached = True
    try:
        await context.bot.send_message(case.reporter_chat_id, text)
    except (Forbidden, BadRequest):
        reached = False  # blocked the bot or chat gone: the change stands, staff are told
    note = N_("staff.status.done") if reached else N_("staff.status.family_unreachable")
    await reply(update, context, t(language, note, ref=ref, status=t(language, f"staff.status.{status}")))


@desk.expects("status", roles.STAFF)
async def status_message(update: Update, context: Context, pending: PendingInput) -> None:
    _, ref, status = pending.target.split(":")
    language = (await read(update, context))[1]
    if not update.effective_message.text:
        return await reply(update, context, t(language, "staff.status.message_prompt", language="—"))
    await change_status(update, context, language, ref, status, update.effective_message.text)


@desk.expects("note", roles.STAFF)
async def note_text(update: Update, context: Context, pending: PendingInput) -> None:
    ref = pending.target.split(":")[1]
    staff_id = update.effective_user.id
    language = (await read(update, context))[1]
    if not update.effective_message.text:
        return await reply(update, context, t(language, "staff.note.prompt", ref=ref))

    def save(session: Session) -> None:
        case = session.exec(select(Case).where(Case.ref == ref)).first()
        if case and not session.exec(select(CaseNote).where(CaseNote.source_receipt == receipt_of(update))).first():
            session.add(CaseNote(case_id=case.id, author_id=staff_id, text=update.effective_message.text, source_receipt=receipt_of(update)))
        desk.stop_waiting(session, staff_id)

    await services(context).db.run(save)
    await reply(update, context, t(language, "staff.note.saved"))


async def on_start_or_open_case(update: Update, context: Context) -> None:
    """/start, or the staff chat's "Open case" link (/start case_REF) when staff follow it."""
    args = context.args or []
    if args and args[0].startswith("case_"):
        language = await staff_only(update, context)
        if language is not None:
            return await show_case(update, context, language, args[0].removeprefix("case_"))
    await on_start(update, context)


async def on_grant(update: Update, context: Context) -> None:
    language = await staff_only(update, context, roles.ADMIN)
    if language is None:
        return await on_help(update, context)
    args = context.args or []
    if len(args) != 2 or not args[0].isdigit() or args[1] not in roles.ROLES:
        return await reply(update, context, t(language, "roles.usage"))
    await services(context).db.run(lambda s: roles.grant(s, int(args[0]), args[1], update.effective_user.id))
    await reply(update, context, t(language, "roles.granted", id=args[0], role=args[1]))


async def on_revoke(update: Update, context: Context) -> None:
    language = await staff_only(update, context, roles.ADMIN)
    if language is None:
        return await on_help(update, context)
    args = context.args or []
    if len(args) != 1 or not args[0].isdigit():
        return await reply(update, context, t(language, "roles.usage"))
    app = services(context)
    if int(args[0]) in app.settings.admin_ids:
        return await reply(update, context, t(language, "roles.from_settings", id=args[0]))
    removed = await app.db.run(lambda s: roles.revoke(s, int(args[0])))
    await reply(update, context, t(language, N_("roles.revoked") if removed else N_("roles.not_found"), id=args[0]))


async def notify_staff_chat(context: Context, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A notice to STAFF_CHAT_ID, never with names or phones: a group chat is not a safe place."""
    chat_id = services(context).settings.staff_chat_id
    if chat_id is None:
        return
    try:
        await context.bot.send_message(chat_id, text, reply_markup=markup)
    except TelegramError as exc:
        log.warning("could not post to the staff chat: %s", type(exc).__name__)


async def announce_case(context: Context, ref: str) -> None:
    settings = services(context).settings
    case = await services(context).db.run(lambda s: s.exec(select(Case).where(Case.ref == ref)).first())
    if case is None:
        return
    language = settings.default_language
    text = t(language, "staff.new_case", ref=case.ref, language=case.language, region=case.region_key or "—",
             situation=t(language, f"choice.situation.{case.person_situation}") if case.person_situation else "—")
    link = f"https://t.me/{context.bot.username}?start=case_{case.ref}"
    await notify_staff_chat(context, text, InlineKeyboardMarkup([[InlineKeyboardButton(t(language, "button.staff.open"), url=link)]]))


handlers.ON_SUBMITTED.append(announce_case)
