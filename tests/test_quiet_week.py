"""After a week without updates Telegram numbers the next ones from a random point, often far
below the old ones. The bot must go on hearing everybody, and a redelivery must still be one."""

from __future__ import annotations

import asyncio
import json

from bot.inbox import Inbox, receipt_of
from core.i18n import t
from tests.support.conversation import finish_report, next_question, start_report


def test_a_mother_in_mid_report_when_the_ids_jump_down_finishes_her_report(fresh_bot, relative, standin):
    fresh_bot.start()
    mother = relative("az")
    start_report(mother)
    standin.renumber_updates(1)  # below every id the bot has seen

    sent = finish_report(mother)
    (case,) = fresh_bot.cases_of(mother.id)
    assert case.ref in sent.text
    assert case.birth_year == 1980 and case.last_location == "Voronej"
    fresh_bot.assert_logs_hold_no_personal_data()


def test_a_restart_after_the_jump_goes_on_where_she_was(fresh_bot, relative, standin):
    fresh_bot.start()
    mother = relative("az")
    start_report(mother)
    standin.renumber_updates(1)
    assert t("az", "ask.last_contact") in mother.ask("1980").text
    fresh_bot.kill()

    mother.send("15.01.2026")  # written while the bot is down, with an id below the old ones
    fresh_bot.start()
    next_question(mother, "ask.last_location", allowed_resend="ask.last_contact")
    assert fresh_bot.conversation_of(mother.id).answers["last_contact"]["text"] == "15.01.2026"
    standin.renumber_updates(5)  # and again, into ids the bot has already stored once
    assert t("az", "ask.reporter_contact") in mother.ask("Voronej").text
    assert fresh_bot.conversation_of(mother.id).step == "reporter_contact"


def test_a_redelivery_is_one_update_but_an_old_id_with_new_content_is_another(fresh_bot):
    """The inbox tells a repeat from a renumbered update by content, not by comparing ids."""
    fresh_bot.start()
    fresh_bot.stop()
    from db.database import Database

    db = Database(fresh_bot.database_url)
    inbox, after_restart = Inbox(db), Inbox(db)
    user = {"id": 42, "is_bot": False, "first_name": "Ana"}

    def message(update_id: int, text: str) -> dict:
        return {"update_id": update_id, "message": {"message_id": 900 + update_id, "date": 1795250000, "text": text,
                                                    "from": user, "chat": {"id": 42, "type": "private"}}}

    async def main():
        await inbox.open()
        first = await inbox.store(inbox.receive([message(7, "salam")], None))
        assert inbox.receive([json.loads(json.dumps(message(7, "salam")))], None) == [], "known in memory"
        await after_restart.open()
        again = await after_restart.store(after_restart.receive([message(7, "salam")], None))
        renumbered = await after_restart.store(after_restart.receive([message(7, "oğlum")], None))
        return first, again, renumbered

    try:
        first, again, renumbered = asyncio.run(main())
    finally:
        db.close()
    assert len(first) == 1 and again == [], "the same update sent twice is stored and handled once, across a restart too"
    assert len(renumbered) == 1 and renumbered[0].message.text == "oğlum", "same id, new content: a new update"
    assert receipt_of(renumbered[0]) > receipt_of(first[0])
    rows = fresh_bot.query("select update_id, payload from inbox_update where chat_key = 42 order by receipt")
    assert [(row[0], json.loads(row[1])["message"]["text"]) for row in rows] == [(7, "salam"), (7, "oğlum")]
