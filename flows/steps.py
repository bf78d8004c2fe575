"""The intake questionnaire, top to bottom, as a caseworker would hand it out.

Each step names the answer's field, the question's message key, how an answer is read, the
buttons it offers, whether it may be skipped, and the `Case` column(s) its answer is kept in
(whose names are also the export's column names). `flows.engine` runs them; the bot renders
them; `app.case_schema` derives a case from the answers, and the answers from a case. Button
labels are message keys `choice.<field>.<value>`. A new optional question: a step here, its
messages in the catalogs, and a migration adding its column.
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
class Column:
    """A `Case` column holding an answer (or one `part` of a structured answer). `kind` says how
    the stored value differs from the answer: "date" (ISO text in the answer), "flag" ("yes"/"no"
    in the answer), "list" (an empty list when skipped)."""

    name: str
    part: str | None = None
    kind: str = "plain"


def kept_in(name: str, kind: str = "plain") -> tuple[Column, ...]:
    return (Column(name, kind=kind),)


@dataclass(frozen=True)
class Step:
    field: str
    question: str
    read: Callable[[readers.Input, date], Any]
    keyboard: Keyboard = Keyboard.NONE
    choices: tuple[str, ...] = ()
    skippable: bool = False
    unknown: bool = False  # offers an "I don't know" button (a skippable step takes the words too)
    columns: tuple[Column, ...] = ()  # none: kept elsewhere (attachments have their own table)


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
    Step("relationship", N_("ask.relationship"), readers.choice, Keyboard.CHOICES, RELATIONSHIPS, columns=kept_in("reporter_relationship")),
    Step("full_name", N_("ask.full_name"), readers.full_name, columns=kept_in("person_full_name")),
    Step("birth", N_("ask.birth"), readers.birth, columns=(Column("birth_year", "year"), Column("birth_date", "date", "date"))),
    Step("last_contact", N_("ask.last_contact"), readers.last_contact, unknown=True, columns=(
        Column("last_contact_date", "date", "date"), Column("last_contact_precision", "precision"), Column("last_contact_text", "text"))),
    Step("last_location", N_("ask.last_location"), readers.place, columns=(
        Column("last_location", "text"), Column("last_location_lat", "lat"), Column("last_location_lon", "lon"))),
    Step("reporter_contact", N_("ask.reporter_contact"), readers.reporter_contact, Keyboard.CONTACT, REPORTER_CONTACT,
         columns=(Column("reporter_contact_method", "method"), Column("reporter_phone", "phone"))),
    Step("share_with_authorities", N_("ask.share_with_authorities"), readers.choice, Keyboard.CHOICES, YES_NO, columns=kept_in("share_with_authorities", "flag")),
)

# Offered once the required answers are in; every one has a Skip button.
OPTIONAL = (
    Step("reporter_name", N_("ask.reporter_name"), readers.name, skippable=True, columns=kept_in("reporter_name")),
    Step("name_ru", N_("ask.name_ru"), readers.name, skippable=True, columns=kept_in("person_name_ru")),
    Step("father_name", N_("ask.father_name"), readers.name, skippable=True, columns=kept_in("person_father_name")),
    Step("home_district", N_("ask.home_district"), readers.short_text, skippable=True, columns=kept_in("home_district")),
    Step("circumstances", N_("ask.circumstances"), readers.choice, Keyboard.CHOICES, CIRCUMSTANCES, skippable=True, columns=kept_in("circumstances")),
    Step("details", N_("ask.details"), readers.long_text, skippable=True, columns=kept_in("details")),
    Step("situation", N_("ask.situation"), readers.choice, Keyboard.CHOICES, SITUATIONS, skippable=True, columns=kept_in("person_situation")),
    Step("last_phone", N_("ask.last_phone"), readers.any_phone, skippable=True, columns=kept_in("last_phone")),
    Step("already_contacted", N_("ask.already_contacted"), readers.choices, Keyboard.MULTI, ALREADY_CONTACTED, skippable=True,
         columns=kept_in("already_contacted", "list")),
    Step("attachments", N_("ask.attachments"), readers.attachment, Keyboard.MEDIA, skippable=True),
)

QUESTIONNAIRE = REQUIRED + OPTIONAL
STEPS = {step.field: step for step in QUESTIONNAIRE}
