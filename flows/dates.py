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
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import babel
from babel.dates import get_month_names

from core.i18n import LOCALES
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


@dataclass(frozen=True)
class FuzzyDate:
    value: datetime.date
    precision: Precision
    text: str  # what the person typed, cleaned, kept so a volunteer can see the original


# --- Vocabulary ------------------------------------------------------------------------
# Azerbaijani words are written once in Latin with diacritics and also matched in the
# Azerbaijani Cyrillic spelling, generated letter by letter.
_AZ_LATIN_TO_CYRILLIC = str.maketrans(
    dict(zip("abcçdeəfgğhxıijkqlmnoöprsştuüvyz", "абҹчдеәфҝғһхыижкглмноөпрсштуүвјз", strict=True))
)


def _keys(words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words.split())


def _az_keys(words: str) -> frozenset[str]:
    return _keys(words) | _keys(words.translate(_AZ_LATIN_TO_CYRILLIC))


# Endings that may follow a month name or stem: Russian cases (января, январе, январём)
# and Azerbaijani case/possessive suffixes (yanvarın, yanvarda, yanvarından, mayı).
_MONTH_ENDINGS = (
    _keys("ь я е ю й ем а у ом и")
    | _az_keys("ın in un ün nın nin a ə ya yə ı i u ü da də ta tə dan dən tan tən")
    | _az_keys("ında ində unda ündə ından indən undan ündən dək adək ədək acan əcən")
    | {""}
)

# Approximate day of month for "early / mid / late <month>".
_PART_OF_MONTH: dict[str, int] = {}
for _day, _words, _az_words in (
    (5, "early beginning start начале начало начала", "əvvəli əvvəlində əvvəlləri əvvəllərində başı başında"),
    (15, "mid middle midst середине середина середины", "orta ortası ortasında ortaları ortalarında"),
    (25, "late end конце конец конца", "sonu sonunda sonları sonlarında axırı axırında axırları axırlarında"),
):
    _PART_OF_MONTH.update(dict.fromkeys(_keys(_words) | _az_keys(_az_words), _day))

# Words that add nothing to an absolute date: prepositions, "year" markers, ordinal and
# case suffixes split off by a hyphen ("15-го", "1980-ci il", "15-də"), hedges.
_COMMON_FILLERS = _keys(
    "of the on in at st nd rd th year в во на г гг год года году го числа е"
) | _az_keys(
    "il ilin ildə ilində ci cı cu cü inci ıncı unci ünci i ı u ü si sı su sü da də ta tə "
    "nda ndə ayı ayın ayında tarixində tarixdə günü"
)
_HEDGES = _keys("around about approximately approx roughly sometime примерно около где то приблизительно")
_HEDGES |= _az_keys("təxminən təqribən")
_CONTACT_FILLERS = _COMMON_FILLERS | _HEDGES
_BIRTH_FILLERS = (
    _COMMON_FILLERS
    | _keys("born date birth dob родился родилась рождения р дата")
    | _az_keys("anadan olub doğulub doğum doğumlu təvəllüd təvəllüdlü tarixi")
)

# Relative phrases.
_DAYS_BACK: dict[tuple[str, ...], int] = {}
for _back, _phrases, _az in (
    (0, "today|сегодня", "bu gün|bugün"),
    (1, "yesterday|вчера", "dünən"),
    (2, "day before yesterday|позавчера", "srağagün|sırağagün|srağa gün"),
):
    for _phrase in f"{_phrases}|{_az}|{_az.translate(_AZ_LATIN_TO_CYRILLIC)}".split("|"):
        _DAYS_BACK[tuple(fold(_phrase).split())] = _back

_UNITS: dict[str, str] = {}
for _unit, _words, _az_words in (
    ("day", "day days день дня дней сутки суток", "gün"),
    ("week", "week weeks неделю недели недель неделя неделе", "həftə"),
    ("month", "month months месяц месяца месяцев месяце", "ay"),
    ("year", "year years год года лет году", "il"),
):
    _UNITS.update(dict.fromkeys(_keys(_words) | _az_keys(_az_words), _unit))

_COUNT_WORDS: dict[str, int] = {}
for _n, (_words, _az_words) in enumerate(
    (
        ("a an one один одна одну", "bir"),
        ("two два две пару пара", "iki"),
        ("three три", "üç"),
        ("four четыре", "dörd"),
        ("five пять", "beş"),
        ("six шесть", "altı"),
        ("seven семь", "yeddi"),
        ("eight восемь", "səkkiz"),
        ("nine девять", "doqquz"),
        ("ten десять", "on"),
    ),
    start=1,
):
    _COUNT_WORDS.update(dict.fromkeys(_keys(_words) | _az_keys(_az_words), _n))

_AGO = _keys("ago назад") | _az_keys("əvvəl öncə qabaq")
_LAST = _keys("last прошлой прошлом прошлый прошлую прошлая") | _az_keys("ötən keçən")
_RELATIVE_FILLERS = _HEDGES | _keys("the just almost nearly тому уже почти на в") | _az_keys("bundan")


def _unambiguous(table: dict[str, set[int]]) -> dict[str, int]:
    # A key claimed by two months (none today, but CLDR data changes) must match neither.
    return {key: next(iter(months)) for key, months in table.items() if len(months) == 1}


MONTH_LOCALES = ("az", "az_Cyrl", "ru", "en")
CLDR_MONTHS = LOCALES / "cldr_months.json"


