from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.dates import FuzzyDate, Precision, parse_birth, parse_last_contact
from flows.text import clean_text
from flows.validators import (
    BIRTH_OUT_OF_RANGE,
    BIRTH_UNREADABLE,
    DATE_FUTURE,
    DATE_TOO_OLD,
    DATE_UNREADABLE,
    Invalid,
)

TODAY = date(2026, 11, 21)
D, M, A = Precision.DAY, Precision.MONTH, Precision.APPROXIMATE
JAN_15 = date(2026, 1, 15)

LAST_CONTACT_CASES = [
    # Numeric, day-first and ISO.
    ("15.01.2026", JAN_15, D),
    ("15/01/2026", JAN_15, D),
    ("15-01-2026", JAN_15, D),
    ("15.01.26", JAN_15, D),
    ("2026-01-15", JAN_15, D),
    ("15.01", JAN_15, D),
    ("15 01 2026", JAN_15, D),
    ("1.2.2026", date(2026, 2, 1), D),
    ("01.2026", date(2026, 1, 1), M),
    ("15.01.2026 г.", JAN_15, D),
    ("примерно 15.01.2026", JAN_15, D),
    ("١٥.٠١.٢٠٢٦", JAN_15, D),  # Arabic-Indic digits from some phone keyboards
    # Day and month name.
    ("15 yanvar", JAN_15, D),
    ("15 yanvar 2026", JAN_15, D),
    ("yanvarın 15-i", JAN_15, D),
    ("15 января", JAN_15, D),
    ("15 января 2026 г.", JAN_15, D),
    ("15-го января 2026 года", JAN_15, D),
    ("15 янв.", JAN_15, D),
    ("January 15", JAN_15, D),
    ("15 January 2026", JAN_15, D),
    ("Jan 15, 2026", JAN_15, D),
    ("the 15th of January 2026", JAN_15, D),
    ("Sept 3", date(2026, 9, 3), D),
    ("sentyabrın 3-ü", date(2026, 9, 3), D),
    ("15 мая", date(2026, 5, 15), D),
    ("15 mart", date(2026, 3, 15), D),
    # Month only.
    ("yanvar 2026", date(2026, 1, 1), M),
    ("январь 2026", date(2026, 1, 1), M),
    ("January 2026", date(2026, 1, 1), M),
    ("в январе", date(2026, 1, 1), M),
    ("yanvarda", date(2026, 1, 1), M),
    ("yanvar ayında", date(2026, 1, 1), M),
    ("2026 yanvarında", date(2026, 1, 1), M),
    ("в 2026 году в мае", date(2026, 5, 1), M),
    # May and March must never be confused, in any language or case form.
    ("май", date(2026, 5, 1), M),
    ("мая 2026", date(2026, 5, 1), M),
    ("в мае", date(2026, 5, 1), M),
    ("март", date(2026, 3, 1), M),
    ("марта 2026", date(2026, 3, 1), M),
    ("в марте", date(2026, 3, 1), M),
    ("may", date(2026, 5, 1), M),
    ("mayda", date(2026, 5, 1), M),
    ("mart", date(2026, 3, 1), M),
    ("martda", date(2026, 3, 1), M),
    ("march", date(2026, 3, 1), M),
    ("в августе", date(2026, 8, 1), M),
    ("avgust 2026", date(2026, 8, 1), M),
    # Parts of a month.
    ("в середине января", JAN_15, A),
    ("mid-January", JAN_15, A),
    ("middle of January", JAN_15, A),
    ("yanvarın ortası", JAN_15, A),
    ("yanvarın ortasında", JAN_15, A),
    ("early January", date(2026, 1, 5), A),
    ("в начале января", date(2026, 1, 5), A),
    ("yanvarın əvvəli", date(2026, 1, 5), A),
    ("yanvarın evvelinde", date(2026, 1, 5), A),
    ("late January", date(2026, 1, 25), A),
    ("end of January", date(2026, 1, 25), A),
    ("в конце января", date(2026, 1, 25), A),
    ("yanvarın sonu", date(2026, 1, 25), A),
    ("yanvarın sonunda", date(2026, 1, 25), A),
    ("mid-January 2025", date(2025, 1, 15), A),
    # Relative.
    ("today", TODAY, D),
    ("сегодня", TODAY, D),
    ("bu gün", TODAY, D),
    ("bugun", TODAY, D),
    ("yesterday", date(2026, 11, 20), D),
    ("вчера", date(2026, 11, 20), D),
    ("dünən", date(2026, 11, 20), D),
    ("dunen", date(2026, 11, 20), D),
    ("позавчера", date(2026, 11, 19), D),
    ("3 days ago", date(2026, 11, 18), D),
    ("three days ago", date(2026, 11, 18), D),
    ("3 дня назад", date(2026, 11, 18), D),
    ("3 gün əvvəl", date(2026, 11, 18), D),
    ("3 gun once", date(2026, 11, 18), D),
    ("on gün əvvəl", date(2026, 11, 11), D),
    ("2 weeks ago", date(2026, 11, 7), A),
    ("2 недели назад", date(2026, 11, 7), A),
    ("2 həftə əvvəl", date(2026, 11, 7), A),
    ("неделю назад", date(2026, 11, 14), A),
    ("на прошлой неделе", date(2026, 11, 14), A),
    ("a month ago", date(2026, 10, 21), A),
    ("месяц назад", date(2026, 10, 21), A),
    ("bir ay əvvəl", date(2026, 10, 21), A),
    ("2 months ago", date(2026, 9, 21), A),
    ("keçən ay", date(2026, 10, 21), A),
    ("a year ago", date(2025, 11, 21), A),
    # Missing year: the most recent such date that is not in the future.
    ("25 December", date(2025, 12, 25), D),
    ("25.12", date(2025, 12, 25), D),
    ("mid-December", date(2025, 12, 15), A),
    ("в декабре", date(2025, 12, 1), M),
    ("25 November", date(2025, 11, 25), D),
    ("21 November", TODAY, D),
    ("29.02", date(2024, 2, 29), D),
    # A part of the current month that has begun but not ended is capped at today.
    ("late November", TODAY, A),
]

