"""A family adds to a report they already sent: a new phone number, a new location, more files.

Each addition is timestamped and kept apart from the original answers, staff are told (without
the content), and exports list it. Only the reporter of a case can add to it.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select
from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import desk, keyboards
from bot.events import message_input
from bot.handlers import Context, on_callback, person_of, read, services
from bot.inbox import receipt_of
from bot.i18n import t
from bot.intake import cases_of
from bot.keyboards import button
from bot.staff import notify_staff_chat
from db.models import Case, CaseAddition, PendingInput
from flows import readers
from flows.steps import STEPS
from flows.validators import Invalid

KINDS = {"contact": readers.reporter_contact, "location": readers.place, "attachment": readers.attachment}


def own_case(session: Session, telegram_id: int, ref: str) -> Case | None:
    return session.exec(select(Case).where(Case.ref == ref, Case.reporter_telegram_id == telegram_id)).first()


def kinds_markup(language: str, ref: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t(language, f"button.update.{kind}"), f"uk:{ref}:{kind}")] for kind in KINDS])


async def on_update_command(update: Update, context: Context) -> None:
    person, language, cases = await read(update, context, lambda s, p, _l: cases_of(s, p.telegram_id))
    if not cases:
        await context.bot.send_message(person.chat_id, t(language, "update.none"), reply_markup=keyboards.start_report(language))
    elif len(cases) == 1:
        await context.bot.send_message(person.chat_id, t(language, "update.choose_kind", ref=cases[0].ref), reply_markup=kinds_markup(language, cases[0].ref))
    else:
        markup = InlineKeyboardMarkup([[button(c.ref, f"ua:{c.ref}")] for c in cases])
        await context.bot.send_message(person.chat_id, t(language, "update.choose_case"), reply_markup=markup)


async def on_update_callback(update: Update, context: Context) -> None:
    query = update.callback_query
    verb, _, rest = (query.data or "").partition(":")
    ref, _, kind = rest.partition(":")
    person = person_of(update)
    app = services(context)
    if await app.db.run(lambda s: own_case(s, person.telegram_id, ref)) is None or (verb == "uk" and kind not in KINDS):
        return await on_callback(update, context)  # someone else's case, or a forged button
    language = (await read(update, context))[1]
    if verb == "ua":
        await context.bot.send_message(person.chat_id, t(language, "update.choose_kind", ref=ref), reply_markup=kinds_markup(language, ref))
    elif verb == "uk":
        await app.db.run(lambda s: desk.wait_for(s, person.telegram_id, f"addition:{ref}:{kind}"))
        markup = keyboards.question(language, STEPS["reporter_contact"]) if kind == "contact" else None
        await context.bot.send_message(person.chat_id, t(language, f"update.ask.{kind}"), reply_markup=markup)
    elif verb == "ud":
        await app.db.run(lambda s: desk.stop_waiting(s, person.telegram_id))
        await finished(update, context, language, ref, "attachment")
    try:
        await query.answer()
    except BadRequest:
        pass


def save_addition(session: Session, telegram_id: int, ref: str, kind: str, value: dict, receipt: int) -> bool:
    case = own_case(session, telegram_id, ref)
    if case is None:
        return False
    if not session.exec(select(CaseAddition).where(CaseAddition.source_receipt == receipt)).first():
        session.add(CaseAddition(case_id=case.id, kind=kind, value=value, source_receipt=receipt))
    if kind != "attachment":  # files keep coming until Done
        desk.stop_waiting(session, telegram_id)
    return True


@desk.expects("addition", None)
async def addition_message(update: Update, context: Context, pending: PendingInput) -> None:
    _, ref, kind = pending.target.split(":")
    person = person_of(update)
    language = (await read(update, context))[1]
    given = message_input(update.effective_message)
    if kind == "contact" and given.kind == "text" and given.text.strip() in {t(code, "choice.reporter_contact.telegram") for code in ("az", "ru", "en")}:
        given = readers.Input("choice", value="telegram")
    try:
        value = KINDS[kind](given, date.today())
    except Invalid as exc:
        reason = t(language, f"invalid.{exc.reason}", **exc.params)
        await context.bot.send_message(person.chat_id, reason + "\n\n" + t(language, f"update.ask.{kind}"))
        return
    saved = await services(context).db.run(lambda s: save_addition(s, person.telegram_id, ref, kind, value, receipt_of(update)))
    if not saved:
        return
    if kind == "attachment":
        markup = InlineKeyboardMarkup([[button(t(language, "button.done"), f"ud:{ref}")]])
        await context.bot.send_message(person.chat_id, t(language, "update.file_saved"), reply_markup=markup)
        return
    await finished(update, context, language, ref, kind)


async def finished(update: Update, context: Context, language: str, ref: str, kind: str) -> None:
    await context.bot.send_message(person_of(update).chat_id, t(language, "update.saved", ref=ref), reply_markup=keyboards.remove())
    staff_language = services(context).settings.default_language
    await notify_staff_chat(context, t(staff_language, "staff.addition_notice", ref=ref, kind=t(staff_language, f"button.update.{kind}")))
