"""What relatives say: whole reports in each language, and the steps tests take to reach a question."""

from __future__ import annotations

from core.i18n import t
from tests.support.bots import settle

# What a relative types, in her own language: an invented man, the same facts in each script.
SCRIPTS = {
    "az": {"reporter": "Gülnarə Həsənova", "name": "Tahir Abdullayev", "last_contact": "yanvarın ortası", "location": "Voronej şəhəri",
           "name_ru": "Абдуллаев Тахир", "district": "Biləsuvar rayonu", "details": "Polis saxladı, sonra hərbi hissəyə apardılar.",
           "birth_edit": "12 mart 1980"},
    "ru": {"reporter": "Гюльнара Гасанова", "name": "Тахир Абдуллаев", "last_contact": "в середине января", "location": "Воронеж",
           "name_ru": "Абдуллаев Тахир", "district": "Билясуварский район", "details": "Задержала полиция, потом отправили в часть.",
           "birth_edit": "12 марта 1980"},
    "en": {"reporter": "Gulnara Hasanova", "name": "Tahir Abdullayev", "last_contact": "mid-January", "location": "Voronezh",
           "name_ru": "Абдуллаев Тахир", "district": "Bilasuvar district", "details": "Police detained him, then sent him to a unit.",
           "birth_edit": "March 12, 1980"},
}


def answer_required(person, language: str, script: dict) -> None:
    """The seven required answers, as the mother of seed 001 would give them."""
    assert person.tap(t(language, "button.agree")).text.endswith(t(language, "ask.relationship"))
    assert t(language, "ask.full_name") in person.tap(t(language, "choice.relationship.mother")).text
    assert t(language, "ask.birth") in person.ask(script["name"]).text
    assert t(language, "ask.last_contact") in person.ask("1980").text
    assert t(language, "ask.last_location") in person.ask(script["last_contact"]).text
    question = person.ask(script["location"])
    assert t(language, "ask.reporter_contact") in question.text
    assert t(language, "button.share_phone") in question.reply_buttons
    person.click(t(language, "button.share_phone"), phone_number="+994 50 123 45 67")
    saved = person.next_message()
    assert saved.text == t(language, "answer.saved") and saved.removes_keyboard
    assert t(language, "ask.share_with_authorities") in person.next_message().text


def submit_report(person, language="en", name=None, district=None, location=None):
    """A complete report; returns its reference."""
    person.ask("/start")
    answer_required(person, language, {**SCRIPTS[language], "name": name or SCRIPTS[language]["name"], "location": location or SCRIPTS[language]["location"]})
    person.tap(t(language, "choice.share_with_authorities.yes"))
    if district:
        person.tap(t(language, "button.more_details"))
        person.tap(t(language, "button.skip"))  # reporter name
        person.tap(t(language, "button.skip"))  # name in Russian documents
        person.tap(t(language, "button.skip"))  # father's name
        person.ask(district)
        person.tap(t(language, "button.finish"))
    else:
        person.tap(t(language, "button.review"))
    submitted = person.tap("✅ " + t(language, "button.submit"))
    settle(person)
    return submitted.text.split("<b>")[1].split("</b>")[0]


def next_question(person, key: str, language: str = "az", allowed_resend: str | None = None):
    """The next message should ask `key`; a kill may first resend the question it interrupted."""
    message = person.next_message(timeout=20)
    if allowed_resend and t(language, allowed_resend) in message.text:
        message = person.next_message(timeout=20)
    assert t(language, key) in message.text, message.text
    return message


def start_report(person, language="az"):
    person.ask("/start")
    person.tap(t(language, "button.agree"))
    person.tap(t(language, "choice.relationship.mother"))
    assert t(language, "ask.birth") in person.ask("Tahir Abdullayev").text


def finish_report(person, language: str = "az"):
    """From the birth-year question to "sent", answering as a mother would."""
    assert t(language, "ask.last_contact") in person.ask("1980").text
    assert t(language, "ask.last_location") in person.ask("15.01.2026").text
    assert t(language, "ask.reporter_contact") in person.ask("Voronej").text
    person.click(t(language, "choice.reporter_contact.telegram"))
    person.next_message()
    person.next_message()
    person.tap(t(language, "choice.share_with_authorities.yes"))
    person.tap(t(language, "button.review"))
    return person.tap("✅ " + t(language, "button.submit"))


# A whole report by button data and typed answers: it does not depend on which message is newest,
# so it can be sent at a person's pace while the bot dies and comes back.
SCRIPT = [
    ("text", "/start"), ("data", "k:agree"), ("data", "a:relationship:mother"), ("text", "Tahir Abdullayev"),
    ("text", "1980"), ("text", "15.01.2026"), ("text", "Voronezh"), ("text", "+994 50 123 45 67"),
    ("data", "a:share_with_authorities:yes"), ("data", "g:review"), ("data", "x:submit"),
]


def perform(person, step) -> None:
    kind, payload = step
    person.send(payload) if kind == "text" else person.click_data(payload)