NO_DIACRITICS_AND_CASE = [
    ("YANVARIN ORTASI", JAN_15, A),
    ("Yanvarin ortasinda", JAN_15, A),
    ("yanvarin evveli", date(2026, 1, 5), A),
    ("yanvarin sonu", date(2026, 1, 25), A),
    ("fevralin 3-u", date(2026, 2, 3), D),
    ("3 gun evvel", date(2026, 11, 18), D),
    ("2 hefte evvel", date(2026, 11, 7), A),
    ("bir ay evvel", date(2026, 10, 21), A),
    ("bu gun", TODAY, D),
    ("ВЧЕРА", date(2026, 11, 20), D),
    ("15 ЯНВАРЯ 2026", JAN_15, D),
    ("январём 2026", date(2026, 1, 1), M),  # ё folds to е, then the instrumental ending
]

AZERBAIJANI_CYRILLIC = [
    ("јанвар 2026", date(2026, 1, 1), M),
    ("15 ЈАНВАР 2026", JAN_15, D),
    ("15 јанвар", JAN_15, D),
    ("јанварын ортасы", JAN_15, A),
    ("јанварда", date(2026, 1, 1), M),
    ("ијун 2026", date(2026, 6, 1), M),
    ("3 ҝүн әввәл", date(2026, 11, 18), D),
    ("дүнән", date(2026, 11, 20), D),
    ("бу ҝүн", TODAY, D),
]


@pytest.mark.parametrize(
    ("text", "expected", "precision"), LAST_CONTACT_CASES + NO_DIACRITICS_AND_CASE + AZERBAIJANI_CYRILLIC
)
def test_last_contact_reads(text: str, expected: date, precision: Precision) -> None:
    result = parse_last_contact(text, TODAY)
    assert (result.value, result.precision) == (expected, precision)
    assert result.text == clean_text(text)


# Every month, in each language and typical grammatical form; position = month number.
MONTH_SPELLINGS = {
    "en": "January Feb March apr May June jul August sept Oct November dec",
    "ru genitive": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "ru prepositional": "январе феврале марте апреле мае июне июле августе сентябре октябре ноябре декабре",
    "ru nominative": "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
    "az locative": "yanvarda fevralda martda apreldə mayda iyunda iyulda avqustda sentyabrda oktyabrda noyabrda dekabrda",
    "az genitive": "yanvarın fevralın martın aprelin mayın iyunun iyulun avqustun sentyabrın oktyabrın noyabrın dekabrın",
    "az plain": "yanvarin fevralin martin aprelin mayin iyunun iyulun avqustun sentyabrin oktyabrin noyabrin dekabrin",
    "az cyrillic": "јанвар феврал март апрел май ијун ијул август сентјабр октјабр нојабр декабр",
}


