"""Bad input gets a kind re-ask in the relative's own language, never silence."""

from __future__ import annotations

from datetime import date

import pytest

from core.i18n import t
from flows.dates import BIRTH_MIN_AGE, BIRTH_MIN_YEAR

LANGUAGES = ["az", "ru", "en"]
pytestmark = pytest.mark.inprocess


@pytest.fixture
def at_step(relative):
    """A relative of the given language who has answered up to (not including) a step."""
    answers = {
        "full_name": [("tap", "choice.relationship.mother")],
        "birth": [("tap", "choice.relationship.mother"), ("say", "Tahir Abdullayev")],
        "last_contact": [("tap", "choice.relationship.mother"), ("say", "Tahir Abdullayev"), ("say", "1980")],
        "last_location": [("tap", "choice.relationship.mother"), ("say", "Tahir Abdullayev"), ("say", "1980"), ("say", "15.01.2026")],
        "reporter_contact": [("tap", "choice.relationship.mother"), ("say", "Tahir Abdullayev"), ("say", "1980"), ("say", "15.01.2026"), ("say", "Voronezh")],
    }

    def make(language: str, step: str):
        person = relative(language)
        person.ask("/start")
        person.tap(t(language, "button.agree"))
        for kind, value in answers.get(step, []):
            person.tap(t(language, value)) if kind == "tap" else person.ask(value)
        return person

    return make


CASES = [
    # step, what the relative sends, the reason she is told
    ("relationship", ("text", "I am his neighbour's cousin"), "input.expected_choice"),
    ("full_name", ("sticker", None), "input.expected_text"),
    ("full_name", ("photo", None), "input.expected_text"),
    ("full_name", ("text", "T4hir 1980"), "name.not_letters"),
    ("full_name", ("text", "T"), "name.too_short"),
    ("full_name", ("text", "Tahir"), "name.one_word"),
    ("birth", ("text", "1899"), "birth.out_of_range"),
    ("birth", ("text", "around forty"), "birth.unreadable"),
    ("birth", ("voice", None), "input.expected_text"),
    ("last_contact", ("text", "15.01.2099"), "date.future"),
    ("last_contact", ("text", "31.02.2026"), "date.unreadable"),
    ("last_contact", ("text", "when the snow came"), "date.unreadable"),
    ("last_location", ("sticker", None), "input.expected_place"),
    ("reporter_contact", ("text", "12345"), "phone.invalid"),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("step", "sent", "reason"), CASES, ids=[f"{c[0]}-{c[2]}-{c[1][0]}" for c in CASES])
def test_bad_input_is_asked_again_kindly(bot, at_step, language, step, sent, reason):
    person = at_step(language, step)
    kind, value = sent
    if kind == "text":
        person.send(value)
    else:
        getattr(person, f"send_{kind}")()
    reply = person.next_message()
    explanation = t(language, f"invalid.{reason}", min=BIRTH_MIN_YEAR, max=date.today().year - BIRTH_MIN_AGE)
    assert reply.text.startswith(explanation), f"expected the {reason} re-ask in {language}, got: {reply.text}"
    assert t(language, f"ask.{step}") in reply.text, "the question is asked again, with its buttons"
    conversation = bot.conversation_of(person.id)
    assert conversation.step == step and step not in conversation.answers, "nothing invalid is stored"


@pytest.mark.parametrize("language", LANGUAGES)
def test_typed_button_label_in_any_language_is_understood(bot, relative, language):
    person = relative(language)
    person.ask("/start")
    person.tap(t(language, "button.agree"))
    typed = {"az": "ana", "ru": "Мать", "en": "MOTHER"}[language]
    assert t(language, "ask.full_name") in person.ask(typed).text
    assert bot.conversation_of(person.id).answers["relationship"] == "mother"


def test_azerbaijani_typed_without_special_letters_and_in_cyrillic(bot, relative):
    person = relative("az")
    person.ask("/start")
    person.tap(t("az", "button.agree"))
    person.ask("ana")
    person.ask("Тахир Абдуллаев")
    person.ask("1980")
    assert t("az", "ask.last_location") in person.ask("yanvarin ortasi").text
    answers = bot.conversation_of(person.id).answers
    assert answers["full_name"] == "Тахир Абдуллаев"
    assert answers["last_contact"]["precision"] == "approximate" and answers["last_contact"]["date"].endswith("-01-15")


def test_a_required_question_cannot_be_skipped_but_is_asked_again(bot, relative):
    person = relative("en")
    person.ask("/start")
    person.tap(t("en", "button.agree"))
    person.tap(t("en", "choice.relationship.father"))
    for typed in ("skip", "Skip", "Keç", "пропустить"):
        reply = person.ask(typed)
        assert reply.text.startswith(t("en", "invalid.input.not_skippable")), reply.text
        assert t("en", "ask.full_name") in reply.text
    assert "full_name" not in bot.conversation_of(person.id).answers


def test_an_old_button_does_not_answer_the_current_question(bot, relative):
    person = relative("en")
    person.ask("/start")
    person.tap(t("en", "button.agree"))
    person.tap(t("en", "choice.relationship.mother"))
    person.ask("Tahir Abdullayev")
    # Tap "Father" on the first question, which has been answered already.
    first_question = next(m for m in person.messages if t("en", "ask.relationship") in m.text)
    assert first_question.buttons == [], "an answered question keeps no buttons"
    assert f"✓ <b>{t('en', 'choice.relationship.mother')}</b>" in first_question.text
