"""Nothing lost: a killed bot resumes, redeliveries change nothing, Telegram's errors are waited out."""

from __future__ import annotations

import time

import pytest

from app.texts import consent_text
from core.config import load_settings
from core.i18n import t
from tests.support.bots import ADMIN_IDS, BotProcess
from tests.support.conversation import next_question, start_report, submit_report


def test_sigkill_mid_conversation_resumes_at_the_same_step(fresh_bot, relative):
    fresh_bot.start()
    mother = relative("az")
    start_report(mother)
    fresh_bot.kill()

    mother.send("1980")  # written while the bot is down: Telegram keeps it
    fresh_bot.start()
    next_question(mother, "ask.last_contact", allowed_resend="ask.birth")
    conversation = fresh_bot.conversation_of(mother.id)
    assert conversation.step == "last_contact"
    assert conversation.answers["full_name"] == "Tahir Abdullayev"
    assert conversation.answers["birth"] == {"year": 1980, "date": None}


def test_killed_after_commit_before_reply_resends_the_reply_only(fresh_bot, relative, standin):
    """The answer is committed, the reply cannot go out, the process dies: on restart the
    relative gets that reply, and the answer is neither lost nor applied a second time."""
    fresh_bot.start()
    mother = relative("az")
    start_report(mother)
    sends_before = len(standin.sent_messages(mother.id))
    standin.fail("sendMessage", status=502, times=1000)
    try:
        mother.send("1980")
        mother.wait_for(lambda: fresh_bot.conversation_of(mother.id).step == "last_contact", what="answer committed")
        fresh_bot.kill()
    finally:
        standin.clear_faults()
    assert len(standin.sent_messages(mother.id)) == sends_before, "no reply got out before the kill"

    fresh_bot.start()
    reply = mother.next_message(timeout=20)
    assert t("az", "ask.last_contact") in reply.text and t("az", "invalid.date.unreadable") not in reply.text
    mother.expect_silence(1.0)
    conversation = fresh_bot.conversation_of(mother.id)
    assert conversation.step == "last_contact" and conversation.answers["birth"]["year"] == 1980
    assert t("az", "ask.last_location") in mother.ask("15.01.2026").text


def test_every_update_delivered_twice_gives_one_answer_and_one_case(bot, relative, standin):
    standin.duplicate_delivery = True
    try:
        son = relative("ru")
        son.ask("/start")
        son.tap(t("ru", "button.agree"))
        son.tap(t("ru", "choice.relationship.child"))
        son.ask("Фахри Гаджиев")
        son.ask("1973")
        son.ask("15.06.2025")
        son.ask("Ростов-на-Дону")
        son.click(t("ru", "choice.reporter_contact.telegram"))
        son.next_message()
        son.next_message()
        son.tap(t("ru", "choice.share_with_authorities.no"))
        son.tap(t("ru", "button.review"))
        son.tap("✅ " + t("ru", "button.submit"))
        for _ in range(3):  # where to turn, and two guidance sections
            son.next_message()
        son.expect_silence(1.5)
    finally:
        standin.duplicate_delivery = False
    texts = [m.text for m in son.messages]
    assert texts.count(t("ru", "ask.full_name").join(["", ""])) <= 1
    questions = [m.text for m in son.messages if t("ru", "ask.birth") in m.text]
    assert len(questions) == 1, "each question asked once despite every update arriving twice"
    assert len(bot.cases_of(son.id)) == 1


def test_429_on_send_message_is_waited_out_and_the_reply_arrives(bot, relative, standin):
    mother = relative("en")
    mother.ask("/start")
    standin.fail("sendMessage", status=429, retry_after=2, times=1)
    started = time.monotonic()
    reply = mother.tap(t("en", "button.agree"))
    assert t("en", "ask.relationship") in reply.text
    assert time.monotonic() - started >= 2, "the retry waited for retry_after"
    assert standin.retry_window_violations == 0


