"""What the bot does with each command, message and button. Every change is one `turn`:
committed to the database first, then rendered to Telegram."""

from __future__ import annotations

import asyncio
import logging
import traceback
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session
from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import keyboards, render
from bot.config import LANGUAGES, Settings
from bot.events import callback_event, message_input, typed_event
from bot.guidance import sources_text, the_rest
from bot.i18n import format_day, t, tn
from bot.inbox import Inbox, receipt_of
from bot.intake import Draft, Person, cases_of, cases_today, language_of, run_turn, set_language
from bot.processor import ChatOrderedProcessor, is_transient_error
from bot.sending import post
from db.database import Database
from flows import engine
from flows.engine import Event, Out, OutKind, Phase

log = logging.getLogger(__name__)
SERVICES = "services"
Context = ContextTypes.DEFAULT_TYPE
# Called with (context, case reference) once a new case's confirmation is sent (the staff desk
# announces it); a redelivered submit does not call them again.
ON_SUBMITTED: list = []


@dataclass
class Services:
    settings: Settings
    db: Database
    inbox: Inbox
    processor: ChatOrderedProcessor


def services(context: Context) -> Services:
    return context.bot_data[SERVICES]


def person_of(update: Update) -> Person:
    user = update.effective_user
    return Person(user.id, update.effective_chat.id, user.language_code)


async def turn(update: Update, context: Context, act, origin: render.Origin | None = None) -> render.Turn:
    app = services(context)
    person = person_of(update)
    result = await app.db.run(
        lambda session: run_turn(session, person, receipt_of(update), act, app.settings.default_language, date.today())
    )
    await render.send(context.bot, person.chat_id, result, origin, retention_days=app.settings.retention_days_closed)
    if not result.replay:
        for out in result.outs:
            if out.kind == OutKind.SUBMITTED:
                for observer in ON_SUBMITTED:
                    _in_background(observer(context, out.params["ref"]))
    return result


_BACKGROUND: set[asyncio.Task] = set()


def _in_background(coroutine) -> None:
    """Staff notices wait on a group chat's 20-a-minute limit; in a surge the relative's chat
    must not wait with them. The case is already committed (and on /cases) whatever happens."""
    task = asyncio.ensure_future(coroutine)
    _BACKGROUND.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Task) -> None:
    _BACKGROUND.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("a staff notice failed: %s", type(task.exception()).__name__)  # its text may quote a case


def _engine(event: Event):
    return lambda _session, draft: engine.handle(draft, event, date.today())


def _begin(session: Session, draft: Draft, daily_cap: int) -> list[Out]:
    """A new report, unless this person has already sent today's most."""
    sent = cases_today(session, draft.telegram_id)
    if sent >= daily_cap:
        return [Out(OutKind.LIMIT, params={"count": sent})]
    return engine.begin(draft)


def _begin_or_resume(context: Context):
    cap = services(context).settings.max_cases_per_day

    def act(session: Session, draft: Draft) -> list[Out]:
        if draft.phase == Phase.IDLE:
            return _begin(session, draft, cap)
        return [Out(OutKind.SAY, "resume.text"), *engine.current_prompt(draft)]

    return act


def _begin_or_offer(context: Context):
    cap = services(context).settings.max_cases_per_day

    def act(session: Session, draft: Draft) -> list[Out]:
        if draft.phase == Phase.IDLE:
            return _begin(session, draft, cap)
        return [Out(OutKind.UNFINISHED)]

    return act


def _restart(context: Context):
    cap = services(context).settings.max_cases_per_day
    return lambda session, draft: _begin(session, draft, cap)


async def on_start(update: Update, context: Context) -> None:
    await turn(update, context, _begin_or_resume(context))


async def on_new(update: Update, context: Context) -> None:
    await turn(update, context, _begin_or_offer(context))


async def on_cancel(update: Update, context: Context) -> None:
    await turn(update, context, _engine(Event("cancel")))


async def on_message(update: Update, context: Context) -> None:
    given = message_input(update.effective_message)
    await turn(update, context, lambda _s, draft: engine.handle(draft, typed_event(draft.phase, draft.step, given), date.today()))


async def on_callback(update: Update, context: Context) -> None:
    query = update.callback_query
    # Answered at once, alongside the work: it stops the spinner on the relative's button.
    answered = asyncio.ensure_future(_answer_quietly(context.bot, query))
    try:
        await _handle_tap(update, context, query)
    finally:
        await answered


