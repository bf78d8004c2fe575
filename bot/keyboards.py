"""Buttons: the intake's keyboards, and the use cases' plain button specs as Telegram objects.
Callback data is built by `core.callbacks` (≤ 64 bytes): the step a button belongs to travels
with it, so a tap on an old question is recognised instead of answering the current one."""

from __future__ import annotations

from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from app.screens import Button
from app.texts import choice_label
from core.callbacks import pack
from core.config import LANGUAGE_NAMES
from core.i18n import t
from flows.steps import OPTIONAL, STEPS, Keyboard, Step
WIDE_LABEL = 18  # longer labels get a row of their own, so a phone screen shows them whole


def button(text: str, prefix: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(prefix, *args))


def markup(rows: list[list[Button]] | None) -> InlineKeyboardMarkup | None:
    """A use case's buttons as Telegram's keyboard (built after the transaction, never in it)."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data, url=b.url) for b in row] for row in rows])


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    if any(len(b.text) > WIDE_LABEL for b in buttons):
        return [[b] for b in buttons]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def language_row() -> list[InlineKeyboardButton]:
    return [button(name, "l", code) for code, name in LANGUAGE_NAMES.items()]


def question(language: str, step: Step, selected: list[str] | None = None) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """The buttons under a question; only a multi-select question's marks vary between relatives."""
    marked = tuple(sorted(selected or ())) if step.keyboard == Keyboard.MULTI else ()
    return _question(language, step.field, marked)


# Keyboards are built once per language (and marks) and shared: PTB's objects are immutable,
# and in a surge every reply carries one.
cached = lru_cache(maxsize=1024)


@cached
def _question(language: str, field: str, marked: tuple[str, ...]) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    step = STEPS[field]
    if step.keyboard == Keyboard.CONTACT:
        return ReplyKeyboardMarkup(
            [
                [KeyboardButton(t(language, "button.share_phone"), request_contact=True)],
                [KeyboardButton(choice_label(language, step.field, "telegram"))],
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    rows: list[list[InlineKeyboardButton]] = []
    if step.keyboard == Keyboard.CHOICES:
        rows = _rows([button(choice_label(language, step.field, v), "a", step.field, v) for v in step.choices])
    elif step.keyboard == Keyboard.MULTI:
        rows = [
            [button(("✓ " if v in marked else "") + choice_label(language, step.field, v), "a", step.field, v)]
            for v in step.choices
        ]
    controls = []
    if step.unknown:
        controls.append(button(t(language, "button.dont_know"), "dk", step.field))
    if step.keyboard in (Keyboard.MULTI, Keyboard.MEDIA):
        controls.append(button(t(language, "button.done"), "d", step.field))
    if step.skippable:
        controls.append(button(t(language, "button.skip"), "s", step.field))
    if controls:
        rows.append(controls)
    if step in OPTIONAL:
        rows.append([button(t(language, "button.finish"), "f", step.field)])
    return InlineKeyboardMarkup(rows) if rows else None


@cached
def consent(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(t(language, "button.agree"), "k", "agree")],
            [button(t(language, "button.decline"), "k", "decline")],
            language_row(),
        ]
    )


@cached
def gate(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(t(language, "button.more_details"), "g", "more")], [button(t(language, "button.review"), "g", "review")]]
    )


@cached
def review(language: str) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for field in STEPS:  # two short ✏️ buttons side by side; a long one alone, so it is read whole
        edit = button("✏️ " + t(language, f"field.{field}"), "e", field)
        if len(edit.text) <= WIDE_LABEL and rows and len(rows[-1]) == 1 and len(rows[-1][0].text) <= WIDE_LABEL:
            rows[-1].append(edit)
        else:
            rows.append([edit])
    return InlineKeyboardMarkup([*rows, [button("✅ " + t(language, "button.submit"), "x", "submit")]])


@cached
def confirm_cancel(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t(language, "button.cancel_yes"), "c", "yes"), button(t(language, "button.cancel_no"), "c", "no")]])


@cached
def start_report(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t(language, "button.new_report"), "n", "new")]])


@cached
def unfinished(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(t(language, "button.continue"), "n", "resume")], [button(t(language, "button.start_over"), "n", "restart")]]
    )


@cached
def resume(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t(language, "button.continue"), "n", "resume")]])


@cached
def languages() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([language_row()])


@cached
def guidance(language: str, section: str, more: bool, situation: str | None = None) -> InlineKeyboardMarkup:
    rows = [[button(t(language, "button.sources"), "src", section)]]
    if more:  # the situation goes with it: the rest follows the same report (no legal warning after a death)
        rows.append([button(t(language, "button.more_guidance"), "m", "guidance", *([situation] if situation else []))])
    return InlineKeyboardMarkup(rows)


def remove() -> ReplyKeyboardRemove:
    return REMOVE


REMOVE = ReplyKeyboardRemove()


def add_information(language: str, ref: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t(language, "button.write_to_team"), "tw", ref)], [button(t(language, "button.update"), "ua", ref)]])
