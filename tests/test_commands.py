"""/start, /new, /status, /language, /help, /cancel as a relative uses them."""

from __future__ import annotations

import time

from app.texts import consent_text
from core.config import load_settings
from bot.wiring import COMMANDS
from core.i18n import t
from tests.support.bots import settle
from tests.support.conversation import SCRIPTS, answer_required


def test_commands_are_registered_in_each_language(bot, standin):
    deadline = time.monotonic() + 10  # set while the bot already polls: nobody waits for them
    while len(standin.commands) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    commands = standin.commands
    for language in ("az", "ru", "en"):
        registered = commands[language]
        assert [c["command"] for c in registered] == list(COMMANDS)
        assert registered[0]["description"] == t(language, "command.start")
    assert commands[""][0]["description"] == t("az", "command.start"), "the default list is in DEFAULT_LANGUAGE"


def test_declining_consent_stores_nothing(bot, relative):
    person = relative("ru")
    person.ask("/start")
    assert person.tap(t("ru", "button.decline")).text == t("ru", "consent.declined")
    conversation = bot.conversation_of(person.id)
    assert conversation.phase == "idle" and conversation.answers == {} and conversation.consent_version is None
    assert bot.query("select count(*) from user_profile where telegram_id = :id", id=person.id)[0][0] == 0


def test_language_switch_mid_report_asks_the_same_question_in_the_new_language(bot, relative):
    person = relative("ru")
    person.ask("/start")
    person.tap(t("ru", "button.agree"))
    person.tap(t("ru", "choice.relationship.mother"))
    language_menu = person.ask("/language")
    assert language_menu.text == t("ru", "language.choose")
    assert person.tap("Azərbaycanca").text == t("az", "language.set")
    assert t("az", "ask.full_name") in person.next_message().text
    assert bot.query("select language from user_profile where telegram_id = :id", id=person.id)[0][0] == "az"
    assert t("az", "ask.birth") in person.ask("Tahir Abdullayev").text


def test_language_buttons_on_the_welcome(bot, relative):
    person = relative("de")  # Telegram in German: we answer in DEFAULT_LANGUAGE (az)
    assert person.ask("/start").text == consent_text("az", load_settings())
    assert person.tap("English").text == t("en", "language.set")
    assert person.next_message().text == consent_text("en", load_settings())


def test_cancel_asks_first_then_deletes_the_draft(bot, relative):
    person = relative("en")
    person.ask("/start")
    person.tap(t("en", "button.agree"))
    person.tap(t("en", "choice.relationship.sibling"))
    assert person.ask("/cancel").text == t("en", "cancel.confirm")
    assert person.tap(t("en", "button.cancel_no")).text == t("en", "cancel.kept")
    assert t("en", "ask.full_name") in person.next_message().text
    assert bot.conversation_of(person.id).answers == {"relationship": "sibling"}
    person.ask("/cancel")
    assert person.tap(t("en", "button.cancel_yes")).text == t("en", "cancel.done")
    assert bot.conversation_of(person.id).answers == {}
    assert person.ask("/cancel").text == t("en", "cancel.nothing")


def test_start_during_a_report_resumes_it_and_new_offers_a_choice(bot, relative):
    person = relative("az")
    person.ask("/start")
    person.tap(t("az", "button.agree"))
    person.tap(t("az", "choice.relationship.father"))
    assert person.ask("/start").text == t("az", "resume.text")
    assert t("az", "ask.full_name") in person.next_message().text
    offer = person.ask("/new")
    assert offer.text == t("az", "new.unfinished")
    assert t("az", "ask.full_name") in person.tap(t("az", "button.continue")).text
    person.ask("/new")
    assert person.tap(t("az", "button.start_over")).text == consent_text("az", load_settings())
    assert bot.conversation_of(person.id).answers == {}


def test_status_lists_own_reports_and_new_starts_a_second_one(bot, relative):
    mother = relative("ru")
    empty = mother.ask("/status")
    assert empty.text == t("ru", "status.none") and t("ru", "button.new_report") in empty.buttons
    refs = []
    for name in ("Тахир Абдуллаев", "Эльчин Абдуллаев"):  # two sons
        mother.ask("/new")
        script = {**SCRIPTS["ru"], "name": name}
        answer_required(mother, "ru", script)
        mother.tap(t("ru", "choice.share_with_authorities.yes"))
        mother.tap(t("ru", "button.review"))
        submitted = mother.tap("✅ " + t("ru", "button.submit"))
        refs.append(submitted.text.split("<b>")[1].split("</b>")[0])
        settle(mother)
    status = mother.ask("/status")
    assert status.text.startswith(t("ru", "status.header.plural").format(count=2)) or "2" in status.text.splitlines()[0]
    for ref in refs:
        assert ref in status.text
    assert t("ru", "status.value.new") in status.text
    assert {c.person_full_name for c in bot.cases_of(mother.id)} == {"Тахир Абдуллаев", "Эльчин Абдуллаев"}


def test_help_and_unknown_commands_get_the_help(bot, relative):
    person = relative("en")
    assert person.ask("/help").text == t("en", "help.text")
    assert person.ask("/export").text == t("en", "help.text"), "unknown or staff commands reveal nothing"


def test_text_with_no_report_under_way_offers_to_start_one(bot, relative):
    person = relative("en")
    reply = person.ask("Hello, my son is missing")
    assert reply.text == t("en", "idle.text") and t("en", "button.new_report") in reply.buttons
    assert person.tap(t("en", "button.new_report")).text == consent_text("en", load_settings())


def test_every_tap_stops_its_spinner_exactly_once(bot, relative, standin):
    person = relative("en")
    person.ask("/start")
    person.tap(t("en", "button.agree"))
    assert bot.conversation_of(person.id).consent_version is not None
    person.tap(t("en", "choice.relationship.sibling"))
    person.ask("/language")
    person.tap("Русский")
    for query_id in person._query_ids:
        person.wait_callback_answered(query_id)
    answered = [call["callback_query_id"] for call in standin.requests("answerCallbackQuery")
                if call["callback_query_id"] in person._query_ids]
    assert sorted(answered) == sorted(person._query_ids) and len(answered) == 3
