"""Reading dates the way families actually write them, in Azerbaijani, Russian or English.

A relative rarely knows the exact day of the last call, so `parse_last_contact` accepts
exact dates, months ("в январе", "yanvarda"), parts of months ("yanvarın ortası") and
relative phrases ("3 gün əvvəl"), and records how precise the answer was.

How text is read: it is folded (see `flows.text.fold`), split into tokens (numeric dates
such as 15.01.2026, plain numbers, words), and every word must be recognised — a month,
a part of a month, a relative-time word, or a harmless filler ("г.", "ci il", "of").
An unknown word makes the whole answer unreadable: asking again is cheaper than filing
a wrong date in a missing-person report. Punctuation and emoji are ignored.

Month names come from Babel's CLDR data for az, az_Cyrl, ru and en. A month word matches
when it is a known name or stem followed by a grammatical ending (Russian cases, and
Azerbaijani case suffixes such as -ın, -da, -dan), an exact CLDR abbreviation, or an
unambiguous beginning of a full name of at least three letters ("janu", "сентяб").
Numeric dates are read day-first (15.01.2026) or ISO (2026-01-15), never month-first:
these users write day-first, and a silent day/month swap would be worse than a re-ask.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from enum import StrEnum

from flows.date_words import (
    AGO, BIRTH_FILLERS, CONTACT_FILLERS, COUNT_WORDS, DAYS_BACK, LAST, LAST_YEAR, PART_BEGINS, PART_OF_MONTH, RELATIVE_FILLERS,
    SEASON_STARTS, SEASONS, THIS, UNITS, month_of,
)
from flows.text import clean_text, fold
from flows.validators import BIRTH_OUT_OF_RANGE, BIRTH_UNREADABLE, DATE_FUTURE, DATE_TOO_OLD, DATE_UNREADABLE
from flows.validators import Invalid

EARLIEST_CONTACT = datetime.date(1990, 1, 1)
BIRTH_MIN_YEAR = 1940
BIRTH_MIN_AGE = 14
# A date answer is short; refusing long text up front keeps parsing cheap and predictable.
_MAX_DATE_TEXT = 120


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    APPROXIMATE = "approximate"
    SEASON = "season"  # the value is the first day of the season (a winter's is in December)
    YEAR = "year"  # the value is 1 January
    UNKNOWN = "unknown"  # the family does not know; no value


@dataclass(frozen=True)
class FuzzyDate:
    value: datetime.date
    precision: Precision
    text: str  # what the person typed, cleaned, kept so a volunteer can see the original


# --- Tokens ----------------------------------------------------------------------------
_SEP = r"\s*[-./]\s*"
_TOKEN = re.compile(
    rf"""
    (?P<ymd>(?<![0-9])[0-9]{{4}}{_SEP}[0-9]{{1,2}}{_SEP}[0-9]{{1,2}}(?![0-9]))
  | (?P<dmy>(?<![0-9])[0-9]{{1,2}}{_SEP}[0-9]{{1,2}}{_SEP}[0-9]{{1,4}}(?![0-9]))
  | (?P<dmy_spaced>(?<![0-9])[0-9]{{1,2}}\s[0-9]{{1,2}}\s[0-9]{{4}}(?![0-9]))
  | (?P<my>(?<![0-9])[0-9]{{1,2}}{_SEP}[0-9]{{4}}(?![0-9]))
  | (?P<dm>(?<![0-9])[0-9]{{1,2}}{_SEP}[0-9]{{1,2}}(?![0-9]))
  | (?P<num>[0-9]+)
  | (?P<word>[^\W\d_]+)
    """,
    re.VERBOSE,
)
# Which field each number of a numeric date is, in the order written.
_NUMERIC_LAYOUTS = {"ymd": "ymd", "dmy": "dmy", "dmy_spaced": "dmy", "my": "my", "dm": "dm"}


@dataclass
class _Reading:
    year: int | None = None
    year_digits: int = 0  # as typed: 2 in "15.01.26", so the caller can pick the century
    month: int | None = None
    day: int | None = None
    part_day: int | None = None  # 5 / 15 / 25 for early / mid / late
    season: str | None = None
    last: bool = False  # "last autumn": the most recent one that has ended


# ("date", _Reading) for a numeric date, ("num", digits) or ("word", folded word).
_Token = tuple[str, "str | _Reading"]


def _tokenize(cleaned: str) -> list[_Token]:
    if len(cleaned) > _MAX_DATE_TEXT:
        return []
    # Phones may send Arabic-Indic or full-width digits; the patterns expect ASCII.
    ascii_digits = "".join(str(int(ch)) if ch.isdecimal() else ch for ch in cleaned)
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(fold(ascii_digits)):
        kind, text = str(match.lastgroup), match.group()
        if kind in _NUMERIC_LAYOUTS:
            fields = dict(zip(_NUMERIC_LAYOUTS[kind], re.findall(r"[0-9]+", text), strict=True))
            year, day = fields.get("y"), fields.get("d")
            reading = _Reading(int(year) if year else None, len(year or ""), int(fields["m"]))
            reading.day = int(day) if day else None
            tokens.append(("date", reading))
        else:
            tokens.append((kind, text))
    return tokens


def _read_absolute(tokens: list[_Token], fillers: frozenset[str]) -> _Reading | None:
    """Collect year, month, day and part-of-month; None if anything is unknown or clashes."""
    reading = _Reading()
    numeric: _Reading | None = None
    named_month: int | None = None
    numbers: list[str] = []
    for kind, value in tokens:
        if kind == "date":
            if numeric is not None:
                return None
            numeric = value  # type: ignore[assignment]  # "date" tokens carry a _Reading
        elif kind == "num":
            numbers.append(value)  # type: ignore[arg-type]
        elif value in fillers:
            continue
        elif value in SEASONS and fillers is CONTACT_FILLERS:
            if reading.season not in (None, SEASONS[value]):
                return None
            reading.season = SEASONS[value]
        elif (value in LAST or value in THIS) and fillers is CONTACT_FILLERS:
            reading.last = reading.last or value in LAST
        elif value in PART_OF_MONTH:
            if reading.part_day not in (None, PART_OF_MONTH[value]):
                return None
            reading.part_day = PART_OF_MONTH[value]
        elif (month := month_of(value)) is not None:  # type: ignore[arg-type]
            if named_month not in (None, month):
                return None
            named_month = month
        else:
            return None
    if numeric is not None:
        # "15.01.2026" stands alone; with a month word or more numbers it is a clash.
        return None if numbers or named_month or reading.part_day else numeric
    reading.month = named_month
    for number in sorted(numbers, key=lambda n: len(n) != 4):
        if len(number) == 4 and reading.year is None:
            reading.year, reading.year_digits = int(number), 4
        elif len(number) <= 2 and reading.day is None:
            reading.day = int(number)
        elif len(number) <= 2 and reading.year is None:
            reading.year, reading.year_digits = int(number), 2
        else:
            return None
    if reading.day is not None and (reading.part_day is not None or reading.month is None):
        return None
    if (reading.season or reading.last) and (reading.month or reading.day or reading.part_day or not reading.season):
        return None  # "last" says which season; a season with a month or a day is a clash
    return reading


def _read_relative(tokens: list[_Token], today: datetime.date) -> tuple[datetime.date, Precision] | None:
    if any(kind == "date" for kind, _ in tokens):
        return None
    words = tuple(str(value) for _, value in tokens if value not in RELATIVE_FILLERS)
    if words in DAYS_BACK:
        return today - datetime.timedelta(days=DAYS_BACK[words]), Precision.DAY
    if len(words) == 2 and words[0] in LAST and words[1] in UNITS:
        count, unit = 1, UNITS[words[1]]
    elif 2 <= len(words) <= 3 and words[-1] in AGO and words[-2] in UNITS:
        unit = UNITS[words[-2]]
        if len(words) == 2:
            count = 1  # "неделю назад", "месяц назад"
        elif words[0] in COUNT_WORDS:
            count = COUNT_WORDS[words[0]]
        elif words[0].isdigit() and len(words[0]) <= 3:
            count = int(words[0])
        else:
            return None
    else:
        return None
    value = _step_back(today, unit, count)
    if value is None:
        raise Invalid(DATE_TOO_OLD, {"min": EARLIEST_CONTACT.isoformat()})
    return value, Precision.DAY if unit == "day" else Precision.APPROXIMATE


def _step_back(today: datetime.date, unit: str, count: int) -> datetime.date | None:
    try:
        if unit == "day":
            return today - datetime.timedelta(days=count)
        if unit == "week":
            return today - datetime.timedelta(weeks=count)
        months = count * (12 if unit == "year" else 1)
        year, month0 = divmod(today.year * 12 + today.month - 1 - months, 12)
        day = min(today.day, calendar.monthrange(year, month0 + 1)[1])
        return datetime.date(year, month0 + 1, day)
    except (ValueError, OverflowError):
        return None  # before year 1: certainly too old


def _safe_date(year: int, month: int, day: int | None) -> datetime.date | None:
    try:
        return datetime.date(year, month, 1 if day is None else day)
    except ValueError:
        return None


# --- Public parsers --------------------------------------------------------------------
def parse_last_contact(text: str, today: datetime.date) -> FuzzyDate:
    """Read when the family last heard from him; raise `Invalid` with a date.* reason."""
    cleaned = clean_text(text)
    tokens = _tokenize(_name_last_year(cleaned, today))
    relative = _read_relative(tokens, today) if tokens else None
    if relative is not None:
        value, precision = relative
    else:
        reading = _read_absolute(tokens, CONTACT_FILLERS) if tokens else None
        if reading is not None and reading.season is not None:
            value, precision = _resolve_season(reading, today)
        elif reading is not None and reading.month is None and reading.year_digits == 4 and reading.day is None and reading.part_day is None:
            value, precision = datetime.date(reading.year or 0, 1, 1), Precision.YEAR  # "2025": all we know
            if value > today:
                raise Invalid(DATE_FUTURE)
        elif reading is None or reading.month is None:
            raise Invalid(DATE_UNREADABLE)
        else:
            value, precision = _resolve_contact(reading, today)
    if value < EARLIEST_CONTACT:
        raise Invalid(DATE_TOO_OLD, {"min": EARLIEST_CONTACT.isoformat()})
    return FuzzyDate(value, precision, cleaned)


def _name_last_year(cleaned: str, today: datetime.date) -> str:
    """"Last year" beside a season or a month becomes that year's number."""
    rest = _tokenize(LAST_YEAR.sub(" ", cleaned))
    if rest == _tokenize(cleaned) or not any(v in SEASONS or month_of(v) for kind, v in rest if kind == "word"):  # type: ignore[arg-type]
        return cleaned
    return LAST_YEAR.sub(f" {today.year - 1} ", cleaned)


