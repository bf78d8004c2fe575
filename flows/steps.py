"""The intake questionnaire, top to bottom, as a caseworker would hand it out.

Each step names the answer's field, the question's message key, how an answer is read, the
buttons it offers and whether it may be skipped. `flows.engine` runs them; the bot renders
them. Button labels are message keys `choice.<field>.<value>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from flows import readers


class Keyboard(StrEnum):
    NONE = "none"
    CHOICES = "choices"  # one tap answers
    MULTI = "multi"  # taps toggle, "Done" answers
    CONTACT = "contact"  # share-my-number button, "reply here" button, or a typed number
    MEDIA = "media"  # files until "Done"


@dataclass(frozen=True)
class Step:
    field: str
    question: str
    read: Callable[[readers.Input, date], Any]
    keyboard: Keyboard = Keyboard.NONE
    choices: tuple[str, ...] = ()
    skippable: bool = False


def N_(key: str) -> str:
    """Marks a message key for the catalog check without translating it here."""
    return key


RELATIONSHIPS = ("mother", "father", "spouse", "sibling", "child", "other_relative", "friend", "other")
CIRCUMSTANCES = ("detained_pressured", "taken_from_work_site", "contract_under_pressure", "signed_voluntarily", "dont_know")
SITUATIONS = ("no_contact", "training_or_unit", "at_front", "wounded", "captured", "killed", "unknown")
ALREADY_CONTACTED = ("embassy", "consulate", "mfa", "ombudsman", "icrc", "none")
REPORTER_CONTACT = ("telegram",)
YES_NO = ("yes", "no")

# Required, in this order, so a frightened relative reaches "sent" fast.
REQUIRED = (
    Step("relationship", N_("ask.relationship"), readers.choice, Keyboard.CHOICES, RELATIONSHIPS),
    Step("full_name", N_("ask.full_name"), readers.full_name),
    Step("birth", N_("ask.birth"), readers.birth),
    Step("last_contact", N_("ask.last_contact"), readers.last_contact),
    Step("last_location", N_("ask.last_location"), readers.place),
    Step("reporter_contact", N_("ask.reporter_contact"), readers.reporter_contact, Keyboard.CONTACT, REPORTER_CONTACT),
    Step("share_with_authorities", N_("ask.share_with_authorities"), readers.choice, Keyboard.CHOICES, YES_NO),
)

# Offered once the required answers are in; every one has a Skip button.
OPTIONAL = (
    Step("reporter_name", N_("ask.reporter_name"), readers.name, skippable=True),
    Step("name_ru", N_("ask.name_ru"), readers.name, skippable=True),
    Step("father_name", N_("ask.father_name"), readers.name, skippable=True),
    Step("home_district", N_("ask.home_district"), readers.short_text, skippable=True),
    Step("circumstances", N_("ask.circumstances"), readers.choice, Keyboard.CHOICES, CIRCUMSTANCES, skippable=True),
    Step("details", N_("ask.details"), readers.long_text, skippable=True),
    Step("situation", N_("ask.situation"), readers.choice, Keyboard.CHOICES, SITUATIONS, skippable=True),
    Step("last_phone", N_("ask.last_phone"), readers.any_phone, skippable=True),
    Step("already_contacted", N_("ask.already_contacted"), readers.choices, Keyboard.MULTI, ALREADY_CONTACTED, skippable=True),
    Step("attachments", N_("ask.attachments"), readers.attachment, Keyboard.MEDIA, skippable=True),
)

QUESTIONNAIRE = REQUIRED + OPTIONAL
STEPS = {step.field: step for step in QUESTIONNAIRE}
