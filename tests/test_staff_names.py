"""Staff as colleagues see them: by their Telegram name in the hand-over list, on the case card
and in notices, which come in the staff member's own language; never a family's name, never in
an export, never to a family."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from app.exports import Filters, case_rows
from core.i18n import t
from tests.support.bots import new_user_id, settle
from tests.support.conversation import submit_report

pytestmark = pytest.mark.inprocess


@pytest.fixture
def colleague(standin, admin):
    """A new staff member the admin granted: colleague("Rəşad", "ru", "rashad_hw")."""

    def make(first_name: str, language: str, username: str | None = None):
        person = standin.user(new_user_id(), first_name=first_name, language_code=language, username=username)
        settle(admin)
        assert admin.ask(f"/grant {person.id} staff").text == t("en", "roles.granted", id=str(person.id), role=t("en", "staff.role.staff"))
        return person

    return make


def kept_names(bot, telegram_id: int) -> list[tuple]:
    return bot.query("select first_name, username, language_code from staff_profile where telegram_id = :i", i=telegram_id)


def test_staff_appear_by_name_and_are_told_in_their_telegram_language(bot, standin, relative, admin, colleague):
    gulnara = colleague("Gülnarə", "az", "gulnara_hw")
    rashad = colleague("Rəşad & Co", "ru")
    for person in (gulnara, rashad):
        person.ask("/cases")
    mother = relative("en")
    ref = submit_report(mother, "en")
    settle(admin)
    admin.ask(f"/case {ref}")
    menu = admin.tap(t("en", "button.staff.hand_over"))
    assert f"Gülnarə (@gulnara_hw) · {t('en', 'staff.role.staff')}" in menu.buttons
    assert f"Rəşad & Co · {t('en', 'staff.role.staff')}" in menu.buttons, "a button shows the name as written"
    done = admin.tap(f"Rəşad & Co · {t('en', 'staff.role.staff')}")
    assert done.text == t("en", "staff.assign.done", ref=ref, who="Rəşad & Co")
    assert "Rəşad &amp; Co" in done.text, "in a message the name is escaped, not read as HTML"
    # Rəşad's Telegram app is in Russian and he never chose a language: the notices come in Russian.
    told = rashad.next_message()
    assert told.text == t("ru", "staff.assign.to_you", ref=ref, who="Admin")
    card = admin.ask(f"/case {ref}")
    assert t("en", "staff.card.assignee", who="Rəşad & Co") in card.text
    assert f"{ref}" in (listing := admin.ask("/cases")).text and t("en", "staff.cases.assignee", who="Rəşad & Co") in listing.text
    mother.tap(t("en", "button.write_to_team"))
    mother.ask("Any news about my son?")
    notice = rashad.next_message()
    assert notice.text == t("ru", "staff.thread.notice", ref=ref)
    # A reply shows on the card by name, while the family reads our team's words, never a name.
    rashad.ask(f"/case {ref}")
    rashad.tap(t("ru", "button.staff.reply"))
    assert rashad.ask("We have written to the Embassy.").text == t("ru", "staff.reply.sent", ref=ref)
    news = mother.next_message()
    assert "Rəşad" not in news.plain_text and "rashad" not in news.plain_text.lower()
    assert t("ru", "staff.card.from_team", who="Rəşad & Co") in rashad.ask(f"/case {ref}").text
    # The export keeps the numeric id, and no staff name.
    with Session(bot.engine) as session:
        record = next(r for r in case_rows(session, Filters(), "full", "json") if r["case_ref"] == ref)
    assert record["assignee_id"] == rashad.id
    assert "Rəşad" not in json.dumps(record, ensure_ascii=False, default=str)
    # A language chosen with /language wins over the Telegram app's.
    rashad.ask("/language")
    rashad.tap("Azərbaycanca")
    settle(rashad)
    admin.ask(f"/case {ref}")
    admin.tap(t("en", "button.staff.hand_over"))
    admin.tap(f"Gülnarə (@gulnara_hw) · {t('en', 'staff.role.staff')}")
    assert gulnara.next_message().text == t("az", "staff.assign.to_you", ref=ref, who="Admin")
    gulnara.ask(f"/case {ref}")
    gulnara.click_data(f"tg:{ref}:{rashad.id}")
    assert gulnara.next_message().text == t("az", "staff.assign.done", ref=ref, who="Rəşad & Co")
    assert rashad.next_message().text == t("az", "staff.assign.to_you", ref=ref, who="Gülnarə (@gulnara_hw)")


def test_a_family_members_name_is_never_kept_as_a_staff_name(bot, standin, relative, admin, colleague):
    mother = standin.user(new_user_id(), first_name="Gulnara", language_code="az", username="gula_h")
    ref = submit_report(mother, "az")
    for command in ("/cases", f"/case {ref}", "/cases mine", f"/start case_{ref}"):
        mother.ask(command)
        settle(mother)
    for forged in (f"th:{ref}", f"ta:{ref}", f"tp:{ref}:0", f"tg:{ref}:{mother.id}"):
        mother.click_data(forged)
        settle(mother)
    mother.tap(t("az", "button.write_to_team"))
    mother.ask("Salam, xəbər varmı?")
    settle(mother)
    assert kept_names(bot, mother.id) == []
    settle(admin)
    admin.ask(f"/case {ref}")
    menu = admin.tap(t("en", "button.staff.hand_over"))
    assert not any("Gulnara" in label or "gula_h" in label for label in menu.buttons)
    # A staff member is kept only while they hold the role.
    leyla = colleague("Leyla", "en")
    leyla.ask("/cases")
    settle(leyla)
    assert kept_names(bot, leyla.id) == [("Leyla", None, "en")]
    admin.ask(f"/revoke {leyla.id}")
    settle(admin)
    assert kept_names(bot, leyla.id) == []
    leyla.ask("/cases")
    settle(leyla)
    assert kept_names(bot, leyla.id) == [], "no role: no name kept"


def test_a_renamed_staff_member_is_shown_with_the_new_name(bot, relative, admin, colleague):
    elchin = colleague("Elçin", "en")
    mother = relative("ru")
    ref = submit_report(mother, "ru")
    settle(elchin)
    elchin.ask(f"/case {ref}")
    assert elchin.tap(t("en", "button.staff.assign_me")).text == t("en", "staff.assign.done", ref=ref, who="Elçin")
    elchin.first_name, elchin.username, elchin.language_code = "Elçin Quliyev", "elchin_q", "ru"
    assert elchin.ask("/cases").text.startswith(t("ru", "staff.cases.title", filter="")[:10])
    settle(elchin)
    assert kept_names(bot, elchin.id) == [("Elçin Quliyev", "elchin_q", "ru")], "one row, brought up to date"
    settle(admin)
    card = admin.ask(f"/case {ref}")
    assert t("en", "staff.card.assignee", who="Elçin Quliyev (@elchin_q)") in card.text
    assert "Elçin (" not in card.text and t("en", "staff.card.assignee", who="Elçin") + "\n" not in card.text


def test_a_staff_members_delete_takes_the_name_colleagues_saw(bot, relative, admin, colleague):
    elchin = colleague("Elçin", "en")
    mother = relative("ru")
    ref = submit_report(mother, "ru")
    settle(elchin)
    elchin.ask(f"/case {ref}")
    assert kept_names(bot, elchin.id) == [("Elçin", None, "en")]
    confirm = elchin.ask("/delete")
    assert t("en", "delete.what.role") in confirm.text
    elchin.tap(t("en", "button.delete_yes"))
    settle(elchin)
    assert kept_names(bot, elchin.id) == [], "the name staff saw goes with the rest"
