"""Apply Alembic migrations programmatically (start-up, tests, `run_bot.py migrate`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


class MigratingInChild:
    """The bot's start-up migrations in a forked child: Alembic (about 11 MB once imported)
    never enters the long-running process's memory, and the parent goes on loading the rest of
    the bot while they run (on a fresh database they are a fifth of start-up). `wait()` returns
    when they are done and raises with the child's reason when they failed. Where there is no
    fork, they run in-process, at once."""

    def __init__(self, url: str) -> None:
        self._pid = 0
        self._reader = -1
        if not hasattr(os, "fork"):
            upgrade(url)
            return
        reader, writer = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: migrate, tell the parent why not if it failed, leave at once
            os.close(reader)
            code = 0
            try:
                upgrade(url)
            except BaseException as exc:  # noqa: BLE001 - reported to the parent through the pipe
                os.write(writer, f"{type(exc).__name__}: {exc}".encode(errors="replace")[:2000])
                code = 1
            finally:
                os._exit(code)
        os.close(writer)
        self._pid, self._reader = pid, reader

    def wait(self) -> None:
        if not self._pid:
            return
        pid, self._pid = self._pid, 0
        with os.fdopen(self._reader, "rb") as pipe:
            reason = pipe.read().decode(errors="replace")
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(reason or "database migration failed")


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def revisions(connection) -> tuple[str | None, str | None]:
    """(the database's Alembic revision, the newest there is), read without changing anything."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return current, head
