"""Admins keep guidance and contacts right in Telegram; families only ever see what is verified."""

from __future__ import annotations

import json
import re

import pytest

from app.guidance_sources import label_of
from core.config import LANGUAGE_NAMES
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
    label = next(b for b in admin.last_message.buttons if b.startswith(LANGUAGE_NAMES[language] + " "))
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
    assert admin.tap(t("en", "button.admin.edit")).text.startswith(t("en", "admin.edit.prompt", title=section_title(bot, "what_the_state_did", language), language=LANGUAGE_NAMES[language])[:20])
    typed = f"<b>{language}</b>: the Ministry of Foreign Affairs helped three citizens return."
    # One item for one item: the new wording keeps the source of the text it replaces.
    new_body = f"{typed}\n<i>{label_of('000_c46e10abcd349607.txt', language)}</i>"
    preview = admin.ask(typed)
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
    admin.ask("Yeni mətn: ictimaiyyətə açıqlamaq Sizin seçiminizdir.\nMənbə: Homeward")
    admin.next_message()
    overview = admin.tap(t("en", "button.admin.publish"))
    overview = admin.next_message()
    assert t("en", "admin.overview.outdated", items="")[:10] in overview.text
    assert f"{title} (Русский)" in overview.text and f"{title} (English)" in overview.text
    open_section(admin, title, "ru")
    admin.click(t("en", "button.admin.confirm"))
    assert admin.next_message().text == t("en", "admin.confirmed", title=section_title(bot, "making_it_public", "ru"), language="Русский")
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
    paragraphs = "\n\n".join(f"Paragraph {n}: " + "nobody from Homeward asks for money. " * 30 + "\nSource: Homeward" for n in range(1, 6))
    first = admin.ask(paragraphs)
    second = admin.next_message()
    assert len(first.plain_text) <= 4096 and len(second.plain_text) <= 4096
    assert first.text.rstrip().endswith("money.\n<i>Homeward</i>") and second.text.startswith("Paragraph "), "split between paragraphs"
    admin.next_message()
    admin.tap(t("en", "button.admin.cancel"))


def test_rollback_restores_the_previous_text(bot, admin):
    title = section_title(bot, "have_ready")
    original = bot.query("select body from guidance_text where section='have_ready' and language='en' and version=1")[0][0]
    open_section(admin, title, "en")
    admin.tap(t("en", "button.admin.edit"))
    admin.ask("A worse text.\nSource: Homeward")
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


def test_families_read_publications_and_dates_and_admins_also_see_the_files(bot, admin, relative):
    person = relative("en")
    texts = report(person, "en", "Voronezh")
    settle(person)
    sources = person.tap(t("en", "button.sources"))
    assert sources.text.startswith(t("en", "sources.title", section="")[:20])
    assert t("en", "sources.homeward") in sources.text, "the last section's own publications, by name"
    assert not re.search(r"\w\.(txt|md)\b|missions\.md", "\n".join(texts + [sources.text])), "no file names for families"
    settle(admin)
    admin.ask("/guidance")
    admin.tap(section_title(bot, "making_it_public"))
    seen = len(admin.messages)
    admin.click(next(b for b in admin.last_message.buttons if b.startswith(LANGUAGE_NAMES["ru"])))
    shown = admin.wait_for(lambda: next((m for m in admin.messages[seen:] if m.text.startswith(t("en", "admin.sources.title"))), None), what="sources")
    assert f"{label_of('000_c46e10abcd349607.txt', 'ru')} — <code>000_c46e10abcd349607.txt</code>" in shown.text
    assert t("en", "admin.sources.homeward") in shown.text


def test_an_admin_gives_the_source_of_a_new_item_and_an_item_without_one_is_sent_back(bot, admin, relative):
    open_section(admin, section_title(bot, "if_captured"), "en")
    admin.tap(t("en", "button.admin.edit"))
    three = "First item, as before.\n\nA new item from a ministry statement.\n\nThird item."
    assert admin.ask(three).text == t("en", "admin.edit.no_source", number=1), "3 items for 2: nothing to inherit"
    copied = admin.ask("First item, as before.\n<i>Homeward</i>\n\nA new item.\nИсточник: Ministry of Foreign Affairs, 1 December 2026\n\nThird item.")
    assert copied.text == t("en", "admin.edit.no_source", number=3)
    preview = admin.ask("First item.\n<i>Homeward</i>\n\nA new item.\nИсточник: Ministry of Foreign Affairs, 1 December 2026")
    assert preview.text.endswith("First item.\n<i>Homeward</i>\n\nA new item.\n<i>Ministry of Foreign Affairs, 1 December 2026</i>")
    admin.next_message()
    admin.tap(t("en", "button.admin.publish"))
    sources = bot.query("select sources from guidance_text where section='if_captured' and language='en' and is_current")[0][0]
    assert (json.loads(sources) if isinstance(sources, str) else sources) == ["homeward", "Ministry of Foreign Affairs, 1 December 2026"]
    open_section(admin, section_title(bot, "if_captured"), "en")
    shown = next(m for m in reversed(admin.messages) if m.text.startswith(t("en", "admin.sources.title")))
    assert f"Ministry of Foreign Affairs, 1 December 2026 — {t('en', 'admin.sources.by_admin')}" in shown.text
