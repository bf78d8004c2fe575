"""Engine outputs → Telegram messages, in the relative's language."""

from __future__ import annotations

import asyncio
import html
from dataclasses import dataclass
from datetime import date
from typing import Any

from telegram import Bot
from telegram.error import BadRequest

from bot import keyboards
from core.i18n import Html, format_day, format_month, t, tn
from app.directory import Route
from bot.sending import post
from app.intake import Turn
from core.telegram_html import split_message
from flows.engine import Out, OutKind
from flows.steps import REQUIRED, STEPS, Keyboard

REVIEW_TEXT_LIMIT = 400  # long free text is shortened in the summary: no need to echo it all back


@dataclass(frozen=True)
class Origin:
    """The message whose button was tapped, if any: acknowledgements edit it in place."""

    message_id: int
    text_html: str


def describe(language: str, field: str, value: Any) -> str:
    """One answer as the review shows it (escaped HTML)."""
    if value is None:
        return t(language, "review.skipped")
    step = STEPS[field]
    if step.keyboard == Keyboard.CHOICES:
        return keyboards.choice_label(language, field, value)
    if step.keyboard == Keyboard.MULTI:
        return ", ".join(keyboards.choice_label(language, field, v) for v in value)
    if step.keyboard == Keyboard.MEDIA:
        return tn(language, "review.files", "review.files.plural", len(value))
    if field == "birth":
        return format_day(language, date.fromisoformat(value["date"])) if value.get("date") else str(value["year"])
    if field == "last_contact":
        return describe_fuzzy_date(language, value)
    if field == "last_location":
        return t(language, "review.pin", where=value["text"]) if value.get("lat") is not None else t(language, "review.plain", text=value["text"])
    if field == "reporter_contact":
        return t(language, "review.contact_telegram") if value["method"] == "telegram" else value["phone"]
    text = str(value)
    if len(text) > REVIEW_TEXT_LIMIT:
        text = text[:REVIEW_TEXT_LIMIT].rstrip() + "…"
    return t(language, "review.plain", text=text)


def describe_case(language: str, case) -> list[str]:
    """A submitted case for staff, in the staff member's language: every answer, labelled."""
    answers = {
        "relationship": case.reporter_relationship,
        "full_name": case.person_full_name,
        "birth": {"year": case.birth_year, "date": case.birth_date.isoformat() if case.birth_date else None},
        "last_contact": {"date": case.last_contact_date.isoformat(), "precision": case.last_contact_precision, "text": case.last_contact_text},
        "last_location": {"text": case.last_location, "lat": case.last_location_lat},
        "reporter_contact": {"method": case.reporter_contact_method, "phone": case.reporter_phone},
        "share_with_authorities": "yes" if case.share_with_authorities else "no",
        "reporter_name": case.reporter_name,
        "name_ru": case.person_name_ru,
        "father_name": case.person_father_name,
        "home_district": case.home_district,
        "circumstances": case.circumstances,
        "situation": case.person_situation,
        "last_phone": case.last_phone,
        "already_contacted": list(case.already_contacted) or None,
    }
    lines = [t(language, "review.line", label=t(language, f"field.{field}"), value=Html(describe(language, field, value)))
             for field, value in answers.items() if value is not None]
    if case.details:
        lines += ["", t(language, "review.line", label=t(language, "field.details"), value=case.details)]
    return lines


def describe_fuzzy_date(language: str, value: dict[str, Any]) -> str:
    day = date.fromisoformat(value["date"])
    if value["precision"] == "day":
        return format_day(language, day)
    if value["precision"] == "month":
        return format_month(language, day)
    return t(language, "review.approximately", date=format_day(language, day), typed=value["text"])


def question_text(language: str, field: str, reason: str | None, params: dict[str, Any]) -> str:
    parts = []
    if reason:
        parts.append(t(language, f"invalid.{reason}", **params))
    step = STEPS[field]
    if step in REQUIRED:
        parts.append(t(language, "progress.required", number=REQUIRED.index(step) + 1, total=len(REQUIRED)))
    parts.append(t(language, step.question))
    return "\n\n".join(parts)


def review_text(language: str, answers: dict[str, Any]) -> str:
    lines = [t(language, "review.title"), ""]
    for field in STEPS:
        if field in answers:
            lines.append(t(language, "review.line", label=t(language, f"field.{field}"), value=Html(describe(language, field, answers[field]))))
    lines += ["", t(language, "review.hint")]
    return "\n".join(lines)


