"""A relative completes a report, in each language, through the real bot and the stand-in."""

from __future__ import annotations

from datetime import date

import pytest

from app.guidance import read_seed_files
from app.guidance_sources import label_of
from app.texts import consent_text
from core.config import load_settings
from core.i18n import t, tn
from flows.engine import CONSENT_VERSION
from tests.support.conversation import SCRIPTS, answer_required

EMBASSY = {"az": "Azərbaycan Respublikasının Rusiya Federasiyasındakı Səfirliyi",
           "ru": "Посольство Азербайджанской Республики в Российской Федерации",
           "en": "Embassy of the Republic of Azerbaijan in the Russian Federation"}
GUIDANCE_TITLES = {section["key"]: section["title"] for section in read_seed_files()}





@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_complete_report_every_step(bot, relative, language):
    script = SCRIPTS[language]
    mother = relative(language)
    consent = mother.ask("/start")
    assert consent.text == consent_text(language, load_settings())
    assert t(language, "button.agree") in consent.buttons
    assert bot.conversation_of(mother.id).answers == {}, "nothing of the report is stored before consent"

    answer_required(mother, language, script)
    gate = mother.tap(t(language, "choice.share_with_authorities.yes"))
    assert gate.text == t(language, "gate.text")

    assert t(language, "ask.reporter_name") in mother.tap(t(language, "button.more_details")).text
    assert t(language, "ask.name_ru") in mother.ask(script["reporter"]).text
    assert t(language, "ask.father_name") in mother.ask(script["name_ru"]).text
    assert t(language, "ask.home_district") in mother.tap(t(language, "button.skip")).text
    assert t(language, "ask.circumstances") in mother.ask(script["district"]).text
    assert t(language, "ask.details") in mother.tap(t(language, "choice.circumstances.detained_pressured")).text
    assert t(language, "ask.situation") in mother.ask(script["details"]).text
    assert t(language, "ask.last_phone") in mother.tap(t(language, "choice.situation.no_contact")).text
    contacted = mother.ask("+7 916 123-45-67")
    assert t(language, "ask.already_contacted") in contacted.text
    mother.click(t(language, "choice.already_contacted.embassy"))
    mother.wait_for(lambda: "✓ " + t(language, "choice.already_contacted.embassy") in mother.messages[-1].buttons, what="embassy ticked")
    mother.click(t(language, "choice.already_contacted.mfa"))
    mother.wait_for(lambda: "✓ " + t(language, "choice.already_contacted.mfa") in mother.messages[-1].buttons, what="MFA ticked")
    assert t(language, "ask.attachments") in mother.tap(t(language, "button.done")).text
    mother.send_photo()
    assert mother.next_message().text == t(language, "files.received").format(count=1)
    mother.send_document(file_name="contract.pdf")
    mother.next_message()
    mother.send_voice(duration=12)
    assert mother.next_message().text == tn(language, "files.received", "files.received.plural", 3)
    review = mother.tap(t(language, "button.done"))
    assert review.text.startswith(t(language, "review.title"))
    assert script["name"] in review.text and "+994501234567" in review.text

    # An edit from the review returns to the review.
    assert t(language, "ask.birth") in mother.tap("✏️ " + t(language, "field.birth")).text
    review = mother.ask(script["birth_edit"])
    assert t(language, "review.hint") in review.text

    submitted = mother.tap("✅ " + t(language, "button.submit"))
    assert submitted.text.startswith(t(language, "submitted.text", ref="XXX-XXX")[:20])
    where_to_turn = mother.next_message()
    assert where_to_turn.text.startswith(t(language, "route.title")), "the office for Voronezh comes first"
    assert EMBASSY[language] in where_to_turn.text
    first_steps, have_ready = mother.next_message(), mother.next_message()
    assert first_steps.text.startswith(f"<b>{GUIDANCE_TITLES['what_to_do_now'][language]}</b>")
    assert f"<i>{label_of('000_c46e10abcd349607.txt', language)}</i>" in first_steps.text, "each item names its source"
    assert ".txt" not in first_steps.text and ".md" not in first_steps.text, "as a publication and date, not a file"
    assert have_ready.text.startswith(f"<b>{GUIDANCE_TITLES['have_ready'][language]}</b>")
    assert t(language, "button.more_guidance") in have_ready.buttons

    [case] = bot.cases_of(mother.id)
    assert case.ref in submitted.text and len(case.ref) == 7
    assert not set(case.ref.replace("-", "")) & set("01OIL")
    assert (case.language, case.status, case.consent_version) == (language, "new", CONSENT_VERSION)
    assert case.reporter_relationship == "mother"
    assert case.person_full_name == script["name"]
    assert (case.birth_year, case.birth_date) == (1980, date(1980, 3, 12))
    assert case.last_contact_precision == "approximate" and case.last_contact_date.month == 1
    assert case.last_contact_date.day == 15 and case.last_contact_text == script["last_contact"]
    assert case.last_location == script["location"]
    assert (case.reporter_contact_method, case.reporter_phone) == ("phone", "+994501234567")
    assert case.share_with_authorities is True
    assert case.person_name_ru == script["name_ru"] and case.person_father_name is None
    assert case.reporter_name == script["reporter"]
    assert case.skipped == ["father_name"]
    assert case.home_district == script["district"]
    assert (case.consular_mission, case.region_key, case.home_district_key) == ("embassy_moscow", "voronezh_oblast", "bilasuvar"), \
        "the office and places the report was routed and filed by"
    assert (case.circumstances, case.details, case.person_situation) == ("detained_pressured", script["details"], "no_contact")
    assert case.last_phone == "+79161234567"
    assert case.already_contacted == ["embassy", "mfa"]
    attachments = bot.query("select kind, file_id, file_size from attachment where case_id = :id order by id", id=case.id)
    assert [a.kind for a in attachments] == ["photo", "document", "voice"]
    assert all(a.file_id and a.file_size for a in attachments)
    conversation = bot.conversation_of(mother.id)
    assert conversation.phase == "idle" and conversation.answers == {}, "the draft is gone once it is a case"


