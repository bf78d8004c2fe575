"""Start-up as a new user meets it: migrations on SQLite and PostgreSQL, settings, the preview."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, inspect, text

from bot.inbox import Delivery
from core.i18n import t
from db.database import normalise_url
from db.migrate import downgrade, upgrade
from tests.support.bots import BotProcess, run_bot
from tests.support.conversation import SCRIPTS, answer_required

TABLES = {"inbox_update", "user_profile", "conversation", "case", "attachment", "guidance_text", "alembic_version"}


def assert_schema(url: str) -> None:
    engine = create_engine(normalise_url(url))
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_migrations_upgrade_an_empty_sqlite_database_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    assert_schema(url)
    downgrade(url, "base")
    upgrade(url)
    assert_schema(url)


def test_migrations_upgrade_an_empty_postgresql_database(postgres_schema_url):
    upgrade(postgres_schema_url)
    assert_schema(postgres_schema_url)
    downgrade(postgres_schema_url, "base")
    upgrade(postgres_schema_url)


def upgrade_inbox_with_updates_stored_before_receipts(url: str) -> None:
    """Updates stored by the version keyed on Telegram's ids keep working after the upgrade:
    each gets its old id as receipt, so what they caused still points at them."""
    upgrade(url, "0004")
    payload = json.dumps({"update_id": 41, "message": {"message_id": 5, "date": 1795250000, "text": "salam",
                                                       "chat": {"id": 9, "type": "private"}}})
    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(text("insert into inbox_update (update_id, chat_key, payload, received_at, attempts) "
                                    "values (41, 9, :payload, '2026-11-30 10:00:00', 0)"), {"payload": payload})
            connection.execute(text("insert into conversation (telegram_id, chat_id, phase, editing, confirming_cancel, answers, "
                                    "last_update_id, last_outputs, updated_at) values (9, 9, 'idle', false, false, '{}', 41, '[]', "
                                    "'2026-11-30 10:00:00')"))
        upgrade(url)
        with engine.connect() as connection:
            row = connection.execute(text("select receipt, update_id, digest from inbox_update")).one()
            last = connection.execute(text("select last_receipt from conversation")).scalar()
    finally:
        engine.dispose()
    assert row.receipt == row.update_id == last == 41
    assert row.digest == Delivery(json.loads(payload)).digest, "a redelivery of it is recognised"


def test_the_receipts_migration_keeps_stored_updates_on_sqlite(tmp_path):
    upgrade_inbox_with_updates_stored_before_receipts(f"sqlite:///{tmp_path / 'old.db'}")


def test_the_receipts_migration_keeps_stored_updates_on_postgresql(postgres_schema_url):
    upgrade_inbox_with_updates_stored_before_receipts(postgres_schema_url)


def test_a_report_on_postgresql(standin, relative, postgres_schema_url, tmp_path):
    process = BotProcess(standin, postgres_schema_url, tmp_path / "bot.log").start()
    try:
        mother = relative("ru")
        mother.ask("/start")
        answer_required(mother, "ru", SCRIPTS["ru"])
        mother.tap(t("ru", "choice.share_with_authorities.yes"))
        mother.tap(t("ru", "button.review"))
        mother.tap("✅ " + t("ru", "button.submit"))
        [case] = process.cases_of(mother.id)
        assert case.person_full_name == SCRIPTS["ru"]["name"] and case.reporter_phone == "+994501234567"
    finally:
        process.stop()




def test_help_lists_the_subcommands():
    result = run_bot("--help")
    assert result.returncode == 0
    for command in ("run", "preview", "migrate", "compile"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("ADMIN_IDS", "12,alice", "ADMIN_IDS must be numeric Telegram ids"),
        ("DEFAULT_LANGUAGE", "tr", "DEFAULT_LANGUAGE must be one of az, ru, en"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token-SECRET", "TELEGRAM_BOT_TOKEN does not look like a bot token"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must start with sqlite:/// or postgresql://"),
        ("STAFF_CHAT_ID", "group", "STAFF_CHAT_ID"),
    ],
)
def test_a_malformed_setting_stops_start_up_with_one_line(name, value, says):
    result = run_bot("migrate", env={name: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and "Traceback" not in result.stderr
    assert "SECRET" not in result.stderr, "a bad value is not echoed: it may be a secret"


def test_an_unreachable_database_is_one_line():
    result = run_bot("migrate", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"})
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Database error")


def test_the_preview_completes_a_report_typed_in_a_terminal(tmp_path):
    """`make run` without a token: the terminal chat, buttons pressed by number."""
    typed = "\n".join([
        "1",                      # I agree
        "1",                      # Mother
        "Tahir Abdullayev",
        "1980",
        "yanvarın ortası",
        "Voronej",
        "2",                      # reply here in Telegram
        "1",                      # yes, pass it on
        "2",                      # review and send now
        "18",                     # submit
        ":quit",
    ]) + "\n"
    url = f"sqlite:///{tmp_path / 'preview.db'}"
    result = run_bot(env={"DATABASE_URL": url}, stdin=typed, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "TELEGRAM_BOT_TOKEN" in result.stdout.splitlines()[2], "one line says how to connect a real token"
    assert "[1] " + t("az", "button.agree") in result.stdout
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("select ref, person_full_name, reporter_contact_method from \"case\"").all()
    engine.dispose()
    assert len(rows) == 1 and rows[0][1] == "Tahir Abdullayev" and rows[0][2] == "telegram"
    assert rows[0][0] in result.stdout


def test_the_preview_restarted_twice_on_one_database_answers_at_once(tmp_path):
    """Each preview's stand-in numbers updates from 1 again, below what the database has seen
    (as Telegram does after a quiet week): the bot must hear the first message of every run."""
    url = f"sqlite:///{tmp_path / 'preview.db'}"
    first = run_bot(env={"DATABASE_URL": url}, stdin="\n".join(["1", "1", "Əli Məmmədov", ":quit"]) + "\n", timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    assert t("az", "ask.birth") in first.stdout
    for typed, next_question in (("1980", "ask.last_contact"), ("15.01.2026", "ask.last_location")):
        again = run_bot(env={"DATABASE_URL": url}, stdin=f"{typed}\n:quit\n", timeout=120)
        assert again.returncode == 0, again.stderr[-2000:]
        assert t("az", next_question)[:40] in again.stdout, again.stdout[-1500:]
