"""Start-up's first steps, taken before the rest of the bot is loaded (run_bot.main), so that the
migrations run in a child meanwhile; bot.app.prepare_database finishes what they begin."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.launch_check import exposed_files
from core.config import Settings
from db.migrate import MigratingInChild


@dataclass(frozen=True)
class Begun:
    exposed: list[Path]  # data files other users could read, before anything opened the database
    migrating: MigratingInChild


def begin_start_up(settings: Settings) -> Begun:
    # In this order: opening the database (the migrations do) narrows its own files' modes.
    exposed = exposed_files(settings)
    return Begun(exposed, MigratingInChild(settings.database_url))
