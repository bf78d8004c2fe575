"""`run_bot.py check` as whoever installs the bot runs it: what stands between this install and
families, one line each, and a non-zero exit while something blocks a launch. Also the other
things a newcomer meets on the command line: the preview as an admin, an export to a folder
that is not there."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from app.launch_check import exposed_files
from bot.app import prepare_database
from core.config import load_settings
from core.i18n import t
from db.migrate import upgrade
from tests.support.bots import ADMIN_IDS, STAFF_CHAT, run_bot

TOKEN = "123456:LAUNCH-CHECK-token"
EMBASSY = "Embassy of the Republic of Azerbaijan in the Russian Federation"
YEKATERINBURG = "Consulate General of the Republic of Azerbaijan in Yekaterinburg"


def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'homeward.db'}"
    result = run_bot("migrate", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    return url


def check(env: dict) -> tuple[int, list[str]]:
    result = run_bot("check", env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.splitlines()


def line(lines: list[str], key: str, **params: str) -> str:
    """The line saying this finding, whether it blocks or warns."""
    said = t("en", f"launch.{key}", **params)
    found = [shown for shown in lines if shown.endswith(said)]
    assert len(found) == 1, f"{said!r} not once in:\n" + "\n".join(lines)
    return found[0].split()[0]


def test_a_fresh_install_is_not_ready_and_says_why(tmp_path):
    url = migrated(tmp_path)
    code, lines = check({"DATABASE_URL": url})
    assert code == 1
    assert line(lines, "no_token") == "BLOCKS"
    assert line(lines, "no_admin") == "BLOCKS"
    # Families are sent to these two, and would get no phone, address or link for either.
    assert line(lines, "office_unverified", office=EMBASSY) == "BLOCKS"
    assert line(lines, "office_unverified", office=YEKATERINBURG) == "BLOCKS"
    assert line(lines, "no_staff_chat") == "warning"
    assert line(lines, "no_backup_dir") == "warning"
    assert lines[-1] == f"{sum(shown.startswith('BLOCKS') for shown in lines)} of these block a launch."


def ready(url: str, backups: Path) -> None:
    """What an organisation does before launch: contact details verified, files closed, a backup."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("update contact_field set verified_at = '2026-12-01 10:00:00', verified_by = 4242 where value != ''"))
        connection.execute(text("update contact_field set value = '+7 812 000-00-00', verified_at = '2026-12-01 10:00:00' "
                                "where field = 'phone' and value = ''"))
    engine.dispose()
    for path in Path(url.removeprefix("sqlite:///")).parent.glob("homeward.db*"):
        path.chmod(0o600)
    backups.mkdir()
    (backups / "homeward-2026-12-02.db").write_bytes(b"a copy")


def test_a_configured_install_is_ready(tmp_path, standin):
    url = migrated(tmp_path)
    ready(url, tmp_path / "backups")
    env = {"DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": standin.base_url,
           "TELEGRAM_API_FILE_URL": standin.file_url, "ADMIN_IDS": str(ADMIN_IDS[0]), "STAFF_CHAT_ID": str(STAFF_CHAT),
           "BACKUP_DIR": str(tmp_path / "backups")}
    code, lines = check(env)
    assert (code, lines) == (0, ["Nothing blocks a launch."])

    old = time.time() - 30 * 3600  # the daily backup stopped a day ago
    os.utime(tmp_path / "backups" / "homeward-2026-12-02.db", (old, old))
    code, lines = check(env)
    assert code == 0 and line(lines, "backup_old", folder=str(tmp_path / "backups"), hours="30") == "warning"

    # Telegram refuses the token (the stand-in answers 404 on this address, as Telegram does for a bad token).
    code, lines = check({**env, "TELEGRAM_API_BASE_URL": standin.base_url.replace("/bot", "/nobot")})
    assert code == 1 and line(lines, "token_refused") == "BLOCKS"


