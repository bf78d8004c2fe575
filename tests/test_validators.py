import unicodedata

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.text import clean_text, fold
from flows.validators import (
    NAME_NOT_LETTERS,
    NAME_TOO_LONG,
    NAME_TOO_SHORT,
    PHONE_INVALID,
    TEXT_TOO_LONG,
    TEXT_TOO_SHORT,
    Invalid,
    free_text,
    person_name,
    phone_number,
)

# --- fold / clean_text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Yanvarın ORTASI", "yanvarin ortasi"),
        ("İLQAR Əliyev", "ilqar eliyev"),
        ("IŞIQ", "isiq"),
        ("Şəki Gəncə Göyçay Ağdam Üçüncü", "seki gence goycay agdam ucuncu"),
        ("  many   spaces\n\tand lines  ", "many spaces and lines"),
        ("ЁЛКА", "елка"),
        ("Јанвар ҸӘҺӘНҜ", "йанвар чехенк"),
        ("ғ һ ј ө ү ҹ ҝ ә ы", "г х й о у ч к е ы"),
        ("\u200f15 января\u200e", "15 января"),
        ("e\u0301", "\u00e9"),  # NFC, so decomposed and composed input compare equal
    ],
)
def test_fold(typed: str, key: str) -> None:
    assert fold(typed) == key


def test_fold_makes_spellings_meet() -> None:
    assert fold("yanvarın ortasında") == fold("YANVARIN ORTASINDA") == fold("yanvarin ortasinda")
    assert fold("јанвар") == fold("ЙАНВАР")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Əli   Məmmədov  ", "Əli Məmmədov"),
        ("line one  \r\n  line two", "line one\nline two"),
        ("a\tb\x00c\x1bd", "a bcd"),
        ("first\n\n\n\n\nsecond", "first\n\nsecond"),
        ("non\u00a0breaking", "non breaking"),
        ("e\u0301", "\u00e9"),
        ("Yanvarın", "Yanvarın"),  # never changes letters or case
    ],
)
def test_clean_text(typed: str, stored: str) -> None:
    assert clean_text(typed) == stored


# --- person_name -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Əli Məmmədov", "Əli Məmmədov"),
        ("  ilqar   eliyev ", "ilqar eliyev"),
        ("Иван Петров-Водкин", "Иван Петров-Водкин"),
        ("Məmmədov Əli Vəli oğlu", "Məmmədov Əli Vəli oğlu"),
        ("O'Neil", "O'Neil"),
        ("D’Artagnan", "D’Artagnan"),
        ("Saʼid", "Saʼid"),
        ("Əliyev R. M.", "Əliyev R. M."),
        ("Məmmədov\nƏli", "Məmmədov Əli"),
        ("\u200fƏli\u200f", "Əli"),
        ("Jo", "Jo"),
        ("محمد علی", "محمد علی"),
        ("e\u0301mile", "\u00e9mile"),
        ("a" * 100, "a" * 100),
    ],
)
def test_person_name_accepts(typed: str, name: str) -> None:
    assert person_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", NAME_TOO_SHORT),
        ("   ", NAME_TOO_SHORT),
        ("A", NAME_TOO_SHORT),
        ("x.", NAME_TOO_SHORT),
        ("a" * 101, NAME_TOO_LONG),
        ("Ali 2", NAME_NOT_LETTERS),
        ("Əli 😀", NAME_NOT_LETTERS),
        ("Ali@mail", NAME_NOT_LETTERS),
        ("--", NAME_NOT_LETTERS),
        ("Ali, Vali", NAME_NOT_LETTERS),
        ("+994501234567", NAME_NOT_LETTERS),
    ],
)
def test_person_name_rejects(typed: str, reason: str) -> None:
    with pytest.raises(Invalid) as caught:
        person_name(typed)
    assert caught.value.reason == reason


def test_name_too_long_reports_the_limit() -> None:
    with pytest.raises(Invalid) as caught:
        person_name("a" * 101)
    assert caught.value.params == {"max": 100}


# --- free_text -------------------------------------------------------------------------


def test_free_text_cleans_and_keeps_paragraphs() -> None:
    assert free_text("  He called   from Rostov.\r\n\r\nThen nothing. ") == "He called from Rostov.\n\nThen nothing."


