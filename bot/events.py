"""Telegram's messages and button taps → the engine's `Input` and `Event`."""

from __future__ import annotations

from functools import cache

from telegram import Message

from core.callbacks import parse
from core.config import LANGUAGES
from core.i18n import t
from flows import files
from flows.engine import Event, Phase
from flows.readers import Input
from flows.steps import STEPS, Keyboard
from flows.text import fold

# callback prefix → engine action; the argument, if any, is the step the button belongs to
CONTROL_ACTIONS = {"s": "skip", "d": "done", "f": "finish", "e": "edit", "dk": "unknown"}
SINGLE_ACTIONS = {("g", "more"): "more", ("g", "review"): "review", ("x", "submit"): "submit", ("k", "agree"): "agree",
                  ("k", "decline"): "decline", ("c", "yes"): "cancel_yes", ("c", "no"): "cancel_no", ("n", "resume"): "resume"}


def message_input(message: Message) -> Input:
    if message.contact:
        return Input("contact", phone=message.contact.phone_number)
    if message.location or message.venue:
        where = message.location or message.venue.location
        return Input("location", latitude=where.latitude, longitude=where.longitude)
    media = _media(message)
    if media:
        return Input("media", media=media)
    if message.text:
        return Input("text", text=message.text)
    return Input("other")


def _media(message: Message) -> dict | None:
    if message.photo:
        largest = message.photo[-1]
        return {"kind": "photo", "file_id": largest.file_id, "file_unique_id": largest.file_unique_id, "file_size": largest.file_size,
                "mime_type": "image/jpeg", "file_name": None, "forwardable": True}
    for kind in ("document", "voice", "audio", "video", "video_note"):
        item = getattr(message, kind)
        if item:
            mime, name = getattr(item, "mime_type", None), getattr(item, "file_name", None)
            return {"kind": kind, "file_id": item.file_id, "file_unique_id": item.file_unique_id, "file_size": item.file_size,
                    "mime_type": mime, "file_name": files.safe_name(name), "forwardable": files.forwardable(kind, mime, name)}
    return None


def callback_event(data: str) -> Event | None:
    prefix, args = parse(data)
    if (prefix, *args) in SINGLE_ACTIONS:
        return Event(SINGLE_ACTIONS[(prefix, *args)])
    if prefix == "a" and len(args) == 2:
        field, value = args
        step = STEPS.get(field)
        if step is None or value not in step.choices:
            return None
        return Event("answer", Input("choice", value=value), field=field)
    if prefix in CONTROL_ACTIONS and len(args) == 1 and args[0] in STEPS:
        return Event(CONTROL_ACTIONS[prefix], field=args[0])
    return None


@cache  # catalogs do not change while the bot runs
def _labels(key: str) -> frozenset[str]:
    return frozenset(fold(t(language, key)) for language in LANGUAGES)


def typed_event(phase: str, step_field: str | None, given: Input) -> Event:
    """Typed words that mean a button: a relative may type "Ana", "Keç" or "пропустить"."""
    if given.kind != "text" or phase != Phase.ASKING or step_field is None:
        return Event("answer", given)
    step = STEPS[step_field]
    typed = fold(given.text)
    if typed in _labels("button.skip") | _labels("words.skip"):
        return Event("skip")  # on a required question the engine explains it cannot be skipped
    if step.keyboard in (Keyboard.MULTI, Keyboard.MEDIA) and typed in _labels("button.done"):
        return Event("done")
    for value in step.choices:
        if typed in _labels(f"choice.{step.field}.{value}"):
            return Event("answer", Input("choice", value=value))
    return Event("answer", given)
