"""Logging for every process: nothing a relative typed and no token in the log, at any level."""

from __future__ import annotations

import logging
from pathlib import Path


def configure_logging(level: str = "INFO", filename: str | None = None) -> None:
    if filename:
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=level,
        filename=filename,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL, and Telegram's URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per plugin at every start
    # PTB logs whole updates (what relatives typed) at DEBUG.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLogger().level))