def cldr_month_names(cache: Path = CLDR_MONTHS) -> dict[str, list[str]]:
    """`width/context/locale` → the twelve names, from Babel's CLDR data. Loading that data
    costs the bot about 15 MB of memory for good (four locales, kept by Babel), against a few
    kilobytes of names: so they are read once per Babel version and kept in a file beside the
    compiled catalogs, as derived data that is rebuilt whenever it is missing or stale."""
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
        if kept.get("babel") == babel.__version__:
            return kept["names"]
    except (OSError, ValueError, AttributeError):
        pass
    names = {f"{width}/{context}/{locale}": [get_month_names(width, context, locale)[month] for month in range(1, 13)]
             for width in ("wide", "abbreviated") for context in ("format", "stand-alone") for locale in MONTH_LOCALES}
    try:  # written whole or not at all: tests and the bot may start together
        scratch = cache.with_name(f".{cache.name}.{os.getpid()}")
        scratch.write_text(json.dumps({"babel": babel.__version__, "names": names}, ensure_ascii=False), encoding="utf-8")
        os.replace(scratch, cache)
    except OSError:
        pass  # a read-only install reads CLDR at each start: slower to start, same answers
    return names


def _month_tables() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    wide: dict[str, set[int]] = defaultdict(set)
    abbreviated: dict[str, set[int]] = defaultdict(set)
    for key, names in cldr_month_names().items():
        table = wide if key.startswith("wide/") else abbreviated
        for month, name in enumerate(names, start=1):
            table[fold(name) if table is wide else fold(name).strip(".")].add(month)
    stems: dict[str, set[int]] = defaultdict(set, {k: set(v) for k, v in wide.items()})
    for name, months in wide.items():
        # Russian names end in a case ending (января, январь, марта); the bare stem takes
        # the other endings (январе, марте, мае).
        if name[-1] in "ьяйа" and "\u0400" <= name[0] <= "\u04ff":
            stems[name[:-1]] |= months
    # Common spellings CLDR lacks: Russian-influenced Latin "avgust", English "Sept".
    stems["avgust"].add(8)
    abbreviated["sept"].add(9)
    return _unambiguous(wide), _unambiguous(stems), _unambiguous(abbreviated)


_WIDE_MONTHS, _MONTH_STEMS, _ABBREVIATED_MONTHS = _month_tables()


def _month_of(word: str) -> int | None:
    if word in _ABBREVIATED_MONTHS:
        return _ABBREVIATED_MONTHS[word]
    if len(word) < 3:
        return None
    # Longest stem first, so "марте" is March (март + е), not May (ма + рте).
    for cut in range(len(word), 1, -1):
        month = _MONTH_STEMS.get(word[:cut])
        if month is not None and word[cut:] in _MONTH_ENDINGS:
            return month
    candidates = {month for name, month in _WIDE_MONTHS.items() if name.startswith(word)}
    return candidates.pop() if len(candidates) == 1 else None


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
        elif value in _PART_OF_MONTH:
            if reading.part_day not in (None, _PART_OF_MONTH[value]):
                return None
            reading.part_day = _PART_OF_MONTH[value]
        elif (month := _month_of(value)) is not None:  # type: ignore[arg-type]
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
    return reading


def _read_relative(tokens: list[_Token], today: datetime.date) -> tuple[datetime.date, Precision] | None:
    if any(kind == "date" for kind, _ in tokens):
        return None
    words = tuple(str(value) for _, value in tokens if value not in _RELATIVE_FILLERS)
    if words in _DAYS_BACK:
        return today - datetime.timedelta(days=_DAYS_BACK[words]), Precision.DAY
    if len(words) == 2 and words[0] in _LAST and words[1] in _UNITS:
        count, unit = 1, _UNITS[words[1]]
    elif 2 <= len(words) <= 3 and words[-1] in _AGO and words[-2] in _UNITS:
        unit = _UNITS[words[-2]]
        if len(words) == 2:
            count = 1  # "неделю назад", "месяц назад"
        elif words[0] in _COUNT_WORDS:
            count = _COUNT_WORDS[words[0]]
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
    tokens = _tokenize(cleaned)
    relative = _read_relative(tokens, today) if tokens else None
    if relative is not None:
        value, precision = relative
    else:
        reading = _read_absolute(tokens, _CONTACT_FILLERS) if tokens else None
        if reading is None or reading.month is None:
            raise Invalid(DATE_UNREADABLE)
        value, precision = _resolve_contact(reading, today)
    if value < EARLIEST_CONTACT:
        raise Invalid(DATE_TOO_OLD, {"min": EARLIEST_CONTACT.isoformat()})
    return FuzzyDate(value, precision, cleaned)


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
        # For a month or part of a month, the period counts as past once it has begun.
        start = _safe_date(year, reading.month or 0, reading.day)
        if start is not None and (start <= today or reading.year is not None):
            break
    else:
        raise Invalid(DATE_UNREADABLE)
    if start > today:
        raise Invalid(DATE_FUTURE)
    if reading.day is not None:
        return start, Precision.DAY
    if reading.part_day is not None:
        # "Late November" typed on 21 November means "recently", not a future day.
        return min(start.replace(day=reading.part_day), today), Precision.APPROXIMATE
    return start, Precision.MONTH


def parse_birth(text: str, today: datetime.date) -> tuple[int, datetime.date | None]:
    """Read a birth year or full birth date; return (year, date or None)."""
    reading = _read_absolute(_tokenize(clean_text(text)), _BIRTH_FILLERS)
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