async def _answer_quietly(bot, query) -> None:
    try:
        await post(bot, "answerCallbackQuery", callback_query_id=query.id)
    except BadRequest:
        pass  # a redelivered tap: Telegram forgot the query; the reply is what matters


async def _handle_tap(update: Update, context: Context, query) -> None:
    data = query.data or ""
    message = query.message if isinstance(query.message, Message) else None
    origin = render.Origin(message.message_id, message.text_html or "") if message else None
    if data.startswith("l:") and data[2:] in LANGUAGES:
        language = data[2:]

        def act(session: Session, draft: Draft) -> list[Out]:
            set_language(session, person_of(update), language)
            return [Out(OutKind.SAY, "language.set"), *engine.current_prompt(draft)]

        await turn(update, context, act)
    elif data in ("n:new", "n:restart"):
        await turn(update, context, _restart(context) if data == "n:restart" else _begin_or_offer(context))
    elif data == "m:guidance":
        await send_more_guidance(update, context)
    elif data.startswith("src:"):
        person, language, text = await read(update, context, lambda s, _p, lang: sources_text(s, data[4:], lang))
        if text:
            await context.bot.send_message(person.chat_id, text)
    else:
        event = callback_event(data)
        if event is None:
            await turn(update, context, lambda _s, draft: [Out(OutKind.SAY, "button.stale"), *engine.current_prompt(draft)])
        else:
            await turn(update, context, _engine(event), origin)


async def read(update: Update, context: Context, query=lambda _session, _person, _language: None):
    """A read-only look-up for this person: their language, and what `query` returns."""
    app = services(context)
    person = person_of(update)

    def look_up(session: Session):
        language = language_of(session, person, app.settings.default_language)
        return person, language, query(session, person, language)

    return await app.db.read(look_up)


async def send_more_guidance(update: Update, context: Context) -> None:
    person, language, sections = await read(update, context, lambda s, _p, lang: the_rest(s, lang))
    await render.send_guidance(context.bot, person.chat_id, language, sections, offer_more=False)


async def on_status(update: Update, context: Context) -> None:
    person, language, cases = await read(update, context, lambda s, p, _lang: cases_of(s, p.telegram_id))
    if not cases:
        await context.bot.send_message(person.chat_id, t(language, "status.none"), reply_markup=keyboards.start_report(language))
        return
    lines = [tn(language, "status.header", "status.header.plural", len(cases)), ""]
    for case in cases:
        lines.append(t(language, "status.line", ref=case.ref, date=format_day(language, case.created_at.date()), status=t(language, f"status.value.{case.status}")))
    await context.bot.send_message(person.chat_id, "\n".join(lines))


async def on_language(update: Update, context: Context) -> None:
    person, language, _ = await read(update, context)
    await context.bot.send_message(person.chat_id, t(language, "language.choose"), reply_markup=keyboards.languages())


async def on_help(update: Update, context: Context) -> None:
    person, language, _ = await read(update, context)
    await context.bot.send_message(person.chat_id, t(language, "help.text"), reply_markup=keyboards.start_report(language))


async def on_group(update: Update, context: Context) -> None:
    language = services(context).settings.default_language
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    if code[:2] in LANGUAGES:
        language = code[:2]
    await context.bot.send_message(update.effective_chat.id, t(language, "group.private_only"))


async def on_error(update: object, context: Context) -> None:
    error = context.error
    app = services(context)
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(update, Update) and is_transient_error(error):
        log.warning("update %s: transient %s, will retry", update_id, type(error).__name__)
        app.processor.record_failure(update, error)
        return
    # Type and place only: an exception's message may quote what the relative typed.
    where = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    log.error("update %s failed with %s\n%s", update_id, type(error).__name__, where)
    if isinstance(update, Update) and update.effective_chat and update.effective_user:
        language = app.settings.default_language
        try:
            language = await app.db.run(lambda s: language_of(s, person_of(update), app.settings.default_language))
            # The answer may be saved while the next question was not sent: offer to show it.
            await context.bot.send_message(update.effective_chat.id, t(language, "error.generic"), reply_markup=keyboards.resume(language))
        except Exception as exc:  # the apology itself failed: log and move on, never loop
            log.error("could not apologise for update %s: %s", update_id, type(exc).__name__)
