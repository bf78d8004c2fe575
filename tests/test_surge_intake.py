"""What keeps a surge cheap without losing anything: updates finished together are marked done in
one statement, the poller stops fetching while too many chats are in hand, and a relative's
draft is read and written without the ORM yet holds exactly what the engine put in it."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from sqlalchemy import event, text
from sqlmodel import SQLModel
from telegram import Update

from app.intake import Person, draft_of, run_turn
from bot.events import callback_event
from bot.inbox import Inbox, parse_update, receipt_of
from bot.processor import ChatOrderedProcessor
from db.database import Database
from db.models import UserProfile
from flows import engine


@pytest.fixture
def db(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'homeward.db'}")
    SQLModel.metadata.create_all(db.engine)
    db.statements = []
    event.listen(db.loop_engine, "before_cursor_execute",  # the engine the writes run on
                 lambda _c, _cur, statement, *_: db.statements.append(statement.split()[0].upper()))
    yield db
    db.close()


def message_update(update_id: int, chat_id: int, text_: str = "salam") -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Relative", "language_code": "az"}
    return {"update_id": update_id, "message": {"message_id": update_id, "date": 0, "text": text_, "from": user,
                                                "chat": {"id": chat_id, "type": "private"}}}


def test_updates_finished_together_are_marked_done_in_one_statement(db):
    inbox = Inbox(db)

    async def main():
        received = [message_update(n, 100 + n) for n in range(1, 41)]
        await inbox.open()
        fresh = await inbox.store(inbox.receive(received, None))
        assert [u.update_id for u in fresh] == list(range(1, 41))
        db.statements.clear()
        await asyncio.gather(*(inbox.mark_done(receipt_of(update)) for update in fresh))

    asyncio.run(main())
    assert db.statements.count("UPDATE") == 1, "forty updates finishing at once: one UPDATE"
    with db.engine.connect() as connection:
        pending = connection.execute(text("select count(*) from inbox_update where done_at is null")).scalar()
        stored = connection.execute(text("select payload from inbox_update where update_id = 7")).scalar()
    assert pending == 0
    assert json.loads(stored) == message_update(7, 107), "stored as Telegram sent it"


def test_the_poller_waits_while_too_many_chats_are_in_hand_and_one_chat_counts_once(db):
    processor = ChatOrderedProcessor(Inbox(db), max_chats_in_hand=2)
    processor.inbox.mark_done = lambda _update_id: asyncio.sleep(0)

    async def main():
        gates = {chat: asyncio.Event() for chat in (1, 2)}

        def update(update_id: int, chat: int) -> Update:
            return parse_update(message_update(update_id, chat), None, receipt=update_id)

        handling = [asyncio.create_task(processor.do_process_update(update(n, 1), gates[1].wait())) for n in (1, 2, 3)]
        await asyncio.sleep(0.01)
        await asyncio.wait_for(processor.room_for_more(), 1)  # one chat, three updates: room left
        handling.append(asyncio.create_task(processor.do_process_update(update(4, 2), gates[2].wait())))
        await asyncio.sleep(0.01)
        waiting = asyncio.create_task(processor.room_for_more())
        await asyncio.sleep(0.05)
        assert not waiting.done(), "two chats in hand: the poller waits"
        gates[2].set()
        await asyncio.wait_for(waiting, 1)
        gates[1].set()
        await asyncio.gather(*handling)

    asyncio.run(main())


def test_a_draft_round_trips_through_plain_sql_and_a_redelivery_changes_nothing(db):
    mother = Person(telegram_id=555, chat_id=555, language_code="ru")

    def turn(update_id: int, act):
        return db.run_sync(lambda session: run_turn(session, mother, update_id, act, "az", date.today()))

    first = turn(1, lambda _s, draft: engine.begin(draft))
    assert first.language == "ru", "no profile yet: Telegram's language"
    turn(2, lambda _s, draft: engine.handle(draft, callback_event("k:agree"), date.today()))
    turn(3, lambda _s, draft: engine.handle(draft, callback_event("a:relationship:mother"), date.today()))
    again = turn(3, lambda _s, _draft: pytest.fail("a redelivered update must not run again"))
    assert again.replay and again.step == "full_name"

    def look(session):
        draft, remembered = draft_of(session, mother)
        return draft.values(), remembered, session.get(UserProfile, 555).language

    values, remembered, language = db.run_sync(look)
    assert values["answers"] == {"relationship": "mother"} and values["phase"] == "asking"
    assert values["last_receipt"] == 3 and values["consent_version"] == engine.CONSENT_VERSION
    assert remembered == language == "ru", "after consent the language is remembered"
