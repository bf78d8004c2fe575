"""The last-contact answers a mother can actually give (issue 12): a bare year, seasons, and
"end / middle / beginning of <month>", in each language, read against an injected today."""

import re
from datetime import date

import pytest

from core.i18n import t
from flows.dates import Precision, parse_last_contact
from flows.validators import DATE_FUTURE, Invalid

TODAY = date(2026, 12, 3)
S, Y, A = Precision.SEASON, Precision.YEAR, Precision.APPROXIMATE

FORMS = [
    # A bare year: 1 January, precision "year".
    ("az", "2025", date(2025, 1, 1), Y),
    ("az", "2025-ci il", date(2025, 1, 1), Y),
    ("ru", "в 2025 году", date(2025, 1, 1), Y),
    ("en", "in 2025", date(2025, 1, 1), Y),
    ("en", "2026", date(2026, 1, 1), Y),
    # Seasons: the first day of the season, precision "season". Without a year, the most recent
    # one that has begun; "last", the most recent one that has ended.
    ("az", "keçən payız", date(2026, 9, 1), S),
    ("az", "kecen payiz", date(2026, 9, 1), S),
    ("az", "payızda", date(2026, 9, 1), S),
    ("az", "2025-ci ilin payızı", date(2025, 9, 1), S),
    ("az", "keçən qış", date(2025, 12, 1), S),
    ("az", "qışda", date(2026, 12, 1), S),
    ("az", "yazda", date(2026, 3, 1), S),
    ("az", "ötən yay", date(2026, 6, 1), S),
    ("az", "кечән пајыз", date(2026, 9, 1), S),
    ("ru", "прошлой осенью", date(2026, 9, 1), S),
    ("ru", "осенью 2025", date(2025, 9, 1), S),
    ("ru", "осенью 2025 года", date(2025, 9, 1), S),
    ("ru", "прошлой зимой", date(2025, 12, 1), S),
    ("ru", "зимой 2025", date(2024, 12, 1), S),
    ("ru", "весной", date(2026, 3, 1), S),
    ("ru", "прошлым летом", date(2026, 6, 1), S),
    ("en", "last autumn", date(2026, 9, 1), S),
    ("en", "autumn 2025", date(2025, 9, 1), S),
    ("en", "in the fall of 2025", date(2025, 9, 1), S),
    ("en", "last winter", date(2025, 12, 1), S),
    ("en", "this spring", date(2026, 3, 1), S),
    ("en", "Summer 2024", date(2024, 6, 1), S),
    # "Last year" beside a season or a month names the year before this one.
    ("az", "keçən ilin payızı", date(2025, 9, 1), S),
    ("az", "ötən il yayda", date(2025, 6, 1), S),
    ("ru", "прошлогодней осенью", date(2025, 9, 1), S),
    ("ru", "осенью прошлого года", date(2025, 9, 1), S),
    ("en", "autumn last year", date(2025, 9, 1), S),
    ("az", "keçən il noyabrın sonunda", date(2025, 11, 25), A),
    ("ru", "в конце ноября прошлого года", date(2025, 11, 25), A),
    ("en", "end of November last year", date(2025, 11, 25), A),
    # Parts of a month: the most recent one that has begun. On 3 December the end and the
    # middle of December are still ahead, so they are last year's; its beginning has come.
    ("az", "dekabrın sonu", date(2025, 12, 25), A),
    ("az", "dekabrın ortası", date(2025, 12, 15), A),
    ("az", "dekabrın əvvəli", TODAY, A),
    ("az", "noyabrın sonunda", date(2026, 11, 25), A),
    ("ru", "в конце декабря", date(2025, 12, 25), A),
    ("ru", "середина декабря", date(2025, 12, 15), A),
    ("ru", "в начале декабря", TODAY, A),
    ("en", "end of December", date(2025, 12, 25), A),
    ("en", "mid December", date(2025, 12, 15), A),
    ("en", "beginning of December", TODAY, A),
    ("en", "end of November", date(2026, 11, 25), A),
]


@pytest.mark.parametrize(("language", "text", "expected", "precision"), FORMS)
def test_new_date_forms_in_each_language(language: str, text: str, expected: date, precision: Precision) -> None:
    result = parse_last_contact(text, TODAY)
    assert (result.value, result.precision, result.text) == (expected, precision, text)
    assert result.value <= TODAY


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        # Typed on 2 December: the end of December has not come, so it is last year's.
        (date(2026, 12, 2), "end of December", date(2025, 12, 25)),
        (date(2026, 12, 2), "dekabrın sonu", date(2025, 12, 25)),
        # Once it has begun it is this year's, never a day after today.
        (date(2026, 12, 23), "в конце декабря", date(2026, 12, 23)),
        (date(2026, 12, 31), "end of December", date(2026, 12, 25)),
        (date(2026, 12, 11), "mid December", date(2026, 12, 11)),
        (date(2026, 12, 10), "mid December", date(2025, 12, 15)),
        # "Last autumn" while autumn is still on is the one before.
        (date(2026, 10, 1), "last autumn", date(2025, 9, 1)),
        (date(2026, 10, 1), "payızda", date(2026, 9, 1)),
        (date(2027, 2, 10), "прошлой зимой", date(2025, 12, 1)),
        (date(2027, 2, 10), "зимой", date(2026, 12, 1)),
    ],
)
def test_the_most_recent_period_not_in_the_future(today: date, text: str, expected: date) -> None:
    assert parse_last_contact(text, today).value == expected


@pytest.mark.parametrize("text", ["2027", "autumn 2027", "winter 2028", "end of December 2026", "mid-December 2026"])
def test_a_period_still_ahead_is_refused(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_last_contact(text, TODAY)
    assert caught.value.reason == DATE_FUTURE


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_the_re_ask_offers_answers_the_bot_reads_and_the_button_it_shows(language: str) -> None:
    """The hint after an unreadable date quotes example answers and the "I don't know" button:
    each example must be one we then read, and the button named must be the one on screen."""
    quoted = re.findall(r"«([^»]+)»|“([^”]+)”", t(language, "invalid.date.unreadable"))
    quoted = [a or b for a, b in quoted]
    assert quoted[-1] == t(language, "button.dont_know")
    assert len(quoted) >= 3
    for example in quoted[:-1]:
        assert parse_last_contact(example, TODAY).precision in (S, A), example