def test_502_and_timeouts_on_send_are_retried(bot, relative, standin):
    mother = relative("en")
    standin.fail("sendMessage", status=502, times=3)
    consent = mother.ask("/start", timeout=20)
    assert consent.text == consent_text("en", load_settings())
    assert len([m for m in mother.messages if m.text == consent.text]) == 1


def test_an_unexpected_error_gets_an_apology_and_a_way_on_never_a_traceback(bot, relative, standin):
    mother = relative("ru")
    mother.ask("/start")
    mother.tap(t("ru", "button.agree"))
    standin.fail("sendMessage", status=400, times=1, description="Bad Request: something unexpected")
    mother.click(t("ru", "choice.relationship.mother"))
    apology = mother.next_message()
    assert apology.text == t("ru", "error.generic") and "Traceback" not in apology.text
    assert bot.conversation_of(mother.id).answers == {"relationship": "mother"}, "the answer was kept"
    assert t("ru", "ask.full_name") in mother.tap(t("ru", "button.continue")).text
    assert "Tahir" not in bot.log() and "update" in bot.log()


def test_a_second_bot_on_the_same_database_refuses_with_one_line(fresh_bot, standin, relative, tmp_path):
    if not fresh_bot.database_url.startswith("sqlite"):
        pytest.skip("SQLite's one-copy rule (on PostgreSQL a second copy stands by: tests/test_standby.py)")
    fresh_bot.start()
    second = BotProcess(standin, fresh_bot.database_url, tmp_path / "second.log").start(wait=False)
    assert second.process.wait(30) == 3
    assert second.log().strip().splitlines() == ["Another copy of Homeward is already running on this database: stop it first."]
    mother = relative("en")
    assert mother.ask("/help").text == t("en", "help.text"), "the first bot goes on serving"


@pytest.mark.slow  # waits out the conflict grace period
def test_a_second_bot_on_another_database_with_the_same_token_stops_on_telegrams_409(fresh_bot, standin, relative, tmp_path):
    fresh_bot.extra_env["CONFLICT_GRACE_SECONDS"] = "2"
    fresh_bot.start()
    time.sleep(3)  # the first copy is past its start-up: a 409 now is the newcomer's doing
    other = BotProcess(standin, f"sqlite:///{tmp_path / 'other.db'}", tmp_path / "other.log", {"CONFLICT_GRACE_SECONDS": "2"}).start(wait=False)
    assert other.process.wait(30) == 3
    assert other.log().strip().splitlines()[-1] == "Another copy of this bot is already polling Telegram with the same token: stop it first."
    assert fresh_bot.process.poll() is None, "the copy that was running goes on"
    assert relative("en").ask("/help", timeout=20).text == t("en", "help.text")


def test_the_postgresql_connection_dropping_loses_nothing(bot, relative):
    if not bot.database_url.startswith("postgresql"):
        import pytest

        pytest.skip("a PostgreSQL test (runs with TEST_BACKEND=postgres)")
    mother = relative("en")
    start_report(mother, "en")
    # The server drops every connection the bot holds (a restart, a network blip).
    bot.query("select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and application_name = current_setting('application_name')")
    assert t("en", "ask.last_contact") in mother.ask("1980", timeout=30).text
    assert bot.conversation_of(mother.id).answers["birth"]["year"] == 1980


def test_a_note_asked_for_before_a_restart_is_taken_as_the_note_after_it(fresh_bot, standin, relative):
    """Who the bot waits for is known again after a restart, not only in the copy that asked."""
    fresh_bot.start()
    ref = submit_report(relative("ru"), "ru")
    staff = standin.user(ADMIN_IDS[0], first_name="Admin", language_code="en")
    staff.drain()
    staff.ask(f"/case {ref}")
    assert staff.tap(t("en", "button.staff.note")).text == t("en", "staff.note.prompt", ref=ref)
    fresh_bot.stop()
    fresh_bot.start()
    assert staff.ask("The brother called with the unit's number.").text == t("en", "staff.note.saved")
    assert fresh_bot.query("select text from case_note") == [("The brother called with the unit's number.",)]
