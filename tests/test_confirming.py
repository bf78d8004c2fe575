"""Telegram is told we have a batch only once it is on disk, though the next batch is asked for
while the last one is still being written (what keeps a surge's replies near the floor)."""

from __future__ import annotations

import time

import pytest

from core.i18n import t

pytestmark = pytest.mark.inprocess


def test_a_batch_is_confirmed_only_once_on_disk_though_the_next_is_asked_for_meanwhile(bot, relative, standin, monkeypatch):
    database = bot.in_process.db
    write = database.run_batch_sync

    def slow_disk(fns):
        time.sleep(0.04)  # a disk slower than one round trip to Telegram
        return write(fns)

    monkeypatch.setattr(database, "run_batch_sync", slow_disk)
    telegram = standin.telegram
    serve = telegram.dispatch
    delivered: dict[int, int] = {}
    confirmed_before_stored: list[int] = []

    async def watching(bot_id, method, params, files):
        if method == "getUpdates" and params.get("offset"):
            stored = {update_id for (update_id,) in bot.query("select update_id from inbox_update")}
            confirmed_before_stored.extend(i for i in delivered if i < int(params["offset"]) and i not in stored)
        status, body = await serve(bot_id, method, params, files)
        if method == "getUpdates" and status == 200:
            for item in body["result"]:
                delivered[item["update_id"]] = delivered.get(item["update_id"], 0) + 1
        return status, body

    monkeypatch.setattr(telegram, "dispatch", watching)
    mothers = [relative(language) for language in ("az", "ru", "en") * 8]
    for answer in ("/start", "agree", "mother"):
        for mother in mothers:
            if answer == "/start":
                mother.send("/start")
            else:
                mother.click(t(mother.language_code, "button.agree" if answer == "agree" else "choice.relationship.mother"))
            time.sleep(0.005)  # arriving one by one, as people do, while batches are being written
        for mother in mothers:
            mother.next_message()

    assert not confirmed_before_stored, "an update was confirmed to Telegram before it was on disk"
    assert any(times > 1 for times in delivered.values()), "the next batch was asked for while one was being written"
    for mother in mothers:
        assert t(mother.language_code, "ask.full_name") in mother.messages[-1].text
        mother.expect_silence(0.2)
    answered = bot.query("select count(*) from inbox_update where done_at is not null and chat_key in ({})".format(
        ",".join(str(mother.id) for mother in mothers)))
    assert answered[0][0] == len(mothers) * 3, "each update stored and handled once"