def _resolve_contact(reading: _Reading, today: datetime.date) -> tuple[datetime.date, Precision]:
    if reading.year is not None:
        if reading.year_digits not in (2, 4):
            raise Invalid(DATE_UNREADABLE)
        years = [reading.year + 2000 if reading.year_digits == 2 else reading.year]
    else:
        # No year: the most recent such date not after today. Looking back 8 years finds
        # a leap year for "29.02"; impossible dates ("31.04") find nothing.
        years = list(range(today.year, today.year - 9, -1))
    for year in years:
        # For a month or part of a month, the period counts as past once it has begun: on 2
        # December "end of December" is last year's, and "in December" is this one.
        day = reading.day if reading.day is not None else PART_BEGINS.get(reading.part_day or 0)
        start = _safe_date(year, reading.month or 0, day)
        if start is not None and (start <= today or reading.year is not None):
            break
    else:
        raise Invalid(DATE_UNREADABLE)
    if start > today:
        raise Invalid(DATE_FUTURE)
    if reading.day is not None:
        return start, Precision.DAY
    if reading.part_day is not None:
        # "Late November" typed on 23 November means "recently", not a future day.
        return min(start.replace(day=reading.part_day), today), Precision.APPROXIMATE
    return start, Precision.MONTH


def _resolve_season(reading: _Reading, today: datetime.date) -> tuple[datetime.date, Precision]:
    """A season's first day: of the year given, else the most recent one that has begun (or, for
    "last autumn", that has ended). A winter belongs to the year of its January."""
    first_month = SEASON_STARTS[str(reading.season)]

    def begins(year: int) -> datetime.date:
        return datetime.date(year - 1 if first_month == 12 else year, first_month, 1)

    if reading.year is not None:
        if reading.year_digits != 4:
            raise Invalid(DATE_UNREADABLE)
        if begins(reading.year) > today:
            raise Invalid(DATE_FUTURE)
        return begins(reading.year), Precision.SEASON
    for year in range(today.year + 1, today.year - 2, -1):
        start = begins(year)
        over = datetime.date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)  # three months on
        if (over if reading.last else start) <= today:
            return start, Precision.SEASON
    raise AssertionError("a season begins every year")


def parse_birth(text: str, today: datetime.date) -> tuple[int, datetime.date | None]:
    """Read a birth year or full birth date; return (year, date or None)."""
    reading = _read_absolute(_tokenize(clean_text(text)), BIRTH_FILLERS)
    if reading is None or reading.year is None or (reading.day is not None and reading.month is None):
        raise Invalid(BIRTH_UNREADABLE)
    latest = today.year - BIRTH_MIN_AGE
    year = reading.year
    if reading.year_digits == 2 and reading.day is not None:
        # "12.03.80": a two-digit year is only trusted inside a full date; 20xx if that
        # is a plausible birth year, otherwise 19xx.
        year = 2000 + year if 2000 + year <= latest else 1900 + year
    elif reading.year_digits != 4:
        raise Invalid(BIRTH_UNREADABLE)
    if not BIRTH_MIN_YEAR <= year <= latest:
        raise Invalid(BIRTH_OUT_OF_RANGE, {"min": BIRTH_MIN_YEAR, "max": latest})
    # Checked even without a day, so "13.1980" is refused rather than read as 1980.
    born = _safe_date(year, reading.month or 1, reading.day)
    if born is None:
        raise Invalid(BIRTH_UNREADABLE)
    return year, None if reading.day is None else born
