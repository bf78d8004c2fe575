"""/guidance for admins in Telegram. Checked against the roles on every command and button;
anyone else is answered as if the command did not exist."""

from __future__ import annotations

from telegram import Message, Update
from telegram.error import BadRequest

from app import admin as guidance_desk, desk as awaiting
from app.desk import Pending
from app.guidance import section_messages
from app.roles import ADMIN
from app.screens import Reply
from bot.context import Context, role_language, services
from bot.handlers import answer_quietly, on_callback, on_help
from bot.sending import say, show
from core.callbacks import parse
from core.config import LANGUAGE_NAMES
from core.i18n import t
from core.telegram_html import EntityError, TooLong


async def _show(update: Update, context: Context, replies: list[Reply]) -> None:
    for shown in replies:
        await show(context.bot, update.effective_chat.id, shown)


async def _screen(update: Update, context: Context, language: str, name: str, *args) -> None:
    replies = await services(context).db.read(lambda s: guidance_desk.SCREENS[name](s, language, *args))
    await _show(update, context, replies)


async def on_guidance(update: Update, context: Context) -> None:
    language = await role_language(update, context, ADMIN)
    if language is None:
        return await on_help(update, context)
    settings = services(context).settings
    await _show(update, context, await services(context).db.read(lambda s: guidance_desk.home(s, settings, language)))


async def on_admin_callback(update: Update, context: Context) -> None:
    language = await role_language(update, context, ADMIN)
    if language is None:
        return await on_callback(update, context)  # answered as any unknown button
    try:
        verb, *args = parse(update.callback_query.data)[1] or [""]
        if verb in guidance_desk.SCREENS:
            await _screen(update, context, language, verb, *args)
        elif verb in CHANGES:
            await CHANGES[verb](update, context, language, update.effective_user.id, *args)
    finally:
        await answer_quietly(context.bot, update.callback_query)


async def _edit(update: Update, context: Context, language: str, admin_id: int, section: str, text_language: str) -> None:
    title = await services(context).db.run(lambda s: guidance_desk.start_edit(s, admin_id, section, text_language))
    await say(context.bot, update.effective_chat.id, t(language, "admin.edit.prompt", title=title, language=LANGUAGE_NAMES[text_language]))


async def _field_edit(update: Update, context: Context, language: str, admin_id: int, mission_key: str, name: str) -> None:
    await services(context).db.run(lambda s: guidance_desk.start_field_edit(s, admin_id, mission_key, name))
    await say(context.bot, update.effective_chat.id, t(language, "admin.field.prompt", field=t(language, f"contact.field.{name}")))


async def _confirm(update: Update, context: Context, language: str, admin_id: int, section: str, text_language: str) -> None:
    title = await services(context).db.run(lambda s: guidance_desk.confirm(s, admin_id, section, text_language))
    await say(context.bot, update.effective_chat.id, t(language, "admin.confirmed", title=title, language=LANGUAGE_NAMES[text_language]))
    await _screen(update, context, language, "home")


async def _rollback(update: Update, context: Context, language: str, admin_id: int, section: str, text_language: str, version: str) -> None:
    new = await services(context).db.run(lambda s: guidance_desk.rollback(s, admin_id, section, text_language, int(version)))
    await say(context.bot, update.effective_chat.id, t(language, "admin.restored", old=int(version), version=new))
    await _screen(update, context, language, "txt", section, text_language)


async def _verify(update: Update, context: Context, language: str, admin_id: int, mission_key: str, name: str, shown: str = "") -> None:
    """`shown`: the fingerprint of the value on the screen the admin tapped (none on a button
    from before fingerprints: refused, with the value as it is now)."""
    answer = await services(context).db.run(lambda s: guidance_desk.verify(s, language, admin_id, mission_key, name, shown))
    await say(context.bot, update.effective_chat.id, answer)
    await _screen(update, context, language, "fld", mission_key, name)  # as it is now, to verify again


async def _publish(update: Update, context: Context, language: str, admin_id: int) -> None:
    published = await services(context).db.run(lambda s: guidance_desk.publish(s, admin_id))
    if published is None:
        return await say(context.bot, update.effective_chat.id, t(language, "admin.nothing_pending"))
    await say(context.bot, update.effective_chat.id, guidance_desk.published_note(language, *published))
    await _screen(update, context, language, "home")


async def _cancel(update: Update, context: Context, language: str, admin_id: int) -> None:
    await services(context).db.run(lambda s: guidance_desk.cancel(s, admin_id))
    await say(context.bot, update.effective_chat.id, t(language, "admin.cancelled"))


# Buttons that change something: (update, context, admin's language, admin id, *callback arguments).
CHANGES = {"edit": _edit, "fedit": _field_edit, "ok": _confirm, "rb": _rollback, "fver": _verify, "pub": _publish, "cancel": _cancel}


async def contact_text(update: Update, context: Context, pending: Pending, language: str) -> None:
    """The new value of a contact field, optionally followed by `| where it comes from`."""
    admin_id = update.effective_user.id
    key, name = pending.args
    message: Message = update.effective_message
    if not message.text:
        return await say(context.bot, update.effective_chat.id, t(language, "admin.field.prompt", field=t(language, f"contact.field.{name}")))
    await services(context).db.run(lambda s: guidance_desk.save_field(s, admin_id, key, name, message.text))
    await say(context.bot, update.effective_chat.id, t(language, "admin.field.saved"))
    await _screen(update, context, language, "fld", key, name)


async def guidance_text(update: Update, context: Context, pending: Pending, language: str) -> None:
    """A new guidance text: checked, previewed exactly as families will see it, kept for Publish."""
    app = services(context)
    chat_id = update.effective_chat.id
    section, text_language = pending.args
    message: Message = update.effective_message
    title = await app.db.read(lambda s: guidance_desk.guidance_title(s, section, text_language))
    if not message.text:
        return await say(context.bot, chat_id, t(language, "admin.edit.prompt", title=title, language=LANGUAGE_NAMES[text_language]))
    # Formatting made in the Telegram app arrives as entities; typed tags arrive as plain text.
    typed = message.text_html if message.entities else message.text
    try:
        section_messages(title, typed)  # broken HTML first: a source line cannot mend it
        body, unsourced = await app.db.read(lambda s: guidance_desk.with_sources(s, section, text_language, typed))
        if unsourced is not None:
            return await say(context.bot, chat_id, t(language, "admin.edit.no_source", number=unsourced))
        parts = section_messages(title, body)
    except (EntityError, TooLong) as exc:
        return await say(context.bot, chat_id, t(language, "admin.preview.rejected", error=str(exc)))
    try:
        for part in parts:  # exactly as families will see it: Telegram itself is the last judge
            await say(context.bot, chat_id, part)
    except BadRequest as exc:
        return await say(context.bot, chat_id, t(language, "admin.preview.rejected", error=exc.message))
    admin_id = update.effective_user.id
    await app.db.run(lambda s: awaiting.keep_text(s, admin_id, body))
    await show(context.bot, chat_id, guidance_desk.preview_controls(language))
