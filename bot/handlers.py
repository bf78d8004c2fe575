"""A relative's commands, messages and buttons. Every change is one `turn`: committed to the
database first, then rendered to Telegram."""

from __future__ import annotations

import asyncio
import logging
import traceback
from datetime import date

from sqlmodel import Session
from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from app import case_links, threads
from app.guidance import sources_text, the_rest
from app.intake import Draft, cases_today, language_of, run_turn, set_language, status_lines
from app.roles import role_of
from app.texts import help_text
from bot import keyboards, render
from bot.context import Context, person_of, read, services
from bot.events import callback_event, message_input, typed_event
from bot.inbox import receipt_of
from bot.processor import is_transient_error
from bot.sending import post, say
from core.callbacks import parse
from core.config import LANGUAGES, language_code
from core.i18n import t
from flows import engine
from flows.engine import Event, Out, OutKind, Phase
from flows.steps import SITUATIONS

log = logging.getLogger(__name__)


async def turn(update: Update, context: Context, act, origin: render.Origin | None = None,
               submitting: bool = False, tap: TapAnswer | None = None) -> render.Turn:
    app = services(context)
    person = person_of(update)
    # With a writer thread (PostgreSQL), possible duplicates are looked up on the read path
    # first, so the writer only inserts the links. Writes on the event loop (SQLite) look them
    # up inside the write: handing the look-up to a reading thread and back cost a sent report
    # more time than the look-up itself.
    reads_ahead = submitting and not app.db.writes_on_loop
    found = await app.db.read(lambda s: case_links.candidates_for_draft(s, person.telegram_id)) if reads_ahead else None
    result = await app.db.run(
        lambda session: run_turn(session, person, receipt_of(update), act, app.settings.default_language, date.today(), found)
    )
    if tap is not None:
        tap.answer()
    await render.send(context.bot, person.chat_id, result, origin, settings=app.settings)
    if not result.replay:
        for out in result.outs:
            if out.kind == OutKind.SUBMITTED:
                for observer in app.on_submitted:
                    in_background(observer(context, out.params["ref"]))
    return result


_BACKGROUND: set[asyncio.Task] = set()


def in_background(coroutine) -> None:
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


def _begin_or(context: Context, otherwise):
    """A new report when none is under way; `otherwise(draft)` when one is."""
    cap = services(context).settings.max_cases_per_day
    return lambda session, draft: _begin(session, draft, cap) if draft.phase == Phase.IDLE else otherwise(draft)


def _resume(draft: Draft) -> list[Out]:
    return [Out(OutKind.SAY, "resume.text"), *engine.current_prompt(draft)]


def _offer(_draft: Draft) -> list[Out]:
    return [Out(OutKind.UNFINISHED)]


def _restart(context: Context):
    cap = services(context).settings.max_cases_per_day
    return lambda session, draft: _begin(session, draft, cap)


async def on_start(update: Update, context: Context) -> None:
    await turn(update, context, _begin_or(context, _resume))


async def on_new(update: Update, context: Context) -> None:
    await turn(update, context, _begin_or(context, _offer))


async def on_cancel(update: Update, context: Context) -> None:
    await turn(update, context, _engine(Event("cancel")))


async def on_message(update: Update, context: Context) -> None:
    message = update.effective_message
    given = message_input(message)
    receipt = receipt_of(update)

    def act(session: Session, draft: Draft) -> list[Out]:
        if draft.phase == Phase.IDLE:  # outside any question: perhaps words for our team
            kept = threads.message_of(given.text or message.caption, given.media if given.kind == "media" else None)
            return threads.idle_message(session, draft, kept, receipt)
        return engine.handle(draft, typed_event(draft.phase, draft.step, given), date.today())

    await turn(update, context, act)


class TapAnswer:
    """answerCallbackQuery, which stops the spinner on the tapped button: once per tap, at the
    latest when the tap is handled. A turn answers as soon as its write is committed, so the
    answer goes out beside the reply: answered before the write, the answers to a busy batch's
    taps went out ahead of every reply in that batch."""

    __slots__ = ("_bot", "_query", "_answered")

    def __init__(self, bot, query):
        self._bot, self._query = bot, query
        self._answered: asyncio.Future | None = None

    def answer(self) -> None:
        if self._answered is None:
            self._answered = asyncio.ensure_future(answer_quietly(self._bot, self._query))

    async def answered(self) -> None:
        self.answer()
        await self._answered


