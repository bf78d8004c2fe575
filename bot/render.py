"""Engine outputs → Telegram messages, in the relative's language."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from telegram import Bot
from telegram.error import BadRequest

from app import threads
from app.guidance import section_messages
from app.intake import Turn
from app.texts import choice_label, consent_text, question_text, review_text, route_text
from bot import keyboards
from bot.sending import post
from core.config import Settings
from core.i18n import Html, t, tn
from flows.engine import Out, OutKind
from flows.steps import STEPS

__all__ = ["Origin", "Turn", "send", "send_guidance"]


@dataclass(frozen=True)
class Origin:
    """The message whose button was tapped, if any: acknowledgements edit it in place."""

    message_id: int
    text_html: str


async def send(bot: Bot, chat_id: int, turn: Turn, origin: Origin | None = None, *, settings: Settings) -> None:
    """The turn's messages in order. Edits of the tapped message (a tick beside the choice) run
    alongside them: they add no message to the chat, and the relative should not wait a round
    trip to Telegram for a tick before seeing the next question."""
    language = turn.language
    edits = []
    try:
        for out in turn.outs:
            if origin is not None and out.kind in (OutKind.ACK, OutKind.TOGGLE):
                edits.append(asyncio.ensure_future(_send_one(bot, chat_id, turn, out, language, origin, settings)))
            else:
                await _send_one(bot, chat_id, turn, out, language, origin, settings)
    finally:
        if edits:  # even when a send failed: no edit is left running unwatched
            await asyncio.gather(*edits)


async def _send_one(bot: Bot, chat_id: int, turn: Turn, out: Out, language: str, origin: Origin | None, settings: Settings) -> None:
    def say(text: str, markup: Any = None) -> Any:
        return post(bot, "sendMessage", chat_id=chat_id, text=text, reply_markup=markup if markup is not None else keyboards.remove())

    match out.kind:
        case OutKind.CONSENT:
            text = consent_text(language, settings)
            if out.reason:
                text = t(language, f"invalid.{out.reason}") + "\n\n" + text
            await say(text, keyboards.consent(language))
        case OutKind.ASK:
            step = STEPS[out.key]
            markup = keyboards.question(language, step, turn.answers.get(step.field))
            await say(question_text(language, out.key, out.reason, out.params), markup)
        case OutKind.ACK if origin is not None:
            chosen = choice_label(language, out.key, turn.answers[out.key])
            await _edit_quietly(post(bot, "editMessageText", chat_id=chat_id, message_id=origin.message_id,
                                     text=f"{origin.text_html}\n\n✓ <b>{Html(chosen)}</b>"))
        case OutKind.TOGGLE:
            markup = keyboards.question(language, STEPS[out.key], turn.answers.get(out.key))
            if origin is None:  # typed rather than tapped: show the question with the new marks
                await say(question_text(language, out.key, None, {}), markup)
            else:
                await _edit_quietly(post(bot, "editMessageReplyMarkup", chat_id=chat_id, message_id=origin.message_id, reply_markup=markup))
        case OutKind.FILES:
            text = tn(language, "files.received", "files.received.plural", out.params["count"])
            if out.reason:
                text = t(language, f"invalid.{out.reason}", **out.params)
            await say(text, keyboards.question(language, STEPS[out.key]))
        case OutKind.GATE:
            text = t(language, "gate.text") if not out.reason else t(language, f"invalid.{out.reason}") + "\n\n" + t(language, "gate.text")
            await say(text, keyboards.gate(language))
        case OutKind.REVIEW:
            text = review_text(language, turn.answers)
            if out.reason:
                text = t(language, f"invalid.{out.reason}") + "\n\n" + text
            await say(text, keyboards.review(language))
        case OutKind.CONFIRM_CANCEL:
            await say(t(language, "cancel.confirm"), keyboards.confirm_cancel(language))
        case OutKind.SAY:
            await say(t(language, out.key, **out.params))
        case OutKind.LIMIT:
            text = tn(language, "limit.cases_per_day", "limit.cases_per_day.plural", out.params["count"])
            await say(text)
        case OutKind.UNFINISHED:
            await say(t(language, "new.unfinished"), keyboards.unfinished(language))
        case OutKind.IDLE:
            await say(t(language, "idle.text"), keyboards.start_report(language))
        case OutKind.TEAM_OFFER:
            offer = threads.offer(language, out.params["cases"])
            await say(offer.text, keyboards.markup(offer.rows))
        case OutKind.SUBMITTED:
            await say(t(language, "submitted.text", ref=out.params["ref"]), keyboards.add_information(language, out.params["ref"]))
        case OutKind.GUIDANCE:
            # What was written for her situation (a condolence, captivity) comes before where to turn.
            lead = [section for section in turn.guidance if section.for_situation]
            await send_guidance(bot, chat_id, language, lead, offer_more=False)
            if turn.route is not None:
                await say(route_text(language, turn.route))
            await send_guidance(bot, chat_id, language, turn.guidance[len(lead):], offer_more=True, situation=out.params.get("situation"))


async def send_guidance(bot: Bot, chat_id: int, language: str, sections: list, offer_more: bool, situation: str | None = None) -> None:
    for position, section in enumerate(sections):
        last = position == len(sections) - 1
        parts = section_messages(section.title, section.body)
        for number, part in enumerate(parts):
            markup = keyboards.guidance(language, section.key, last and offer_more, situation) if number == len(parts) - 1 else None
            await post(bot, "sendMessage", chat_id=chat_id, text=part, reply_markup=markup)


async def _edit_quietly(call: Any) -> None:
    try:
        await call
    except BadRequest:
        # The tapped message is gone or already shows this state: nothing the relative needs.
        pass