def test_an_unreachable_database_is_one_line_without_its_password(tmp_path):
    code, lines = check({"DATABASE_URL": "postgresql://homeward:SECRET-pw@127.0.0.1:1/homeward"})
    assert code == 1
    assert line(lines, "database_unreachable", where="127.0.0.1:1/homeward", error="OperationalError") == "BLOCKS"
    assert not any("SECRET-pw" in shown for shown in lines)


def test_a_database_behind_its_migrations_blocks_and_is_left_as_it_was(tmp_path):
    url = f"sqlite:///{tmp_path / 'homeward.db'}"
    upgrade(url, "0004")
    code, lines = check({"DATABASE_URL": url})
    assert code == 1 and line(lines, "database_not_migrated", where=url, current="0004") == "BLOCKS"
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("select version_num from alembic_version")).scalar() == "0004", "check migrates nothing"
    engine.dispose()

    missing = f"sqlite:///{tmp_path / 'none.db'}"
    code, lines = check({"DATABASE_URL": missing})
    assert code == 1 and line(lines, "database_not_migrated", where=missing, current="—") == "BLOCKS"
    assert not (tmp_path / "none.db").exists(), "check creates no database"


def test_a_database_others_can_read_blocks_and_is_warned_of_at_start_up(tmp_path, caplog):
    url = migrated(tmp_path)
    database = tmp_path / "homeward.db"
    database.chmod(0o644)
    code, lines = check({"DATABASE_URL": url})
    assert line(lines, "files_exposed", files=str(database)) == "BLOCKS"

    settings = load_settings(database_url=url)
    assert exposed_files(settings) == [database]
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        prepare_database(settings).close()
    warned = [r.getMessage() for r in caplog.records if "readable by other users" in r.getMessage()]
    assert len(warned) == 1 and str(database) in warned[0]

    for path in tmp_path.glob("homeward.db*"):
        path.chmod(0o600)
    assert exposed_files(settings) == []
    code, lines = check({"DATABASE_URL": url})
    assert not any(t("en", "launch.files_exposed", files="")[:20] in shown for shown in lines)


def test_the_start_up_warning_holds_while_the_migrations_run_beside_the_rest_of_start_up(tmp_path):
    """run_bot.py notes what others can read before the migration child opens (and narrows)
    the database, and warns of it once the database is ready."""
    url = migrated(tmp_path)
    database = tmp_path / "homeward.db"
    database.chmod(0o644)
    result = run_bot("migrate", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert f"readable by other users of this server: {database}" in result.stderr
    assert database.stat().st_mode & 0o077 == 0, "and it is narrowed"


def plain(html_text: str) -> str:
    return html_text.replace("<b>", "").replace("</b>", "")


def test_the_preview_as_admin_opens_guidance_with_the_launch_list(tmp_path):
    url = f"sqlite:///{tmp_path / 'preview.db'}"
    as_admin = run_bot("preview", "--admin", env={"DATABASE_URL": url}, stdin="/guidance\n:quit\n", timeout=120)
    assert as_admin.returncode == 0, as_admin.stderr[-2000:]
    assert "You are an admin" in as_admin.stdout
    assert plain(t("az", "launch.title")) in as_admin.stdout  # the preview's relative writes in az
    assert plain(t("az", "admin.overview.title")) in as_admin.stdout

    as_family = run_bot("preview", env={"DATABASE_URL": url}, stdin="/guidance\n:quit\n", timeout=120)
    assert as_family.returncode == 0, as_family.stderr[-2000:]
    assert plain(t("az", "admin.overview.title")) not in as_family.stdout
    assert "make run ADMIN=1" in as_family.stdout


def test_an_export_to_a_missing_folder_is_one_clear_line(tmp_path):
    url = migrated(tmp_path)
    result = run_bot("export", "--format", "csv", "--out", str(tmp_path / "no" / "such" / "cases.csv"), env={"DATABASE_URL": url})
    assert result.returncode == 2
    assert result.stderr.strip() == f"{tmp_path / 'no' / 'such'}: no such folder; create it first, or give --out a file in an existing folder"
    assert not (tmp_path / "no").exists()
