"""Only the bot's own user can read the data: folder 0700, database files 0600, the unit's umask."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from core.config import PROJECT_ROOT
from db.database import Database
from db.migrate import MigratingInChild

pytestmark = pytest.mark.inprocess


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """As on a server with the usual umask: what is not asked for is readable by everyone."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_new_data_folder_is_0700_and_the_database_with_its_wal_and_shm_0600(tmp_path, open_umask):
    path = tmp_path / "data" / "homeward.db"
    db = Database(f"sqlite:///{path}")
    try:
        db.run_sync(lambda s: s.execute(text("create table note (words text)")))
        files = [path, path.with_name("homeward.db-wal"), path.with_name("homeward.db-shm")]
        assert all(file.exists() for file in files), "WAL mode: the -wal and -shm files are there while the bot runs"
        assert mode(path.parent) == 0o700
        assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}
    finally:
        db.close()


def test_a_database_left_readable_by_others_is_narrowed_at_start(tmp_path, open_umask):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    path = folder / "homeward.db"
    path.touch(mode=0o644)
    Database(f"sqlite:///{path}").close()
    assert mode(path) == 0o600
    assert mode(folder) == 0o755, "a folder the bot did not create is left as it was"


def test_the_systemd_unit_sets_a_private_umask_and_the_readme_creates_env_0600():
    unit = (PROJECT_ROOT / "deploy" / "homeward.service").read_text()
    assert re.search(r"^UMask=0077$", unit, re.MULTILINE)
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "install -m 600 .env.example .env" in readme
    assert not re.search(r"\bcp \.env\.example \.env\b(?!\))", readme), "no plain copy that others could read"


def test_the_migration_child_creates_a_new_database_the_owners_alone(tmp_path, open_umask):
    """Start-up's migrations run in a forked child, beside the rest of start-up."""
    path = tmp_path / "homeward.db"
    migrating = MigratingInChild(f"sqlite:///{path}")
    migrating.wait()
    assert mode(path) == 0o600
    db = Database(f"sqlite:///{path}")
    try:
        assert "case" in db.read_sync(lambda session: inspect(session.get_bind()).get_table_names()), "migrated"
    finally:
        db.close()


def test_a_migration_that_fails_in_the_child_says_why_in_the_parent(tmp_path):
    path = tmp_path / "homeward.db"
    path.write_text("not a database")
    migrating = MigratingInChild(f"sqlite:///{path}")
    with pytest.raises(RuntimeError, match="DatabaseError"):
        migrating.wait()
