"""The words dates are written with, in Azerbaijani (Latin and Cyrillic), Russian and English:
months, parts of months, seasons, relative phrases and harmless fillers, as folded keys
(`flows.text.fold`). `flows.dates` reads text with them; nothing here parses."""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from pathlib import Path

import babel
from babel.dates import get_month_names

from core.i18n import LOCALES
from flows.text import fold

# Azerbaijani words are written once in Latin with diacritics and also matched in the
# Azerbaijani Cyrillic spelling, generated letter by letter.
AZ_LATIN_TO_CYRILLIC = str.maketrans(
    dict(zip("abcçdeəfgğhxıijkqlmnoöprsştuüvyz", "абҹчдеәфҝғһхыижкглмноөпрсштуүвјз", strict=True))
)


def keys(words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words.split())


def az_keys(words: str) -> frozenset[str]:
    return keys(words) | keys(words.translate(AZ_LATIN_TO_CYRILLIC))


# Endings that may follow a month name or stem: Russian cases (января, январе, январём)
# and Azerbaijani case/possessive suffixes (yanvarın, yanvarda, yanvarından, mayı).
MONTH_ENDINGS = (
    keys("ь я е ю й ем а у ом и")
    | az_keys("ın in un ün nın nin a ə ya yə ı i u ü da də ta tə dan dən tan tən")
    | az_keys("ında ində unda ündə ından indən undan ündən dək adək ədək acan əcən")
    | {""}
)

# Approximate day of month for "early / mid / late <month>".
PART_OF_MONTH: dict[str, int] = {}
for _day, _words, _az_words in (
    (5, "early beginning start начале начало начала", "əvvəli əvvəlində əvvəlləri əvvəllərində başı başında"),
    (15, "mid middle midst середине середина середины", "orta ortası ortasında ortaları ortalarında"),
    (25, "late end конце конец конца", "sonu sonunda sonları sonlarında axırı axırında axırları axırlarında"),
):
    PART_OF_MONTH.update(dict.fromkeys(keys(_words) | az_keys(_az_words), _day))

# Words that add nothing to an absolute date: prepositions, "year" markers, ordinal and
# case suffixes split off by a hyphen ("15-го", "1980-ci il", "15-də"), hedges.
COMMON_FILLERS = keys(
    "of the on in at st nd rd th year в во на г гг год года году го числа е"
) | az_keys(
    "il ilin ildə ilində ci cı cu cü inci ıncı unci ünci i ı u ü si sı su sü da də ta tə "
    "nda ndə ayı ayın ayında tarixində tarixdə günü"
)
HEDGES = keys("around about approximately approx roughly sometime примерно около где то приблизительно")
HEDGES |= az_keys("təxminən təqribən")
CONTACT_FILLERS = COMMON_FILLERS | HEDGES
BIRTH_FILLERS = (
    COMMON_FILLERS
    | keys("born date birth dob родился родилась рождения р дата")
    | az_keys("anadan olub doğulub doğum doğumlu təvəllüd təvəllüdlü tarixi")
)

# Relative phrases.
DAYS_BACK: dict[tuple[str, ...], int] = {}
for _back, _phrases, _az in (
    (0, "today|сегодня", "bu gün|bugün"),
    (1, "yesterday|вчера", "dünən"),
    (2, "day before yesterday|позавчера", "srağagün|sırağagün|srağa gün"),
):
    for _phrase in f"{_phrases}|{_az}|{_az.translate(AZ_LATIN_TO_CYRILLIC)}".split("|"):
        DAYS_BACK[tuple(fold(_phrase).split())] = _back

UNITS: dict[str, str] = {}
for _unit, _words, _az_words in (
    ("day", "day days день дня дней сутки суток", "gün"),
    ("week", "week weeks неделю недели недель неделя неделе", "həftə"),
    ("month", "month months месяц месяца месяцев месяце", "ay"),
    ("year", "year years год года лет году", "il"),
):
    UNITS.update(dict.fromkeys(keys(_words) | az_keys(_az_words), _unit))

COUNT_WORDS: dict[str, int] = {}
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
    COUNT_WORDS.update(dict.fromkeys(keys(_words) | az_keys(_az_words), _n))

AGO = keys("ago назад") | az_keys("əvvəl öncə qabaq")
LAST = keys("last прошлой прошлом прошлый прошлую прошлая прошлым прошлое прошлого") | az_keys("ötən keçən")
RELATIVE_FILLERS = HEDGES | keys("the just almost nearly тому уже почти на в") | az_keys("bundan")


def _unambiguous(table: dict[str, set[int]]) -> dict[str, int]:
    # A key claimed by two months (none today, but CLDR data changes) must match neither.
    return {key: next(iter(months)) for key, months in table.items() if len(months) == 1}


MONTH_LOCALES = ("az", "az_Cyrl", "ru", "en")
CLDR_MONTHS = LOCALES / "cldr_months.json"


def cldr_month_names(cache: Path = CLDR_MONTHS) -> dict[str, list[str]]:
    """`width/context/locale` → the twelve names, from Babel's CLDR data. Loading that data
    costs the bot about 7 MB of memory for good (four locales, kept by Babel), against a few
    kilobytes of names: so they are read once per Babel version and kept in a file beside the
    compiled catalogs, derived data rebuilt whenever it is missing or stale."""
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


def month_of(word: str) -> int | None:
    if word in _ABBREVIATED_MONTHS:
        return _ABBREVIATED_MONTHS[word]
    if len(word) < 3:
        return None
    # Longest stem first, so "марте" is March (март + е), not May (ма + рте).
    for cut in range(len(word), 1, -1):
        month = _MONTH_STEMS.get(word[:cut])
        if month is not None and word[cut:] in MONTH_ENDINGS:
            return month
    candidates = {month for name, month in _WIDE_MONTHS.items() if name.startswith(word)}
    return candidates.pop() if len(candidates) == 1 else None


# The day each part of a month begins on, by the day that stands for it (5 / 15 / 25): the part
# is in the past once it has begun.
PART_BEGINS = {5: 1, 15: 11, 25: 21}

# Seasons, meteorological (a winter runs December to February and belongs to the year of its
# January), with the month each begins in. "this" only confirms the most recent one.
SEASON_STARTS = {"winter": 12, "spring": 3, "summer": 6, "autumn": 9}
SEASONS: dict[str, str] = {}
for _season, _words, _az_words in (
    ("winter", "winter winters зима зимы зиме зиму зимой зимою", "qış qışı qışın qışda qışa qışında"),
    ("spring", "spring весна весны весне весну весной весною", "yaz yazı yazın yazda yaza yazında"),
    ("summer", "summer лето лета лету летом", "yay yayı yayın yayda yaya yayında"),
    ("autumn", "autumn fall осень осени осенью", "payız payızı payızın payızda payıza payızında"),
):
    SEASONS.update(dict.fromkeys(keys(_words) | az_keys(_az_words), _season))
# "autumn last year", "в конце декабря прошлого года", "keçən ilin payızı": the year is named, so
# the season or month is read in it (alone, "last year" stays "about a year ago").
LAST_YEAR = re.compile(r"\b(?:(?:keçən|ötən)\s+il(?:in|də|i)?|прошло(?:го|м)\s+год(?:а|у)?|last\s+year|прошлогодн\w*)\b", re.IGNORECASE)
THIS = keys("this этой этим этом этот эту эта это") | az_keys("bu")
