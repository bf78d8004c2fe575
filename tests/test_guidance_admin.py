"""Admins keep guidance and contacts right in Telegram; families only ever see what is verified."""

from __future__ import annotations

import re

import pytest

from core.i18n import t
from tests.support.bots import ADMIN_IDS, settle
from tests.support.conversation import SCRIPTS, answer_required

TITLES = {"az": "Bu gün nə etmək olar", "ru": "Что можно сделать сейчас", "en": "What you can do now"}


@pytest.fixture(scope="module")
def admin(standin, bot):
    person = standin.user(ADMIN_IDS[0], first_name="Admin", language_code="en")
    person.drain()
    return person


def open_section(admin, section_title: str, language: str):
    """/guidance → section → language; returns the control message under the text."""
    settle(admin)
    admin.ask("/guidance")
    admin.tap(section_title)
    label = next(b for b in admin.last_message.buttons if b.startswith(language + " "))
    seen = len(admin.messages)
    admin.click(label)
    controls = admin.wait_for(lambda: next((m for m in admin.messages[seen:] if t("en", "button.admin.history") in m.buttons), None), what="section controls")
    admin.drain()  # the section text and the controls are read
    return controls


def section_title(bot, section: str, language: str = "en") -> str:
    return bot.query("select title from guidance_text where section = :s and language = :l and is_current", s=section, l=language)[0][0]


def report(person, language: str, location: str):
    person.ask("/start")
    answer_required(person, language, {**SCRIPTS[language], "location": location})
    person.tap(t(language, "choice.share_with_authorities.yes"))
    person.tap(t(language, "button.review"))
    person.tap("✅ " + t(language, "button.submit"))
    person.wait_for(lambda: any(t(language, "button.more_guidance") in m.buttons for m in person.messages), what="guidance sent")
    return [m.text for m in person.messages]


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_admin_edits_a_section_and_families_get_the_new_text(bot, admin, relative, language):
    title = section_title(bot, "what_the_state_did")
    controls = open_section(admin, title, language)
    # az first (not yet reviewed), then ru and en (outdated by the publish before them)
    assert controls.text.endswith((t("en", "admin.state.unverified") + ".", t("en", "admin.state.outdated") + "."))
    assert admin.tap(t("en", "button.admin.edit")).text.startswith(t("en", "admin.edit.prompt", title=section_title(bot, "what_the_state_did", language), language=language)[:20])
    new_body = f"<b>{language}</b>: the Ministry of Foreign Affairs helped three citizens return (000_c46e10abcd349607.txt)."
    preview = admin.ask(new_body)
    assert preview.text.endswith(new_body), "the preview is exactly what families will see"
    assert admin.next_message().text == t("en", "admin.preview.caption")
    published = admin.tap(t("en", "button.admin.publish"))
    assert published.text.startswith(t("en", "admin.published", version=2, languages="")[:20])
    rows = bot.query("select version, body, author_id, outdated from guidance_text where section='what_the_state_did' and language=:l and is_current", l=language)
    assert rows == [(2, new_body, ADMIN_IDS[0], False)]
    others = bot.query("select language, outdated from guidance_text where section='what_the_state_did' and is_current and language != :l", l=language)
    assert all(outdated for _, outdated in others), "publishing one language marks the others outdated"


def test_publishing_az_marks_ru_and_en_outdated_until_confirmed(bot, admin):
    title = section_title(bot, "making_it_public")
    open_section(admin, title, "az")
    admin.tap(t("en", "button.admin.edit"))
    admin.ask("Yeni mətn: ictimaiyyətə açıqlamaq Sizin seçiminizdir.")
    admin.next_message()
    overview = admin.tap(t("en", "button.admin.publish"))
    overview = admin.next_message()
    assert t("en", "admin.overview.outdated", items="")[:10] in overview.text
    assert f"{title} (ru)" in overview.text and f"{title} (en)" in overview.text
    open_section(admin, title, "ru")
    admin.click(t("en", "button.admin.confirm"))
    assert admin.next_message().text == t("en", "admin.confirmed", title=section_title(bot, "making_it_public", "ru"), language="ru")
    state = dict(bot.query("select language, outdated from guidance_text where section='making_it_public' and is_current"))
    assert state == {"az": False, "ru": False, "en": True}


def test_preview_refuses_broken_html_and_an_overlong_paragraph(bot, admin):
    open_section(admin, section_title(bot, "what_to_expect"), "en")
    admin.tap(t("en", "button.admin.edit"))
    broken = admin.ask("<b>unclosed bold and a <blink>tag")
    assert broken.text.startswith(t("en", "admin.preview.rejected", error="X")[:25]) and "can't parse entities" in broken.text
    too_long = admin.ask("word " * 1100)
    assert "4096" in too_long.text and too_long.text.startswith(t("en", "admin.preview.rejected", error="X")[:25])
    assert admin.ask("/cancel").text == t("en", "admin.cancelled")
    assert bot.query("select count(*) from guidance_text where section='what_to_expect' and language='en'")[0][0] == 1


