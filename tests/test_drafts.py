"""Reports left half-way, and answers a mother can actually give (issue 12): the one reminder, its
Continue and Delete buttons, the draft purge, "I don't know", and the export after /update."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session

from app.drafts import claim_due, purge_drafts
from app.exports import Filters, write_export
from bot.context import SERVICES
from bot.reminders import remind_round
from core.i18n import t, tn
from db.models import Conversation
from tests.support.bots import ADMIN_IDS, settle
from tests.support.conversation import start_report, submit_report

pytestmark = pytest.mark.inprocess


def _quiet_since(bot, person) -> datetime:
    return bot.conversation_of(person.id).updated_at


def remind_at(bot, now: datetime) -> int:
    """One reminder round of the running bot, at the time the test says."""

    async def round_(application):
        services = application.bot_data[SERVICES]
        return await remind_round(application.bot, services.db, services.settings, now)

    return bot.in_process.call(round_)


def reminder_text(language: str) -> str:
    return tn(language, "reminder.text", "reminder.text.plural", 30)


def nothing_more(person) -> None:
    with pytest.raises(AssertionError):
        person.next_message(timeout=0.3)


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_one_reminder_at_24_hours_in_her_language_and_continue_re_asks(bot, relative, language):
    mother = relative(language)
    start_report(mother, language)  # stopped at the birth-year question
    quiet = _quiet_since(bot, mother)
    remind_at(bot, quiet + timedelta(hours=23, minutes=59))
    nothing_more(mother)
    remind_at(bot, quiet + timedelta(hours=24))
    reminder = mother.next_message()
    assert reminder.text == reminder_text(language)
    assert reminder.buttons == [t(language, "button.continue"), t(language, "button.delete_draft")]
    remind_at(bot, quiet + timedelta(hours=48))
    remind_at(bot, quiet + timedelta(days=5))
    nothing_more(mother)
    assert t(language, "ask.birth") in mother.tap(t(language, "button.continue")).text
    # She goes on and stops again: never a second reminder for this report.
    mother.ask("1980")
    remind_at(bot, _quiet_since(bot, mother) + timedelta(days=2))
    nothing_more(mother)


def test_no_reminder_after_cancel_delete_or_a_sent_report(bot, relative):
    kept, cancelled, deleted, sent = (relative("en") for _ in range(4))
    for person in (kept, cancelled, deleted):
        start_report(person, "en")
    kept.ask("/cancel")
    kept.tap(t("en", "button.cancel_no"))  # she asked to cancel, then kept it: still no reminder
    cancelled.ask("/cancel")
    cancelled.tap(t("en", "button.cancel_yes"))
    deleted.ask("/delete")
    deleted.tap(t("en", "button.delete_yes"))
    submit_report(sent, "en")
    for person in (kept, cancelled, deleted, sent):
        settle(person)
    remind_at(bot, datetime.now(timezone.utc) + timedelta(days=2))
    for person in (kept, cancelled, deleted, sent):
        nothing_more(person)


def test_the_reminder_survives_a_restart_and_a_crash_after_its_claim(bot, relative):
    mother, other = relative("ru"), relative("az")
    start_report(mother, "ru")
    start_report(other, "az")
    bot.stop()
    bot.start()  # the same database: the draft and its clock are in it
    quiet = _quiet_since(bot, mother)
    assert remind_at(bot, quiet + timedelta(hours=25)) >= 1
    assert mother.next_message().text == reminder_text("ru")
    # A crash after the claim was committed and before the send: the claim stands, nothing is resent.
    with Session(bot.engine) as session:
        claimed = claim_due(session, bot.in_process.application.bot_data[SERVICES].settings, quiet + timedelta(days=3))
        session.commit()
    assert claimed == []  # both were claimed by the round above
    bot.stop()
    bot.start()
    remind_at(bot, quiet + timedelta(days=4))
    nothing_more(mother)
    assert other.next_message().text == reminder_text("az")
    nothing_more(other)
    assert [r[0] for r in bot.query("select state from draft_reminder where telegram_id = :i", i=mother.id)] == ["sent"]


def test_the_reminders_delete_removes_the_draft_and_everything_in_it(bot, relative):
    mother = relative("az")
    start_report(mother, "az")
    remind_at(bot, _quiet_since(bot, mother) + timedelta(hours=24))
    assert mother.next_message().text == reminder_text("az")
    assert mother.tap(t("az", "button.delete_draft")).text == t("az", "draft.deleted")
    assert bot.conversation_of(mother.id) is None
    assert bot.query("select count(*) from draft_reminder where telegram_id = :i", i=mother.id)[0][0] == 0
    held = bot.query("select payload from inbox_update where chat_key = :c and done_at is not null", c=mother.id)
    assert not any("Abdullayev" in payload for (payload,) in held)
    # A second tap (or a redelivery): there is nothing left, and she is told so kindly.
    assert mother.click_data("dr:delete") and mother.next_message().text == t("az", "draft.none")


def test_drafts_untouched_for_30_days_are_purged_and_a_29_day_one_is_kept(bot, relative):
    old, recent = relative("ru"), relative("ru")
    start_report(old, "ru")
    start_report(recent, "ru")
    settings = bot.in_process.application.bot_data[SERVICES].settings
    with Session(bot.engine) as session:  # the old draft was last touched a day earlier
        draft = session.get(Conversation, old.id)
        draft.updated_at -= timedelta(days=1)
        session.add(draft)
        session.commit()
    later = _quiet_since(bot, recent) + timedelta(days=29, hours=12)
    with Session(bot.engine) as session:
        assert purge_drafts(session, settings, later) >= 1
        session.commit()
    assert bot.conversation_of(old.id) is None
    assert bot.conversation_of(recent.id).answers["full_name"] == "Tahir Abdullayev"
    assert bot.query("select count(*) from inbox_update where chat_key = :c and done_at is not null", c=old.id)[0][0] == 0
    # Staff never see a draft: not on /cases, not in an export.
    admin = bot.standin.user(ADMIN_IDS[0], language_code="en")
    assert "Abdullayev" not in admin.ask("/cases").text


def test_i_dont_know_button_and_words(bot, relative):
    mother = relative("ru")
    start_report(mother, "ru")
    assert t("ru", "ask.last_contact") in mother.ask("1980").text
    assert t("ru", "ask.last_location") in mother.tap(t("ru", "button.dont_know")).text
    draft = bot.conversation_of(mother.id)
    assert draft.answers["last_contact"] == {"date": None, "precision": "unknown", "text": ""}
    mother.ask("Воронеж")
    mother.click(t("ru", "choice.reporter_contact.telegram"))
    settle(mother)
    mother.tap(t("ru", "choice.share_with_authorities.yes"))
    mother.tap(t("ru", "button.more_details"))
    mother.tap(t("ru", "button.skip"))  # her own name
    assert mother.ask("Не знаю.").text == t("ru", "answer.dont_know")  # his name in Russian documents
    assert t("ru", "ask.father_name") in mother.next_message().text
    mother.ask("незнаю")
    settle(mother)
    review = mother.tap(t("ru", "button.finish"))
    assert t("ru", "button.dont_know") in review.text
    mother.tap("✅ " + t("ru", "button.submit"))
    settle(mother)
    case = bot.cases_of(mother.id)[0]
    assert (case.last_contact_date, case.last_contact_precision) == (None, "unknown")
    assert (case.person_name_ru, case.person_father_name) == (None, None)
    assert case.unknown_answers == ["father_name", "name_ru"] and "name_ru" not in case.skipped


def test_the_embassy_export_after_update_shows_the_new_phone_and_place_and_when(bot, relative, tmp_path):
    son = relative("en")
    ref = submit_report(son, "en")
    son.ask("/update")
    son.tap(t("en", "button.update.contact"))
    assert son.ask("+994 55 765 43 21").text == t("en", "update.saved", ref=ref)
    son.ask("/update")
    son.tap(t("en", "button.update.location"))
    son.ask("Rostov-on-Don")
    settle(son)
    out = tmp_path / "embassy.csv"
    with Session(bot.engine) as session:
        write_export(session, "csv", "embassy", Filters(), out)
    rows = {row["case_ref"]: row for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}
    row = rows[ref]
    assert row["reporter_phone"] == "'+994557654321" and row["last_location"] == "Rostov-on-Don"
    assert row["reporter_phone_changed_at"].startswith(str(datetime.now(timezone.utc).year)) and row["last_location_changed_at"]
    # The earlier values stay in the history (the full profile's additions).
    with Session(bot.engine) as session:
        write_export(session, "csv", "full", Filters(), out)
    full = {r["case_ref"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}[ref]
    assert "+994557654321 (before: +994501234567)" in full["additions"]
    assert "Rostov-on-Don (before: Voronezh)" in full["additions"]