def consent_text(language: str, retention_days: int) -> str:
    """The consent, with how long a closed report is kept (the version is CONSENT_VERSION)."""
    return t(language, "consent.text") + "\n\n" + tn(language, "consent.retention", "consent.retention.plural", retention_days)


async def send(bot: Bot, chat_id: int, turn: Turn, origin: Origin | None = None, retention_days: int = 365) -> None:
    """The turn's messages in order. Edits of the tapped message (a tick beside the choice) run
    alongside them: they add no message to the chat, and the relative should not wait a round
    trip to Telegram for a tick before seeing the next question."""
    language = turn.language
    edits = []
    try:
        for out in turn.outs:
            if origin is not None and out.kind in (OutKind.ACK, OutKind.TOGGLE):
                edits.append(asyncio.ensure_future(_send_one(bot, chat_id, turn, out, language, origin, retention_days)))
            else:
                await _send_one(bot, chat_id, turn, out, language, origin, retention_days)
    finally:
        if edits:  # even when a send failed: no edit is left running unwatched
            await asyncio.gather(*edits)


async def _send_one(bot: Bot, chat_id: int, turn: Turn, out: Out, language: str, origin: Origin | None, retention_days: int) -> None:
    def say(text: str, markup: Any = None) -> Any:
        return post(bot, "sendMessage", chat_id=chat_id, text=text, reply_markup=markup if markup is not None else keyboards.remove())

    match out.kind:
        case OutKind.CONSENT:
            text = consent_text(language, retention_days)
            if out.reason:
                text = t(language, f"invalid.{out.reason}") + "\n\n" + text
            await say(text, keyboards.consent(language))
        case OutKind.ASK:
            step = STEPS[out.key]
            markup = keyboards.question(language, step, turn.answers.get(step.field))
            await say(question_text(language, out.key, out.reason, out.params), markup)
        case OutKind.ACK if origin is not None:
            chosen = keyboards.choice_label(language, out.key, turn.answers[out.key])
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
        case OutKind.SUBMITTED:
            await say(t(language, "submitted.text", ref=out.params["ref"]), keyboards.add_information(language, out.params["ref"]))
        case OutKind.GUIDANCE:
            if turn.route is not None:
                await say(route_text(language, turn.route))
            await send_guidance(bot, chat_id, language, turn.guidance, offer_more=True)


def section_messages(title: str, body: str) -> list[str]:
    """A guidance section as families receive it: title and body, split at paragraphs if long."""
    return split_message(f"<b>{html.escape(title)}</b>\n\n{body}")


async def send_guidance(bot: Bot, chat_id: int, language: str, sections: list, offer_more: bool) -> None:
    for position, section in enumerate(sections):
        last = position == len(sections) - 1
        parts = section_messages(section.title, section.body)
        for number, part in enumerate(parts):
            markup = keyboards.guidance(language, section.key, more=last and offer_more) if number == len(parts) - 1 else None
            await post(bot, "sendMessage", chat_id=chat_id, text=part, reply_markup=markup)


def route_text(language: str, route: Route) -> str:
    """Where to turn: the mission covering the last known location, and only verified details."""
    lines = [t(language, "route.title"), ""]
    mission = Html(f"<b>{html.escape(route.mission_name)}</b>")
    if route.region_name:
        lines.append(t(language, "route.covered", region=route.region_name, district=route.district_name or "—", mission=mission))
    else:
        lines.append(t(language, "route.unknown_region", mission=mission))
    note = [t(language, "route.source", source=route.source)] if route.source else []
    if not route.coverage_verified:
        note.append(t(language, "route.unconfirmed"))
    lines += ["", f"<i>{' '.join(note)}</i>", ""] if note else [""]
    if route.details:
        lines.append(t(language, "route.details_title"))
        lines += [t(language, "route.detail", label=t(language, f"contact.field.{name}"), value=value) for name, value in route.details]
    else:
        lines.append(t(language, "route.no_details"))
    return "\n".join(lines)


async def _edit_quietly(call: Any) -> None:
    try:
        await call
    except BadRequest:
        # The tapped message is gone or already shows this state: nothing the relative needs.
        pass