def test_a_long_text_is_split_at_paragraphs(bot, admin):
    open_section(admin, section_title(bot, "staying_safe"), "en")
    admin.tap(t("en", "button.admin.edit"))
    paragraphs = "\n\n".join(f"Paragraph {n}: " + "nobody from Homeward asks for money. " * 30 for n in range(1, 6))
    first = admin.ask(paragraphs)
    second = admin.next_message()
    assert len(first.plain_text) <= 4096 and len(second.plain_text) <= 4096
    assert first.text.rstrip().endswith("money.") and second.text.startswith("Paragraph "), "split between paragraphs"
    admin.next_message()
    admin.tap(t("en", "button.admin.cancel"))


def test_rollback_restores_the_previous_text(bot, admin):
    title = section_title(bot, "have_ready")
    original = bot.query("select body from guidance_text where section='have_ready' and language='en' and version=1")[0][0]
    open_section(admin, title, "en")
    admin.tap(t("en", "button.admin.edit"))
    admin.ask("A worse text.")
    admin.next_message()
    admin.tap(t("en", "button.admin.publish"))
    open_section(admin, title, "en")
    history = admin.tap(t("en", "button.admin.history"))
    assert "v2" in history.text and "v1" in history.text
    admin.click(t("en", "button.admin.restore", version=1))
    assert admin.next_message().text == t("en", "admin.restored", old=1, version=3)
    assert bot.query("select body from guidance_text where section='have_ready' and language='en' and is_current")[0][0] == original


def test_non_admins_get_the_normal_help_and_forged_buttons_do_nothing(bot, relative):
    person = relative("en")
    assert person.ask("/guidance").text == t("en", "help.text")
    before = bot.query("select count(*) from guidance_text")[0][0]
    person.ask("/start")
    for forged in ("ad:home", "ad:rb:have_ready:en:1", "ad:fver:embassy_moscow:address", "ad:ok:have_ready:ru", "ad:pub"):
        person.click_data(forged)
        reply = person.next_message()
        assert reply.text == t("en", "button.stale"), "answered like any unknown button"
        person.next_message()
    assert bot.query("select count(*) from guidance_text")[0][0] == before
    assert bot.query("select verified_at from contact_field where mission_key = 'embassy_moscow' and field = 'address'")[0][0] is None


def test_an_unverified_phone_is_never_shown_to_a_family_and_a_verified_one_is(bot, admin, relative):
    settle(admin)
    admin.ask("/guidance")
    admin.tap(t("en", "button.admin.contacts"))
    embassy = "Embassy of the Republic of Azerbaijan in the Russian Federation"
    admin.tap(embassy)
    admin.tap(t("en", "contact.field.phone"))
    admin.tap(t("en", "button.admin.edit"))
    saved = admin.ask("+7 495 000-11-22 | test entry")
    assert saved.text == t("en", "admin.field.saved")

    texts = report(relative("ru"), "ru", "Воронеж")
    everything = "\n".join(texts)
    assert "000-11-22" not in everything and not re.search(r"\+7\D*495", everything)
    route = next(text for text in texts if text.startswith(t("ru", "route.title")))
    assert "Посольство Азербайджанской Республики в Российской Федерации" in route
    assert t("ru", "route.no_details", mission="Посольство Азербайджанской Республики в Российской Федерации") in route

    settle(admin)
    assert t("en", "button.admin.verify") in admin.last_message.buttons, "the field card follows the saved note"
    admin.click(t("en", "button.admin.verify"))
    assert admin.next_message().text == t("en", "admin.field.verified_now")
    verified_texts = "\n".join(report(relative("en"), "en", "Voronezh"))
    assert "+7 495 000-11-22" in verified_texts


def test_routing_tyumen_to_yekaterinburg_and_voronezh_to_moscow(bot, relative):
    texts = report(relative("az"), "az", "Tümen vilayəti, tikinti obyekti")
    route = next(text for text in texts if text.startswith(t("az", "route.title")))
    assert "Azərbaycan Respublikasının Yekaterinburqdakı Baş Konsulluğu" in route
    assert "1news.az" in route and t("az", "route.unconfirmed") in route


def test_guidance_names_its_sources_on_request(bot, relative):
    person = relative("en")
    report(person, "en", "Voronezh")
    settle(person)
    sources = person.tap(t("en", "button.sources"))
    assert sources.text.startswith(t("en", "sources.title", section="")[:20])
    assert "000_c46e10abcd349607.txt" in sources.text or "homeward" in sources.text.lower()
