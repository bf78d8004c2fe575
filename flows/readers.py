"""Turning what a relative sent into a stored answer, or a reason to ask again.

Every reader takes an `Input` (what Telegram delivered, already stripped of Telegram's types)
and returns a JSON-ready value, or raises `Invalid` whose reason is a message key suffix.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows.dates import Precision, parse_birth, parse_last_contact
from flows.text import fold
from flows.validators import Invalid, free_text, person_name, phone_number

EXPECTED_TEXT = "input.expected_text"
EXPECTED_CHOICE = "input.expected_choice"
EXPECTED_MEDIA = "input.expected_media"
EXPECTED_PLACE = "input.expected_place"
EXPECTED_CONTACT = "input.expected_contact"
ONE_WORD_NAME = "name.one_word"


@dataclass(frozen=True)
class Input:
    kind: str  # text | choice | contact | location | media | other
    text: str = ""
    value: str | None = None
    phone: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    media: dict[str, Any] = field(default_factory=dict)


# "I don't know", as families type it (folded, punctuation and apostrophes dropped): an optional
# question answered so is recorded as unknown, never kept as a name or a district.
_DONT_KNOW = frozenset(fold(phrase) for phrase in (
    "bilmirəm", "bilmirik", "bilmərəm", "bilmirem", "bilmiram", "məlum deyil", "məlum deyil", "bilinmir",
    "билмирәм", "билмирик", "мәлум дејил",
    "не знаю", "незнаю", "не знаем", "неизвестно", "не известно", "не помню",
    "dont know", "i dont know", "do not know", "i do not know", "unknown", "not known", "no idea", "idk",
))
_NOT_WORDS = re.compile(r"[^\w\s]|_")


def dont_know(given: Input) -> bool:
    return given.kind == "text" and " ".join(_NOT_WORDS.sub("", fold(given.text)).split()) in _DONT_KNOW


def unknown_contact() -> dict[str, Any]:
    """The last contact when the family does not know it: no date, and the report goes on."""
    return {"date": None, "precision": str(Precision.UNKNOWN), "text": ""}


def _text(given: Input, reason: str = EXPECTED_TEXT) -> str:
    if given.kind != "text" or not given.text.strip():
        raise Invalid(reason)
    return given.text


def choice(given: Input, _today: date) -> str:
    if given.kind != "choice" or given.value is None:
        raise Invalid(EXPECTED_CHOICE)
    return given.value


def choices(given: Input, _today: date) -> str:
    # Multi-select steps are read one tap at a time; the engine keeps the set.
    return choice(given, _today)


def name(given: Input, _today: date) -> str:
    return person_name(_text(given))


def full_name(given: Input, _today: date) -> str:
    value = person_name(_text(given))
    if len(value.split()) < 2:
        raise Invalid(ONE_WORD_NAME)
    return value


def short_text(given: Input, _today: date) -> str:
    return free_text(_text(given), min_len=2, max_len=200)


def long_text(given: Input, _today: date) -> str:
    return free_text(_text(given), min_len=2, max_len=3000)


def birth(given: Input, today: date) -> dict[str, Any]:
    year, full_date = parse_birth(_text(given), today)
    return {"year": year, "date": full_date.isoformat() if full_date else None}


def last_contact(given: Input, today: date) -> dict[str, Any]:
    when = parse_last_contact(_text(given), today)
    return {"date": when.value.isoformat(), "precision": str(when.precision), "text": when.text}


def _real_point(latitude: float | None, longitude: float | None) -> bool:
    return (
        latitude is not None and longitude is not None
        and math.isfinite(latitude) and math.isfinite(longitude)
        and -90 <= latitude <= 90 and -180 <= longitude <= 180
    )


def place(given: Input, _today: date) -> dict[str, Any]:
    if given.kind == "location" and _real_point(given.latitude, given.longitude):
        text = f"{given.latitude:.5f}, {given.longitude:.5f}"
        return {"text": text, "lat": given.latitude, "lon": given.longitude}
    return {"text": free_text(_text(given, EXPECTED_PLACE), min_len=2, max_len=300), "lat": None, "lon": None}


def reporter_contact(given: Input, _today: date) -> dict[str, Any]:
    if given.kind == "choice" and given.value == "telegram":
        return {"method": "telegram", "phone": None}
    if given.kind == "contact" and given.phone:
        return {"method": "phone", "phone": phone_number(given.phone)}
    return {"method": "phone", "phone": phone_number(_text(given, EXPECTED_CONTACT))}


def any_phone(given: Input, _today: date) -> str:
    if given.kind == "contact" and given.phone:
        return phone_number(given.phone, regions=("RU", "AZ"))
    # The number he last called from is most often Russian.
    return phone_number(_text(given), regions=("RU", "AZ"))


def attachment(given: Input, _today: date) -> dict[str, Any]:
    if given.kind != "media" or not given.media.get("file_id"):
        raise Invalid(EXPECTED_MEDIA)
    return dict(given.media)
