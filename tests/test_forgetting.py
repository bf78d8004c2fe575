"""What /delete leaves behind (nothing), what the inbox keeps of a tap, and the daily limit
that deleting does not lift."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.inbox import Delivery, parse_update, receipt_of
from core.i18n import t, tn
from tests.support.bots import ADMIN_IDS, BotProcess, database_url, settle
from tests.support.conversation import submit_report

pytestmark = pytest.mark.inprocess

# A name no other test uses: found anywhere in the database files, it is a leak.
NAME = "Zeynal Qurbanqulov"


@pytest.fixture(scope="module")
def bot(standin, tmp_path_factory):
    """One report a day per person, to see that /delete does not lift the limit."""
    folder = tmp_path_factory.mktemp("bot")
    process = BotProcess(standin, database_url(folder), folder / "bot.log", {"MAX_CASES_PER_DAY": "1"}, in_process=True).start()
    yield process
    process.stop()


def database_files(bot) -> list[Path]:
    url = make_url(bot.database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("the bytes of the files are SQLite's question (PostgreSQL: VACUUM)")
    path = Path(url.database)
    return [file for file in (path, path.with_name(path.name + "-wal")) if file.exists()]


def handled(bot, chat: int) -> None:
    """Every update of this chat processed (marked done after its replies went out)."""
    deadline = time.monotonic() + 10
    while bot.query("select count(*) from inbox_update where chat_key = :c and done_at is null", c=chat)[0][0]:
        assert time.monotonic() < deadline, "updates left unprocessed"
        time.sleep(0.05)


def test_after_delete_no_byte_of_the_family_is_left_in_the_database_or_wal_file(bot, standin, relative):
    mother = relative("en")
    ref = submit_report(mother, "en", name=NAME)
    admin = standin.user(ADMIN_IDS[0], first_name="Admin", language_code="en")
    settle(admin)
    card = admin.ask(f"/case {ref}")
    assert NAME in card.text
    assert admin.tap(t("en", "button.staff.note")).text == t("en", "staff.note.prompt", ref=ref)
    assert admin.ask(f"Called {NAME}'s uncle in Baku.").text == t("en", "staff.note.saved")
    handled(bot, admin.id)
    taps = [json.loads(payload) for (payload,) in bot.query(
        "select payload from inbox_update where chat_key = :c and payload like '%callback_query%'", c=admin.id)]
    assert taps and all(NAME not in json.dumps(tap, ensure_ascii=False) for tap in taps), "a tap is stored without the card"
    assert taps[-1]["callback_query"]["data"] == f"sn:{ref}"
    files = database_files(bot)
    assert any(NAME.encode() in file.read_bytes() for file in files), "the check below can see the name"

    mother.ask("/delete")
    done = mother.tap(t("en", "button.delete_yes"))
    assert ref in done.text
    leaks = [file.name for file in database_files(bot) if NAME.encode() in file.read_bytes()]
    assert not leaks, f"{NAME} is still in {leaks}"
    assert bot.query("select count(*) from inbox_update where chat_key = :c", c=admin.id)[0][0] == 0


def test_delete_before_consent_says_what_was_held_and_deletes_it(bot, relative):
    stranger = relative("ru")
    stranger.ask("/start")
    stranger.ask("Здравствуйте")
    assert bot.query("select count(*) from inbox_update where chat_key = :c", c=stranger.id)[0][0] >= 2
    reply = stranger.ask("/delete")
    assert reply.text == tn("ru", "delete.messages_done", "delete.messages_done.plural", 2)
    assert reply.text != t("ru", "delete.nothing")
    handled(bot, stranger.id)
    assert bot.query("select count(*) from inbox_update where chat_key = :c", c=stranger.id)[0][0] == 0
    assert bot.conversation_of(stranger.id) is None
    assert stranger.ask("/delete").text == t("ru", "delete.nothing"), "now nothing is held: the /delete went with the rest"
    handled(bot, stranger.id)
    assert bot.query("select count(*) from inbox_update where chat_key = :c", c=stranger.id)[0][0] == 0


def test_delete_does_not_lift_the_daily_limit_and_the_counter_names_nobody(bot, relative):
    mother = relative("az")
    submit_report(mother, "az")
    mother.ask("/delete")
    mother.tap(t("az", "button.delete_yes"))
    assert bot.cases_of(mother.id) == []
    assert mother.ask("/new").text == tn("az", "limit.cases_per_day", "limit.cases_per_day.plural", 1)
    rows = bot.query("select * from daily_report_count")
    assert rows and all(str(mother.id) not in " ".join(map(str, row)) for row in rows), "no Telegram id in the counter"


def test_the_running_bot_holds_nobody_who_wrote_in_its_memory(bot, relative):
    """PTB notes every chat and person whose update it handled, for a persistence layer, and lets
    go of them only when it saves one. We keep everything in the database instead: kept, those
    notes would grow by every family that ever wrote, for as long as the bot runs."""
    people = [relative(language) for language in ("az", "ru", "en") * 4]
    for person in people:
        person.ask("/start")
    for person in people:
        handled(bot, person.id)
    time.sleep(0.2)  # PTB notes an update after our processor has marked it done

    async def noted(application) -> set[int]:
        return (set(application._chat_ids_to_be_updated_in_persistence)  # noqa: SLF001
                | set(application._user_ids_to_be_updated_in_persistence)  # noqa: SLF001
                | set(application.chat_data) | set(application.user_data))

    held = {person.id for person in people} & bot.in_process.call(noted)
    assert not held, f"{len(held)} of {len(people)} people who wrote are still held in the bot's memory"


def test_a_stored_tap_still_replays_as_the_same_tap_by_the_same_person_in_the_same_chat():
    card = {"message_id": 77, "date": 1795250000, "chat": {"id": 4242, "type": "private", "first_name": "Admin"},
            "from": {"id": 1, "is_bot": True, "first_name": "Homeward"}, "text": f"Report K7M-4PX\n{NAME}, +994501234567",
            "reply_markup": {"inline_keyboard": [[{"text": "Add a note", "callback_data": "sn:K7M-4PX"}]]}}
    item = {"update_id": 5, "callback_query": {"id": "99", "from": {"id": 4242, "is_bot": False, "first_name": "Admin", "language_code": "en"},
                                               "chat_instance": "1", "data": "sn:K7M-4PX", "message": card}}
    delivery = Delivery(item)
    assert NAME not in delivery.payload and "994501234567" not in delivery.payload
    assert delivery.digest == Delivery(json.loads(json.dumps(item))).digest, "a redelivery is still recognised by its full content"
    replayed = parse_update(json.loads(delivery.payload), None, 3)
    assert (replayed.callback_query.data, replayed.effective_user.id, replayed.effective_chat.id) == ("sn:K7M-4PX", 4242, 4242)
    assert replayed.callback_query.message.message_id == 77 and receipt_of(replayed) == 3
    reply = {"update_id": 6, "message": {"message_id": 78, "date": 1795250001, "chat": card["chat"], "text": "called him",
                                         "from": item["callback_query"]["from"], "reply_to_message": card}}
    assert NAME not in Delivery(reply).payload and json.loads(Delivery(reply).payload)["message"]["text"] == "called him"
