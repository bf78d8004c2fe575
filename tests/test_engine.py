"""The questionnaire engine on its own: no Telegram, no database."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flows import engine
from flows.engine import CONSENT_VERSION, Event, OutKind, Phase
from flows.readers import Input
from flows.steps import OPTIONAL, REQUIRED

TODAY = date(2026, 11, 21)


def draft():
    return SimpleNamespace(phase="idle", step=None, editing=False, confirming_cancel=False, answers={}, consent_version=None, started_at=None)


def say(d, text):
    return engine.handle(d, Event("answer", Input("text", text=text)), TODAY)


def tap(d, field, value):
    return engine.handle(d, Event("answer", Input("choice", value=value), field=field), TODAY)


def control(d, action, field=None):
    return engine.handle(d, Event(action, field=field), TODAY)


def at_optional(d, field):
    engine.begin(d)
    control(d, "agree")
    tap(d, "relationship", "mother")
    say(d, "Tahir Abdullayev")
    say(d, "1980")
    say(d, "15.01.2026")
    say(d, "Voronezh")
    engine.handle(d, Event("answer", Input("contact", phone="+994501234567")), TODAY)
    tap(d, "share_with_authorities", "yes")
    control(d, "more")
    while d.step != field:
        control(d, "skip", d.step)
    return d


def test_consent_comes_first_and_its_version_is_kept():
    d = draft()
    assert engine.begin(d)[0].kind == OutKind.CONSENT
    assert say(d, "hello")[0].reason == "input.expected_choice" and d.consent_version is None
    out = control(d, "agree")
    assert d.consent_version == CONSENT_VERSION and out[0].key == REQUIRED[0].field


def test_required_answers_lead_to_the_gate_and_optional_ones_to_review():
    d = at_optional(draft(), OPTIONAL[0].field)
    assert d.answers["reporter_contact"] == {"method": "phone", "phone": "+994501234567"}
    for step in OPTIONAL[:-1]:
        control(d, "skip", step.field)
    out = control(d, "done", "attachments")
    assert d.phase == Phase.REVIEW and out[-1].kind == OutKind.REVIEW
    assert all(d.answers[s.field] is None for s in OPTIONAL)


def test_multi_select_toggles_and_none_excludes_the_rest():
    d = at_optional(draft(), "already_contacted")
    tap(d, "already_contacted", "embassy")
    tap(d, "already_contacted", "icrc")
    assert d.answers["already_contacted"] == ["embassy", "icrc"]
    tap(d, "already_contacted", "icrc")
    assert d.answers["already_contacted"] == ["embassy"]
    tap(d, "already_contacted", "none")
    assert d.answers["already_contacted"] == ["none"]
    tap(d, "already_contacted", "mfa")
    assert d.answers["already_contacted"] == ["mfa"]
    assert control(d, "done", "already_contacted")[0].key == "attachments"


def test_files_are_kept_once_each_and_up_to_the_limit():
    d = at_optional(draft(), "attachments")
    photo = {"kind": "photo", "file_id": "F1", "file_unique_id": "U1", "file_size": 10}
    engine.handle(d, Event("answer", Input("media", media=photo)), TODAY)
    engine.handle(d, Event("answer", Input("media", media=photo)), TODAY)
    assert len(d.answers["attachments"]) == 1
    for n in range(2, engine.MAX_ATTACHMENTS + 2):
        out = engine.handle(d, Event("answer", Input("media", media={**photo, "file_unique_id": f"U{n}"})), TODAY)
    assert len(d.answers["attachments"]) == engine.MAX_ATTACHMENTS and out[0].reason == engine.TOO_MANY_FILES
    assert say(d, "here")[0].reason == "input.expected_media"


def test_a_button_of_another_question_changes_nothing():
    d = at_optional(draft(), "situation")
    out = tap(d, "circumstances", "dont_know")
    assert [o.kind for o in out] == [OutKind.SAY, OutKind.ASK] and out[0].key == "button.stale"
    assert "circumstances" not in d.answers or d.answers["circumstances"] is None


def test_finish_from_any_optional_question_goes_to_review_and_edit_comes_back():
    d = at_optional(draft(), "home_district")
    assert control(d, "finish", "home_district")[0].kind == OutKind.REVIEW
    control(d, "edit", "full_name")
    assert d.step == "full_name" and d.editing
    out = say(d, "Tahir Abdullayev")
    assert out[0].kind == OutKind.REVIEW and d.answers["full_name"] == "Tahir Abdullayev" and d.step is None
    assert control(d, "submit")[0].kind == OutKind.SUBMIT


def test_cancel_needs_confirmation():
    d = at_optional(draft(), "name_ru")
    assert control(d, "cancel")[0].kind == OutKind.CONFIRM_CANCEL
    assert say(d, "what?")[0].kind == OutKind.CONFIRM_CANCEL, "anything else asks again"
    out = control(d, "cancel_no")
    assert out[0].key == "cancel.kept" and out[1].key == "name_ru"
    control(d, "cancel")
    control(d, "cancel_yes")
    assert d.phase == Phase.IDLE and d.answers == {}


def test_outputs_survive_a_round_trip_through_json():
    out = engine.Out(OutKind.ASK, "birth", "birth.out_of_range", {"min": 1940, "max": 2012})
    assert engine.Out.from_json(out.to_json()) == out


DONT_KNOW_WORDS = ["bilmirəm", "Bilmirem.", "BİLMİRƏM!", "не знаю", "Не знаю...", "незнаю", "don't know", "I don’t know",
                   "dont know", "Unknown"]


def test_dont_know_typed_into_an_optional_question_is_recorded_as_unknown():
    for words in DONT_KNOW_WORDS:
        d = at_optional(draft(), "father_name")
        outs = say(d, words)
        assert outs[0].key == "answer.dont_know" and d.step == "home_district", words
        assert d.answers["father_name"] is None and d.answers[engine.UNKNOWN_ANSWERS] == ["father_name"]
    # Answered after all: no longer unknown.
    d = at_optional(draft(), "father_name")
    say(d, "не знаю")
    control(d, "finish", d.step)
    control(d, "edit", "father_name")
    say(d, "Rasim")
    assert d.answers["father_name"] == "Rasim" and engine.UNKNOWN_ANSWERS not in d.answers


def test_dont_know_on_a_question_with_its_own_button_takes_that_button():
    d = at_optional(draft(), "circumstances")
    say(d, "bilmirəm")
    assert d.answers["circumstances"] == "dont_know" and engine.UNKNOWN_ANSWERS not in d.answers


def test_the_last_contact_has_a_way_forward_and_other_required_questions_keep_the_words():
    d = draft()
    engine.begin(d)
    control(d, "agree")
    tap(d, "relationship", "mother")
    say(d, "Tahir Abdullayev")
    say(d, "1980")
    assert d.step == "last_contact"
    control(d, "unknown", "last_contact")
    assert d.answers["last_contact"] == {"date": None, "precision": "unknown", "text": ""} and d.step == "last_location"
    outs = control(d, "unknown", "last_contact")  # the old question's button, tapped again: nothing changes
    assert outs[0].key == "button.stale" and d.step == "last_location"
    outs = control(d, "unknown", "last_location")  # a required question without the button: asked again
    assert outs == [engine.ask(engine.STEPS["last_location"])] and "last_location" not in d.answers
    say(d, "не знаю")  # where he was is asked for in words; "не знаю" is kept as she wrote it
    assert d.answers["last_location"]["text"] == "не знаю"
