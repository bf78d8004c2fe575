"""/guidance for admins: read, edit, preview, publish, confirm and roll back guidance; edit and
verify the missions' contact details. Checked against ADMIN_IDS on every command and button;
anyone else is answered as if the command did not exist."""

from __future__ import annotations

import html
from datetime import datetime

from sqlmodel import Session, select
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot import desk
from app import directory, guidance_versions as versions
from core.config import LANGUAGES
from app.guidance_files import IMPORTED_BY
from bot.handlers import Context, on_callback, on_help, read, services
from core.i18n import format_day, t
from bot.keyboards import button
from bot.render import section_messages
from app.roles import ADMIN, is_admin
from core.telegram_html import EntityError, TooLong
from db.models import PendingInput, Mission

STATE_MARK = {versions.CURRENT: "✅", versions.OUTDATED: "⚠️", versions.UNVERIFIED: "❔"}


async def allowed(update: Update, context: Context) -> bool:
    """An admin, in a private chat: checked against the database on every use."""
    user = update.effective_user
    if update.effective_chat is None or update.effective_chat.type != "private" or user is None:
        return False
    app = services(context)
    return await app.db.run(lambda s: is_admin(s, app.settings, user.id))


async def run(update: Update, context: Context, work):
    """`work(session, language)` returns [(text, markup)] to send, in one transaction."""
    app = services(context)
    _person, language, _ = await read(update, context)
    replies = await app.db.run(lambda session: work(session, language))
    for text, markup in replies:
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


def _who(language: str, admin_id: int | None) -> str:
    if admin_id is None:
        return t(language, "admin.by_seed")
    if admin_id == IMPORTED_BY:
        return t(language, "admin.by_import")
    return t(language, "admin.by_admin", id=str(admin_id))


def _when(language: str, moment: datetime | None) -> str:
    return format_day(language, moment.date()) if moment else "—"


def overview(session: Session, language: str):
    sections = versions.overview(session, language)
    lines = [t(language, "admin.overview.title"), ""]
    for section in sections:
        states = " · ".join(f"{lang} {STATE_MARK[section.states.get(lang, versions.UNVERIFIED)]}" for lang in LANGUAGES)
        lines.append(t(language, "admin.overview.line", title=section.title, states=states))
    outdated = [f"{s.title} ({lang})" for s in sections for lang, state in s.states.items() if state == versions.OUTDATED]
    if outdated:
        lines += ["", t(language, "admin.overview.outdated", items=", ".join(outdated))]
    hidden = directory.unverified(session)
    lines += ["", t(language, "admin.overview.contacts", count=len(hidden), items=", ".join(hidden) or "—")]
    rows = [[button(s.title, f"ad:sec:{s.key}")] for s in sections] + [[button(t(language, "button.admin.contacts"), "ad:contacts")]]
    return [("\n".join(lines), InlineKeyboardMarkup(rows))]


def choose_language(session: Session, language: str, section: str):
    row = versions.current(session, section, language)
    states = {lang: versions.state_of(r) for lang in LANGUAGES if (r := versions.current(session, section, lang))}
    buttons = [button(f"{lang} {STATE_MARK[state]}", f"ad:txt:{section}:{lang}") for lang, state in states.items()]
    return [(t(language, "admin.section.choose_language", title=row.title if row else section), InlineKeyboardMarkup([buttons, [button(t(language, "button.back"), "ad:home")]]))]


def show_text(session: Session, language: str, section: str, text_language: str):
    row = versions.current(session, section, text_language)
    if row is None:
        return overview(session, language)
    state = versions.state_of(row)
    replies = [(part, None) for part in section_messages(row.title, row.body)]
    controls = [[button(t(language, "button.admin.edit"), f"ad:edit:{section}:{text_language}")]]
    if state != versions.CURRENT:
        controls.append([button(t(language, "button.admin.confirm"), f"ad:ok:{section}:{text_language}")])
    controls.append([button(t(language, "button.admin.history"), f"ad:hist:{section}:{text_language}"), button(t(language, "button.back"), f"ad:sec:{section}")])
    meta = t(language, "admin.text.meta", version=row.version, when=_when(language, row.created_at), who=_who(language, row.author_id), state=t(language, f"admin.state.{state}"))
    return replies + [(meta, InlineKeyboardMarkup(controls))]


def start_edit(session: Session, language: str, admin_id: int, target: str, prompt: str):
    desk.wait_for(session, admin_id, target)
    return [(prompt, None)]


