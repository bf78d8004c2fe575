"""One case schema: the questionnaire's steps say where each answer is kept, and a case, its
review for staff and its export columns all follow from that; callback data stays within
Telegram's 64 bytes wherever a button is built."""

from __future__ import annotations

from datetime import date

import pytest

from app.case_schema import CASE_OWN_COLUMNS, EXPORT_ALIASES, STEP_COLUMNS, answers_of, case_column, case_values
from app.exports import EMBASSY_COLUMNS, FULL_COLUMNS, RELATED_COLUMNS
from bot import keyboards
from core.callbacks import MAX_BYTES, TooLong, pack, parse
from core.config import LANGUAGES
from db.models import Case
from flows.steps import QUESTIONNAIRE, STEPS

ANSWERS = {
    "relationship": "mother",
    "full_name": "Elvin Məmmədov",
    "birth": {"year": 1990, "date": "1990-03-04"},
    "last_contact": {"date": "2024-05-01", "precision": "month", "text": "May 2024"},
    "last_location": {"text": "Rostov", "lat": 47.2, "lon": 39.7},
    "reporter_contact": {"method": "phone", "phone": "+994501234567"},
    "share_with_authorities": "yes",
    "reporter_name": None,
    "name_ru": "Эльвин Мамедов",
    "father_name": None,
    "home_district": "Sabirabad",
    "circumstances": "dont_know",
    "details": "He called from a training camp.",
    "situation": "at_front",
    "last_phone": None,
    "already_contacted": ["embassy", "icrc"],
}


def test_a_case_holds_every_answer_in_the_column_its_step_names():
    values = case_values(ANSWERS)
    assert values["person_situation"] == "at_front" and values["person_full_name"] == "Elvin Məmmədov"
    assert values["birth_date"] == date(1990, 3, 4) and values["last_contact_date"] == date(2024, 5, 1)
    assert values["share_with_authorities"] is True and values["already_contacted"] == ["embassy", "icrc"]
    assert values["reporter_phone"] == "+994501234567" and values["last_location_lon"] == 39.7
    case = Case(ref="HW-TEST", reporter_telegram_id=1, reporter_chat_id=1, language="az", consent_version="1", **values)
    assert answers_of(case) == ANSWERS


def test_skipped_answers_are_stored_empty_and_read_back_as_skipped():
    skipped = dict(ANSWERS, already_contacted=None, share_with_authorities="no", situation=None)
    case = Case(ref="HW-TEST", reporter_telegram_id=1, reporter_chat_id=1, language="az", consent_version="1", **case_values(skipped))
    assert case.already_contacted == [] and case.share_with_authorities is False and case.person_situation is None
    back = answers_of(case)
    assert back["already_contacted"] is None and back["share_with_authorities"] == "no" and back["situation"] is None


def test_every_step_column_exists_on_a_case_and_only_attachments_live_elsewhere():
    assert set(STEP_COLUMNS) <= set(Case.model_fields)
    assert [step.field for step in QUESTIONNAIRE if not step.columns] == ["attachments"]
    assert len(STEP_COLUMNS) == len(set(STEP_COLUMNS)), "two steps claim one column"


def test_every_export_column_comes_from_a_step_the_case_itself_or_a_related_table():
    known = set(STEP_COLUMNS) | set(CASE_OWN_COLUMNS) | set(EXPORT_ALIASES) | set(RELATED_COLUMNS)
    assert set(FULL_COLUMNS) - known == set() and set(EMBASSY_COLUMNS) - known == set()
    assert case_column("case_ref") == "ref" and case_column("person_situation") == "person_situation"


def test_callback_data_is_built_and_read_in_one_place_and_never_over_64_bytes():
    assert parse(pack("sl", "all", "az", 10, 7)) == ("sl", ["all", "az", "10", "7"])
    assert parse("m:guidance") == ("m", ["guidance"]) and parse(None) == ("", [])
    with pytest.raises(TooLong):
        pack("ad", "rb", "s" * MAX_BYTES, "az", 1)
    with pytest.raises(TooLong):
        pack("sc", "ə" * 32)  # 64 characters, but 66 bytes: Telegram counts bytes
    with pytest.raises(ValueError):
        pack("ua", "a:b", "contact")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intake_keyboard_builds_within_the_limit(language):
    for step in STEPS.values():
        keyboards.question(language, step, list(step.choices))
    for build in (keyboards.consent, keyboards.gate, keyboards.review, keyboards.confirm_cancel, keyboards.start_report,
                  keyboards.unfinished, keyboards.resume):
        build(language)
    keyboards.guidance(language, "what_to_do_first", True)
    keyboards.add_information(language, "HW-7K3M9Q")
