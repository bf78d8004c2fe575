"""The hardest news: a death told only after staff confirm with their own words, grave news in a
message written for it naming the man and the reference, guidance that follows what happened
to him, and a staff message Telegram cannot deliver asked again before anything changes."""

from __future__ import annotations

import html

import pytest

from sqlmodel import select

from app import guidance_versions
from app.guidance import load_seeds, read_seed_files
from core.config import LANGUAGE_NAMES
from core.i18n import t
from core.telegram_html import parse_html
from db.database import Database
from db.migrate import upgrade
from db.models import GuidanceText
from flows.steps import SITUATIONS
from tests.support.bots import ADMIN_IDS, new_user_id, settle
from tests.support.conversation import submit_report

pytestmark = pytest.mark.inprocess
LANGUAGES = ["az", "ru", "en"]
SEEDS = {section["key"]: section for section in read_seed_files()}
# The warning about foreign armed forces and prison, as a family would read it in each language.
WARNING = {language: SEEDS["why_it_matters"]["items"][0][language] for language in LANGUAGES}
NAMES = {"az": "Əli Məmmədov", "ru": "Али Мамедов", "en": "Ali Mammadov"}


@pytest.fixture(scope="module")
def admin(standin, bot):
    person = standin.user(ADMIN_IDS[1], first_name="Admin", language_code="en")
    settle(person)
    return person


@pytest.fixture
def staff(standin, admin):
    """A staff member writing from a Telegram app in the given language."""

    def make(language: str):
        person = standin.user(new_user_id(), first_name="Staff", language_code=language)
        settle(admin)
        assert str(person.id) in admin.ask(f"/grant {person.id} staff").text
        return person

    return make


def report(person, language: str, name: str, situation: str) -> tuple[str, list]:
    """A report about `name` saying what happened to him; returns its reference and every
    message the family received after sending it (confirmation, guidance), in order."""
    person.ask("/start")
    person.tap(t(language, "button.agree"))
    person.tap(t(language, "choice.relationship.mother"))
    person.ask(name)
    person.ask("1990")
    person.ask("15.01.2026")
    person.ask("Voronezh")
    person.click(t(language, "button.share_phone"), phone_number="+994 50 123 45 67")
    settle(person)
    person.tap(t(language, "choice.share_with_authorities.yes"))
    person.tap(t(language, "button.more_details"))
    for _optional in ("reporter_name", "name_ru", "father_name", "home_district", "circumstances", "details"):
        person.tap(t(language, "button.skip"))
    assert t(language, "ask.last_phone") in person.tap(t(language, f"choice.situation.{situation}")).text
    person.tap(t(language, "button.finish"))
    person.click("✅ " + t(language, "button.submit"))
    received = everything(person)
    return received[0].text.split("<b>")[1].split("</b>")[0], received


def everything(person) -> list:
    """Every message the bot sends this person until it falls quiet, in order."""
    received = []
    while True:
        try:
            received.append(person.next_message(timeout=1))
        except AssertionError:
            return received


