"""Faults, each bounded in count and time, loopback only: random SIGKILLs under load, Telegram
answering 429/502, getUpdates failing for a while, the database locked, users who blocked us."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time

import pytest

from core.i18n import t
from tests.support.bots import settle
from tests.support.conversation import SCRIPT, perform

pytestmark = pytest.mark.slow  # minutes of faults and a hundred kills: `make test-slow`, and CI

KILLS = int(os.environ.get("FAULT_KILLS", "100"))
RELATIVES = int(os.environ.get("FAULT_RELATIVES", "50"))





def test_killed_a_hundred_times_while_fifty_relatives_report(fresh_bot, relative):
    fresh_bot.start()
    people = [relative("en") for _ in range(RELATIVES)]
    stop = threading.Event()
    kills = []

    def killer():
        rng = random.Random(5)
        while len(kills) < KILLS and not stop.is_set():
            time.sleep(rng.uniform(0.05, 0.6))
            fresh_bot.kill()
            kills.append(time.time())
            if not stop.is_set():
                fresh_bot.start()

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    rng = random.Random(9)
    progress = {p.id: 0 for p in people}
    deadline = time.monotonic() + 600
    try:
        while any(n < len(SCRIPT) for n in progress.values()) and time.monotonic() < deadline:
            person = rng.choice([p for p in people if progress[p.id] < len(SCRIPT)])
            step = SCRIPT[progress[person.id]]
            if step[0] == "data" and not person.messages:
                continue  # a person taps a button only once the bot has shown one
            perform(person, step)
            progress[person.id] += 1
            # Spread the reports over the kills, as fifty people writing at once would be.
            time.sleep(max(0.0, 120 / (len(SCRIPT) * RELATIVES) - 0.01))
        thread.join(timeout=600)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert len(kills) >= KILLS

    def everyone_has_a_case():
        return all(len(fresh_bot.cases_of(p.id)) == 1 for p in people) or None

    people[0].wait_for(everyone_has_a_case, timeout=120, what="every relative finished")
    for person in people:
        [case] = fresh_bot.cases_of(person.id)
        assert (case.person_full_name, case.birth_year, case.last_location, case.reporter_phone) == ("Tahir Abdullayev", 1980, "Voronezh", "+994501234567")
        settle(person, quiet=0.2)
        submitted = [m for m in person.messages if case.ref in m.text and m.text.startswith(t("en", "submitted.text", ref=case.ref)[:20])]
        assert submitted, "the confirmation arrives"
        for earlier, later in zip(submitted, submitted[1:]):
            # Only a restart re-sends a reply: a kill lies between any two copies (dates are whole seconds).
            assert any(earlier.date - 1 <= kill <= later.date + 1 for kill in kills), "a reply doubled without a restart"
    assert fresh_bot.query("select count(*) from \"case\"")[0][0] == RELATIVES, "no case doubled"


def test_storm_of_429_and_502_delivers_every_reply_in_order_and_respects_retry_windows(bot, relative, standin):
    people = [relative("en") for _ in range(5)]
    storm_ends = time.monotonic() + 60  # a minute of it
    standin.fail_ratio("sendMessage", 0.3, status=429, retry_after_range=(1, 3), until=storm_ends, seed=1)
    standin.fail_ratio("sendMessage", 0.1, status=502, until=storm_ends, seed=2)
    try:
        for person in people:
            person.send("/start")
        for person in people:
            assert person.next_message(timeout=60).text.startswith(t("en", "consent.text")[:30])
            assert t("en", "ask.relationship") in person.tap(t("en", "button.agree"), timeout=60).text
            assert t("en", "ask.full_name") in person.tap(t("en", "choice.relationship.mother"), timeout=60).text
            assert t("en", "ask.birth") in person.ask("Tahir Abdullayev", timeout=60).text
    finally:
        standin.clear_faults()
    assert standin.retry_window_violations == 0, "no send inside a retry window"


def test_get_updates_failing_for_a_while_then_polling_resumes_promptly(bot, relative, standin):
    outage = 60  # seconds of 502s on getUpdates
    early = relative("en")
    standin.fail_ratio("getUpdates", 1.0, status=502, until=time.monotonic() + outage, seed=3)
    try:
        early.ask("/help")  # ends the long poll that was already waiting; every later one fails
        person = relative("en")
        person.send("/help")
        recovered = time.monotonic() + outage - 1
        person.expect_silence(outage - 6)  # nothing gets through while Telegram fails
        reply = person.next_message(timeout=45)
        assert reply.text == t("en", "help.text")
        assert time.monotonic() - recovered <= 35, "polling resumes within 35 s of recovery"
    finally:
        standin.clear_faults()


def test_the_database_locked_by_another_writer_is_waited_out(fresh_bot, relative):
    fresh_bot.start()
    person = relative("en")
    person.ask("/start")
    path = fresh_bot.database_url.removeprefix("sqlite:///")
    if not fresh_bot.database_url.startswith("sqlite"):
        return  # PostgreSQL: row locks do not block another family's report
    blocker = sqlite3.connect(path, timeout=1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        person.click_data("k:agree")
        time.sleep(10)  # another writer holds the database for 10 s
    finally:
        blocker.rollback()
        blocker.close()
    reply = person.next_message(timeout=30)
    assert t("en", "ask.relationship") in reply.text and t("en", "error.generic") not in reply.text
    assert fresh_bot.conversation_of(person.id).phase == "asking"


def test_a_relative_who_blocked_the_bot_is_logged_and_the_case_kept(bot, relative, standin):
    person = relative("en")
    person.ask("/start")
    for step in SCRIPT[1:]:
        perform(person, step)
    person.wait_for(lambda: len(bot.cases_of(person.id)) == 1 or None, what="case stored")
    standin.fail("sendMessage", status=403, times=3, description="Forbidden: bot was blocked by the user")
    person.send("/status")
    time.sleep(2)
    assert len(bot.cases_of(person.id)) == 1
    assert "Forbidden" in bot.log()
    standin.clear_faults()
    other = relative("en")
    assert other.ask("/help").text == t("en", "help.text"), "the bot moves on"
