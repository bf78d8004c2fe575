"""Pure parsers for what a relative types; each returns a clean value or raises `Invalid`.

`Invalid.reason` is a message key: the bot looks it up in the user's language and asks
again kindly, filling the message from `Invalid.params`. All keys produced by the `flows`
parsers are defined here so whoever writes the messages has one list to translate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import phonenumbers

from flows.text import INVISIBLE, clean_text, shows_something

# --- Reason keys -----------------------------------------------------------------------
NAME_TOO_SHORT = "name.too_short"  # fewer than 2 characters or 2 letters; params: min
NAME_TOO_LONG = "name.too_long"  # more than 100 characters; params: max
NAME_NOT_LETTERS = "name.not_letters"  # digits, emoji or symbols other than - ' ’ ʼ . and space
TEXT_TOO_SHORT = "text.too_short"  # shorter than the step allows; params: min
TEXT_TOO_LONG = "text.too_long"  # longer than the step allows; params: max, length
PHONE_INVALID = "phone.invalid"  # not a real, dialable number in any of the tried regions
DATE_UNREADABLE = "date.unreadable"  # not a date we understand, or an impossible one (31.02)
DATE_FUTURE = "date.future"  # the date is after today
DATE_TOO_OLD = "date.too_old"  # before 1990-01-01; params: min (ISO date)
BIRTH_UNREADABLE = "birth.unreadable"  # neither a 4-digit year nor a full date of birth
BIRTH_OUT_OF_RANGE = "birth.out_of_range"  # year outside the plausible range; params: min, max


class Invalid(Exception):
    """The input cannot be accepted; `reason` says why, `params` fill the re-ask message."""

    def __init__(self, reason: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params: dict[str, Any] = dict(params or {})

    def __repr__(self) -> str:
        return f"Invalid({self.reason!r}, {self.params!r})"


# --- Names -----------------------------------------------------------------------------
NAME_MIN_LEN = 2
NAME_MAX_LEN = 100
# Hyphen for double surnames, apostrophes for names like O’Neil or Azerbaijani
# transliterations with ʼ, period for initials ("Əliyev R. M.").
_NAME_PUNCTUATION = frozenset(" -'’ʼ.")
# Invisible characters and blank-drawn fillers arrive with copy-pasted text (or are typed to get
# past "a name, please") and are not part of a name; direction marks go in clean_text.
_INVISIBLE_IN_NAMES = dict.fromkeys(map(ord, INVISIBLE))


def person_name(text: str) -> str:
    """Validate a person's name in any script; return it cleaned but with case untouched.

    Line breaks become spaces: people sometimes put surname and given name on two lines.
    """
    name = " ".join(clean_text(text).translate(_INVISIBLE_IN_NAMES).split())
    if len(name) < NAME_MIN_LEN:
        raise Invalid(NAME_TOO_SHORT, {"min": NAME_MIN_LEN})
    if len(name) > NAME_MAX_LEN:
        raise Invalid(NAME_TOO_LONG, {"max": NAME_MAX_LEN})
    letters = 0
    for ch in name:
        category = unicodedata.category(ch)
        if category.startswith("L"):
            letters += 1
        elif not category.startswith("M") and ch not in _NAME_PUNCTUATION:
            raise Invalid(NAME_NOT_LETTERS)
    if letters == 0:
        raise Invalid(NAME_NOT_LETTERS)
    if letters < 2:
        raise Invalid(NAME_TOO_SHORT, {"min": NAME_MIN_LEN})
    return name


# --- Free text -------------------------------------------------------------------------
def free_text(text: str, *, min_len: int = 2, max_len: int = 1000) -> str:
    """Clean free text and check its length (in characters, after cleaning)."""
    cleaned = clean_text(text)
    if len(cleaned) < min_len or not shows_something(cleaned):
        raise Invalid(TEXT_TOO_SHORT, {"min": min_len})
    if len(cleaned) > max_len:
        raise Invalid(TEXT_TOO_LONG, {"max": max_len, "length": len(cleaned)})
    return cleaned


# --- Phone numbers ---------------------------------------------------------------------
# Only what people use to write a number; letters are refused because phonenumbers would
# otherwise read "vanity" words as digits.
_PHONE_CHARS = re.compile(r"[0-9+\-().\s/]+")
_PHONE_MAX_LEN = 40


def phone_number(text: str, regions: Iterable[str] = ("AZ", "RU")) -> str:
    """Parse a phone number written any usual way; return it in E.164 ("+994501234567").

    Without a country code the regions are tried in order, so the caller decides whether an
    ambiguous national number is more likely Azerbaijani or Russian.
    """
    raw = clean_text(text)
    # Phones may send Arabic-Indic or full-width digits; phonenumbers wants ASCII.
    raw = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in raw)
    if not raw or len(raw) > _PHONE_MAX_LEN or not _PHONE_CHARS.fullmatch(raw):
        raise Invalid(PHONE_INVALID)
    digits = re.sub(r"[^0-9]", "", raw)
    attempts: list[tuple[str, str | None]]
    if raw.startswith("+"):
        attempts = [("+" + digits, None)]
    elif digits.startswith("00"):
        # "00" is the international prefix in Azerbaijan but not in Russia (810), so
        # normalise it ourselves rather than depend on which region is tried first.
        attempts = [("+" + digits[2:], None)]
    else:
        attempts = [(digits, region) for region in regions]
        if len(digits) >= 10:
            # People often drop the "+" from a full international number ("994501234567").
            attempts.append(("+" + digits, None))
    for candidate, region in attempts:
        found = _valid_e164(candidate, region)
        if found:
            return found
    raise Invalid(PHONE_INVALID)


def _valid_e164(candidate: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