@pytest.mark.parametrize(
    ("typed", "kwargs", "reason", "params"),
    [
        ("a", {}, TEXT_TOO_SHORT, {"min": 2}),
        ("   a   ", {}, TEXT_TOO_SHORT, {"min": 2}),
        ("abc", {"min_len": 5}, TEXT_TOO_SHORT, {"min": 5}),
        ("x" * 1001, {}, TEXT_TOO_LONG, {"max": 1000, "length": 1001}),
        ("x" * 11, {"max_len": 10}, TEXT_TOO_LONG, {"max": 10, "length": 11}),
    ],
)
def test_free_text_rejects(typed: str, kwargs: dict, reason: str, params: dict) -> None:
    with pytest.raises(Invalid) as caught:
        free_text(typed, **kwargs)
    assert (caught.value.reason, caught.value.params) == (reason, params)


def test_free_text_limits_are_inclusive() -> None:
    assert free_text("ab") == "ab"
    assert free_text("x" * 1000) == "x" * 1000


# --- phone_number ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "regions", "e164"),
    [
        ("+994 50 123 45 67", ("AZ", "RU"), "+994501234567"),
        ("050 123 45 67", ("AZ", "RU"), "+994501234567"),
        ("(050) 123-45-67", ("AZ", "RU"), "+994501234567"),
        ("00994501234567", ("AZ", "RU"), "+994501234567"),
        ("00994501234567", ("RU", "AZ"), "+994501234567"),
        ("994501234567", ("AZ", "RU"), "+994501234567"),
        ("+994 12 498 12 34", ("AZ", "RU"), "+994124981234"),
        ("8 916 123-45-67", ("AZ", "RU"), "+79161234567"),
        ("+7 916 1234567", ("AZ", "RU"), "+79161234567"),
        ("+7 (916) 123-45-67", ("AZ", "RU"), "+79161234567"),
        ("79161234567", ("RU", "AZ"), "+79161234567"),
        ("9161234567", ("AZ", "RU"), "+79161234567"),
        ("+380 50 123 4567", ("AZ", "RU"), "+380501234567"),
        ("０５０ １２３ ４５ ６７", ("AZ", "RU"), "+994501234567"),
    ],
)
def test_phone_number_accepts(typed: str, regions: tuple[str, ...], e164: str) -> None:
    assert phone_number(typed, regions=regions) == e164


def test_phone_region_order_decides_ambiguous_numbers() -> None:
    # "0501234567" is a valid Azerbaijani mobile but not a valid Russian number.
    assert phone_number("0501234567", regions=("RU", "AZ")) == "+994501234567"
    with pytest.raises(Invalid):
        phone_number("0501234567", regions=("RU",))


@pytest.mark.parametrize(
    "typed",
    ["", "abc", "12345", "0123", "+994 50 123", "+7 916 12345678901", "1-800-FLOWERS", "050 123 45 67 ext 5", "+" * 50],
)
def test_phone_number_rejects(typed: str) -> None:
    with pytest.raises(Invalid) as caught:
        phone_number(typed)
    assert caught.value.reason == PHONE_INVALID


# --- Properties ------------------------------------------------------------------------
_TEXTS = st.one_of(
    st.text(max_size=120),
    st.text(alphabet="0123456789 +-()./", max_size=25),
    st.text(max_size=20).map(lambda s: (s * 500)[:10_000]),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "So", "Mn", "Zs"]), max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_person_name_yields_a_valid_name_or_invalid(text: str) -> None:
    try:
        name = person_name(text)
    except Invalid as refusal:
        assert refusal.reason in {NAME_TOO_SHORT, NAME_TOO_LONG, NAME_NOT_LETTERS}
        return
    assert 2 <= len(name) <= 100
    assert name == name.strip() and "  " not in name
    assert sum(unicodedata.category(ch).startswith("L") for ch in name) >= 2
    assert all(unicodedata.category(ch)[0] in "LM" or ch in " -'’ʼ." for ch in name)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_phone_number_yields_valid_e164_or_invalid(text: str) -> None:
    try:
        number = phone_number(text)
    except Invalid as refusal:
        assert refusal.reason == PHONE_INVALID
        return
    assert number.startswith("+") and number[1:].isdigit()
    assert phonenumbers.is_valid_number(phonenumbers.parse(number))


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_free_text_yields_clean_bounded_text_or_invalid(text: str) -> None:
    try:
        cleaned = free_text(text)
    except Invalid as refusal:
        assert refusal.reason in {TEXT_TOO_SHORT, TEXT_TOO_LONG}
        return
    assert 2 <= len(cleaned) <= 1000
    assert cleaned == clean_text(cleaned)  # cleaning is idempotent
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") and ch != "\n" for ch in cleaned)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