def show_history(session: Session, language: str, section: str, text_language: str):
    rows = versions.history(session, section, text_language)[:10]
    lines = [t(language, "admin.history.title", title=rows[0].title, language=text_language)] + [
        t(language, "admin.history.line", version=r.version, when=_when(language, r.created_at), who=_who(language, r.author_id))
        + (" ✓" if r.is_current else "")
        for r in rows
    ]
    restore = [[button(t(language, "button.admin.restore", version=r.version), f"ad:rb:{section}:{text_language}:{r.version}")] for r in rows if not r.is_current]
    return [("\n".join(lines), InlineKeyboardMarkup(restore + [[button(t(language, "button.back"), f"ad:txt:{section}:{text_language}")]]))]


def contacts(session: Session, language: str):
    missions = session.exec(select(Mission).order_by(Mission.position)).all()
    rows = [[button(m.name.get(language) or m.name["en"], f"ad:mis:{m.key}")] for m in missions]
    return [(t(language, "admin.contacts.title"), InlineKeyboardMarkup(rows + [[button(t(language, "button.back"), "ad:home")]]))]


def _field_state(language: str, row) -> str:
    if not row.value:
        return t(language, "admin.field.empty")
    if row.verified:
        return t(language, "admin.field.verified", who=_who(language, row.verified_by), when=_when(language, row.verified_at))
    return t(language, "admin.field.unverified")


def show_mission(session: Session, language: str, mission_key: str):
    mission = session.get(Mission, mission_key)
    fields = directory.fields_of(session, mission_key)
    lines = [f"<b>{html.escape(mission.name.get(language) or mission.name['en'])}</b>", ""]
    for name in directory.FIELDS:
        if name in fields:
            lines.append(t(language, "admin.field.line", field=t(language, f"contact.field.{name}"), value=fields[name].value or "—", state=_field_state(language, fields[name])))
    rows = [[button(t(language, f"contact.field.{name}"), f"ad:fld:{mission_key}:{name}")] for name in directory.FIELDS if name in fields]
    return [("\n".join(lines), InlineKeyboardMarkup(rows + [[button(t(language, "button.back"), "ad:contacts")]]))]


def show_field(session: Session, language: str, mission_key: str, name: str):
    row = directory.fields_of(session, mission_key)[name]
    text = t(language, "admin.field.detail", field=t(language, f"contact.field.{name}"), value=row.value or "—", source=row.source or "—", state=_field_state(language, row))
    controls = [[button(t(language, "button.admin.edit"), f"ad:fedit:{mission_key}:{name}")]]
    if row.value and not row.verified:
        controls.append([button(t(language, "button.admin.verify"), f"ad:fver:{mission_key}:{name}")])
    return [(text, InlineKeyboardMarkup(controls + [[button(t(language, "button.back"), f"ad:mis:{mission_key}")]]))]


async def on_guidance(update: Update, context: Context) -> None:
    if not await allowed(update, context):
        await on_help(update, context)
        return
    await run(update, context, overview)


async def on_admin_callback(update: Update, context: Context) -> None:
    if not await allowed(update, context):
        await on_callback(update, context)  # answered as any unknown button
        return
    query = update.callback_query
    admin_id = update.effective_user.id
    verb, *args = (query.data or "").split(":")[1:]
    screens = {
        "home": lambda s, lang: overview(s, lang),
        "sec": lambda s, lang: choose_language(s, lang, *args),
        "txt": lambda s, lang: show_text(s, lang, *args),
        "hist": lambda s, lang: show_history(s, lang, *args),
        "contacts": lambda s, lang: contacts(s, lang),
        "mis": lambda s, lang: show_mission(s, lang, *args),
        "fld": lambda s, lang: show_field(s, lang, *args),
        "edit": lambda s, lang: start_edit(s, lang, admin_id, f"guidance:{args[0]}:{args[1]}", t(lang, "admin.edit.prompt", title=versions.current(s, *args).title, language=args[1])),
        "fedit": lambda s, lang: start_edit(s, lang, admin_id, f"contact:{args[0]}:{args[1]}", t(lang, "admin.field.prompt", field=t(lang, f"contact.field.{args[1]}"))),
        "ok": lambda s, lang: _confirm(s, lang, admin_id, *args),
        "rb": lambda s, lang: _rollback(s, lang, admin_id, args[0], args[1], int(args[2])),
        "fver": lambda s, lang: _verify(s, lang, admin_id, *args),
        "pub": lambda s, lang: _publish(s, lang, admin_id),
        "cancel": lambda s, lang: _cancel(s, lang, admin_id),
    }
    screen = screens.get(verb)
    try:
        if screen is not None:
            await run(update, context, screen)
    finally:
        try:
            await query.answer()
        except BadRequest:
            pass


