"""Shared fixtures: the Bot API stand-in, the real bot as a subprocess, and the database it writes.

Tests speak as a relative: `mother.ask("Tahir Abdullayev")` sends a message through the stand-in
and returns the bot's next reply; the database is then checked for what it holds.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import create_engine

from db.database import normalise_url
from standin import StandinThread
from core.i18n import t
from tests.support.bots import _SCHEMAS, ADMIN_IDS, STAFF_CHAT, BotProcess, database_url, new_user_id, postgres_url, settle


@pytest.fixture(scope="session")
def standin():
    with StandinThread() as server:
        server.group_chat(STAFF_CHAT, "Homeward staff")
        yield server










@pytest.fixture(scope="session", autouse=True)
def drop_test_schemas():
    yield
    if _SCHEMAS:
        admin = create_engine(normalise_url(postgres_url()), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for schema in _SCHEMAS:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


_MODULE_BOTS: list[BotProcess] = []


@pytest.fixture(scope="module")
def bot(standin, tmp_path_factory, request):
    """One bot for a test module; tests keep apart by using their own relatives."""
    folder = tmp_path_factory.mktemp("bot")
    in_process = request.node.get_closest_marker("inprocess") is not None
    process = BotProcess(standin, database_url(folder), folder / "bot.log", in_process=in_process).start()
    _MODULE_BOTS.append(process)
    yield process
    _MODULE_BOTS.remove(process)
    process.stop()


@pytest.fixture
def fresh_bot(standin, tmp_path):
    """A bot of its own, for tests that kill or restart it. Two bots polling one token is what
    Telegram answers with 409 (and what the bot refuses), so the module's bot pauses meanwhile."""
    paused = list(_MODULE_BOTS)
    for other in paused:
        other.stop()
    process = BotProcess(standin, database_url(tmp_path), tmp_path / "bot.log")
    yield process
    process.stop()
    for other in paused:
        other.start()


@pytest.fixture
def relative(standin):
    """A new relative each call: relative("ru") writes from a Russian-language Telegram app."""

    def make(language: str = "az", first_name: str = "Gulnara"):
        return standin.user(new_user_id(), first_name=first_name, language_code=language)

    return make




@pytest.fixture(scope="module")
def admin(standin, bot):
    """An admin from ADMIN_IDS, writing in English."""
    person = standin.user(ADMIN_IDS[1], first_name="Admin", language_code="en")
    settle(person)
    return person


@pytest.fixture(scope="module")
def staff(standin, bot, admin):
    """A staff member the admin granted, writing in Russian."""
    person = standin.user(new_user_id(), first_name="Staff", language_code="ru")
    assert admin.ask(f"/grant {person.id} staff").text == t("en", "roles.granted", id=str(person.id), role=t("en", "staff.role.staff"))
    return person


@pytest.fixture
def postgres_schema_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    url = postgres_url()
    if not url:
        pytest.skip("TEST_DATABASE_URL not set (PostgreSQL tests run in CI)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - whatever the reason, the test says it in one line
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable: {type(exc).__name__}")
        pytest.skip(f"PostgreSQL unreachable: {type(exc).__name__}")
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