def test_fast_path_review_and_send(bot, relative):
    """A frightened relative can send after the required answers alone, answered in Telegram."""
    son = relative("en")
    son.ask("/start")
    assert son.tap(t("en", "button.agree"))
    son.tap(t("en", "choice.relationship.child"))
    son.ask("Fakhri Hajiyev")
    son.ask("1973")
    son.ask("15.06.2025")
    son.send_location(47.2357, 39.7015)
    assert t("en", "ask.reporter_contact") in son.next_message().text
    son.click(t("en", "choice.reporter_contact.telegram"))
    assert son.next_message().text == t("en", "answer.saved")
    son.next_message()
    son.tap(t("en", "choice.share_with_authorities.no"))
    review = son.tap(t("en", "button.review"))
    assert "📍 47.23570, 39.70150" in review.text
    son.tap("✅ " + t("en", "button.submit"))
    [case] = bot.cases_of(son.id)
    assert case.reporter_contact_method == "telegram" and case.reporter_phone is None
    assert (case.last_location_lat, case.last_location_lon) == (47.2357, 39.7015)
    assert case.last_contact_precision == "day" and case.share_with_authorities is False
    assert case.person_name_ru is None and case.skipped == []


def test_one_chat_in_order_while_another_chat_is_served(bot, relative):
    """Answers typed in a burst are applied in the order sent; a second chat is not held up."""
    quick, other = relative("en"), relative("ru")
    for person, language in ((quick, "en"), (other, "ru")):
        person.ask("/start")
        person.tap(t(language, "button.agree"))
        person.tap(t(language, "choice.relationship.mother"))
    for text in ("Tahir Abdullayev", "1980", "15.01.2026", "Voronezh"):
        quick.send(text)  # no waiting for the replies: a burst
    assert t("ru", "ask.birth") in other.ask("Тахир Абдуллаев").text
    replies = [quick.next_message().text for _ in range(4)]
    for reply, key in zip(replies, ("ask.birth", "ask.last_contact", "ask.last_location", "ask.reporter_contact")):
        assert t("en", key) in reply and "Please" not in reply.split("\n")[0]
    answers = bot.conversation_of(quick.id).answers
    assert answers["full_name"] == "Tahir Abdullayev" and answers["last_location"]["text"] == "Voronezh"