def _confirm(session: Session, language: str, admin_id: int, section: str, text_language: str):
    row = versions.confirm(session, section, text_language, admin_id)
    return [(t(language, "admin.confirmed", title=row.title, language=text_language), None)] + overview(session, language)


def _rollback(session: Session, language: str, admin_id: int, section: str, text_language: str, version: int):
    row = versions.rollback(session, section, text_language, version, admin_id)
    return [(t(language, "admin.restored", old=version, version=row.version), None)] + show_text(session, language, section, text_language)


def _verify(session: Session, language: str, admin_id: int, mission_key: str, name: str):
    row = directory.verify_field(session, mission_key, name, admin_id)
    note = t(language, "admin.field.verified_now") if row else t(language, "admin.field.cannot_verify")
    return [(note, None)] + show_mission(session, language, mission_key)


def _publish(session: Session, language: str, admin_id: int):
    draft = session.get(PendingInput, admin_id)
    if draft is None or draft.pending_text is None or not draft.target.startswith("guidance:"):
        return [(t(language, "admin.nothing_pending"), None)]
    _, section, text_language = draft.target.split(":")
    row = versions.publish(session, section, text_language, draft.pending_text, admin_id)
    session.delete(draft)
    others = [lang for lang in LANGUAGES if lang != text_language]
    return [(t(language, "admin.published", version=row.version, languages=", ".join(others)), None)] + overview(session, language)


def _cancel(session: Session, language: str, admin_id: int):
    draft = session.get(PendingInput, admin_id)
    if draft is not None:
        session.delete(draft)
    return [(t(language, "admin.cancelled"), None)]


@desk.expects("contact", ADMIN)
async def contact_text(update: Update, context: Context, pending: PendingInput) -> None:
    """The new value of a contact field, optionally followed by `| where it comes from`."""
    app = services(context)
    admin_id = update.effective_user.id
    _, key, sub = pending.target.split(":")
    message: Message = update.effective_message
    if not message.text:
        return await desk_reask(update, context, "admin.field.prompt", field=sub)
    value, _, source = message.text.partition("|")
    source = source.strip() or t("en", "admin.field.source_default", id=str(admin_id))

    def save(session: Session) -> None:
        directory.set_field(session, key, sub, value.strip(), source, admin_id)
        desk.stop_waiting(session, admin_id)

    await app.db.run(save)
    await run(update, context, lambda s, lang: [(t(lang, "admin.field.saved"), None)] + show_field(s, lang, key, sub))


async def desk_reask(update: Update, context: Context, key: str, **params) -> None:
    _person, language, _ = await read(update, context)
    if "field" in params:
        params["field"] = t(language, f"contact.field.{params['field']}")
    await context.bot.send_message(update.effective_chat.id, t(language, key, **params))


@desk.expects("guidance", ADMIN)
async def guidance_text(update: Update, context: Context, pending: PendingInput) -> None:
    """A new guidance text: checked, previewed exactly as families will see it, kept for Publish."""
    app = services(context)
    admin_id = update.effective_user.id
    _, key, sub = pending.target.split(":")
    message: Message = update.effective_message
    _person, language, _ = await read(update, context)
    if not message.text:
        title = await app.db.run(lambda s: versions.current(s, key, sub).title)
        await context.bot.send_message(update.effective_chat.id, t(language, "admin.edit.prompt", title=title, language=sub))
        return
    # Formatting made in the Telegram app arrives as entities; typed tags arrive as plain text.
    body = message.text_html if message.entities else message.text
    title = await app.db.run(lambda s: versions.current(s, key, sub).title)
    try:
        parts = section_messages(title, body)
    except (EntityError, TooLong) as exc:
        await context.bot.send_message(update.effective_chat.id, t(language, "admin.preview.rejected", error=str(exc)))
        return
    try:
        for part in parts:  # exactly as families will see it: Telegram itself is the last judge
            await context.bot.send_message(update.effective_chat.id, part)
    except BadRequest as exc:
        await context.bot.send_message(update.effective_chat.id, t(language, "admin.preview.rejected", error=exc.message))
        return

    def keep(session: Session) -> None:
        row = session.get(PendingInput, admin_id)
        row.pending_text = body
        session.add(row)

    await app.db.run(keep)
    controls = InlineKeyboardMarkup([[button(t(language, "button.admin.publish"), "ad:pub"), button(t(language, "button.admin.cancel"), "ad:cancel")]])
    await context.bot.send_message(update.effective_chat.id, t(language, "admin.preview.caption"), reply_markup=controls)