def status_of(bot, ref: str) -> str:
    return bot.query('select status from "case" where ref = :r', r=ref)[0][0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_death_is_told_only_after_staff_write_to_the_family_and_confirm(bot, relative, staff, language):
    mother, worker = relative(language), staff(language)
    ref = submit_report(mother, language, name=NAMES[language])
    settle(mother)
    card = worker.ask(f"/case {ref}")
    assert ref in card.text, card.text
    worker.tap(t(language, "button.staff.status"))
    prompt = worker.tap(t(language, "staff.status.deceased"))
    assert prompt.text == t(language, "staff.deceased.prompt", ref=ref, name=NAMES[language], language=LANGUAGE_NAMES[language])
    assert t(language, "button.staff.prepared_only") in prompt.buttons
    # The old one-tap path, even forged, only leads back to the prompt; a confirmation before any
    # message was chosen sends nothing.
    worker.click_data(f"sy:{ref}:deceased")
    assert worker.next_message().text == prompt.text
    worker.click_data(f"sk:{ref}:y")
    assert worker.next_message().text == t(language, "staff.status.not_applied", ref=ref)
    worker.send_photo()  # words are needed, not a picture
    assert worker.next_message().text == prompt.text
    mother.expect_silence()
    assert status_of(bot, ref) == "new"

    personal = "Aysel <from Homeward> & the team: we are with you."
    preview = worker.ask(personal)
    told = t(language, "status.news.deceased", name=NAMES[language], ref=ref) + "\n\n" + t(language, "status.staff_message", message=personal)
    assert preview.text == t(language, "staff.deceased.preview", ref=ref) + "\n\n" + told
    mother.expect_silence()
    assert status_of(bot, ref) == "new", "a preview changes nothing"

    done = worker.tap(t(language, "button.staff.send_news"))
    assert done.text == t(language, "staff.status.done", ref=ref, status=t(language, "staff.status.deceased"))
    news = mother.next_message()
    assert news.text == told
    assert NAMES[language] in news.plain_text and ref in news.plain_text
    assert personal in news.plain_text and html.escape(personal, quote=False) in news.text, "her words as written, escaped"
    assert status_of(bot, ref) == "deceased"

    worker.click_data(f"sk:{ref}:y")  # a second tap on the same button
    assert worker.next_message().text == t(language, "staff.status.not_applied", ref=ref)
    mother.expect_silence()
    assert bot.query("select count(*) from case_status_change c join \"case\" k on k.id = c.case_id where k.ref = :r", r=ref) == [(1,)]


def test_the_prepared_message_is_sent_only_when_chosen_and_confirmed(bot, relative, staff):
    mother, worker = relative("az"), staff("ru")
    ref = submit_report(mother, "az", name=NAMES["az"])
    settle(mother)
    worker.ask(f"/case {ref}")
    worker.click_data(f"sx:{ref}:deceased")
    worker.next_message()
    preview = worker.tap(t("ru", "button.staff.prepared_only"))
    prepared = t("az", "status.news.deceased", name=NAMES["az"], ref=ref)
    assert preview.text == t("ru", "staff.deceased.preview", ref=ref) + "\n\n" + prepared
    assert worker.tap(t("ru", "button.staff.cancel_news")).text == t("ru", "staff.deceased.cancelled")
    worker.click_data(f"sk:{ref}:y")  # the preview's button after "Don't send"
    assert worker.next_message().text == t("ru", "staff.status.not_applied", ref=ref)
    mother.expect_silence()
    assert status_of(bot, ref) == "new"

    worker.click_data(f"sx:{ref}:deceased")
    worker.next_message()
    worker.tap(t("ru", "button.staff.prepared_only"))
    worker.tap(t("ru", "button.staff.send_news"))
    news = mother.next_message()
    assert news.text == prepared and "Allah rəhmət eləsin" in news.text


GRAVE = [("captured", "az"), ("wounded", "ru"), ("captured", "en"), ("wounded", "en")]


@pytest.mark.parametrize(("status", "language"), GRAVE)
def test_grave_news_has_its_own_message_naming_the_man_and_the_report(bot, relative, staff, status, language):
    mother, worker = relative(language), staff("en")
    ref = submit_report(mother, language, name=NAMES[language])
    settle(mother)
    worker.ask(f"/case {ref}")
    worker.tap(t("en", "button.staff.status"))
    worker.tap(t("en", f"staff.status.{status}"))
    worker.tap(t("en", "button.staff.no_message"))
    news = mother.next_message()
    assert news.text == t(language, f"status.news.{status}", name=NAMES[language], ref=ref)
    assert NAMES[language] in news.plain_text and ref in news.plain_text
    # Contact restored after captivity or a wound: good news, told for itself.
    worker.click_data(f"sy:{ref}:contact_restored")
    assert mother.next_message().text == t(language, "status.news.contact_restored", name=NAMES[language], ref=ref)
    assert status_of(bot, ref) == "contact_restored"


@pytest.mark.parametrize("language", LANGUAGES)
def test_status_names_the_man_on_each_of_two_reports(bot, relative, language):
    mother = relative(language)
    first = submit_report(mother, language, name=NAMES[language])
    second = submit_report(mother, language, name="Vüqar Məmmədov")
    listing = mother.ask("/status").plain_text
    for ref, name in ((first, NAMES[language]), (second, "Vüqar Məmmədov")):
        line = next(line for line in listing.splitlines() if ref in line)
        assert name in line


def test_a_staff_message_too_long_for_telegram_is_asked_again_and_nothing_changes(bot, relative, staff):
    mother, worker = relative("az"), staff("ru")
    ref = submit_report(mother, "az", name=NAMES["az"])
    settle(mother)
    framing = parse_html(t("az", "status.news.plain", name=NAMES["az"], ref=ref, status=t("az", "status.value.in_review"))
                         + "\n\n" + t("az", "status.staff_message", message=""))
    room = 4096 - len(framing)
    worker.ask(f"/case {ref}")
    worker.click_data(f"sx:{ref}:in_review")
    worker.next_message()
    reask = worker.ask("x" * 5000)
    assert reask.text == t("ru", "staff.status.message_too_long", length=5000, max=room)
    mother.expect_silence()
    assert status_of(bot, ref) == "new"
    assert worker.ask("y" * (room + 1)).text == t("ru", "staff.status.message_too_long", length=room + 1, max=room)
    done = worker.ask("z" * room)  # the longest that fits is delivered whole
    assert done.text == t("ru", "staff.status.done", ref=ref, status=t("ru", "staff.status.in_review"))
    news = mother.next_message()
    assert len(news.plain_text) == 4096 and news.plain_text.endswith("z" * room)


def test_a_death_message_too_long_for_the_preview_is_asked_again(bot, relative, staff):
    mother, worker = relative("en"), staff("en")
    ref = submit_report(mother, "en", name=NAMES["en"])
    settle(mother)
    preview = parse_html(t("en", "staff.deceased.preview", ref=ref) + "\n\n" + t("en", "status.news.deceased", name=NAMES["en"], ref=ref)
                         + "\n\n" + t("en", "status.staff_message", message=""))
    worker.ask(f"/case {ref}")
    worker.click_data(f"sx:{ref}:deceased")
    worker.next_message()
    assert worker.ask("w" * 4000).text == t("en", "staff.status.message_too_long", length=4000, max=4096 - len(preview))
    mother.expect_silence()
    assert status_of(bot, ref) == "new"


def titles(messages: list, language: str) -> list[str]:
    """The guidance sections among the messages, by key, in the order received."""
    by_title = {f"<b>{html.escape(s['title'][language])}</b>": key for key, s in SEEDS.items()}
    return [key for m in messages for title, key in by_title.items() if m.text.startswith(title)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_family_told_he_was_killed_gets_the_condolence_first_and_no_legal_warning(bot, relative, language):
    mother = relative(language)
    _ref, received = report(mother, language, NAMES[language], "killed")
    assert received[1].text.startswith(f"<b>{html.escape(SEEDS['if_killed']['title'][language])}</b>"), "first after 'sent'"
    assert titles(received, language) == ["if_killed", "what_to_do_now", "have_ready"]
    mother.click(t(language, "button.more_guidance"))
    rest = everything(mother)
    assert titles(rest, language) == ["making_it_public", "what_the_state_did", "what_to_expect", "staying_safe"]
    assert not any(WARNING[language] in m.text for m in mother.messages)


@pytest.mark.parametrize("situation", [*SITUATIONS, None])
def test_the_legal_warning_is_never_among_the_first_messages(bot, relative, situation):
    language = "ru" if situation in (None, "captured", "at_front") else "en"
    mother = relative(language)
    if situation is None:
        submit_report(mother, language, name=NAMES[language])
    else:
        _ref, received = report(mother, language, NAMES[language], situation)
        if situation == "captured":
            assert titles(received, language) == ["if_captured", "what_to_do_now", "have_ready"], "her situation's own section first"
    assert not any(WARNING[language] in m.text for m in mother.messages), "nothing she received after 'sent' warns her"
    if situation != "killed":  # it is there for those who ask for more, last
        mother.click(t(language, "button.more_guidance"))
        rest = everything(mother)
        assert titles(rest, language)[-1] == "why_it_matters"
        assert WARNING[language] in rest[-1].text


def test_a_database_seeded_before_the_warning_moved_loses_it_from_the_first_sections(tmp_path):
    """Sections nobody edited follow the seed files; an admin's version is never overwritten."""
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    upgrade(db.url)
    db.run_sync(load_seeds)

    def as_before_the_move(session):
        for row in session.exec(select(GuidanceText).where(GuidanceText.section == "have_ready")):
            row.body += "\n\n• " + WARNING[row.language]
            session.add(row)
        guidance_versions.new_version(session, "what_to_do_now", "en", "An admin's own words.", ADMIN_IDS[0])

    db.run_sync(as_before_the_move)
    assert db.run_sync(load_seeds) == 0
    bodies = db.run_sync(lambda s: {(r.section, r.language): r.body for r in s.exec(select(GuidanceText).where(GuidanceText.is_current))})
    assert not any(WARNING[language] in bodies[("have_ready", language)] for language in LANGUAGES)
    assert bodies[("what_to_do_now", "en")] == "An admin's own words."
    db.close()