async def on_callback(update: Update, context: Context) -> None:
    query = update.callback_query
    tap = TapAnswer(context.bot, query)
    try:
        await _handle_tap(update, context, query, tap)
    finally:
        await tap.answered()


async def answer_quietly(bot, query) -> None:
    try:
        await post(bot, "answerCallbackQuery", callback_query_id=query.id)
    except BadRequest:
        pass  # a redelivered tap: Telegram forgot the query; the reply is what matters


async def _handle_tap(update: Update, context: Context, query, tap: TapAnswer) -> None:
    prefix, args = parse(query.data)
    message = query.message if isinstance(query.message, Message) else None
    origin = render.Origin(message.message_id, message.text_html or "") if message else None
    if prefix == "l" and len(args) == 1 and args[0] in LANGUAGES:
        chosen = args[0]

        def act(session: Session, draft: Draft) -> list[Out]:
            set_language(session, person_of(update), chosen)
            return [Out(OutKind.SAY, "language.set"), *engine.current_prompt(draft)]

        await turn(update, context, act, tap=tap)
    elif prefix == "n" and args in (["new"], ["restart"]):
        await turn(update, context, _restart(context) if args == ["restart"] else _begin_or(context, _offer), tap=tap)
    elif prefix == "m" and args[:1] == ["guidance"] and len(args) <= 2:
        tap.answer()
        await send_more_guidance(update, context, args[1] if len(args) == 2 and args[1] in SITUATIONS else None)
    elif prefix == "src" and args:
        tap.answer()
        person, _language, text = await read(update, context, lambda s, _p, lang: sources_text(s, args[0], lang))
        if text:
            await say(context.bot, person.chat_id, text)
    else:
        event = callback_event(query.data or "")
        if event is None:
            await turn(update, context, lambda _s, draft: [Out(OutKind.SAY, "button.stale"), *engine.current_prompt(draft)], tap=tap)
        else:
            await turn(update, context, _engine(event), origin, submitting=event.action == "submit", tap=tap)


async def send_more_guidance(update: Update, context: Context, situation: str | None) -> None:
    person, language, sections = await read(update, context, lambda s, _p, lang: the_rest(s, lang, situation))
    await render.send_guidance(context.bot, person.chat_id, language, sections, offer_more=False)


async def on_status(update: Update, context: Context) -> None:
    person, language, lines = await read(update, context, lambda s, p, lang: status_lines(s, p.telegram_id, lang))
    if lines is None:
        await say(context.bot, person.chat_id, t(language, "status.none"), keyboards.start_report(language))
        return
    await say(context.bot, person.chat_id, "\n".join(lines), keyboards.markup([[threads.write_button(language)]]))


async def on_language(update: Update, context: Context) -> None:
    person, language, _ = await read(update, context)
    await say(context.bot, person.chat_id, t(language, "language.choose"), keyboards.languages())


async def on_help(update: Update, context: Context) -> None:
    settings = services(context).settings
    private = update.effective_chat is not None and update.effective_chat.type == "private"
    person, language, role = await read(update, context, lambda s, p, _language: role_of(s, settings, p.telegram_id) if private else None)
    await say(context.bot, person.chat_id, help_text(language, role), keyboards.start_report(language))


async def on_tap_in_group(update: Update, context: Context) -> None:
    """Before anything else (group -3): a button tapped in a group does nothing there. A family's
    review or a status message must never land in a group, so the tapper only hears, privately
    (the button's own notice), that this works in a private chat with the bot."""
    chat = update.effective_chat
    if chat is None or chat.type == "private":
        return
    code = update.effective_user.language_code if update.effective_user else None
    language = language_code(code) or services(context).settings.default_language
    try:
        await post(context.bot, "answerCallbackQuery", callback_query_id=update.callback_query.id,
                   text=t(language, "group.buttons_private", bot=context.bot.username))
    except BadRequest:
        pass  # a redelivered tap: Telegram forgot the query
    raise ApplicationHandlerStop


async def on_group(update: Update, context: Context) -> None:
    code = update.effective_user.language_code if update.effective_user else None
    language = language_code(code) or services(context).settings.default_language
    await say(context.bot, update.effective_chat.id, t(language, "group.private_only"))


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
            await say(context.bot, update.effective_chat.id, t(language, "error.generic"), keyboards.resume(language))
        except Exception as exc:  # noqa: BLE001 - the apology itself failed: log and move on, never loop
            log.error("could not apologise for update %s: %s", update_id, type(exc).__name__)