@pytest.mark.parametrize("form", sorted(MONTH_SPELLINGS))
def test_every_month_in_every_form(form: str) -> None:
    for number, word in enumerate(MONTH_SPELLINGS[form].split(), start=1):
        assert parse_last_contact(f"{word} 2025", TODAY) == FuzzyDate(date(2025, number, 1), M, f"{word} 2025")
        assert parse_last_contact(f"7 {word} 2025", TODAY).value == date(2025, number, 7)


def test_year_is_inferred_from_today_not_fixed() -> None:
    early_in_year = date(2026, 1, 10)
    assert parse_last_contact("15 January", early_in_year).value == date(2025, 1, 15)
    assert parse_last_contact("5 January", early_in_year).value == date(2026, 1, 5)
    assert parse_last_contact("в феврале", early_in_year).value == date(2025, 2, 1)
    assert parse_last_contact("2 months ago", date(2026, 3, 31)).value == date(2026, 1, 31)
    assert parse_last_contact("a month ago", date(2026, 3, 31)).value == date(2026, 2, 28)


def test_text_is_kept_as_typed_but_cleaned() -> None:
    assert parse_last_contact("  15   января\t2026 ", TODAY).text == "15 января 2026"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", DATE_UNREADABLE),
        ("   ", DATE_UNREADABLE),
        ("blah", DATE_UNREADABLE),
        ("😀", DATE_UNREADABLE),
        ("15", DATE_UNREADABLE),
        ("2027", DATE_FUTURE),
        ("autumn 2027", DATE_FUTURE),
        ("end of December 2026", DATE_FUTURE),
        ("last January", DATE_UNREADABLE),  # "last" goes with a season only
        ("autumn May", DATE_UNREADABLE),
        ("15 autumn", DATE_UNREADABLE),
        ("autumn winter", DATE_UNREADABLE),
        ("25", DATE_UNREADABLE),
        ("3 days", DATE_UNREADABLE),
        ("ago", DATE_UNREADABLE),
        ("mid", DATE_UNREADABLE),
        ("iyu", DATE_UNREADABLE),  # could be iyun or iyul
        ("January February", DATE_UNREADABLE),
        ("15 mid January", DATE_UNREADABLE),
        ("15.01.2026 15 January", DATE_UNREADABLE),
        ("15 января 2026 в Москве", DATE_UNREADABLE),
        ("31.02.2026", DATE_UNREADABLE),
        ("31 апреля", DATE_UNREADABLE),
        ("31.04", DATE_UNREADABLE),
        ("0.01.2026", DATE_UNREADABLE),
        ("15.13.2026", DATE_UNREADABLE),
        ("01/15/2026", DATE_UNREADABLE),  # month-first is refused, not silently swapped
        ("15.01.202", DATE_UNREADABLE),
        ("13.2026", DATE_UNREADABLE),
        ("15 January 2026 " + "x" * 200, DATE_UNREADABLE),
        ("15.01.2027", DATE_FUTURE),
        ("22.11.2026", DATE_FUTURE),
        ("December 2026", DATE_FUTURE),
        ("mid-December 2026", DATE_FUTURE),
        ("1989-12-31", DATE_TOO_OLD),
        ("31 декабря 1989", DATE_TOO_OLD),
        ("999 years ago", DATE_TOO_OLD),
        ("40 лет назад", DATE_TOO_OLD),
    ],
)
def test_last_contact_rejects(text: str, reason: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_last_contact(text, TODAY)
    assert caught.value.reason == reason


def test_earliest_allowed_date_is_accepted() -> None:
    assert parse_last_contact("01.01.1990", TODAY).value == date(1990, 1, 1)


BIRTH_CASES = [
    ("1980", 1980, None),
    ("12.03.1980", 1980, date(1980, 3, 12)),
    ("1980-03-12", 1980, date(1980, 3, 12)),
    ("12 марта 1980", 1980, date(1980, 3, 12)),
    ("12 mart 1980", 1980, date(1980, 3, 12)),
    ("March 12, 1980", 1980, date(1980, 3, 12)),
    ("1980-ci il", 1980, None),
    ("1980-cı ildə anadan olub", 1980, None),
    ("1980 təvəllüdlü", 1980, None),
    ("1980 г.", 1980, None),
    ("1980 год", 1980, None),
    ("1980 г.р.", 1980, None),
    ("born 1980", 1980, None),
    ("born in 1980", 1980, None),
    ("родился 12 марта 1980 года", 1980, date(1980, 3, 12)),
    ("mart 1980", 1980, None),
    ("12.03.80", 1980, date(1980, 3, 12)),
    ("12.03.05", 2005, date(2005, 3, 12)),
    ("12 ијун 1985", 1985, date(1985, 6, 12)),
    ("1940", 1940, None),
    ("2012", 2012, None),
]


@pytest.mark.parametrize(("text", "year", "full"), BIRTH_CASES)
def test_birth_reads(text: str, year: int, full: date | None) -> None:
    assert parse_birth(text, TODAY) == (year, full)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", BIRTH_UNREADABLE),
        ("abc", BIRTH_UNREADABLE),
        ("80", BIRTH_UNREADABLE),
        ("12 mart", BIRTH_UNREADABLE),
        ("31.02.1980", BIRTH_UNREADABLE),
        ("12.13.1980", BIRTH_UNREADABLE),
        ("13.1980", BIRTH_UNREADABLE),
        ("1980 1981", BIRTH_UNREADABLE),
        ("1939", BIRTH_OUT_OF_RANGE),
        ("2013", BIRTH_OUT_OF_RANGE),
        ("12.03.1930", BIRTH_OUT_OF_RANGE),
    ],
)
def test_birth_rejects(text: str, reason: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_birth(text, TODAY)
    assert caught.value.reason == reason


def test_birth_range_params_follow_today() -> None:
    with pytest.raises(Invalid) as caught:
        parse_birth("2013", TODAY)
    assert caught.value.params == {"min": 1940, "max": 2012}
    assert parse_birth("2013", date(2027, 1, 1)) == (2013, None)


# --- Properties ------------------------------------------------------------------------
# Fragments the parser knows, mixed with noise, so generated input reaches deep branches.
_FRAGMENTS = [
    "15", "31", "02", "2026", "1989", "99999", "0", ".", "/", "-", " ", "ago", "назад", "əvvəl",
    "January", "мая", "март", "yanvarın", "ortası", "mid", "late", "в", "г.", "il", "ci", "today",
    "вчера", "bu", "gün", "weeks", "ай", "ay", "bir", "on", "the", "of", "\u200f", "😀", "\x00", "\n",
]
_TEXTS = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.integers(0, 10**6).map(str)), max_size=8).map("".join),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=6).map(" ".join),
    st.text(max_size=20).map(lambda s: (s * 500)[:10_000]),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "So", "Zs"]), max_size=40),
    st.text(alphabet="אבגדهمسلم٠١٢٣", max_size=40),
)
_TODAYS = st.dates(min_value=date(1995, 1, 1), max_value=date(2100, 12, 31))
_DATE_REASONS = {DATE_UNREADABLE, DATE_FUTURE, DATE_TOO_OLD}


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS, today=_TODAYS)
def test_last_contact_yields_only_valid_dates_or_invalid(text: str, today: date) -> None:
    try:
        result = parse_last_contact(text, today)
    except Invalid as refusal:
        assert refusal.reason in _DATE_REASONS
        return
    assert isinstance(result, FuzzyDate)
    assert date(1990, 1, 1) <= result.value <= today
    assert result.precision in set(Precision)
    assert result.text == clean_text(text)


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS, today=_TODAYS)
def test_birth_yields_only_plausible_years_or_invalid(text: str, today: date) -> None:
    try:
        year, full = parse_birth(text, today)
    except Invalid as refusal:
        assert refusal.reason in {BIRTH_UNREADABLE, BIRTH_OUT_OF_RANGE}
        return
    assert 1940 <= year <= today.year - 14
    assert full is None or full.year == year


@settings(max_examples=300, deadline=None)
@given(day=st.dates(min_value=date(1990, 1, 1), max_value=TODAY))
def test_any_past_numeric_date_round_trips(day: date) -> None:
    for text in (day.strftime("%d.%m.%Y"), day.isoformat(), day.strftime("%d/%m/%Y")):
        assert parse_last_contact(text, TODAY) == FuzzyDate(day, Precision.DAY, text)
